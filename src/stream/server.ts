// Serves a MarketStream over OpenAlgo's WebSocket protocol: `flow paper-broker --ws-port 8765` and
// the test and bench fakes. Speaks both documented styles: a subscribe with `instruments` and a
// lower-case mode gets docs/api/websocket-streaming frames (`{type: "ltp", data}`); one with
// `symbols` or `symbol` gets the proxy's `{type: "market_data", mode, data}` frames.

import { timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { parseMode, withBuySell } from './protocol.js';
import { MODE_LABEL, type MarketStream, type StreamOrderUpdate, type Tick } from './types.js';

export interface StreamServerOptions {
  source: MarketStream;
  apiKey: string;
  port?: number;
  host?: string;
  /** Broker name in the auth answer. */
  broker?: string;
}

export interface StreamServer {
  port: number;
  url: string;
  /** Connected clients. */
  readonly clients: number;
  /** Cuts every client connection (tests: pull the plug). */
  dropClients(): void;
  close(): Promise<void>;
}

type Style = 'proxy' | 'docs';
const DOC_TYPE = { 1: 'ltp', 2: 'quote', 3: 'depth' } as const;

function frameFor(tick: Tick, subMode: 1 | 2 | 3, style: Style): string {
  if (style === 'docs') return JSON.stringify({ type: DOC_TYPE[subMode], data: { ...tick.data, symbol: tick.symbol, exchange: tick.exchange } });
  const data = subMode === 3 ? withBuySell(tick.data) : tick.data;
  return JSON.stringify({ type: 'market_data', symbol: tick.symbol, exchange: tick.exchange, mode: subMode, topic: `${tick.symbol}.${tick.exchange}`, data });
}

function keyMatches(expected: string, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function startStreamServer(opts: StreamServerOptions): Promise<StreamServer> {
  const host = opts.host ?? '127.0.0.1';
  const wss = new WebSocketServer({ port: opts.port ?? 0, host });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  const live = new Set<WebSocket>();

  wss.on('connection', (ws) => {
    live.add(ws);
    let authed = false;
    const subs = new Map<string, () => void>();
    let orders: (() => void) | null = null;
    const send = (obj: object | string) => {
      if (ws.readyState === ws.OPEN) ws.send(typeof obj === 'string' ? obj : JSON.stringify(obj));
    };
    const error = (code: string, message: string, extra: object = {}) => send({ status: 'error', code, message, ...extra });
    // OpenAlgo closes connections that do not authenticate within 15 s.
    const deadline = setTimeout(() => { if (!authed) ws.close(4401, 'auth timeout'); }, 15_000);
    deadline.unref?.();

    ws.on('message', (raw) => {
      let msg: Record<string, unknown>;
      try {
        const parsed = JSON.parse(raw.toString());
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
        msg = parsed;
      } catch {
        error('INVALID_JSON', 'Invalid JSON message');
        return;
      }
      const action = String(msg.action ?? msg.type ?? '');
      if (action === 'authenticate' || action === 'auth') {
        if (!keyMatches(opts.apiKey, msg.api_key ?? msg.apikey)) {
          error('AUTHENTICATION_ERROR', 'Invalid API key');
          return;
        }
        authed = true;
        clearTimeout(deadline);
        send({ type: 'auth', status: 'success', message: 'Authentication successful', broker: opts.broker ?? 'paper', user_id: 'flow', supported_features: { ltp: true, quote: true, depth: true } });
        return;
      }
      if (action === 'ping') {
        send({ type: 'pong', status: 'success', server_timestamp: Date.now(), ...(msg._pingId !== undefined ? { _pingId: msg._pingId } : {}) });
        return;
      }
      if (!authed) {
        error('NOT_AUTHENTICATED', 'You must authenticate first');
        return;
      }
      if (action === 'subscribe' || action === 'unsubscribe' || action === 'unsubscribe_all') {
        const style: Style = Array.isArray(msg.instruments) ? 'docs' : 'proxy';
        const list = (Array.isArray(msg.instruments) ? msg.instruments : Array.isArray(msg.symbols) ? msg.symbols : msg.symbol ? [{ symbol: msg.symbol, exchange: msg.exchange }] : []) as Array<Record<string, unknown>>;
        if (action === 'unsubscribe_all') {
          for (const u of subs.values()) u();
          subs.clear();
          send({ type: 'unsubscribe', status: 'success', message: 'Unsubscription processing complete', successful: [], failed: [] });
          return;
        }
        const mode = parseMode(msg.mode ?? (action === 'subscribe' ? 'Quote' : 2));
        if (!mode) {
          error('INVALID_MODE', `Invalid mode ${JSON.stringify(msg.mode)}; expected 'LTP', 'Quote', or 'Depth'`);
          return;
        }
        if (list.length === 0) {
          error('INVALID_PARAMETERS', 'At least one symbol must be specified');
          return;
        }
        const results: object[] = [];
        for (const item of list) {
          const symbol = String(item?.symbol ?? '').toUpperCase();
          const exchange = String(item?.exchange ?? '').toUpperCase();
          if (!symbol || !exchange) continue;
          const key = `${exchange}:${symbol}:${mode}`;
          if (action === 'unsubscribe') {
            subs.get(key)?.();
            subs.delete(key);
            results.push({ symbol, exchange, status: 'success' });
            continue;
          }
          if (subs.has(key)) {
            results.push({ symbol, exchange, status: 'success', mode: MODE_LABEL[mode] });
            continue;
          }
          let refused: string | null = null;
          const unsub = opts.source.subscribe({ symbol, exchange }, MODE_LABEL[mode], (tick) => send(frameFor(tick, mode, style)), {
            onError: (message) => {
              refused = message;
              subs.get(key)?.();
              subs.delete(key);
              send({ type: 'subscribe', status: 'partial', subscriptions: [{ symbol, exchange, status: 'error', message }], message: 'Subscription processing complete' });
            },
          });
          if (refused === null) subs.set(key, unsub);
          else unsub();
          results.push(refused === null ? { symbol, exchange, status: 'success', mode: MODE_LABEL[mode], depth: 5, broker: opts.broker ?? 'paper' } : { symbol, exchange, status: 'error', message: refused });
        }
        send({ type: action, status: results.every((r) => (r as { status: string }).status === 'success') ? 'success' : 'partial', subscriptions: results, message: `${action === 'subscribe' ? 'Subscription' : 'Unsubscription'} processing complete`, broker: opts.broker ?? 'paper', ...(msg.request_id !== undefined ? { request_id: msg.request_id } : {}) });
        return;
      }
      if (action === 'subscribe_orders') {
        orders ??= opts.source.onOrderUpdate((u: StreamOrderUpdate) => send({ type: 'order_update', user_id: 'flow', mode: 'analyze', broker: opts.broker ?? 'paper', ...u }));
        send({ type: 'subscribe_orders', status: 'success', message: 'Subscribed to order updates', ...(msg.request_id !== undefined ? { request_id: msg.request_id } : {}) });
        return;
      }
      if (action === 'unsubscribe_orders') {
        orders?.();
        orders = null;
        send({ type: 'unsubscribe_orders', status: 'success', message: 'Unsubscribed from order updates' });
        return;
      }
      error('INVALID_ACTION', `Invalid action: ${action}`);
    });
    ws.on('error', () => {});
    ws.on('close', () => {
      live.delete(ws);
      clearTimeout(deadline);
      for (const u of subs.values()) u();
      subs.clear();
      orders?.();
    });
  });

  const port = (wss.address() as AddressInfo).port;
  return {
    port,
    url: `ws://${host.includes(':') ? `[${host}]` : host}:${port}`,
    get clients() { return live.size; },
    dropClients() {
      for (const ws of live) ws.terminate();
    },
    close: () => new Promise<void>((resolve) => {
      for (const ws of live) ws.terminate();
      wss.close(() => resolve());
    }),
  };
}
