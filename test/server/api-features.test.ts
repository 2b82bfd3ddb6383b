// DESIGN.md §8's newer routes over real HTTP on loopback (paper broker): the runs of every
// workflow, versions, re-run, webhook management, empty drafts and import in place.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buyOnWebhook, chain, node, startTestFlow, until, type TestFlow } from './helpers.js';

let flow: TestFlow;
beforeAll(async () => {
  flow = await startTestFlow();
});
afterAll(async () => flow.stop());

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

async function activated(definition: unknown) {
  const created = await flow.api('POST', '/api/workflows/import', definition);
  expect(created.status).toBe(201);
  const act = await flow.api('POST', `/api/workflows/${created.body.id}/activate`, {});
  expect(act.status).toBe(200);
  return { id: created.body.id as string, webhook: act.body.webhook as { url: string; token: string; secret: string } };
}

const finished = (id: string) => until(async () => {
  const r = await flow.api('GET', `/api/executions/${id}`);
  return ['completed', 'failed'].includes(r.body.status) && r.body;
});

const logOnly = (name: string, message = 'hello') => ({ name, nodes: [node('go', 'start', {}), node('say', 'log', { message }, 100)], edges: chain('go', 'say') });

describe('GET /api/executions', () => {
  it('lists runs of every workflow newest first, filtered by workflow, status, trigger and time', async () => {
    const a = (await flow.api('POST', '/api/workflows', logOnly('list a'))).body.id as string;
    const b = (await flow.api('POST', '/api/workflows', logOnly('list b'))).body.id as string;
    const ids: string[] = [];
    for (const wf of [a, b, a]) {
      const r = await flow.api('POST', `/api/workflows/${wf}/execute?wait=true`, {});
      expect(r.status).toBe(200);
      ids.push(r.body.executionId);
    }
    const all = await flow.api('GET', '/api/executions?limit=500');
    expect(all.status).toBe(200);
    const mine = all.body.executions.map((e: { executionId: string }) => e.executionId).filter((id: string) => ids.includes(id));
    expect(mine).toEqual([...ids].reverse());
    const onlyA = await flow.api('GET', `/api/executions?workflowId=${a}`);
    expect(onlyA.body.executions.map((e: { executionId: string }) => e.executionId)).toEqual([ids[2], ids[0]]);
    expect((await flow.api('GET', `/api/executions?workflowId=${a}&status=failed`)).body.executions).toEqual([]);
    expect((await flow.api('GET', `/api/executions?workflowId=${a}&trigger=webhook`)).body.executions).toEqual([]);
    expect((await flow.api('GET', `/api/executions?workflowId=${a}&trigger=manual&status=completed`)).body.executions).toHaveLength(2);
    const second = await flow.api('GET', `/api/executions?workflowId=${a}&limit=1&offset=1`);
    expect(second.body.executions.map((e: { executionId: string }) => e.executionId)).toEqual([ids[0]]);
    expect((await flow.api('GET', `/api/executions?workflowId=${a}&to=2000-01-01`)).body.executions).toEqual([]);
    expect((await flow.api('GET', `/api/executions?workflowId=${a}&from=${Date.now() + 60_000}`)).body.executions).toEqual([]);
    expect((await flow.api('GET', `/api/executions?workflowId=${a}&from=2000-01-01T00:00:00Z&to=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).body.executions).toHaveLength(2);
  });

  it.each([
    ['status=done', 'status'], ['trigger=cron', 'trigger'], ['limit=0', 'limit'], ['limit=501', 'limit'], ['offset=-1', 'offset'],
    ['from=yesterday', 'from'], ['to=2026-13-45', 'to'], ['from=2026-02-01&to=2026-01-01', 'from'],
  ])('refuses %s with 400 naming %s', async (query, field) => {
    const r = await flow.api('GET', `/api/executions?${query}`);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('invalid_request');
    expect(r.body.error.message).toContain(field);
  });
});

describe('versions', () => {
  it('lists the versions frozen at each activation, reads one, diffs it with the draft and restores it as the draft', async () => {
    const first = buyOnWebhook([], 'versioned');
    const { id } = await activated(first);
    const second = { ...first, nodes: [...first.nodes.slice(0, 2), node('say', 'log', { message: 'changed' }, 200), node('extra', 'log', { message: 'x' }, 300)], edges: chain('hook', 'buy', 'say', 'extra') };
    expect((await flow.api('PUT', `/api/workflows/${id}`, second)).status).toBe(200);
    const act2 = await flow.api('POST', `/api/workflows/${id}/activate`, {});
    expect(act2.body.version).toBe(2);

    const list = await flow.api('GET', `/api/workflows/${id}/versions`);
    expect(list.status).toBe(200);
    expect(list.body.activeVersion).toBe(2);
    expect(list.body.versions.map((v: Record<string, unknown>) => [v.version, v.nodes, v.edges, v.active])).toEqual([[2, 4, 3, true], [1, 3, 2, false]]);
    expect(Date.parse(list.body.versions[0].activatedAt)).toBeGreaterThan(0);

    const v1 = await flow.api('GET', `/api/workflows/${id}/versions/1`);
    expect(v1.body).toMatchObject({ id, version: 1, definition: { nodes: first.nodes.map((n) => ({ id: n.id })) } });
    expect(v1.body.diff).toBeUndefined();
    const diff = await flow.api('GET', `/api/workflows/${id}/versions/1?against=draft`);
    expect(diff.body.diff).toEqual({ added: ['extra'], removed: [], changed: ['say'], edges: { added: ['say->extra'], removed: [] } });

    const restored = await flow.api('POST', `/api/workflows/${id}/versions/1/restore`);
    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({ id, active: true, version: 2, restoredFrom: 1 });
    expect(restored.body.nodes.map((n: { id: string }) => n.id)).toEqual(['hook', 'buy', 'say']);
    // The draft is version 1 again; the active version is untouched until the next activation.
    expect((await flow.api('GET', `/api/workflows/${id}/versions/1?against=draft`)).body.diff).toEqual({ added: [], removed: [], changed: [], edges: { added: [], removed: [] } });
    expect((await flow.api('GET', `/api/workflows/${id}`)).body.version).toBe(2);
  });

  it('saving or restoring a draft of an active workflow keeps its triggers firing the active version', async () => {
    const { id } = await activated(logOnly('scheduled', 'v1'));
    expect((await flow.api('PUT', `/api/workflows/${id}`, logOnly('scheduled', 'draft'))).status).toBe(200);
    expect((await flow.api('POST', `/api/workflows/${id}/versions/1/restore`)).status).toBe(200);
    const fired = await flow.workflows.fire(id, { kind: 'schedule', nodeId: 'go' });
    expect(fired).not.toBeNull();
    const run = await finished(fired!.executionId);
    expect(run).toMatchObject({ status: 'completed', version: 1 });
    expect(run.logs.map((l: { message: string }) => l.message)).toContain('v1');
  });

  it('answers 404 for an unknown version or workflow and 400 for a bad number or diff target', async () => {
    const { id } = await activated(buyOnWebhook());
    expect((await flow.api('GET', `/api/workflows/${id}/versions/9`)).status).toBe(404);
    expect((await flow.api('POST', `/api/workflows/${id}/versions/9/restore`)).status).toBe(404);
    expect((await flow.api('GET', '/api/workflows/wf_nope/versions')).status).toBe(404);
    expect((await flow.api('GET', `/api/workflows/${id}/versions/0`)).status).toBe(400);
    expect((await flow.api('GET', `/api/workflows/${id}/versions/1?against=live`)).status).toBe(400);
  });
});

describe('POST /api/executions/:id/rerun', () => {
  it('runs the same webhook input again as a new run on paper, without the secret', async () => {
    const { id, webhook } = await activated(buyOnWebhook());
    const res = await post(`${webhook.url}?wait=true`, { symbol: 'SBIN', action: 'BUY', qty: 2, secret: webhook.secret });
    expect(res.status).toBe(200);
    const original = await res.json() as { executionId: string };
    const again = await flow.api('POST', `/api/executions/${original.executionId}/rerun`, {});
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ status: 'queued', rerunOf: original.executionId });
    expect(again.body.executionId).not.toBe(original.executionId);
    const run = await finished(again.body.executionId);
    expect(run).toMatchObject({ status: 'completed', workflowId: id, version: 1, trigger: { kind: 'webhook' } });
    expect(run.input).toEqual({ symbol: 'SBIN', action: 'BUY', qty: 2 });
    expect(run.orders).toHaveLength(1);
    expect(run.orders[0]).toMatchObject({ status: 'accepted', request: { symbol: 'SBIN', quantity: 2 } });
    expect(JSON.stringify(run)).not.toContain(webhook.secret);
  });

  it('with ?wait=true answers the result; a draft re-runs its draft; unknown runs are 404; bad bodies 400', async () => {
    const wf = (await flow.api('POST', '/api/workflows', logOnly('rerun draft', 'first'))).body.id as string;
    const first = await flow.api('POST', `/api/workflows/${wf}/execute?wait=true`, {});
    expect((await flow.api('PUT', `/api/workflows/${wf}`, logOnly('rerun draft', 'second'))).status).toBe(200);
    const again = await flow.api('POST', `/api/executions/${first.body.executionId}/rerun?wait=true`, { broker: 'paper' });
    expect(again.status).toBe(200);
    expect(again.body.status).toBe('completed');
    expect(again.body.logs.map((l: { message: string }) => l.message)).toContain('second');
    expect((await flow.api('POST', '/api/executions/ex_nope/rerun', {})).status).toBe(404);
    expect((await flow.api('POST', `/api/executions/${first.body.executionId}/rerun`, { broker: 'moon' })).status).toBe(400);
  });
});

describe('webhook management', () => {
  it('disable answers 403 to deliveries, enable restores them, without re-activating', async () => {
    const { id, webhook } = await activated(buyOnWebhook());
    const off = await flow.api('POST', `/api/workflows/${id}/webhook/disable`);
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ enabled: false, token: webhook.token, secret: webhook.secret });
    const refused = await post(webhook.url, { symbol: 'SBIN', action: 'BUY', qty: 1, secret: webhook.secret });
    expect(refused.status).toBe(403);
    expect((await refused.json() as { error: { code: string } }).error.code).toBe('webhook_disabled');
    expect((await flow.api('GET', `/api/workflows/${id}`)).body).toMatchObject({ active: true, version: 1, webhook: { enabled: false } });
    const on = await flow.api('POST', `/api/workflows/${id}/webhook/enable`);
    expect(on.body).toMatchObject({ enabled: true, url: webhook.url });
    expect((await post(webhook.url, { symbol: 'SBIN', action: 'BUY', qty: 1, secret: webhook.secret })).status).toBe(202);
  });

  it('a new token retires the old URL (404); a new secret retires the old one (401) and is scrubbed from runs', async () => {
    const { id, webhook } = await activated(buyOnWebhook([node('echo', 'log', { message: 'saw {{webhook.note}}' }, 300)]));
    const body = { symbol: 'SBIN', action: 'BUY', qty: 1, secret: webhook.secret };
    expect((await post(webhook.url, body)).status).toBe(202); // the route is cached now
    const tok = await flow.api('POST', `/api/workflows/${id}/webhook/regenerate-token`);
    expect(tok.status).toBe(200);
    expect(tok.body.token).not.toBe(webhook.token);
    expect(tok.body.secret).toBe(webhook.secret);
    expect((await post(webhook.url, body)).status).toBe(404);
    expect((await post(tok.body.url, body)).status).toBe(202);

    const sec = await flow.api('POST', `/api/workflows/${id}/webhook/regenerate-secret`);
    expect(sec.body.secret).not.toBe(webhook.secret);
    expect(sec.body.token).toBe(tok.body.token);
    expect((await post(tok.body.url, body)).status).toBe(401);
    // A run that echoes the new secret stores it scrubbed (the per-workflow scrub list was refreshed).
    const ok = await post(`${tok.body.url}?wait=true`, { ...body, secret: sec.body.secret, note: sec.body.secret });
    expect(ok.status).toBe(200);
    const run = await ok.json() as { executionId: string };
    const stored = await finished(run.executionId);
    expect(JSON.stringify(stored)).not.toContain(sec.body.secret);
  });

  it('PUT /webhook changes the auth type in place; a workflow never activated gets its webhook minted', async () => {
    const { id, webhook } = await activated(buyOnWebhook());
    const put = await flow.api('PUT', `/api/workflows/${id}/webhook`, { authType: 'hmac' });
    expect(put.body).toMatchObject({ authType: 'hmac', token: webhook.token, secret: webhook.secret });
    const raw = JSON.stringify({ symbol: 'SBIN', action: 'BUY', qty: 1 });
    const unsigned = await fetch(webhook.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ symbol: 'SBIN', action: 'BUY', qty: 1, secret: webhook.secret }) });
    expect(unsigned.status).toBe(401);
    const signed = await fetch(webhook.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-flow-signature': `sha256=${createHmac('sha256', webhook.secret).update(raw).digest('hex')}` }, body: raw });
    expect(signed.status).toBe(202);
    expect((await flow.api('PUT', `/api/workflows/${id}/webhook`, { authType: 'basic' })).status).toBe(400);

    const draft = (await flow.api('POST', '/api/workflows', buyOnWebhook())).body.id as string;
    const minted = await flow.api('POST', `/api/workflows/${draft}/webhook/enable`);
    expect(minted.body).toMatchObject({ enabled: true, authType: 'payload' });
    expect(minted.body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await post(minted.body.url, { symbol: 'SBIN', action: 'BUY', qty: 1, secret: minted.body.secret })).status).toBe(403); // inactive
    expect((await flow.api('POST', '/api/workflows/wf_nope/webhook/disable')).status).toBe(404);
  });
});

describe('creating and replacing', () => {
  it('POST /api/workflows with only a name creates an empty draft', async () => {
    const r = await flow.api('POST', '/api/workflows', { name: 'New Strategy' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ name: 'New Strategy', active: false, nodes: [], edges: [] });
    expect((await flow.api('GET', `/api/workflows/${r.body.id}`)).body.nodes).toEqual([]);
    expect((await flow.api('POST', '/api/workflows', {})).status).toBe(400);
  });

  it('import ?replace=ID keeps the id, webhook token and secret, and holds the graph to import rules', async () => {
    const { id, webhook } = await activated(buyOnWebhook([], 'before'));
    const next = buyOnWebhook([node('extra', 'log', { message: 'x' }, 300)], 'after');
    const r = await flow.api('POST', `/api/workflows/import?replace=${id}`, next);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id, name: 'after', webhook: { token: webhook.token } });
    expect(r.body.nodes.map((n: { id: string }) => n.id)).toContain('extra');
    expect((await flow.api('GET', `/api/workflows/${id}/webhook`)).body).toMatchObject({ token: webhook.token, secret: webhook.secret });
    const broken = { ...next, nodes: [...next.nodes, node('bad', 'placeOrder', {}, 400)] };
    expect((await flow.api('POST', `/api/workflows/import?replace=${id}`, broken)).status).toBe(400);
    expect((await flow.api('POST', '/api/workflows/import?replace=wf_nope', next)).status).toBe(404);
  });
});
