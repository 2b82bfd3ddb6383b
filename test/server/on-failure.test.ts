// A failed run starts its on-failure alert (n8n's error workflow): the named workflow runs with the
// failed run as its payload (trigger kind `error`), and/or a Telegram message goes out through a
// fake Bot API on loopback. The default applies to every workflow; a workflow's own replaces it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telegramText } from '../../src/runtime/on-failure.js';
import { chain, node, startTestFlow, until, type TestFlow } from './helpers.js';

let flow: TestFlow;
let telegram: Server;
const messages: Array<{ chat_id: string; text: string }> = [];

beforeAll(async () => {
  telegram = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      messages.push(JSON.parse(body));
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ ok: true, result: { message_id: messages.length } }));
    });
  });
  await new Promise<void>((r) => telegram.listen(0, '127.0.0.1', r));
  flow = await startTestFlow({ TELEGRAM_BOT_TOKEN: '1:token', TELEGRAM_CHAT_ID: '42', TELEGRAM_API_BASE: `http://127.0.0.1:${(telegram.address() as AddressInfo).port}` });
});
afterAll(async () => {
  await flow?.stop();
  await new Promise((r) => telegram?.close(r));
});

/** A workflow whose order fails on a webhook action that is not BUY/SELL. */
const fragile = (name: string) => ({
  name,
  nodes: [node('hook', 'webhookTrigger'), node('buy', 'placeOrder', { symbol: 'SBIN', exchange: 'NSE', action: '{{webhook.action}}', quantity: 1, priceType: 'MARKET', product: 'MIS' }, 100)],
  edges: chain('hook', 'buy'),
});
/** The alert workflow: logs what failed, from its payload. */
const alerting = {
  name: 'on failure',
  nodes: [node('go', 'start'), node('say', 'log', { message: 'FAILED {{webhook.workflowName}} {{webhook.executionId}} at {{webhook.nodeId}}: {{webhook.error}}' }, 100)],
  edges: chain('go', 'say'),
};

async function runs(workflowId: string) {
  return (await flow.api('GET', `/api/executions?workflowId=${workflowId}`)).body.executions as Array<{ executionId: string; status: string; trigger: { kind: string } }>;
}

