// startOpenAlgoServer seen by a plain HTTP client: OpenAlgo's endpoints, shapes and
// error codes (403 key, 400 fields, 429 limits, 404, 500), answers in "analyze" mode.

import { afterEach, describe, expect, it } from 'vitest';
import { startOpenAlgoServer, type OpenAlgoServer, type OpenAlgoServerOptions } from '../../src/broker/openalgo/index.js';
import type { Broker } from '../../src/broker/types.js';
import { StubBroker } from './stub-broker.js';

const KEY = 'paper-key-abc123';

let server: OpenAlgoServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(opts: Partial<OpenAlgoServerOptions> = {}) {
  const broker = (opts.broker as StubBroker | undefined) ?? new StubBroker();
  server = await startOpenAlgoServer({ broker, apiKey: KEY, port: 0, ...opts });
  const post = async (path: string, body: unknown, raw?: string) => {
    const res = await fetch(`${server!.url}/api/v1/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: raw ?? JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  return { broker, post, url: server.url };
}

const order = { apikey: KEY, strategy: 's', symbol: 'SBIN', exchange: 'NSE', action: 'BUY', quantity: 1, pricetype: 'MARKET', product: 'MIS' };

describe('startOpenAlgoServer', () => {
  it('listens on 127.0.0.1 and an ephemeral port when asked for port 0', async () => {
    const { url } = await start();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server!.port).toBeGreaterThan(0);
  });

  it('places an order and marks the answer "analyze"', async () => {
    const { post } = await start();
    const res = await post('placeorder', order);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ status: 'success', orderid: expect.any(String), mode: 'analyze' });
  });

  it('answers 403 "Invalid openalgo apikey" to a wrong or missing key, before looking at the fields', async () => {
    const { post, broker } = await start();
    for (const body of [{ ...order, apikey: 'wrong' }, { ...order, apikey: undefined }, { strategy: 's' }]) {
      const res = await post('placeorder', body);
      expect(res).toEqual({ status: 403, json: { status: 'error', message: 'Invalid openalgo apikey' } });
    }
    expect(broker.calls).toHaveLength(0);
  });

  it('answers 400 naming every field that fails, and unknown fields, as OpenAlgo does', async () => {
    const { post, broker } = await start();
    const res = await post('placeorder', { apikey: KEY, strategy: 's', symbol: 'SBIN', exchange: 'XNSE', action: 'HOLD', pricetype: 'LIMIT', colour: 'red' });
    expect(res.status).toBe(400);
    expect(res.json.status).toBe('error');
    expect(res.json.mode).toBe('analyze');
    const message = String(res.json.message);
    expect(message).toContain('quantity: Missing data for required field.');
    expect(message).toContain('exchange: Must be one of');
    expect(message).toContain('action: Must be one of: BUY, SELL.');
    expect(message).toContain('colour: Unknown field.');
    expect(broker.calls).toHaveLength(0);
  });

  it('refuses a fractional quantity outside CRYPTO', async () => {
    const { post } = await start();
    const res = await post('placeorder', { ...order, quantity: 1.5 });
    expect(res.status).toBe(400);
    expect(res.json.message).toContain('quantity: Fractional quantity (1.5)');
  });

  it('reads numeric strings and defaults pricetype and product like OpenAlgo, and passes the client order key on', async () => {
    const { post, broker } = await start();
    const res = await post('placeorder', { apikey: KEY, strategy: 's', symbol: 'SBIN', exchange: 'NSE', action: 'buy', quantity: '2', client_order_key: 'run-7:node-2' });
    expect(res.status).toBe(200);
    expect(broker.calls[0]).toEqual({
      method: 'placeOrder',
      req: { strategy: 's', symbol: 'SBIN', exchange: 'NSE', action: 'BUY', quantity: 2, pricetype: 'MARKET', product: 'MIS' },
      opts: { clientOrderKey: 'run-7:node-2' },
    });
  });

  it('answers a rejection by the broker with 400 and its message', async () => {
    const { post } = await start();
    const res = await post('placeorder', { ...order, symbol: 'NOSUCH' });
    expect(res).toEqual({ status: 400, json: { status: 'error', message: 'Symbol NOSUCH not found on NSE', mode: 'analyze' } });
  });

  it('answers 429 with OpenAlgo\'s message once a client passes the order limit, other endpoints unaffected', async () => {
    const { post } = await start({ orderRatePerSec: 2, apiRatePerSec: 3 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await post('placeorder', order)).status);
    expect(statuses).toEqual([200, 200, 429]);
    const limited = await post('cancelorder', { apikey: KEY, orderid: '1', strategy: 's' });
    expect(limited).toEqual({ status: 429, json: { status: 'error', message: 'Rate limit exceeded. Please try again later.' } });
    // smart orders have their own allowance, reads another
    expect((await post('placesmartorder', { ...order, position_size: 1 })).status).toBe(200);
    const reads = [];
    for (let i = 0; i < 4; i++) reads.push((await post('funds', { apikey: KEY })).status);
    expect(reads).toEqual([200, 200, 200, 429]);
  });

  it('has no limits when the rates are 0', async () => {
    const { post } = await start({ orderRatePerSec: 0, apiRatePerSec: 0 });
    const statuses = await Promise.all(Array.from({ length: 30 }, () => post('placeorder', order).then((r) => r.status)));
    expect(new Set(statuses)).toEqual(new Set([200]));
  });

  it('serves every Broker method at its OpenAlgo endpoint', async () => {
    const { post } = await start();
    for (const path of ['funds', 'orderbook', 'tradebook', 'positionbook', 'holdings', 'intervals', 'ping', 'market/holidays']) {
      const res = await post(path, { apikey: KEY });
      expect(res.status, path).toBe(200);
      expect(res.json.status, path).toBe('success');
    }
    expect((await post('market/timings', { apikey: KEY, date: '2024-11-25' })).status).toBe(200);
    expect((await post('telegram/notify', { apikey: KEY, username: 'u', message: 'hi' })).status).toBe(400);
  });

  it('accepts a trailing slash, as Flask does', async () => {
    const { post } = await start();
    expect((await post('ping/', { apikey: KEY })).status).toBe(200);
  });

  it('answers 404 in JSON for an unknown endpoint, without echoing the query', async () => {
    const { url } = await start();
    const res = await fetch(`${url}/api/v1/nosuch?apikey=${KEY}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(404);
    const body = (await res.json()) as { status: string; message: string };
    expect(body.status).toBe('error');
    expect(body.message).not.toContain(KEY);
  });

  it('answers 400 to a body that is not JSON', async () => {
    const { post } = await start();
    const res = await post('placeorder', undefined, '{"apikey":');
    expect(res.status).toBe(400);
    expect(res.json.status).toBe('error');
  });

  it('answers 500 with a generic message when the broker throws, and logs it', async () => {
    const broker = new StubBroker();
    broker.funds = async () => { throw new Error('disk full at /secret/path'); };
    const errors: string[] = [];
    const noop = () => {};
    const { post } = await start({ broker: broker as Broker, logger: { debug: noop, info: noop, warn: noop, error: (o, m) => errors.push(m + JSON.stringify(o)) } });
    const res = await post('funds', { apikey: KEY });
    expect(res).toEqual({ status: 500, json: { status: 'error', message: 'An unexpected error occurred' } });
    expect(errors.join()).toContain('disk full');
  });

  it('refuses to start without an API key', async () => {
    await expect(startOpenAlgoServer({ broker: new StubBroker(), apiKey: '', port: 0 })).rejects.toThrow(/API key/);
  });
});
