// POST /api/workflows/:id/rehearse: behind the token, the draft rehearsed, nothing of it in the live
// store or the live paper account.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buyOnWebhook, startTestFlow, type TestFlow } from '../server/helpers.js';

let flow: TestFlow;
beforeAll(async () => { flow = await startTestFlow(); });
afterAll(async () => { await flow.stop(); });

describe('POST /api/workflows/:id/rehearse', () => {
  it('rehearses the draft on past days with alerts from the body, and keeps its runs apart from live ones', async () => {
    const created = await flow.api('POST', '/api/workflows', buyOnWebhook());
    expect(created.status).toBe(201);
    const id = created.body.id;
    const alerts = '{"time":"2026-10-05T10:30:00+05:30","payload":{"symbol":"SBIN","action":"BUY","qty":3}}\n';
    const r = await flow.api('POST', `/api/workflows/${id}/rehearse`, { from: '2026-10-05', to: '2026-10-05', alerts, slippageBps: 2 });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ workflowId: id, rehearsal: true, source: 'paper', from: '2026-10-05', to: '2026-10-05' });
    expect(r.body.runs).toHaveLength(1);
    expect(r.body.trades).toHaveLength(1);
    expect(r.body.trades[0]).toMatchObject({ symbol: 'SBIN', action: 'BUY', quantity: 3, time: '2026-10-05T10:30:15.000+05:30' });
    expect(r.body.equity.length).toBeGreaterThan(300);
    expect(r.body.prices[0]).toMatchObject({ symbol: 'SBIN', exchange: 'NSE', interval: '1m' });
    expect(r.body.assumptions.some((a: string) => a.includes('2 bps of slippage'))).toBe(true);

    // Not one live run, not one live paper order.
    const runs = await flow.api('GET', `/api/workflows/${id}/executions`);
    expect(runs.body.executions).toHaveLength(0);
    const account = await flow.api('GET', '/api/paper/account');
    expect(account.body.orders.data.orders).toHaveLength(0);
  });

  it('needs the token, a known workflow and sensible dates', async () => {
    const created = await flow.api('POST', '/api/workflows', buyOnWebhook([], 'second'));
    const id = created.body.id;
    const noToken = await fetch(`${flow.url}/api/workflows/${id}/rehearse`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"from":"2026-10-05","to":"2026-10-05"}' });
    expect(noToken.status).toBe(401);
    expect((await flow.api('POST', '/api/workflows/wf_nope/rehearse', { from: '2026-10-05', to: '2026-10-05' })).status).toBe(404);
    const backwards = await flow.api('POST', `/api/workflows/${id}/rehearse`, { from: '2026-10-06', to: '2026-10-05' });
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.code).toBe('invalid_rehearsal');
    expect((await flow.api('POST', `/api/workflows/${id}/rehearse`, { from: '5 Oct', to: '2026-10-05' })).status).toBe(400);
    const badAlerts = await flow.api('POST', `/api/workflows/${id}/rehearse`, { from: '2026-10-05', to: '2026-10-05', alerts: '{"time":"soon","payload":{}}' });
    expect(badAlerts.status).toBe(400);
    expect(badAlerts.body.error.code).toBe('invalid_alerts');
  });
});
