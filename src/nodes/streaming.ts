// Streaming nodes (OpenAlgo's execute_subscribe_* and execute_unsubscribe): the first value from
// the broker's shared stream, or the REST API when there is no stream or it sends nothing in time.
// A subscription made here is held (counted with every alert's) until an unsubscribe node lets it go.

import { f } from '../contract/fields.js';
import { call, exchangeField, failure, symbolField } from './shared.js';
import { defineNode, type NodeContext, type NodeDefinition, type NodeResult } from './types.js';
import { streamOf, type MarketStream, type StreamMode, type Tick } from '../stream/types.js';

/** Subscriptions the streaming nodes hold, per stream: `EX:SYM:mode` → release. */
const held = new WeakMap<MarketStream, Map<string, () => void>>();
const MAX_HELD = 2000;

function holdsOf(stream: MarketStream): Map<string, () => void> {
  let m = held.get(stream);
  if (!m) held.set(stream, (m = new Map()));
  return m;
}

/** Subscribes (kept held) and waits for the first tick of this mode, or null after timeoutMs or an abort. */
async function firstTick(ctx: NodeContext, stream: MarketStream, symbol: string, exchange: string, mode: StreamMode, timeoutMs: number): Promise<Tick | null> {
  if (stream.state === 'closed') return null;
  const holds = holdsOf(stream);
  const key = `${exchange}:${symbol}:${mode}`;
  return new Promise<Tick | null>((resolve) => {
    let settled = false;
    const finish = (t: Tick | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
      unsub();
      resolve(t);
    };
    const onAbort = () => finish(null);
    const timer = setTimeout(() => finish(null), timeoutMs);
    const unsub = stream.subscribe({ symbol, exchange }, mode, (t) => {
      // Depth: skip an empty book, as OpenAlgo's _get_websocket_data does.
      if (mode === 'Depth' && !((t.data.bids as unknown[])?.length || (t.data.asks as unknown[])?.length || (t.data.depth as { buy?: unknown[] })?.buy?.length)) return;
      if (mode === 'Depth' ? t.mode === 3 : mode === 'Quote' ? t.mode >= 2 : true) finish(t);
    }, { onError: () => finish(null) });
    ctx.signal.addEventListener('abort', onAbort);
    // Held after this node, as OpenAlgo keeps the stream subscribed until an unsubscribe node.
    if (!holds.has(key) && holds.size < MAX_HELD) holds.set(key, stream.subscribe({ symbol, exchange }, mode, () => {}));
  });
}

const num = (v: unknown) => (typeof v === 'number' ? v : Number(v ?? 0) || 0);

interface Spec {
  type: 'subscribeLtp' | 'subscribeQuote' | 'subscribeDepth';
  mode: StreamMode;
  label: string;
  variable: string;
  timeoutMs: number;
  description: string;
  fromTick(t: Tick): unknown;
  fromRest(ctx: NodeContext, symbol: string, exchange: string): Promise<{ ok: true; value: unknown } | { ok: false; message: string }>;
}

function streamingNode(spec: Spec) {
  return defineNode({
    type: spec.type,
    category: 'data',
    label: spec.label,
    description: spec.description,
    fields: { symbol: symbolField({ required: true }), exchange: exchangeField() },
    async run(ctx, p): Promise<NodeResult> {
      const kind = spec.mode.toLowerCase();
      const stream = streamOf(ctx.broker);
      const tick = stream ? await firstTick(ctx, stream, p.symbol, p.exchange, spec.mode, spec.timeoutMs) : null;
      let value: unknown;
      let source: 'websocket' | 'rest_api';
      if (tick) {
        value = spec.fromTick(tick);
        source = 'websocket';
      } else {
        if (ctx.signal.aborted) return failure(`${spec.type}: cancelled`);
        ctx.log(`${stream ? 'WebSocket sent nothing in time' : 'no WebSocket stream'}; using the REST API for ${p.symbol}`);
        const rest = await spec.fromRest(ctx, p.symbol, p.exchange);
        if (!rest.ok) return failure(rest.message, { type: kind, symbol: p.symbol, exchange: p.exchange, error: rest.message });
        value = rest.value;
        source = 'rest_api';
      }
      // OpenAlgo stores the bare value under its default name; an outputVariable receives the whole result.
      ctx.setVariable(spec.variable, value);
      ctx.log(`${spec.label} ${p.symbol}: ${spec.mode === 'LTP' ? value : `LTP=${(value as { ltp?: unknown }).ltp}`} (via ${source === 'websocket' ? 'WebSocket' : 'REST API'})`);
      return spec.mode === 'LTP'
        ? { status: 'success', type: kind, symbol: p.symbol, exchange: p.exchange, ltp: value, source }
        : { status: 'success', type: kind, symbol: p.symbol, exchange: p.exchange, data: value, source };
    },
  });
}

