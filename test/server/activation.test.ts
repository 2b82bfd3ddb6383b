// Activation hands out a webhook URL and secret only to workflows that can receive one; an import never silently duplicates a name.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buyOnWebhook, chain, node, startTestFlow, type TestFlow } from './helpers.js';

let flow: TestFlow;
beforeAll(async () => {
  flow = await startTestFlow({ FLOW_PAPER_ALWAYS_OPEN: '1' });
});
afterAll(async () => flow.stop());

const scheduleOnly = {
  name: 'daily',
  nodes: [node('clock', 'start', { scheduleType: 'daily', time: '09:20' }), node('say', 'log', { message: 'tick' }, 100)],
  edges: chain('clock', 'say'),
};

describe('activation', () => {
  it('a schedule-only workflow is activated with webhook null and has no webhook to show', async () => {
    const { body } = await flow.api('POST', '/api/workflows/import', scheduleOnly);
    const act = await flow.api('POST', `/api/workflows/${body.id}/activate`);
    expect(act.status).toBe(200);
    expect(act.body).toEqual({ id: body.id, active: true, version: 1, webhook: null });
    const hook = await flow.api('GET', `/api/workflows/${body.id}/webhook`);
    expect(hook.status).toBe(409);
    expect((await flow.api('GET', `/api/workflows/${body.id}`)).body.webhookToken ?? null).toBeNull();
  });

  it('a workflow whose webhookTrigger is removed stops answering at its old URL when activated again', async () => {
    const { body } = await flow.api('POST', '/api/workflows/import', buyOnWebhook());
    const first = await flow.api('POST', `/api/workflows/${body.id}/activate`);
    expect(first.body.webhook).toMatchObject({ url: expect.stringContaining('/flow/webhook/'), authType: 'payload' });
    expect(first.body.webhook.secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect((await flow.api('PUT', `/api/workflows/${body.id}`, { ...scheduleOnly, name: 'no longer a webhook' })).status).toBe(200);
    const again = await flow.api('POST', `/api/workflows/${body.id}/activate`);
    expect(again.body.webhook).toBeNull();
    const post = await fetch(first.body.webhook.url, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ symbol: 'SBIN', action: 'BUY', qty: 1, secret: first.body.webhook.secret }),
    });
    expect(post.status).toBe(404);
    expect((await flow.api('GET', `/api/workflows/${body.id}/executions`)).body.executions).toEqual([]);
  });
});

describe('import', () => {
  it('importing the same file twice names the second "(2)" and says so in warnings; a third is "(3)"', async () => {
    const file = { ...scheduleOnly, name: 'Nifty opener' };
    const first = await flow.api('POST', '/api/workflows/import', file);
    expect(first.body).toMatchObject({ name: 'Nifty opener', warnings: [] });
    const second = await flow.api('POST', '/api/workflows/import', file);
    expect(second.status).toBe(201);
    expect(second.body.name).toBe('Nifty opener (2)');
    expect(second.body.warnings).toEqual(["a workflow named 'Nifty opener' already exists: imported as 'Nifty opener (2)'"]);
    expect((await flow.api('GET', `/api/workflows/${second.body.id}/export`)).body.name).toBe('Nifty opener (2)');
    const third = await flow.api('POST', '/api/workflows/import', { ...file, name: 'nifty opener (2)' });
    expect(third.body.name).toBe('nifty opener (3)');
  });
});
