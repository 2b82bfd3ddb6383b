// Price alerts and order watches on the live stream, against the paper broker's stream server on
// loopback: the crossing tick fires, an outage falls back to polling, and a level crossed during
// the outage fires exactly once.

import { afterEach, describe, expect, it } from 'vitest';
import { PaperBroker } from '../../src/broker/paper/index.js';
import type { Broker, MultiQuotesAnswer, OrderBookAnswer, SymbolRef } from '../../src/broker/types.js';
import { OpenAlgoStream } from '../../src/stream/client.js';
import { startStreamServer, type StreamServer } from '../../src/stream/server.js';
import { OrderWatcher, type OrderUpdatePayload } from '../../src/triggers/order-watcher.js';
import { PriceMonitor, type PriceAlertPayload } from '../../src/triggers/price-monitor.js';
import { until } from '../stream/helpers.js';

const KEY = 'paper-key-stream-tests';
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** The paper broker behind a REST side whose availability the test controls, and its stream on loopback. */
async function setup() {
  const paper = new PaperBroker();
  const rest = { down: false, multiQuotes: 0, orderBook: 0 };
  const broker = Object.create(paper) as Broker;
  broker.multiQuotes = async (req: { symbols: SymbolRef[] }): Promise<MultiQuotesAnswer> => {
    rest.multiQuotes++;
    if (rest.down) throw new Error('connect ECONNREFUSED');
    return paper.multiQuotes(req);
  };
  broker.orderBook = async (): Promise<OrderBookAnswer> => {
    rest.orderBook++;
    if (rest.down) throw new Error('connect ECONNREFUSED');
    return paper.orderBook();
  };
  let server: StreamServer = await startStreamServer({ source: paper.marketStream(), apiKey: KEY });
  const port = server.port;
  const stream = new OpenAlgoStream({ url: server.url, apiKey: KEY, backoffBaseMs: 20, backoffMaxMs: 60 });
  cleanup.push(() => stream.close(), () => server.close());
  return {
    paper, broker, rest, stream,
    /** Pull the plug: the stream server goes away entirely. */
    async unplug() { await server.close(); },
    /** Back on the same port. */
    async replug() { server = await startStreamServer({ source: paper.marketStream(), apiKey: KEY, port }); },
  };
}

function monitorOn(s: Awaited<ReturnType<typeof setup>>) {
  const fired: PriceAlertPayload[] = [];
  const monitor = new PriceMonitor({ broker: s.broker, stream: s.stream, tickMs: 25, onFire: (_a, p) => fired.push(p), onError: () => {} });
  cleanup.push(() => monitor.stop());
  monitor.start();
  return { monitor, fired };
}