describe('on-failure alerts', () => {
  let alertId = '';
  let failingId = '';

  it('stores a workflow setting and the default, refusing itself or an unknown workflow', async () => {
    alertId = (await flow.api('POST', '/api/workflows', alerting)).body.id;
    failingId = (await flow.api('POST', '/api/workflows', fragile('fragile entry'))).body.id;
    expect((await flow.api('GET', `/api/workflows/${failingId}/on-failure`)).body).toEqual({ onFailure: null, default: null, applies: null });
    expect((await flow.api('PUT', `/api/workflows/${failingId}/on-failure`, { workflowId: failingId, telegram: false })).status).toBe(400);
    expect((await flow.api('PUT', `/api/workflows/${failingId}/on-failure`, { workflowId: 'wf_nope', telegram: false })).status).toBe(400);
    expect((await flow.api('PUT', `/api/workflows/${failingId}/on-failure`, { workflowId: alertId })).status).toBe(400);
    const set = await flow.api('PUT', `/api/workflows/${failingId}/on-failure`, { workflowId: alertId, telegram: false });
    expect(set.status).toBe(200);
    expect(set.body.applies).toEqual({ workflowId: alertId, telegram: false });
    expect((await flow.api('GET', '/api/workflows/wf_nope/on-failure')).status).toBe(404);
  });

  it('runs the active alert workflow with the failed run as payload, trigger kind error', async () => {
    expect((await flow.api('POST', `/api/workflows/${alertId}/activate`, {})).status).toBe(200);
    const failed = await flow.api('POST', `/api/workflows/${failingId}/execute?wait=true`, { webhookData: { action: 'HOLD' } });
    expect(failed.body.status).toBe('failed');
    const [alertRun] = await until(async () => {
      const list = await runs(alertId);
      return list.length && list[0].status === 'completed' ? list : null;
    });
    expect(alertRun.trigger.kind).toBe('error');
    const detail = (await flow.api('GET', `/api/executions/${alertRun.executionId}`)).body;
    expect(detail.input).toMatchObject({ executionId: failed.body.executionId, workflowId: failingId, workflowName: 'fragile entry', status: 'failed', nodeId: 'buy', nodeType: 'placeOrder', trigger: 'webhook' });
    expect(detail.input.url).toBe(`${flow.url}/workflows/${failingId}/runs/${failed.body.executionId}`);
    expect(detail.logs.map((l: { message: string }) => l.message).join('\n')).toContain(`FAILED fragile entry ${failed.body.executionId} at buy: `);
    // Alert runs are found by their trigger kind.
    expect((await flow.api('GET', '/api/executions?trigger=error')).body.executions.map((e: { executionId: string }) => e.executionId)).toEqual([alertRun.executionId]);
    expect(messages).toEqual([]);
  });

  it('sends the default Telegram alert for a workflow without its own setting, at most one per interval', async () => {
    const other = (await flow.api('POST', '/api/workflows', fragile('other entry'))).body.id;
    expect((await flow.api('PUT', '/api/settings/on-failure', { workflowId: null, telegram: true })).body).toEqual({ onFailure: { workflowId: null, telegram: true } });
    const a = await flow.api('POST', `/api/workflows/${other}/execute?wait=true`, { webhookData: { action: 'HOLD' } });
    expect(a.body.status).toBe('failed');
    await until(() => messages.length === 1);
    expect(messages[0].chat_id).toBe('42');
    expect(messages[0].text).toContain('"other entry" failed at node buy (placeOrder)');
    expect(messages[0].text).toContain(`/workflows/${other}/runs/${a.body.executionId}`);
    // A second failure within the interval is counted, not sent.
    await flow.api('POST', `/api/workflows/${other}/execute?wait=true`, { webhookData: { action: 'HOLD' } });
    await new Promise((r) => setTimeout(r, 300));
    expect(messages).toHaveLength(1);
    // The workflow with its own setting keeps it (alert workflow, no Telegram).
    expect((await flow.api('GET', `/api/workflows/${failingId}/on-failure`)).body.applies).toEqual({ workflowId: alertId, telegram: false });
  });

  it('never alerts on a failed alert run, and stops when the setting is removed', async () => {
    const before = messages.length;
    // The alert workflow itself fails now; its failure must not start another alert.
    const broken = (await flow.api('POST', '/api/workflows', { ...fragile('broken alert') })).body.id;
    const loop = (await flow.api('POST', '/api/workflows', fragile('loop source'))).body.id;
    expect((await flow.api('POST', `/api/workflows/${broken}/activate`, {})).status).toBe(200);
    await flow.api('PUT', `/api/workflows/${loop}/on-failure`, { workflowId: broken, telegram: false });
    await flow.api('PUT', `/api/workflows/${broken}/on-failure`, { workflowId: loop, telegram: true });
    await flow.api('POST', `/api/workflows/${loop}/execute?wait=true`, { webhookData: { action: 'HOLD' } });
    const [alertRun] = await until(async () => {
      const list = await runs(broken);
      return list.length && list[0].status === 'failed' ? list : null;
    });
    expect(alertRun.trigger.kind).toBe('error');
    await new Promise((r) => setTimeout(r, 300));
    expect(await runs(loop)).toHaveLength(1);
    expect(messages.length).toBe(before);

    await flow.api('PUT', `/api/workflows/${loop}/on-failure`, null);
    expect((await flow.api('GET', `/api/workflows/${loop}/on-failure`)).body.onFailure).toBeNull();
  });

  it('words the Telegram alert with the workflow, node, error and link', () => {
    const text = telegramText({
      executionId: 'ex_1', workflowId: 'wf_1', workflowName: 'NIFTY straddle', status: 'failed', error: 'margin shortfall', nodeId: 'sell', nodeType: 'optionsOrder',
      trigger: 'schedule', startedAt: null, finishedAt: null, url: 'https://flow.example.com/workflows/wf_1/runs/ex_1', suppressed: 2,
    });
    expect(text).toBe('Flow: a run of "NIFTY straddle" failed at node sell (optionsOrder).\nError: margin shortfall\n(2 more failures of this workflow since the last alert)\nRun ex_1 (schedule): https://flow.example.com/workflows/wf_1/runs/ex_1');
  });
});
