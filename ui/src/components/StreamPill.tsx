// Where price alerts and order updates learn of the market now (GET /api/health `marketData`):
// the broker's stream live, or polling while it is down, or nothing to watch.

import { useEffect, useState } from 'react';
import { api } from '../api';
import type { Health, MarketData } from '../types';

export interface StreamView {
  /** live: ticks pushed; polling: the stream is down or absent and alerts poll; idle: nothing subscribed; off: no market data at all. */
  mode: 'live' | 'polling' | 'idle' | 'connecting' | 'off';
  label: string;
  detail: string;
}

export function streamView(md: MarketData | null | undefined): StreamView {
  if (!md) return { mode: 'off', label: 'market data off', detail: 'This server reports no market data source.' };
  const { stream, priceAlerts: a, orderUpdates: o } = md;
  const detail = [
    `Stream: ${stream === 'none' ? 'none (the broker has no stream)' : stream}`,
    `Price alerts: ${a.stream} on the stream, ${a.poll} polling${a.ticksHeldBack ? `, ${a.ticksHeldBack} ticks held back while a run was busy` : ''}`,
    `Order updates: ${o.source}, ${o.watches} watch${o.watches === 1 ? '' : 'es'}`,
  ].join('\n');
  if (stream === 'live') return { mode: 'live', label: 'stream live', detail };
  if (stream === 'connecting') return { mode: a.poll || o.watches ? 'polling' : 'connecting', label: a.poll ? 'polling (stream connecting)' : 'stream connecting', detail };
  if (stream === 'idle') return { mode: a.poll ? 'polling' : 'idle', label: a.poll ? 'polling' : 'stream idle', detail };
  // down, closed or no stream at all: whatever watches the market polls.
  if (a.poll || a.stream || o.watches) return { mode: 'polling', label: stream === 'down' ? 'polling (stream down)' : 'polling', detail };
  return { mode: 'off', label: stream === 'down' ? 'stream down' : 'no stream', detail };
}

/** GET /api/health, polled (no token; cheap). */
export function useHealth(everyMs = 10_000): Health | null {
  const [health, setHealth] = useState<Health | null>(null);
  useEffect(() => {
    let live = true;
    const load = () => api.health().then((h) => live && setHealth(h), () => {});
    load();
    const t = setInterval(load, everyMs);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, [everyMs]);
  return health;
}

export function StreamPill({ health }: { health: Health | null }) {
  if (!health) return null;
  const v = streamView(health.marketData);
  return <span className={`pill stream-${v.mode}`} data-testid="stream-pill" data-mode={v.mode} title={v.detail}><span className="dot" />{v.label}</span>;
}
