// The OpenAlgo stream client against the paper broker's stream server and a scripted fake, on loopback.

import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import type { AddressInfo } from 'node:net';
import { PaperBroker } from '../../src/broker/paper/index.js';
import { deriveWsUrl, OpenAlgoStream } from '../../src/stream/client.js';
import { startStreamServer, type StreamServer } from '../../src/stream/server.js';
import type { PaperStream } from '../../src/stream/paper.js';
import type { StreamOrderUpdate, Tick } from '../../src/stream/types.js';
import { rawClient, until } from './helpers.js';

const KEY = 'paper-key-0123456789';
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function paperStream() {
  const broker = new PaperBroker();
  const source = broker.marketStream() as PaperStream;
  const server = await startStreamServer({ source, apiKey: KEY });
  cleanup.push(() => server.close());
  return { broker, source, server };
}

function client(server: Pick<StreamServer, 'url'>, over: Partial<ConstructorParameters<typeof OpenAlgoStream>[0]> = {}) {
  const warnings: string[] = [];
  const c = new OpenAlgoStream({ url: server.url, apiKey: KEY, backoffBaseMs: 20, backoffMaxMs: 100, logger: { warn: (_o, m) => warnings.push(String(m)) }, ...over });
  cleanup.push(() => c.close());
  return { c, warnings };
}