const subscribeLtp = streamingNode({
  type: 'subscribeLtp', mode: 'LTP', label: 'Subscribe LTP', variable: 'ltp', timeoutMs: 5000,
  description: 'Last traded price from the live stream (REST quote if the stream sends nothing in 5 s): {{ltp}}, or {{name.ltp}} with an output variable.',
  fromTick: (t) => t.ltp,
  async fromRest(ctx, symbol, exchange) {
    const a = await ctx.broker.quotes({ symbol, exchange }, call(ctx));
    return a.status === 'success' && a.data ? { ok: true, value: a.data.ltp ?? 0 } : { ok: false, message: a.message ?? 'Failed to get LTP' };
  },
});

/** The fields of a quote, from a tick (any shape) or a REST quote. */
type QuoteFields = Partial<Record<'ltp' | 'open' | 'high' | 'low' | 'close' | 'prev_close' | 'volume', unknown>>;

const quoteOf = (d: QuoteFields) => ({
  ltp: num(d.ltp), open: num(d.open), high: num(d.high), low: num(d.low), close: num(d.close ?? d.prev_close),
  volume: num(d.volume), prev_close: num(d.prev_close ?? d.close),
});

const subscribeQuote = streamingNode({
  type: 'subscribeQuote', mode: 'Quote', label: 'Subscribe quote', variable: 'quote', timeoutMs: 5000,
  description: 'LTP, OHLC and volume from the live stream (REST quote as fallback): {{quote.ltp}}, {{name.data.high}}.',
  fromTick: (t) => quoteOf(t.data),
  async fromRest(ctx, symbol, exchange) {
    const a = await ctx.broker.quotes({ symbol, exchange }, call(ctx));
    return a.status === 'success' && a.data ? { ok: true, value: quoteOf(a.data) } : { ok: false, message: a.message ?? 'Failed to get quote' };
  },
});

function depthOf(d: Partial<Record<'depth' | 'bids' | 'asks' | 'totalbuyqty' | 'totalsellqty' | 'ltp', unknown>>) {
  const book = (d.depth ?? {}) as { buy?: unknown[]; sell?: unknown[] };
  const level = (x: unknown) => ({ price: num((x as { price?: unknown }).price), quantity: num((x as { quantity?: unknown; volume?: unknown }).quantity ?? (x as { volume?: unknown }).volume) });
  const bids = (Array.isArray(d.bids) && d.bids.length ? d.bids : book.buy ?? []).map(level);
  const asks = (Array.isArray(d.asks) && d.asks.length ? d.asks : book.sell ?? []).map(level);
  return { bids, asks, totalbuyqty: num(d.totalbuyqty), totalsellqty: num(d.totalsellqty), ltp: num(d.ltp) };
}

const subscribeDepth = streamingNode({
  type: 'subscribeDepth', mode: 'Depth', label: 'Subscribe depth', variable: 'depth', timeoutMs: 3000,
  description: 'Bids and asks from the live stream (REST depth if nothing comes in 3 s): {{depth.bids[0].price}}.',
  fromTick: (t) => depthOf(t.data),
  async fromRest(ctx, symbol, exchange) {
    const a = await ctx.broker.depth({ symbol, exchange }, call(ctx));
    return a.status === 'success' && a.data ? { ok: true, value: depthOf(a.data) } : { ok: false, message: a.message ?? 'Failed to get depth' };
  },
});

const unsubscribe = defineNode({
  type: 'unsubscribe',
  category: 'data',
  label: 'Unsubscribe',
  description: 'Lets go of what the streaming nodes subscribed (one symbol and stream, or all); price alerts keep their own subscriptions.',
  fields: {
    symbol: f.string({ label: 'Symbol', description: 'Blank: every stream the streaming nodes hold' }),
    exchange: exchangeField(),
    streamType: f.enum(['ltp', 'quote', 'depth', 'all'], { label: 'Stream', default: 'all' }),
  },
  async run(ctx, p): Promise<NodeResult> {
    const symbol = (p.symbol ?? '').trim().toUpperCase();
    const stream = streamOf(ctx.broker);
    const base = { type: 'unsubscribe', symbol, exchange: p.exchange, stream_type: p.streamType };
    if (!stream) return { status: 'success', ...base, message: 'No active WebSocket connection' };
    const holds = holdsOf(stream);
    const modes: Record<string, StreamMode> = { ltp: 'LTP', quote: 'Quote', depth: 'Depth' };
    let released = 0;
    for (const [key, release] of [...holds]) {
      const [ex, sym, mode] = key.split(':');
      const all = p.streamType === 'all' || !symbol;
      if (!all && !(sym === symbol && ex === p.exchange && mode === modes[p.streamType])) continue;
      if (p.streamType === 'all' && symbol && !(sym === symbol && ex === p.exchange)) continue;
      release();
      holds.delete(key);
      released++;
    }
    ctx.log(`Unsubscribed from ${p.streamType} for ${symbol || 'all'} (${released} subscription${released === 1 ? '' : 's'})`);
    return { status: 'success', ...base, released, message: `Unsubscribed from ${p.streamType} stream` };
  },
});

export const nodes: NodeDefinition<any>[] = [subscribeLtp, subscribeQuote, subscribeDepth, unsubscribe];
