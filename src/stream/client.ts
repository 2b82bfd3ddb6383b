// The OpenAlgo WebSocket client: one connection per host and API key, shared by every alert, order
// watch and streaming node. Authenticates with the API key, subscribes by mode (counted), pings,
// reconnects with jittered backoff and resubscribes everything. Bad frames, refused symbols and a
// stalled stream are logged once, counted, and never thrown.

import { createHash } from 'node:crypto';
import WebSocket from 'ws';
import type { SymbolRef } from '../broker/types.js';
import { SubscriptionBook, type Subscription } from './book.js';
import { parseServerFrame } from './protocol.js';
import { traceFrame } from '../runtime/trace.js';
import type { MarketStream, StreamMode, StreamOrderUpdate, StreamState, StreamStats, SubscribeOptions, Tick } from './types.js';

export interface StreamLogger {
  info?(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
}

export interface OpenAlgoStreamOptions {
  url: string;
  apiKey: string;
  logger?: StreamLogger;
  /** Ping interval; no frame for two of them means the stream stalled (10 s). */
  heartbeatMs?: number;
  /** First reconnect delay, doubled per failure up to backoffMaxMs, with jitter (250 ms, 30 s). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Connect and authenticate within this, or try again (10 s). */
  authTimeoutMs?: number;
  /** Disconnect after this long with nothing subscribed (5 s). */
  idleMs?: number;
}

/** OpenAlgo's stream address for its REST host: ws://HOST:8765 locally, wss://HOST/ws behind HTTPS (docs/prompt/websockets-format.md). */
export function deriveWsUrl(host: string): string {
  const u = new URL(host);
  if (u.protocol === 'https:') return `wss://${u.host}/ws`;
  return `ws://${u.hostname.includes(':') ? `[${u.hostname}]` : u.hostname}:8765`;
}

const CHUNK = 500; // symbols per subscribe message

export class OpenAlgoStream implements MarketStream {
  private readonly book: SubscriptionBook;
  private readonly orderListeners = new Set<(u: StreamOrderUpdate) => void>();
  private readonly stateListeners = new Set<(s: StreamState) => void>();
  private ws: WebSocket | null = null;
  private current: StreamState = 'idle';
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private beatTimer: NodeJS.Timeout | null = null;
  private authTimer: NodeJS.Timeout | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private lastFrameAt = 0;
  private readonly pendingSub = new Map<StreamMode, Subscription[]>();
  private readonly pendingUnsub = new Map<StreamMode, SymbolRef[]>();
  private flushQueued = false;
  private readonly logged = new Set<string>();
  private readonly counts = { connects: 0, reconnects: 0, ticks: 0, orderUpdates: 0, badFrames: 0, errorFrames: 0, symbolErrors: 0, stalls: 0, lastTickAt: null as number | null };
  private readonly heartbeatMs: number;
  private readonly baseMs: number;
  private readonly maxMs: number;

  constructor(private readonly opts: OpenAlgoStreamOptions) {
    this.heartbeatMs = opts.heartbeatMs ?? 10_000;
    this.baseMs = opts.backoffBaseMs ?? 250;
    this.maxMs = opts.backoffMaxMs ?? 30_000;
    this.book = new SubscriptionBook(
      (sub) => this.queue(sub, true),
      (sub) => { this.queue(sub, false); this.maybeIdle(); },
      (err) => this.once('listener', { err: (err as Error)?.message ?? String(err) }, 'a stream listener threw; the stream goes on'),
    );
  }

  get state(): StreamState {
    return this.current;
  }

  get url(): string {
    return this.opts.url;
  }

  subscribe(ref: SymbolRef, mode: StreamMode, listener: (tick: Tick) => void, opts?: SubscribeOptions): () => void {
    const unsub = this.book.add(ref, mode, listener, opts);
    this.ensure();
    return unsub;
  }

  onOrderUpdate(listener: (u: StreamOrderUpdate) => void): () => void {
    const first = this.orderListeners.size === 0;
    this.orderListeners.add(listener);
    if (first && this.current === 'live') this.send({ action: 'subscribe_orders' });
    this.ensure();
    return () => {
      if (!this.orderListeners.delete(listener)) return;
      if (this.orderListeners.size === 0 && this.current === 'live') this.send({ action: 'unsubscribe_orders' });
      this.maybeIdle();
    };
  }

  onStateChange(listener: (s: StreamState) => void): () => void {
    this.stateListeners.add(listener);
    return () => { this.stateListeners.delete(listener); };
  }

  stats(): StreamStats {
    return { state: this.current, url: this.opts.url, subscriptions: this.book.size, ...this.counts };
  }

