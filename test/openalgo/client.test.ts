// OpenAlgoBroker against a scripted OpenAlgo on loopback: retries for reads, never
// for orders, outcome "unknown" when an order may have been placed, clear messages.

import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { OpenAlgoBroker, type OpenAlgoBrokerOptions } from '../../src/broker/openalgo/index.js';
import { BrokerError, type PlaceOrderRequest } from '../../src/broker/types.js';
import { fakeOpenAlgo, ok, type FakeOpenAlgo, type Reply } from './fake-openalgo.js';

const KEY = 'sk-live-9f8e7d6c5b4a';
const ORDER: PlaceOrderRequest = { strategy: 'test', symbol: 'SBIN', exchange: 'NSE', action: 'BUY', quantity: 1, pricetype: 'MARKET', product: 'MIS' };
const QUOTE = { open: 1, high: 2, low: 0.5, ltp: 1.5, ask: 1.55, bid: 1.45, prev_close: 1.2, volume: 10, oi: 0 };

let fake: FakeOpenAlgo | undefined;
let client: OpenAlgoBroker | undefined;
afterEach(async () => {
  await client?.close();
  await fake?.close();
  client = fake = undefined;
});

async function setup(script: (endpoint: string, n: number, body: Record<string, unknown>) => Reply, opts: Partial<OpenAlgoBrokerOptions> = {}) {
  fake = await fakeOpenAlgo(script);
  client = new OpenAlgoBroker({ host: fake.url, apiKey: KEY, retryBaseMs: 20, ...opts });
  return { fake, client };
}

