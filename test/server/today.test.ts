// GET /api/today: today's runs by status, today's orders by outcome (unknown and not_sent named),
// the next scheduled fires of active workflows, and the broker's positions, from a real server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buyOnWebhook, chain, node, startTestFlow, type TestFlow } from './helpers.js';

let flow: TestFlow;
beforeAll(async () => {
  flow = await startTestFlow();
});
afterAll(async () => {
  await flow?.stop();
});

describe('GET /api/today', () => {
  it('answers an empty day with zero counts', async () => {
    const r = await flow.api('GET', '/api/today');
    expect(r.status).toBe(200);
    expect(r.body.timezone).toBe('Asia/Kolkata');
    expect(r.body.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(r.body.runs).toMatchObject({ total: 0, byStatus: {}, truncated: false, failed: [] });
    expect(r.body.orders).toMatchObject({ total: 0, recent: [], attention: [] });
    expect(r.body.positions).toEqual({ status: 'success', data: [] });
  });

  it('counts runs and orders, names the failed run and the orders to check, lists the next fire', async () => {
    const buy = await flow.api('POST', '/api/workflows', buyOnWebhook());
    const ok = await flow.api('POST', `/api/workflows/${buy.body.id}/execute?wait=true`, { webhookData: { symbol: 'SBIN', action: 'BUY', qty: 3 } });
    expect(ok.body.status).toBe('completed');
    const bad = await flow.api('POST', `/api/workflows/${buy.body.id}/execute?wait=true`, { webhookData: { symbol: 'SBIN', action: 'HOLD', qty: 1 } });
    expect(bad.body.status).toBe('failed');

    // An order whose outcome was lost (a dropped connection), as recovery leaves it.
    flow.store.insertIntent({ key: `${ok.body.executionId}:lost:0`, workflowId: buy.body.id, executionId: ok.body.executionId, nodeId: 'buy', method: 'placeOrder', request: { symbol: 'INFY' } });
    flow.store.resolveIntent(`${ok.body.executionId}:lost:0`, { status: 'unknown', error: 'connection reset' });

    const clock = await flow.api('POST', '/api/workflows', { name: 'clock', nodes: [node('c', 'start', { scheduleType: 'daily', time: '09:20' }), node('say', 'log', { message: 'tick' }, 100)], edges: chain('c', 'say') });
    expect((await flow.api('POST', `/api/workflows/${clock.body.id}/activate`, {})).status).toBe(200);

    const r = await flow.api('GET', '/api/today');
    expect(r.status).toBe(200);
    expect(r.body.runs.total).toBe(2);
    expect(r.body.runs.byStatus).toEqual({ completed: 1, failed: 1 });
    expect(r.body.runs.failed.map((e: { executionId: string }) => e.executionId)).toEqual([bad.body.executionId]);
    expect(r.body.orders.total).toBe(2);
    expect(r.body.orders.byStatus).toEqual({ accepted: 1, unknown: 1 });
    expect(r.body.orders.attention).toHaveLength(1);
    expect(r.body.orders.attention[0]).toMatchObject({ status: 'unknown', workflowId: buy.body.id, executionId: ok.body.executionId });
    expect(r.body.schedules).toHaveLength(1);
    expect(r.body.schedules[0]).toMatchObject({ workflowId: clock.body.id, nodeId: 'c' });
    expect(Date.parse(r.body.schedules[0].nextRunAt)).toBeGreaterThan(Date.now());
    expect(r.body.positions.data).toEqual([expect.objectContaining({ symbol: 'SBIN', quantity: 3 })]);
  });

  it('needs the API token', async () => {
    const r = await fetch(`${flow.url}/api/today`);
    expect(r.status).toBe(401);
  });
});