  close(): void {
    this.clearTimers();
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.removeAllListeners();
      ws.on('error', () => {});
      ws.terminate();
    }
    this.setState('closed');
  }

  /** Tests and benches: drop the connection as a network fault would (a reconnect follows). */
  dropConnection(): void {
    this.ws?.terminate();
  }

  // ---- connection ----------------------------------------------------------------

  private wanted(): boolean {
    return this.book.size > 0 || this.orderListeners.size > 0;
  }

  private ensure(): void {
    if (this.idleTimer) {
      clearTimeout(this.idleTimer);
      this.idleTimer = null;
    }
    if (this.current === 'idle') this.connect(); // closed is final
  }

  private maybeIdle(): void {
    if (this.wanted() || this.idleTimer || this.current === 'idle' || this.current === 'closed') return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.wanted()) return;
      this.close();
      this.setState('idle');
    }, this.opts.idleMs ?? 5000);
    this.idleTimer.unref?.();
  }

  private connect(): void {
    this.clearTimers();
    this.setState(this.counts.connects === 0 && this.current !== 'down' ? 'connecting' : 'down');
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.opts.url, { handshakeTimeout: this.opts.authTimeoutMs ?? 10_000 });
    } catch (err) {
      this.once('url', { url: this.opts.url, err: (err as Error).message }, 'OpenAlgo stream URL is not usable; alerts poll instead');
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    this.authTimer = setTimeout(() => {
      this.once('auth-timeout', { url: this.opts.url }, 'OpenAlgo stream did not authenticate in time; retrying');
      ws.terminate();
    }, this.opts.authTimeoutMs ?? 10_000);
    this.authTimer.unref?.();
    // The stream never keeps a process alive by itself: `flow run` exits when its run is done.
    ws.on('upgrade', (res) => res.socket.unref());
    ws.on('open', () => {
      this.lastFrameAt = Date.now();
      ws.send(JSON.stringify({ action: 'authenticate', api_key: this.opts.apiKey }));
    });
    ws.on('message', (raw) => {
      traceFrame?.();
      this.onFrame(raw.toString());
    });
    ws.on('pong', () => { this.lastFrameAt = Date.now(); });
    ws.on('error', (err) => this.once(`error:${(err as Error).message}`, { url: this.opts.url, err: (err as Error).message }, 'OpenAlgo stream error'));
    ws.on('close', () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.clearTimers();
      if (this.current === 'closed') return;
      this.setState('down');
      this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    if (this.retryTimer || this.current === 'closed') return;
    const cap = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(this.attempt, 16));
    this.attempt++;
    const delay = cap / 2 + Math.random() * (cap / 2); // jitter: many clients do not return in step
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.wanted()) {
        this.setState('idle');
        return;
      }
      this.counts.reconnects++;
      this.connect();
    }, delay);
    this.retryTimer.unref?.();
  }

  private onLive(): void {
    if (this.authTimer) clearTimeout(this.authTimer);
    this.authTimer = null;
    this.attempt = 0;
    this.counts.connects++;
    this.logged.delete('auth-timeout');
    this.pendingSub.clear();
    this.pendingUnsub.clear();
    // Resubscribe everything, grouped by mode.
    const byMode = new Map<StreamMode, SymbolRef[]>();
    for (const sub of this.book.all()) {
      const list = byMode.get(sub.mode) ?? [];
      list.push(sub.ref);
      byMode.set(sub.mode, list);
    }
    for (const [mode, refs] of byMode) this.sendChunks('subscribe', mode, refs);
    if (this.orderListeners.size) this.send({ action: 'subscribe_orders' });
    this.beatTimer = setInterval(() => this.beat(), this.heartbeatMs);
    this.beatTimer.unref?.();
    this.setState('live');
  }

  private beat(): void {
    const ws = this.ws;
    if (!ws) return;
    if (Date.now() - this.lastFrameAt > 2 * this.heartbeatMs) {
      this.counts.stalls++;
      this.once('stall', { url: this.opts.url }, 'OpenAlgo stream stalled (no frame or pong); reconnecting');
      ws.terminate();
      return;
    }
    try { ws.ping(); } catch { /* closing: the close handler reconnects */ }
  }

  private clearTimers(): void {
    for (const t of [this.retryTimer, this.authTimer]) if (t) clearTimeout(t);
    if (this.beatTimer) clearInterval(this.beatTimer);
    this.retryTimer = this.authTimer = this.beatTimer = null;
  }

  private setState(state: StreamState): void {
    if (state === this.current) return;
    this.current = state;
    if (state === 'live' || state === 'down') this.opts.logger?.info?.({ url: this.opts.url, state }, `OpenAlgo stream ${state}`);
    for (const l of [...this.stateListeners]) {
      try { l(state); } catch (err) { this.once('state-listener', { err: (err as Error)?.message }, 'a stream state listener threw'); }
    }
  }

  // ---- frames ----------------------------------------------------------------------

  private onFrame(text: string): void {
    this.lastFrameAt = Date.now();
    const f = parseServerFrame(text);
    switch (f.kind) {
      case 'tick':
        this.counts.ticks++;
        this.counts.lastTickAt = this.lastFrameAt;
        this.book.dispatch(f.tick);
        return;
      case 'order':
        this.counts.orderUpdates++;
        for (const l of [...this.orderListeners]) {
          try { l(f.update); } catch (err) { this.once('order-listener', { err: (err as Error)?.message }, 'an order-update listener threw'); }
        }
        return;
      case 'auth':
        if (this.current !== 'live') this.onLive();
        return;
      case 'subscribe':
        for (const s of f.failed) {
          this.counts.symbolErrors++;
          this.once(`sym:${s.exchange}:${s.symbol}`, { symbol: s.symbol, exchange: s.exchange, message: s.message }, 'OpenAlgo stream refused a symbol; it is polled instead');
          this.book.fail(s.exchange, s.symbol, undefined, s.message);
        }
        return;
      case 'error':
        this.counts.errorFrames++;
        this.once(`err:${f.code}:${f.exchange ?? ''}:${f.symbol ?? ''}`, { code: f.code, message: f.message }, 'OpenAlgo stream answered an error');
        if (f.symbol && f.exchange) {
          this.counts.symbolErrors++;
          this.book.fail(f.exchange, f.symbol, undefined, f.message);
        } else if (this.current !== 'live' && /AUTH/i.test(f.code)) {
          this.ws?.close(); // a bad key: back off and try again rather than hammer the server
        }
        return;
      case 'bad':
        this.counts.badFrames++;
        this.once(`bad:${f.reason}`, { reason: f.reason, frame: text.slice(0, 120) }, 'OpenAlgo stream sent a frame Flow cannot read; ignored');
        return;
      default:
    }
  }

  // ---- subscriptions on the wire -------------------------------------------------------

  private queue(sub: Subscription, subscribe: boolean): void {
    if (this.current !== 'live') return; // sent with everything else once live
    if (subscribe) {
      const list = this.pendingSub.get(sub.mode) ?? [];
      list.push(sub);
      this.pendingSub.set(sub.mode, list);
    } else {
      const list = this.pendingUnsub.get(sub.mode) ?? [];
      list.push(sub.ref);
      this.pendingUnsub.set(sub.mode, list);
    }
    if (this.flushQueued) return;
    this.flushQueued = true;
    // Batched: 2,000 alerts activated together make one message per mode, not 2,000.
    queueMicrotask(() => {
      this.flushQueued = false;
      if (this.current !== 'live') return;
      for (const [mode, subs] of this.pendingSub) {
        const live = subs.filter((s) => s.listeners.size > 0).map((s) => s.ref);
        if (live.length) this.sendChunks('subscribe', mode, live);
      }
      for (const [mode, refs] of this.pendingUnsub) this.sendChunks('unsubscribe', mode, refs);
      this.pendingSub.clear();
      this.pendingUnsub.clear();
    });
  }

  private sendChunks(action: 'subscribe' | 'unsubscribe', mode: StreamMode, refs: SymbolRef[]): void {
    for (let i = 0; i < refs.length; i += CHUNK) {
      const symbols = refs.slice(i, i + CHUNK).map((r) => ({ symbol: r.symbol, exchange: r.exchange }));
      this.send(mode === 'Depth' ? { action, symbols, mode, depth: 5 } : { action, symbols, mode });
    }
  }

  private send(msg: object): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    try { ws.send(JSON.stringify(msg)); } catch { /* closing: resent after reconnect */ }
  }

  private once(key: string, obj: Record<string, unknown>, msg: string): void {
    if (this.logged.has(key)) return;
    if (this.logged.size > 1000) this.logged.clear();
    this.logged.add(key);
    this.opts.logger?.warn(obj, msg);
  }
}

const shared = new Map<string, OpenAlgoStream>();

/** The one stream for this URL and API key (the key is kept only as a hash in the map). */
export function sharedOpenAlgoStream(opts: OpenAlgoStreamOptions): OpenAlgoStream {
  const id = `${opts.url}|${createHash('sha256').update(opts.apiKey).digest('hex')}`;
  let s = shared.get(id);
  if (!s || s.state === 'closed') {
    s = new OpenAlgoStream(opts);
    shared.set(id, s);
  }
  return s;
}