async function caught(p: Promise<unknown>): Promise<BrokerError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(BrokerError);
    return err as BrokerError;
  }
  throw new Error('expected a BrokerError');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('read-only calls', () => {
  it('retry a 500 on quotes and return the answer that follows', async () => {
    const { fake, client } = await setup((_e, n) => (n === 1 ? { status: 500, json: { status: 'error', message: 'boom' } } : ok({ data: QUOTE })));
    const a = await client.quotes({ symbol: 'SBIN', exchange: 'NSE' });
    expect(a).toMatchObject({ status: 'success', data: { ltp: 1.5 } });
    expect(fake.calls('quotes')).toHaveLength(2);
  });

  it('back off after a 429 and then succeed', async () => {
    const { fake, client } = await setup((_e, n) => (n <= 2 ? { status: 429, json: { status: 'error', message: 'Rate limit exceeded' } } : ok({ data: QUOTE })));
    const a = await client.quotes({ symbol: 'SBIN', exchange: 'NSE' });
    expect(a.status).toBe('success');
    const calls = fake.calls('quotes');
    expect(calls).toHaveLength(3);
    expect(calls[1].at - calls[0].at).toBeGreaterThanOrEqual(9); // 20 ms × [0.5, 1.5)
    expect(calls[2].at - calls[1].at).toBeGreaterThanOrEqual(19); // doubled
  });

  it('give up after the configured number of tries with an http error', async () => {
    const { fake, client } = await setup(() => ({ status: 502, text: '<html>Bad gateway</html>' }), { retries: 2 });
    const err = await caught(client.funds());
    expect(err.code).toBe('http');
    expect(err.httpStatus).toBe(502);
    expect(fake.calls('funds')).toHaveLength(2);
  });

  it('retry a dropped connection', async () => {
    const { fake, client } = await setup((_e, n) => (n === 1 ? 'drop' : ok({ data: QUOTE })));
    expect((await client.quotes({ symbol: 'SBIN', exchange: 'NSE' })).status).toBe('success');
    expect(fake.calls('quotes')).toHaveLength(2);
  });

  it('accept numbers sent as strings where OpenAlgo sends them', async () => {
    const { client } = await setup((e) => {
      if (e === 'orderstatus') {
        return ok({ data: { action: 'BUY', average_price: '18.95', exchange: 'NSE', order_status: 'complete', orderid: 250828000185002, price: 0, pricetype: 'MARKET', product: 'MIS', quantity: '1', symbol: 'YESBANK', timestamp: '28-Aug-2025 09:59:10', trigger_price: 0 } });
      }
      if (e === 'positionbook') return ok({ data: [{ symbol: 'NHPC', exchange: 'NSE', product: 'MIS', quantity: '-1', average_price: '83.74', ltp: '83.72', pnl: '0.02' }] });
      return ok({ quantity: -10 });
    });
    const s = await client.orderStatus({ orderid: '250828000185002', strategy: 's' });
    expect(s.data).toMatchObject({ orderid: '250828000185002', quantity: 1, average_price: 18.95 });
    const p = await client.positionBook();
    expect(p.data![0]).toMatchObject({ quantity: -1, average_price: 83.74, pnl: 0.02 });
    expect((await client.openPosition({ strategy: 's', symbol: 'NHPC', exchange: 'NSE', product: 'MIS' })).quantity).toBe('-10');
  });

  it('turn an answer of the wrong shape into an invalid_response error, not a crash', async () => {
    const { client } = await setup(() => ok({ data: { ltp: 'n/a' } }));
    const err = await caught(client.quotes({ symbol: 'SBIN', exchange: 'NSE' }));
    expect(err.code).toBe('invalid_response');
    expect(err.message).toContain('data.ltp');
  });

  it('return a status "error" answer (HTTP 400) as an answer with its message', async () => {
    const { fake, client } = await setup(() => ({ status: 400, json: { status: 'error', message: 'Symbol not found' } }));
    const a = await client.quotes({ symbol: 'NOPE', exchange: 'NSE' });
    expect(a).toEqual({ status: 'error', message: 'Symbol not found' });
    expect(fake.calls('quotes')).toHaveLength(1);
  });

  it('post every endpoint to /api/v1/<name> with the apikey in the body', async () => {
    const { fake, client } = await setup(() => ok({ data: { holdings: [], statistics: {} } }));
    await client.holdings();
    await client.timings({ date: '2025-01-01' }).catch(() => undefined);
    expect(fake.received.map((r) => r.endpoint)).toEqual(['holdings', 'market/timings']);
    expect(fake.received[1].body).toEqual({ apikey: KEY, date: '2025-01-01' });
  });

  it('send margin quantities and prices as strings, as OpenAlgo\'s schema requires', async () => {
    const { fake, client } = await setup(() => ok({ data: { total_margin_required: 1000 } }));
    await client.margin({ positions: [{ symbol: 'SBIN', exchange: 'NSE', action: 'BUY', quantity: 10, product: 'MIS', pricetype: 'LIMIT', price: 800.5 }] });
    expect(fake.received[0].body.positions).toEqual([{ symbol: 'SBIN', exchange: 'NSE', action: 'BUY', quantity: '10', product: 'MIS', pricetype: 'LIMIT', price: '800.5' }]);
  });
});