describe('price alerts on the stream', () => {
  it('fire on the tick that crosses, with that tick as trigger_price, and poll nothing while the stream is live', async () => {
    const s = await setup();
    const { monitor, fired } = monitorOn(s);
    s.paper.setPrice('RELIANCE', 'NSE', 1490);
    monitor.add({ workflowId: 'wf1', nodeId: 'alert', symbol: 'RELIANCE', exchange: 'NSE', condition: 'crossing_up', price: 1500, trigger: 'once' });
    await until(() => monitor.list()[0]?.source === 'stream' && monitor.list()[0].lastLtp === 1490, 'the alert on the stream at 1490');
    const polls = s.rest.multiQuotes;
    s.paper.setPrice('RELIANCE', 'NSE', 1499.95);
    s.paper.setPrice('RELIANCE', 'NSE', 1500.05);
    await until(() => fired.length === 1, 'the fire');
    expect(fired[0]).toMatchObject({ trigger_type: 'price_alert', trigger_price: 1500.05, ltp: 1500.05, condition: 'crossing_up', target_price: 1500, source: 'stream' });
    await new Promise((r) => setTimeout(r, 80));
    expect(s.rest.multiQuotes).toBe(polls);
    expect(monitor.status()).toMatchObject({ stream: 'live', alerts: { stream: 0, poll: 0 }, fires: 1 });
  });

  it('while the stream is down, polling takes over; the crossing it saw does not fire again after the reconnect', async () => {
    const s = await setup();
    const { monitor, fired } = monitorOn(s);
    s.paper.setPrice('SBIN', 'NSE', 790);
    monitor.add({ workflowId: 'wf1', nodeId: 'alert', symbol: 'SBIN', exchange: 'NSE', condition: 'crossing_up', price: 800, trigger: 'every_time' });
    await until(() => monitor.list()[0]?.source === 'stream' && monitor.list()[0].lastLtp === 790, 'armed on the stream');
    await s.unplug();
    await until(() => monitor.list()[0].source === 'poll', 'the fallback to polling');
    expect(monitor.status().alerts).toEqual({ stream: 0, poll: 1 });
    s.paper.setPrice('SBIN', 'NSE', 805);
    await until(() => fired.length === 1, 'the fire from a poll');
    expect(fired[0]).toMatchObject({ trigger_price: 805, source: 'poll' });
    await s.replug();
    await until(() => monitor.list()[0].source === 'stream', 'back on the stream');
    s.paper.setPrice('SBIN', 'NSE', 806);
    await until(() => monitor.list()[0].lastLtp === 806, 'a tick after the reconnect');
    expect(fired).toHaveLength(1);
  });

  it('a level crossed while both the stream and REST were down fires once, on the first tick after the reconnect', async () => {
    const s = await setup();
    const { monitor, fired } = monitorOn(s);
    s.paper.setPrice('INFY', 'NSE', 1510);
    monitor.add({ workflowId: 'wf1', nodeId: 'alert', symbol: 'INFY', exchange: 'NSE', condition: 'crossing_down', price: 1500, trigger: 'every_time' });
    await until(() => monitor.list()[0]?.lastLtp === 1510 && monitor.list()[0].source === 'stream', 'armed at 1510');
    s.rest.down = true;
    await s.unplug();
    await until(() => monitor.list()[0].source === 'poll', 'polling');
    s.paper.setPrice('INFY', 'NSE', 1480); // crossed, but nothing can see it
    const failedPolls = s.rest.multiQuotes;
    await until(() => s.rest.multiQuotes > failedPolls + 2, 'a few failed polls');
    expect(fired).toEqual([]);
    // The stream returns before any poll succeeds: its first tick is judged against 1510.
    await s.replug();
    await until(() => fired.length === 1, 'the fire after the reconnect');
    expect(fired[0]).toMatchObject({ trigger_price: 1480, source: 'stream' });
    s.rest.down = false;
    s.paper.setPrice('INFY', 'NSE', 1479);
    await until(() => monitor.list()[0].lastLtp === 1479, 'the next tick');
    expect(fired).toHaveLength(1);
  });

  it('a symbol the stream refuses is polled while the stream stays live', async () => {
    const s = await setup();
    const { monitor } = monitorOn(s);
    monitor.add({ workflowId: 'wf1', nodeId: 'alert', symbol: 'NOSUCHSYM', exchange: 'NSE', condition: 'greater_than', price: 1, trigger: 'once' });
    await until(() => s.stream.stats().symbolErrors === 1, 'the refusal');
    expect(s.stream.state).toBe('live');
    expect(monitor.list()[0].source).toBe('poll');
  });
});

describe('order updates on the stream', () => {
  async function restingBuy(paper: PaperBroker): Promise<string> {
    const answer = await paper.placeOrder({ strategy: 'test', symbol: 'SBIN', exchange: 'NSE', action: 'BUY', quantity: 10, pricetype: 'LIMIT', product: 'MIS', price: 700 } as never);
    expect(answer.status).toBe('success');
    return String(answer.orderid);
  }

  it('arrive pushed with OpenAlgo\'s payload; an outage falls back to the book and nothing fires twice', async () => {
    const s = await setup();
    s.paper.setPrice('SBIN', 'NSE', 720);
    const fired: OrderUpdatePayload[] = [];
    const watcher = new OrderWatcher({ broker: s.broker, stream: s.stream, pollMs: 25, onFire: (_w, p) => fired.push(p), onError: () => {} });
    cleanup.push(() => watcher.stop());
    watcher.start();
    watcher.add({ workflowId: 'wf1', nodeId: 'trigger', symbol: 'SBIN', exchange: 'NSE', status: 'complete', trigger: 'every_time' });
    await until(() => watcher.source === 'stream', 'the stream');
    await new Promise((r) => setTimeout(r, 30)); // subscribe_orders reaches the server
    const booksBefore = s.rest.orderBook;
    const first = await restingBuy(s.paper);
    s.paper.setPrice('SBIN', 'NSE', 699);
    await until(() => fired.length === 1, 'the pushed fill');
    expect(fired[0]).toMatchObject({ trigger_type: 'order_update', orderid: first, symbol: 'SBIN', exchange: 'NSE', order_status: 'complete', filled_quantity: 10, source: 'stream' });
    expect(fired[0].triggered_at).toMatch(/\+05:30$/);
    expect(s.rest.orderBook).toBe(booksBefore); // pushed, not polled

    s.paper.setPrice('SBIN', 'NSE', 720);
    await s.unplug();
    await until(() => watcher.source === 'poll', 'polling');
    const second = await restingBuy(s.paper);
    s.paper.setPrice('SBIN', 'NSE', 698);
    await until(() => fired.length === 2, 'the fill seen by a poll');
    expect(fired[1]).toMatchObject({ orderid: second, source: 'poll' });
    await s.replug();
    await until(() => watcher.source === 'stream', 'the stream again');
    await new Promise((r) => setTimeout(r, 60));
    expect(fired.map((f) => f.orderid)).toEqual([first, second]);
  });
});
