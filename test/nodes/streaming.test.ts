// The four streaming nodes (OpenAlgo execute_subscribe_ltp/quote/depth, execute_unsubscribe): the
// first value from the broker's stream, REST when there is none, and the held subscriptions.

import { afterEach, describe, expect, it } from 'vitest';
import { PaperBroker } from '../../src/broker/paper/index.js';
import type { Broker } from '../../src/broker/types.js';
import { nodes } from '../../src/nodes/streaming.js';
import { OpenAlgoStream } from '../../src/stream/client.js';
import { MemoryStream } from '../../src/stream/memory.js';
import type { PaperStream } from '../../src/stream/paper.js';
import { startStreamServer } from '../../src/stream/server.js';
import { runNode, stubBroker } from './context.js';

const def = (type: string) => nodes.find((n) => n.type === type)!;
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

describe('subscribeLtp, subscribeQuote, subscribeDepth', () => {
  it('read the first value from the paper stream, with OpenAlgo\'s outputs and default variables', async () => {
    const paper = new PaperBroker();
    paper.setPrice('SBIN', 'NSE', 812.4);
    const ltp = await runNode(def('subscribeLtp'), { symbol: 'SBIN', exchange: 'NSE' }, { broker: paper });
    expect(ltp.result).toEqual({ status: 'success', type: 'ltp', symbol: 'SBIN', exchange: 'NSE', ltp: 812.4, source: 'websocket' });
    expect(ltp.ctx.variables.get('ltp')).toBe(812.4);

    const quote = await runNode(def('subscribeQuote'), { symbol: 'SBIN' }, { broker: paper });
    expect(quote.result).toMatchObject({ status: 'success', type: 'quote', source: 'websocket', data: { ltp: 812.4 } });
    expect(Object.keys(quote.result.data as object).sort()).toEqual(['close', 'high', 'low', 'ltp', 'open', 'prev_close', 'volume']);

    const depth = await runNode(def('subscribeDepth'), { symbol: 'SBIN' }, { broker: paper });
    const d = depth.result.data as { bids: Array<{ price: number; quantity: number }>; asks: unknown[]; totalbuyqty: number; ltp: number };
    expect(depth.result).toMatchObject({ status: 'success', type: 'depth', source: 'websocket' });
    expect(d.bids.length).toBeGreaterThan(0);
    expect(d.asks.length).toBeGreaterThan(0);
    expect(d.bids[0].price).toBeLessThanOrEqual(812.4);
    expect(depth.ctx.variables.get('depth')).toEqual(d);
  });

  it('work through the OpenAlgo WebSocket client against the paper broker\'s stream server', async () => {
    const paper = new PaperBroker();
    paper.setPrice('INFY', 'NSE', 1555.5);
    const server = await startStreamServer({ source: paper.marketStream(), apiKey: 'k' });
    const client = new OpenAlgoStream({ url: server.url, apiKey: 'k' });
    cleanup.push(() => server.close(), () => client.close());
    const broker = Object.create(paper) as Broker & { marketStream: () => OpenAlgoStream };
    Object.defineProperty(broker, 'marketStream', { value: () => client });
    const ltp = await runNode(def('subscribeLtp'), { symbol: 'INFY' }, { broker });
    expect(ltp.result).toMatchObject({ ltp: 1555.5, source: 'websocket' });
    const depth = await runNode(def('subscribeDepth'), { symbol: 'INFY' }, { broker });
    expect(depth.result).toMatchObject({ source: 'websocket' });
    expect((depth.result.data as { asks: unknown[] }).asks.length).toBeGreaterThan(0);
  });

  it('fall back to the REST API without a stream, or when the stream refuses the symbol', async () => {
    const quote = { ltp: 99.5, open: 98, high: 100, low: 97, ask: 99.55, bid: 99.45, prev_close: 98.5, volume: 1200, oi: 0 };
    const rest = stubBroker({ quotes: async () => ({ status: 'success', data: quote }) });
    const noStream = await runNode(def('subscribeLtp'), { symbol: 'ABC' }, { broker: rest });
    expect(noStream.result).toMatchObject({ ltp: 99.5, source: 'rest_api' });

    const refusing = new MemoryStream({ onSubscribe: (sub) => queueMicrotask(() => refusing.refuse(sub.ref.exchange, sub.ref.symbol, 'no such symbol')) });
    const broker = Object.create(rest) as Broker;
    Object.defineProperty(broker, 'marketStream', { value: () => refusing });
    const started = Date.now();
    const refused = await runNode(def('subscribeQuote'), { symbol: 'ABC' }, { broker });
    expect(refused.result).toMatchObject({ source: 'rest_api', data: { ltp: 99.5, close: 98.5, prev_close: 98.5, volume: 1200 } });
    expect(Date.now() - started).toBeLessThan(1000); // no 5 s wait for a refused symbol

    const failing = stubBroker({ quotes: async () => ({ status: 'error', message: 'Invalid symbol' }) });
    const err = await runNode(def('subscribeLtp'), { symbol: 'ABC' }, { broker: failing });
    expect(err.result).toMatchObject({ status: 'error', type: 'ltp', error: 'Invalid symbol' });
  });
});

describe('unsubscribe', () => {
  it('lets go of what the streaming nodes hold: one symbol and stream, or all', async () => {
    const paper = new PaperBroker();
    const stream = paper.marketStream() as PaperStream;
    await runNode(def('subscribeLtp'), { symbol: 'SBIN' }, { broker: paper });
    await runNode(def('subscribeQuote'), { symbol: 'SBIN' }, { broker: paper });
    await runNode(def('subscribeLtp'), { symbol: 'INFY' }, { broker: paper });
    const held = () => stream.subscriptions().map((s) => s.key).sort();
    expect(held()).toEqual(['NSE:INFY:LTP', 'NSE:SBIN:LTP', 'NSE:SBIN:Quote']);
    const one = await runNode(def('unsubscribe'), { symbol: 'SBIN', exchange: 'NSE', streamType: 'quote' }, { broker: paper });
    expect(one.result).toMatchObject({ status: 'success', type: 'unsubscribe', symbol: 'SBIN', stream_type: 'quote', released: 1 });
    expect(held()).toEqual(['NSE:INFY:LTP', 'NSE:SBIN:LTP']);
    const all = await runNode(def('unsubscribe'), {}, { broker: paper });
    expect(all.result).toMatchObject({ status: 'success', released: 2, message: 'Unsubscribed from all stream' });
    expect(held()).toEqual([]);
  });

  it('succeeds with no stream at all, as OpenAlgo does', async () => {
    const { result } = await runNode(def('unsubscribe'), { symbol: 'SBIN', streamType: 'ltp' }, { broker: stubBroker() });
    expect(result).toMatchObject({ status: 'success', message: 'No active WebSocket connection' });
  });
});