describe('order calls', () => {
  it('are never retried after a 500: one call, outcome unknown', async () => {
    const { fake, client } = await setup(() => ({ status: 500, json: { status: 'error', message: 'An unexpected error occurred' } }));
    const err = await caught(client.placeOrder(ORDER));
    expect(err.outcome).toBe('unknown');
    expect(err.code).toBe('http');
    expect(err.message).toContain('unknown');
    expect(err.message).toContain('check the order book');
    await sleep(100);
    expect(fake.calls('placeorder')).toHaveLength(1);
  });

  it('that hang past the timeout fail with outcome unknown, sent exactly once', async () => {
    const { fake, client } = await setup(() => 'hang', { timeoutMs: 300 });
    const started = performance.now();
    const err = await caught(client.placeOrder(ORDER));
    expect(performance.now() - started).toBeLessThan(1500);
    expect(err).toMatchObject({ code: 'timeout', outcome: 'unknown' });
    expect(err.message).toMatch(/placeorder outcome unknown: no answer from OpenAlgo at http:\/\/127\.0\.0\.1:\d+ within 300 ms/);
    await sleep(400);
    expect(fake.calls('placeorder')).toHaveLength(1);
  });

  it('whose connection drops after sending fail with outcome unknown, sent once', async () => {
    const { fake, client } = await setup(() => 'drop');
    const err = await caught(client.placeSmartOrder({ ...ORDER, position_size: 5 }));
    expect(err).toMatchObject({ code: 'network', outcome: 'unknown' });
    expect(err.message).toContain('unknown');
    await sleep(100);
    expect(fake.calls('placesmartorder')).toHaveLength(1);
  });

  it('refused with 429 are not retried and were not sent to the broker', async () => {
    const { fake, client } = await setup(() => ({ status: 429, json: { status: 'error', message: 'Rate limit exceeded. Please try again later.' } }));
    const err = await caught(client.cancelOrder({ orderid: '1', strategy: 's' }));
    expect(err).toMatchObject({ code: 'rate_limited', outcome: 'not_sent' });
    expect(fake.calls('cancelorder')).toHaveLength(1);
  });

  it('whose answer does not fit are unknown, since the order may stand', async () => {
    const { client } = await setup(() => ok({ order: 'x' }));
    const err = await caught(client.placeOrder(ORDER));
    expect(err).toMatchObject({ code: 'invalid_response', outcome: 'unknown' });
    expect(err.message).toContain('unknown');
  });

  it('return a rejection (HTTP 400, status error) as an answer', async () => {
    const { client } = await setup(() => ({ status: 400, json: { status: 'error', message: 'Insufficient funds', mode: 'live' } }));
    expect(await client.placeOrder(ORDER)).toEqual({ status: 'error', message: 'Insufficient funds', mode: 'live' });
  });

  it('to a closed port fail as not sent, naming ECONNREFUSED', async () => {
    const { fake } = await setup(() => ok({}));
    const url = fake.url;
    await fake.close();
    client = new OpenAlgoBroker({ host: url, apiKey: KEY, retryBaseMs: 5 });
    const err = await caught(client.placeOrder(ORDER));
    expect(err).toMatchObject({ code: 'network', outcome: 'not_sent' });
    expect(err.message).toBe(`placeorder not placed: OpenAlgo at ${url} is not reachable (ECONNREFUSED)`);
    expect(await client.checkConnection()).toEqual({ ok: false, message: `OpenAlgo at ${url} is not reachable (ECONNREFUSED)` });
  });

  it('carry client_order_key only when told the server understands it', async () => {
    const { fake, client } = await setup(() => ok({ orderid: '1' }));
    await client.placeOrder(ORDER, { clientOrderKey: 'k1' });
    expect(fake.received[0].body).not.toHaveProperty('client_order_key');
    const withKey = new OpenAlgoBroker({ host: fake.url, apiKey: KEY, sendClientOrderKey: true });
    await withKey.placeOrder(ORDER, { clientOrderKey: 'k2' });
    await withKey.quotes({ symbol: 'SBIN', exchange: 'NSE' }, { clientOrderKey: 'k3' }).catch(() => undefined);
    await withKey.close();
    expect(fake.received[1].body).toMatchObject({ apikey: KEY, symbol: 'SBIN', client_order_key: 'k2' });
    expect(fake.received[2].body).not.toHaveProperty('client_order_key');
  });

  it('cancelled while in flight have an unknown outcome', async () => {
    const { fake, client } = await setup(() => 'hang');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const err = await caught(client.placeOrder(ORDER, { signal: controller.signal }));
    expect(err).toMatchObject({ code: 'aborted', outcome: 'unknown' });
    expect(err.message).toContain('unknown');
    expect(fake.calls('placeorder')).toHaveLength(1);
  });

  it('cancelled while waiting for a rate slot fail as not sent, and nothing reaches the server', async () => {
    const { fake, client } = await setup(() => ok({ orderid: '1' }), { orderRatePerSec: 1 });
    await client.placeOrder(ORDER);
    const controller = new AbortController();
    const pending = client.placeOrder(ORDER, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const err = await caught(pending);
    expect(err).toMatchObject({ code: 'aborted', outcome: 'not_sent' });
    expect(fake.calls('placeorder')).toHaveLength(1);
  });
});

describe('order calls tell the caller when they wait and when they leave', () => {
  it('an order with a free slot calls beforeSend once, before its request reaches the server, and never onQueued', async () => {
    const { fake, client } = await setup(() => ok({ orderid: '1' }));
    const seen: string[] = [];
    await client.placeOrder(ORDER, {
      onQueued: async () => { seen.push('queued'); },
      beforeSend: async () => { seen.push(`send (server had ${fake.calls('placeorder').length})`); },
    });
    expect(seen).toEqual(['send (server had 0)']);
    expect(fake.calls('placeorder')).toHaveLength(1);
  });

  it('an order that must wait for a slot calls onQueued before the wait and beforeSend only once the slot is granted', async () => {
    const { fake, client } = await setup(() => ok({ orderid: '1' }), { orderRatePerSec: 1 });
    await client.placeOrder(ORDER);
    const t0 = performance.now();
    const seen: Array<[string, number, number]> = [];
    const at = (what: string) => async () => { seen.push([what, Math.round(performance.now() - t0), fake.calls('placeorder').length]); };
    await client.placeOrder(ORDER, { onQueued: at('queued'), beforeSend: at('send') });
    expect(seen.map(([w]) => w)).toEqual(['queued', 'send']);
    expect(seen[0][1]).toBeLessThan(200); // recorded as waiting at once
    expect(seen[1][1]).toBeGreaterThanOrEqual(800); // marked sent only after the window passed
    expect(seen[1][2]).toBe(1); // and before the second request reached the server
    expect(fake.calls('placeorder')).toHaveLength(2);
  });

  it('a beforeSend that throws sends nothing and ends the call with its error', async () => {
    const { fake, client } = await setup(() => ok({ orderid: '1' }));
    const boom = new Error('disk full');
    await expect(client.placeOrder(ORDER, { beforeSend: async () => { throw boom; } })).rejects.toBe(boom);
    expect(fake.calls('placeorder')).toHaveLength(0);
    await client.placeOrder(ORDER); // the slot was given back
    expect(fake.calls('placeorder')).toHaveLength(1);
  });

  it('an onQueued that throws leaves the queue: nothing is sent and the order behind it does not wait for it', async () => {
    const { fake, client } = await setup(() => ok({ orderid: '1' }), { orderRatePerSec: 1 });
    await client.placeOrder(ORDER);
    const failed = client.placeOrder(ORDER, { onQueued: async () => { throw new Error('disk full'); } });
    const next = client.placeOrder({ ...ORDER, quantity: 2 });
    await expect(failed).rejects.toThrow('disk full');
    await next;
    const sent = fake.calls('placeorder');
    expect(sent.map((c) => c.body.quantity)).toEqual([1, 2]);
    expect(sent[1].at - sent[0].at).toBeLessThan(1_500); // one window, not two
  });
});

describe('a failed record never keeps a rate-limit slot', () => {
  it('an onQueued that fails after its slot was granted gives the slot back', async () => {
    const { fake, client } = await setup(() => ok({ orderid: '1' }), { orderRatePerSec: 1 });
    await client.placeOrder(ORDER);
    // The slot is granted after ~1 s, while the record is still being written; then the record fails.
    const failed = client.placeOrder(ORDER, { onQueued: () => sleep(1_300).then(() => { throw new Error('disk full'); }) });
    await expect(failed).rejects.toThrow('disk full');
    const t0 = performance.now();
    await client.placeOrder({ ...ORDER, quantity: 3 });
    expect(performance.now() - t0).toBeLessThan(2_000); // had the slot leaked, this order would wait forever
    expect(fake.calls('placeorder').map((c) => c.body.quantity)).toEqual([1, 3]);
  });
});

describe('connection check and secrets', () => {
  it('says which broker OpenAlgo is connected to', async () => {
    const { fake, client } = await setup(() => ok({ data: { message: 'pong', broker: 'zerodha' } }));
    expect(await client.checkConnection()).toEqual({ ok: true, message: `Connected to OpenAlgo at ${fake.url} (broker: zerodha)` });
    expect(client.description).toBe(`OpenAlgo at ${fake.url}`);
  });

  it('says plainly when OpenAlgo rejects the API key', async () => {
    const { fake, client } = await setup(() => ({ status: 403, json: { status: 'error', message: 'Invalid openalgo apikey' } }));
    const check = await client.checkConnection();
    expect(check.ok).toBe(false);
    expect(check.message).toContain(`OpenAlgo at ${fake.url} rejected the API key (403)`);
    const err = await caught(client.placeOrder(ORDER));
    expect(err).toMatchObject({ code: 'auth', outcome: 'not_sent', httpStatus: 403 });
    expect(fake.calls('ping')).toHaveLength(1); // not retried
  });

  it('never lets the API key into an error, a log line, an event or an answer', async () => {
    const lines: string[] = [];
    const log = (obj: object, msg: string) => lines.push(JSON.stringify(obj) + msg);
    const events: string[] = [];
    const { fake, client } = await setup(
      (endpoint, n, body) => {
        const echo = `bad key ${String(body.apikey)}`;
        switch (endpoint) {
          case 'ping': return { status: 403, json: { status: 'error', message: echo } };
          case 'quotes': return n === 1 ? { status: 500, json: { status: 'error', message: echo } } : ok({ data: QUOTE, note: echo });
          case 'placeorder': return { status: 500, json: { status: 'error', message: echo } };
          case 'funds': return { status: 400, json: { status: 'error', message: echo } };
          case 'depth': return ok({ data: { ltp: echo } });
          case 'cancelorder': return 'hang';
          default: return { status: 404, text: echo };
        }
      },
      { logger: { debug: log, info: log, warn: log, error: log }, onCall: (e) => events.push(JSON.stringify(e)), timeoutMs: 300 },
    );
    const outputs: unknown[] = [];
    const settle = async (p: Promise<unknown>) => outputs.push(await p.then((v) => v, (e: Error) => e.message));
    await settle(client.checkConnection());
    await settle(client.quotes({ symbol: 'SBIN', exchange: 'NSE' }));
    await settle(client.placeOrder(ORDER));
    await settle(client.funds());
    await settle(client.depth({ symbol: 'SBIN', exchange: 'NSE' }));
    await settle(client.cancelOrder({ orderid: '1', strategy: 's' }));
    await settle(client.intervals());
    expect(fake.received.length).toBeGreaterThanOrEqual(7);
    expect(lines.length).toBeGreaterThan(0);
    expect(events.length).toBeGreaterThanOrEqual(7);
    const everything = JSON.stringify([outputs, lines, events, client.description, client]) + inspect(client, { depth: 6 });
    expect(everything).toContain('[redacted]');
    expect(everything).not.toContain(KEY);
  });

  it('reports each HTTP attempt to onCall', async () => {
    const events: Array<{ endpoint: string; ok: boolean; status?: number }> = [];
    const { client } = await setup((_e, n) => (n === 1 ? { status: 503, text: 'busy' } : ok({ data: QUOTE })), { onCall: (e) => events.push(e) });
    await client.quotes({ symbol: 'SBIN', exchange: 'NSE' });
    expect(events.map(({ endpoint, ok, status }) => ({ endpoint, ok, status }))).toEqual([
      { endpoint: 'quotes', ok: false, status: 503 },
      { endpoint: 'quotes', ok: true, status: 200 },
    ]);
  });

  it('refuses a host that is not an http URL', () => {
    expect(() => new OpenAlgoBroker({ host: '127.0.0.1:5000', apiKey: KEY })).toThrow(/not a URL/);
  });
});
