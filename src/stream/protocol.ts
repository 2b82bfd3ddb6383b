// OpenAlgo's WebSocket messages, both styles it documents: docs/prompt/websockets-format.md and the
// proxy (`{type: "market_data", mode: 1|2|3, data}`), and docs/api/websocket-streaming
// (`{type: "ltp"|"quote"|"depth", data}`); plus auth, subscribe acks, errors and order updates.

import { MODE_LABEL, type StreamMode, type StreamOrderUpdate, type Tick } from './types.js';

export type Frame =
  | { kind: 'tick'; tick: Tick }
  | { kind: 'order'; update: StreamOrderUpdate }
  | { kind: 'auth'; ok: true; broker?: string }
  | { kind: 'error'; code: string; message: string; symbol?: string; exchange?: string }
  | { kind: 'subscribe'; failed: Array<{ symbol: string; exchange: string; message: string }> }
  | { kind: 'ignore' }
  | { kind: 'bad'; reason: string };

const DOC_TYPES: Record<string, 1 | 2 | 3> = { ltp: 1, quote: 2, depth: 3 };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A mode as OpenAlgo accepts it: 1/2/3 or LTP/Quote/Depth in any case. */
export function parseMode(raw: unknown): 1 | 2 | 3 | null {
  if (raw === 1 || raw === 2 || raw === 3) return raw;
  if (typeof raw === 'string') {
    const n = DOC_TYPES[raw.trim().toLowerCase()];
    if (n) return n;
    if (/^[123]$/.test(raw.trim())) return Number(raw.trim()) as 1 | 2 | 3;
  }
  return null;
}

export const modeLabel = (m: 1 | 2 | 3): StreamMode => MODE_LABEL[m];

/** One frame from the server, classified; never throws. */
export function parseServerFrame(text: string): Frame {
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return { kind: 'bad', reason: 'not JSON' };
  }
  if (!isObject(msg)) return { kind: 'bad', reason: 'not a JSON object' };
  const type = typeof msg.type === 'string' ? msg.type : '';
  if (type === 'market_data' || DOC_TYPES[type]) {
    const data = isObject(msg.data) ? msg.data : null;
    if (!data) return { kind: 'bad', reason: `${type} without data` };
    const mode = type === 'market_data' ? parseMode(msg.mode) : DOC_TYPES[type];
    const symbol = String(data.symbol ?? msg.symbol ?? '').trim();
    const exchange = String(data.exchange ?? msg.exchange ?? '').trim();
    const ltp = Number(data.ltp);
    if (!mode || !symbol || !exchange) return { kind: 'bad', reason: `${type} without mode, symbol or exchange` };
    if (!Number.isFinite(ltp)) return { kind: 'bad', reason: `${type} for ${exchange}:${symbol} without a numeric ltp` };
    return { kind: 'tick', tick: { symbol, exchange, mode, ltp, data } };
  }
  if (type === 'order_update') {
    const { type: _t, ...rest } = msg;
    if (rest.orderid === undefined || rest.order_status === undefined) return { kind: 'bad', reason: 'order_update without orderid or order_status' };
    return { kind: 'order', update: { ...rest, orderid: String(rest.orderid), symbol: String(rest.symbol ?? ''), exchange: String(rest.exchange ?? ''), order_status: String(rest.order_status) } };
  }
  if (type === 'auth' && msg.status === 'success') return { kind: 'auth', ok: true, broker: typeof msg.broker === 'string' ? msg.broker : undefined };
  if (type === 'subscribe' && Array.isArray(msg.subscriptions)) {
    const failed = msg.subscriptions
      .filter((s): s is Record<string, unknown> => isObject(s) && s.status === 'error')
      .map((s) => ({ symbol: String(s.symbol ?? ''), exchange: String(s.exchange ?? ''), message: String(s.message ?? 'subscription failed') }));
    return { kind: 'subscribe', failed };
  }
  if (msg.status === 'error' || type === 'error') {
    return {
      kind: 'error', code: String(msg.code ?? 'ERROR'), message: String(msg.message ?? 'error'),
      symbol: typeof msg.symbol === 'string' ? msg.symbol : undefined, exchange: typeof msg.exchange === 'string' ? msg.exchange : undefined,
    };
  }
  if (type) return { kind: 'ignore' }; // pong, acks, broker_info: nothing to act on
  return { kind: 'bad', reason: 'no type' };
}

/** The docs/prompt/websockets-format.md depth shape (`depth: {buy, sell}`) from bids/asks. */
export function withBuySell(data: Record<string, unknown>): Record<string, unknown> {
  if (isObject(data.depth)) return data;
  return { ...data, depth: { buy: data.bids ?? [], sell: data.asks ?? [] } };
}
