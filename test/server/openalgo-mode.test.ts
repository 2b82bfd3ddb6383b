// Flow in OpenAlgo mode against a local fake OpenAlgo server: which key each order carries.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buyOnWebhook, startTestFlow, type TestFlow } from './helpers.js';

let fake: http.Server;
let flow: TestFlow;
const received: Array<{ path: string; body: Record<string, unknown> }> = [];

beforeAll(async () => {
  fake = http.createServer((req, res) => {
    let text = '';
    req.on('data', (d) => (text += d));
    req.on('end', () => {
      const body = JSON.parse(text || '{}');
      received.push({ path: req.url ?? '', body });
      res.setHeader('content-type', 'application/json');
      if (req.url === '/api/v1/ping') return res.end(JSON.stringify({ status: 'success', data: { message: 'pong', broker: 'fake' } }));
      if (req.url === '/api/v1/placeorder') return res.end(JSON.stringify({ status: 'success', orderid: `OID${received.length}` }));
      res.statusCode = 404;
      res.end(JSON.stringify({ status: 'error', message: 'not here' }));
    });
  });
  await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
  const host = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
  flow = await startTestFlow({ OPENALGO_HOST: host, OPENALGO_API_KEY: 'global-key-aaaa' });
});
afterAll(async () => {
  await flow.stop();
  await new Promise((r) => fake.close(r));
});

async function fire(activation: Record<string, unknown>) {
  const { body } = await flow.api('POST', '/api/workflows/import', buyOnWebhook());
  const act = await flow.api('POST', `/api/workflows/${body.id}/activate`, activation);
  const r = await fetch(`${act.body.webhook.url}?wait=true`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ symbol: 'SBIN', action: 'BUY', qty: 1, secret: act.body.webhook.secret }),
  });
  return (await r.json()) as { status: string; executionId: string };
}

describe('OpenAlgo mode', () => {
  it('orders carry the global key, or the key a workflow was activated with; neither is stored or shown', async () => {
    expect((await flow.api('GET', '/api/health')).body).toMatchObject({ broker: 'openalgo' });
    const a = await fire({});
    const b = await fire({ brokerApiKey: 'workflow-key-bbbb' });
    expect([a.status, b.status]).toEqual(['completed', 'completed']);
    const orders = received.filter((r) => r.path === '/api/v1/placeorder');
    expect(orders.map((o) => o.body.apikey)).toEqual(['global-key-aaaa', 'workflow-key-bbbb']);
    for (const id of [a.executionId, b.executionId]) {
      const detail = JSON.stringify((await flow.api('GET', `/api/executions/${id}`)).body);
      expect(detail).not.toContain('global-key-aaaa');
      expect(detail).not.toContain('workflow-key-bbbb');
    }
  });

  it('a re-run is refused with 409 unless it asks for the live broker, and then trades on the workflow\'s own key', async () => {
    const first = await fire({ brokerApiKey: 'workflow-key-cccc' });
    const before = received.filter((r) => r.path === '/api/v1/placeorder').length;
    const refused = await flow.api('POST', `/api/executions/${first.executionId}/rerun`, {});
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('paper_unavailable');
    expect((await flow.api('POST', `/api/executions/${first.executionId}/rerun`, { broker: 'paper' })).status).toBe(409);
    expect(received.filter((r) => r.path === '/api/v1/placeorder')).toHaveLength(before);
    const live = await flow.api('POST', `/api/executions/${first.executionId}/rerun?wait=true`, { broker: 'live' });
    expect(live.body.status).toBe('completed');
    const orders = received.filter((r) => r.path === '/api/v1/placeorder');
    expect(orders).toHaveLength(before + 1);
    expect(orders.at(-1)!.body).toMatchObject({ apikey: 'workflow-key-cccc', symbol: 'SBIN', quantity: 1 });
  });
});

describe('unknown orders', () => {
  it('an order that times out is listed as unknown, never re-sent, and can be resolved by an operator', async () => {
    const slow = http.createServer((req, res) => {
      let text = '';
      req.on('data', (d) => (text += d));
      req.on('end', () => {
        slowCalls.push(req.url ?? '');
        res.setHeader('content-type', 'application/json');
        if (req.url === '/api/v1/ping') return res.end(JSON.stringify({ status: 'success', data: { message: 'pong', broker: 'fake' } }));
        // placeorder: never answers
      });
    });
    const slowCalls: string[] = [];
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    const host = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`;
    const f = await startTestFlow({ OPENALGO_HOST: host, OPENALGO_API_KEY: 'k-unknown', OPENALGO_TIMEOUT_MS: '300' });
    try {
      const { body } = await f.api('POST', '/api/workflows/import', buyOnWebhook());
      const run = (await f.api('POST', `/api/workflows/${body.id}/execute?wait=true`, { webhookData: { symbol: 'SBIN', action: 'BUY', qty: 1 } })).body;
      expect(run.status).toBe('failed');
      expect(run.error).toMatch(/unknown/);
      expect(slowCalls.filter((u) => u === '/api/v1/placeorder')).toHaveLength(1);
      const unknown = (await f.api('GET', '/api/orders/unknown')).body.orders;
      expect(unknown).toHaveLength(1);
      expect(unknown[0]).toMatchObject({ executionId: run.executionId, nodeId: 'buy', status: 'unknown' });
      const resolved = await f.api('POST', `/api/orders/${encodeURIComponent(unknown[0].key)}/resolve`, { status: 'accepted', orderId: 'B123', note: 'found in the order book' });
      expect(resolved.body).toMatchObject({ status: 'accepted', orderIds: ['B123'] });
      expect((await f.api('GET', '/api/orders/unknown')).body.orders).toEqual([]);
      expect((await f.api('POST', `/api/orders/${encodeURIComponent(unknown[0].key)}/resolve`, { status: 'rejected' })).status).toBe(409);
    } finally {
      await f.stop();
      slow.closeAllConnections();
      await new Promise((r) => slow.close(r));
    }
  });
});