describe('OpenAlgo stream client', () => {
  it('derives the stream address from the REST host as OpenAlgo does', () => {
    expect(deriveWsUrl('http://127.0.0.1:5000')).toBe('ws://127.0.0.1:8765');
    expect(deriveWsUrl('http://localhost:5001/')).toBe('ws://localhost:8765');
    expect(deriveWsUrl('https://algo.example.com')).toBe('wss://algo.example.com/ws');
  });

  it('authenticates, gets a first LTP on subscribe and a tick when the price moves', async () => {
    const { broker, server } = await paperStream();
    const { c } = client(server);
    const ticks: Tick[] = [];
    c.subscribe({ symbol: 'SBIN', exchange: 'NSE' }, 'LTP', (t) => ticks.push(t));
    await until(() => c.state === 'live' && ticks.length >= 1, 'the first tick');
    broker.setPrice('SBIN', 'NSE', 812.35);
    const t = await until(() => ticks.find((x) => x.ltp === 812.35), 'the moved price');
    expect(t).toMatchObject({ symbol: 'SBIN', exchange: 'NSE', mode: 1 });
  });

  it('counts subscriptions: two listeners share one wire subscription, which ends with the last', async () => {
    const { source, server } = await paperStream();
    const { c } = client(server);
    const a: number[] = [];
    const b: number[] = [];
    const offA = c.subscribe({ symbol: 'INFY', exchange: 'NSE' }, 'LTP', (t) => a.push(t.ltp));
    const offB = c.subscribe({ symbol: 'INFY', exchange: 'NSE' }, 'LTP', (t) => b.push(t.ltp));
    await until(() => a.length && b.length, 'both listeners');
    expect(source.subscriptions().filter((s) => s.ref.symbol === 'INFY')).toHaveLength(1);
    offA();
    expect(c.stats().subscriptions).toBe(1);
    offB();
    expect(c.stats().subscriptions).toBe(0);
    await until(() => source.subscriptions().length === 0, 'the wire unsubscribe');
  });

  it('pushes order updates from the paper broker\'s fills', async () => {
    const { broker, server } = await paperStream();
    const { c } = client(server);
    const updates: StreamOrderUpdate[] = [];
    c.onOrderUpdate((u) => updates.push(u));
    await until(() => c.state === 'live', 'live');
    await new Promise((r) => setTimeout(r, 20)); // subscribe_orders reaches the server
    const placed = await broker.placeOrder({ apikey: KEY, strategy: 't', symbol: 'SBIN', exchange: 'NSE', action: 'BUY', quantity: 1, pricetype: 'MARKET', product: 'MIS', price: 0, trigger_price: 0, disclosed_quantity: 0 } as never);
    expect(placed.status).toBe('success');
    const u = await until(() => updates.find((x) => x.orderid === String(placed.orderid) && x.order_status === 'complete'), 'the fill');
    expect(u).toMatchObject({ symbol: 'SBIN', exchange: 'NSE', action: 'BUY', filled_quantity: 1 });
  });

  it('reconnects after the connection drops and resubscribes everything', async () => {
    const { broker, server } = await paperStream();
    const { c } = client(server);
    const ticks: number[] = [];
    const states: string[] = [];
    c.onStateChange((s) => states.push(s));
    c.subscribe({ symbol: 'TCS', exchange: 'NSE' }, 'Quote', (t) => ticks.push(t.ltp));
    await until(() => ticks.length, 'first tick');
    server.dropClients();
    await until(() => states.includes('down'), 'down');
    await until(() => c.state === 'live', 'live again');
    broker.setPrice('TCS', 'NSE', 3333.3);
    await until(() => ticks.includes(3333.3), 'a tick after the reconnect');
    expect(c.stats().reconnects).toBeGreaterThanOrEqual(1);
  });

  it('a wrong API key never goes live and never throws', async () => {
    const { server } = await paperStream();
    const { c, warnings } = client(server, { apiKey: 'wrong' });
    c.subscribe({ symbol: 'SBIN', exchange: 'NSE' }, 'LTP', () => {});
    await until(() => c.stats().errorFrames >= 1, 'the auth error');
    expect(c.state).not.toBe('live');
    expect(warnings.join('\n')).toMatch(/answered an error/);
  });

  it('bad frames, refused symbols and a throwing listener are logged once, counted, and the stream goes on', async () => {
    // A scripted server: authenticates, then sends garbage around one good tick.
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((r) => wss.once('listening', r));
    cleanup.push(() => new Promise((r) => wss.close(r)));
    wss.on('connection', (ws) => {
      ws.on('message', (m) => {
        const msg = JSON.parse(m.toString());
        if (msg.action === 'authenticate') ws.send(JSON.stringify({ type: 'auth', status: 'success' }));
        if (msg.action === 'subscribe') {
          ws.send(JSON.stringify({ type: 'subscribe', status: 'partial', subscriptions: [{ symbol: 'NOPE', exchange: 'NSE', status: 'error', message: 'symbol not found' }] }));
          for (const bad of ['{not json', '[1,2]', '"text"', '{"type":"market_data","mode":1,"data":{"symbol":"SBIN","exchange":"NSE"}}', '{"type":"market_data","mode":1,"data":{"symbol":"SBIN","exchange":"NSE"}}', '{}']) ws.send(bad);
          ws.send(JSON.stringify({ type: 'market_data', mode: 1, data: { symbol: 'SBIN', exchange: 'NSE', ltp: 801 } }));
          ws.send(JSON.stringify({ type: 'ltp', data: { symbol: 'SBIN', exchange: 'NSE', ltp: 802 } }));
        }
      });
    });
    const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
    const { c, warnings } = client({ url });
    const ticks: number[] = [];
    const refused: string[] = [];
    c.subscribe({ symbol: 'SBIN', exchange: 'NSE' }, 'LTP', () => { throw new Error('listener bug'); });
    c.subscribe({ symbol: 'SBIN', exchange: 'NSE' }, 'LTP', (t) => ticks.push(t.ltp));
    c.subscribe({ symbol: 'NOPE', exchange: 'NSE' }, 'LTP', () => {}, { onError: (m) => refused.push(m) });
    await until(() => ticks.length === 2, 'both good ticks');
    expect(ticks).toEqual([801, 802]);
    expect(refused).toEqual(['symbol not found']);
    const s = c.stats();
    expect(s.badFrames).toBe(6);
    expect(s.symbolErrors).toBe(1);
    expect(c.state).toBe('live');
    // Six bad frames of four kinds (not JSON, not an object ×2, no ltp ×2, no type): one line per kind.
    expect(warnings.filter((w) => /cannot read/.test(w)).length).toBe(4);
    expect(warnings.filter((w) => /listener threw/.test(w)).length).toBe(1);
  });

  it('a stalled stream (no frame, no pong) is dropped and reconnected', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', autoPong: false } as ConstructorParameters<typeof WebSocketServer>[0]);
    await new Promise((r) => wss.once('listening', r));
    cleanup.push(() => new Promise((r) => wss.close(r)));
    let connections = 0;
    wss.on('connection', (ws) => {
      connections++;
      ws.on('message', (m) => {
        if (JSON.parse(m.toString()).action === 'authenticate') ws.send(JSON.stringify({ type: 'auth', status: 'success' }));
      });
    });
    const { c } = client({ url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}` }, { heartbeatMs: 40 });
    c.subscribe({ symbol: 'SBIN', exchange: 'NSE' }, 'LTP', () => {});
    await until(() => c.stats().stalls >= 1 && connections >= 2, 'a stall and a reconnect');
  });
});

describe('paper stream server', () => {
  it('speaks both documented styles: instruments + "ltp" get {type:"ltp"}, symbol + mode 1 gets market_data', async () => {
    const { broker, server } = await paperStream();
    const raw = await rawClient(server.url);
    cleanup.push(() => raw.ws.close());
    raw.send({ action: 'subscribe', symbol: 'SBIN', exchange: 'NSE', mode: 1 });
    await until(() => raw.frames.some((f) => f.code === 'NOT_AUTHENTICATED'), 'refusal before auth');
    raw.send({ action: 'authenticate', api_key: KEY });
    await until(() => raw.frames.some((f) => f.type === 'auth' && f.status === 'success'), 'auth');
    raw.send({ action: 'subscribe', mode: 'ltp', instruments: [{ exchange: 'NSE', symbol: 'INFY' }] });
    raw.send({ action: 'subscribe', symbol: 'SBIN', exchange: 'NSE', mode: 1 });
    raw.send({ action: 'subscribe', symbol: 'RELIANCE', exchange: 'NSE', mode: 3, depth_level: 5 });
    raw.send({ action: 'subscribe', symbol: 'NOSUCH', exchange: 'NSE', mode: 'LTP' });
    await until(() => raw.frames.some((f) => f.type === 'ltp') && raw.frames.some((f) => f.type === 'market_data' && f.mode === 3), 'both styles');
    broker.setPrice('INFY', 'NSE', 1555.55);
    const doc = await until(() => raw.frames.find((f) => f.type === 'ltp' && (f.data as { ltp: number }).ltp === 1555.55), 'docs-style tick');
    expect(doc.data).toMatchObject({ symbol: 'INFY', exchange: 'NSE', ltp: 1555.55 });
    const proxy = raw.frames.find((f) => f.type === 'market_data' && f.mode === 1)!;
    expect(proxy).toMatchObject({ symbol: 'SBIN', exchange: 'NSE', topic: 'SBIN.NSE' });
    const depth = raw.frames.find((f) => f.type === 'market_data' && f.mode === 3)!.data as { depth: { buy: unknown[]; sell: unknown[] } };
    expect(depth.depth.buy.length).toBeGreaterThan(0);
    expect(depth.depth.sell.length).toBeGreaterThan(0);
    await until(() => raw.frames.some((f) => f.type === 'subscribe' && JSON.stringify(f).includes('NOSUCH') && JSON.stringify(f).includes('"error"')), 'the refusal of an unknown symbol');
    raw.send('{oops');
    await until(() => raw.frames.some((f) => f.code === 'INVALID_JSON'), 'a bad frame answered, not fatal');
    raw.send({ action: 'ping' });
    await until(() => raw.frames.some((f) => f.type === 'pong'), 'pong');
  });
});
