// DESIGN.md §7 and §8 over real HTTP on loopback.
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buyOnWebhook, chain, node, startTestFlow, until, type TestFlow } from './helpers.js';

let flow: TestFlow;
beforeAll(async () => {
  flow = await startTestFlow({ FLOW_WEBHOOK_RATE_LIMIT: '5' });
});
afterAll(async () => flow.stop());

async function activated(definition: unknown, body: unknown = {}) {
  const created = await flow.api('POST', '/api/workflows/import', definition);
  expect(created.status).toBe(201);
  const act = await flow.api('POST', `/api/workflows/${created.body.id}/activate`, body);
  expect(act.status).toBe(200);
  return { id: created.body.id as string, webhook: act.body.webhook as { url: string; token: string; secret: string; authType: string } };
}
/** The answer body, as JSON of any shape (the assertions check it). */
const json = (r: Response): Promise<any> => r.json();
const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

describe('the life of a workflow', () => {
  it('import, activate, webhook, execution with steps and order intents, deactivate', async () => {
    const { id, webhook } = await activated(buyOnWebhook());
    expect(webhook.url).toBe(`${flow.url}/flow/webhook/${webhook.token}`);
    expect(webhook.token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes, URL-safe
    const res = await post(webhook.url, { symbol: 'SBIN', action: 'BUY', qty: 3, secret: webhook.secret });
    expect(res.status).toBe(202);
    const { executionId, status } = await json(res);
    expect(status).toBe('queued');
    const detail = await until(async () => {
      const r = await flow.api('GET', `/api/executions/${executionId}`);
      return r.body.status === 'completed' && r.body;
    });
    expect(detail).toMatchObject({ workflowId: id, version: 1, trigger: { kind: 'webhook' } });
    expect(detail.steps.map((s: { nodeId: string; status: string }) => `${s.nodeId}:${s.status}`)).toEqual(['hook:completed', 'buy:completed', 'say:completed']);
    expect(detail.orders).toHaveLength(1);
    expect(detail.orders[0]).toMatchObject({ nodeId: 'buy', method: 'placeOrder', status: 'accepted', request: { symbol: 'SBIN', quantity: 3 } });
    const list = await flow.api('GET', `/api/workflows/${id}/executions`);
    expect(list.body.executions.map((e: { executionId: string }) => e.executionId)).toEqual([executionId]);
    const off = await flow.api('POST', `/api/workflows/${id}/deactivate`);
    expect(off.body).toEqual({ id, active: false });
    const after = await post(webhook.url, { symbol: 'SBIN', action: 'BUY', qty: 1, secret: webhook.secret });
    expect(after.status).toBe(403);
    expect((await flow.api('DELETE', `/api/workflows/${id}`)).status).toBe(204);
  });

  it('refuses to delete an active workflow', async () => {
    const { id } = await activated(buyOnWebhook());
    const del = await flow.api('DELETE', `/api/workflows/${id}`);
    expect(del.status).toBe(409);
    expect(del.body.error.code).toBe('active');
  });

  it('answers every validation problem on import', async () => {
    const bad = buyOnWebhook();
    bad.nodes[1].data.exchange = 'NYSE';
    bad.edges.push({ id: 'e9', source: 'say', target: 'ghost' });
    const r = await flow.api('POST', '/api/workflows/import', bad);
    expect(r.status).toBe(400);
    const problems = r.body.error.details.problems.map((p: { code: string; nodeId?: string; edgeId?: string; field?: string }) => [p.code, p.nodeId ?? p.edgeId, p.field].join(' '));
    expect(problems).toEqual(expect.arrayContaining(['invalid_field buy exchange', 'dangling_edge e9 target']));
  });
});

describe('webhook answers', () => {
  it('401 without a token on the API, and the health check needs none', async () => {
    const r = await fetch(`${flow.url}/api/workflows`);
    expect(r.status).toBe(401);
    expect((await json(r)).error.code).toBe('unauthorized');
    const h = await fetch(`${flow.url}/api/health`);
    expect(h.status).toBe(200);
    expect(await json(h)).toMatchObject({ status: 'ok', broker: 'paper' });
  });

  it('401 on a wrong secret, with nothing executed', async () => {
    const { id, webhook } = await activated(buyOnWebhook());
    const r = await post(webhook.url, { symbol: 'SBIN', action: 'BUY', qty: 1, secret: 'wrong' });
    expect(r.status).toBe(401);
    expect((await post(webhook.url, { symbol: 'SBIN', action: 'BUY', qty: 1 })).status).toBe(401);
    expect((await flow.api('GET', `/api/workflows/${id}/executions`)).body.executions).toEqual([]);
  });

  it('404 for an unknown token', async () => {
    expect((await post(`${flow.url}/flow/webhook/no-such-token`, {})).status).toBe(404);
  });

  it('413 for an oversized body', async () => {
    const { webhook } = await activated(buyOnWebhook());
    const r = await post(webhook.url, { secret: webhook.secret, blob: 'x'.repeat(100_000) });
    expect(r.status).toBe(413);
  });

  it('429 over the per-token rate limit', async () => {
    const { webhook } = await activated(buyOnWebhook());
    const codes: number[] = [];
    for (let i = 0; i < 7; i++) codes.push((await post(webhook.url, { symbol: 'SBIN', action: 'BUY', qty: 1, secret: webhook.secret })).status);
    expect(codes.slice(0, 5)).toEqual([202, 202, 202, 202, 202]);
    expect(codes.slice(5)).toEqual([429, 429]);
  });

  it('answers 202 in well under 200 ms when the workflow holds a 5 s delay', async () => {
    const def = { name: 'slow', nodes: [node('hook', 'webhookTrigger'), node('wait', 'delay', { delayValue: 5, delayUnit: 'seconds' }, 100)], edges: chain('hook', 'wait') };
    const { webhook } = await activated(def);
    await post(webhook.url, { secret: webhook.secret, warm: true }); // warm the connection
    const started = performance.now();
    const r = await post(webhook.url, { secret: webhook.secret });
    const ms = performance.now() - started;
    expect(r.status).toBe(202);
    expect(ms).toBeLessThan(200);
  });

  it('keeps the secret out of the stored execution and the logs', async () => {
    const def = buyOnWebhook([node('echo', 'log', { message: 'payload secret={{webhook.secret}}' }, 300)]);
    def.edges.push({ id: 'e9', source: 'say', target: 'echo' });
    const { webhook } = await activated(def);
    const r = await post(webhook.url, { symbol: 'SBIN', action: 'BUY', qty: 1, secret: webhook.secret });
    const { executionId } = await json(r);
    const detail = await until(async () => {
      const d = await flow.api('GET', `/api/executions/${executionId}`);
      return d.body.status === 'completed' && d.body;
    });
    expect(JSON.stringify(detail)).not.toContain(webhook.secret);
    expect(detail.logs.map((l: { message: string }) => l.message)).toContain('payload secret={{webhook.secret}}');
    const raw = fs.readFileSync(path.join(flow.dataDir, 'flow.db')).toString('latin1');
    const wal = fs.existsSync(path.join(flow.dataDir, 'flow.db-wal')) ? fs.readFileSync(path.join(flow.dataDir, 'flow.db-wal')).toString('latin1') : '';
    expect(raw + wal).not.toContain(webhook.secret);
  });

  it('the same idempotency key twice gives one execution', async () => {
    const { id, webhook } = await activated(buyOnWebhook());
    const a = await json(await post(webhook.url, { symbol: 'SBIN', action: 'BUY', qty: 1, secret: webhook.secret }, { 'idempotency-key': 'alert-7' }));
    const b = await json(await post(webhook.url, { symbol: 'SBIN', action: 'BUY', qty: 1, secret: webhook.secret }, { 'idempotency-key': 'alert-7' }));
    expect(b.executionId).toBe(a.executionId);
    await until(async () => (await flow.api('GET', `/api/executions/${a.executionId}`)).body.status === 'completed');
    expect((await flow.api('GET', `/api/workflows/${id}/executions`)).body.executions).toHaveLength(1);
  });

  it('accepts the secret in the URL or as an HMAC of the raw body', async () => {
    const url = await activated(buyOnWebhook(), { authType: 'url' });
    expect((await post(`${url.webhook.url}?secret=${url.webhook.secret}`, { symbol: 'SBIN', action: 'BUY', qty: 1 })).status).toBe(202);
    expect((await post(`${url.webhook.url}?secret=nope`, { symbol: 'SBIN', action: 'BUY', qty: 1 })).status).toBe(401);
    const hmac = await activated(buyOnWebhook(), { authType: 'hmac' });
    const body = JSON.stringify({ symbol: 'SBIN', action: 'SELL', qty: 1 });
    const sig = createHmac('sha256', hmac.webhook.secret).update(body).digest('hex');
    expect((await post(hmac.webhook.url, body, { 'x-flow-signature': `sha256=${sig}` })).status).toBe(202);
    expect((await post(hmac.webhook.url, body.replace('SELL', 'BUY'), { 'x-flow-signature': `sha256=${sig}` })).status).toBe(401);
  });

  it('takes TradingView plain text as {{webhook.text}} and applies the symbol filter', async () => {
    const def = {
      name: 'text alert',
      nodes: [node('hook', 'webhookTrigger', { symbol: 'NIFTY' }), node('say', 'log', { message: 'got: {{webhook.text}}' }, 100)],
      edges: chain('hook', 'say'),
    };
    const { webhook } = await activated(def, { authType: 'url' });
    const text = await fetch(`${webhook.url}/NIFTY?secret=${webhook.secret}&wait=true`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'NIFTY crossed 24000' });
    expect(text.status).toBe(200);
    const result = await json(text);
    expect(result.logs.map((l: { message: string }) => l.message)).toContain('got: NIFTY crossed 24000');
    const other = await fetch(`${webhook.url}/BANKNIFTY?secret=${webhook.secret}`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
    expect(other.status).toBe(200);
    expect((await json(other)).status).toBe('ignored');
  });

  it('the kill switch refuses orders', async () => {
    const { webhook } = await activated(buyOnWebhook());
    expect((await flow.api('POST', '/api/kill-switch', { enabled: true })).body).toEqual({ enabled: true });
    try {
      const r = await post(`${webhook.url}?wait=true`, { symbol: 'SBIN', action: 'BUY', qty: 1, secret: webhook.secret });
      const result = await json(r);
      expect(result.status).toBe('failed');
      expect(result.error).toContain('kill switch');
      expect(result.orders).toEqual([]);
    } finally {
      await flow.api('POST', '/api/kill-switch', { enabled: false });
    }
  });

  it('per-workflow limits refuse an order naming the limit', async () => {
    const { webhook } = await activated(buyOnWebhook(), { limits: { maxQuantityPerOrder: 10 } });
    const r = await post(`${webhook.url}?wait=true`, { symbol: 'SBIN', action: 'BUY', qty: 50, secret: webhook.secret });
    const result = await json(r);
    expect(result.status).toBe('failed');
    expect(result.error).toContain('maxQuantityPerOrder');
  });

  it('bad input gets 400 naming the field, never a stack trace', async () => {
    const r = await flow.api('POST', '/api/workflows', { name: 'x', nodes: 'nope', edges: [] });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/nodes/);
    const act = await flow.api('POST', '/api/workflows/wf_nope/activate', { concurrency: 'sometimes' });
    expect(act.status).toBe(400);
    expect(act.body.error.message).toMatch(/concurrency/);
    const json = await flow.api('POST', '/api/workflows', '{"name": ');
    expect(json.status).toBe(400);
    expect(JSON.stringify(json.body)).not.toMatch(/at .*\.ts:\d+/);
  });

  it('exposes Prometheus metrics', async () => {
    const r = await fetch(`${flow.url}/metrics`);
    const text = await r.text();
    expect(text).toContain('flow_executions_total');
    expect(text).toContain('flow_webhook_responses_total{code="202"}');
    expect(text).toContain('flow_queue_depth');
    // Process metrics carry the flow_ prefix once: flow_process_cpu_…, not flow_process_process_cpu_….
    expect(text).toMatch(/^flow_process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^flow_nodejs_heap_size_used_bytes \d/m);
    expect(text).not.toContain('process_process');
  });
});
