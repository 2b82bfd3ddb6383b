// The server's own log: one line per run that ended, per activation and per kill-switch change,
// as JSON lines or readable lines, with no secret in either.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prettyLine } from '../../src/server/log.js';
import { buyOnWebhook, chain, node, startTestFlow, until, type TestFlow } from './helpers.js';

const BOT_TOKEN = 'tg-bot-token-5f2a9c1e7d';
let flow: TestFlow;
const lines: string[] = [];
const records = () => lines.map((l) => JSON.parse(l) as Record<string, any>);
const find = (msg: string, pred: (r: Record<string, any>) => boolean = () => true) => records().find((r) => r.msg === msg && pred(r));

beforeAll(async () => {
  flow = await startTestFlow({ TELEGRAM_BOT_TOKEN: BOT_TOKEN, FLOW_PAPER_ALWAYS_OPEN: '1' }, {
    logLevel: 'info', logPretty: false, logSink: { write: (l: string) => lines.push(l) },
  });
});
afterAll(async () => flow.stop());

describe('the server log', () => {
  it('says once when a workflow is activated, when a run completes (trigger, status, duration, orders) and when it is deactivated', async () => {
    const created = await flow.api('POST', '/api/workflows/import', buyOnWebhook([], 'log buyer'));
    const id = created.body.id as string;
    const act = await flow.api('POST', `/api/workflows/${id}/activate`, {});
    expect(find('workflow activated', (r) => r.workflowId === id)).toMatchObject({ workflow: 'log buyer', version: 1, triggers: ['webhookTrigger'] });
    const res = await fetch(act.body.webhook.url, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ symbol: 'SBIN', action: 'BUY', qty: 1, secret: act.body.webhook.secret }),
    });
    const { executionId } = (await res.json()) as { executionId: string };
    const line = await until(() => find('run completed', (r) => r.executionId === executionId));
    expect(line).toMatchObject({ level: 30, workflow: 'log buyer', workflowId: id, trigger: 'webhook', status: 'completed', orders: 1 });
    expect(line.durationMs).toBeGreaterThanOrEqual(0);
    expect(line.error).toBeUndefined();
    expect(lines.join('\n')).not.toContain(act.body.webhook.secret);
    // The webhook request itself logs nothing: the hot path stays quiet.
    expect(records().filter((r) => r.part === 'http').map((r) => r.msg)).toEqual([expect.stringMatching(/^Server listening/)]);
    await flow.api('POST', `/api/workflows/${id}/deactivate`);
    expect(find('workflow deactivated', (r) => r.workflowId === id)).toMatchObject({ workflow: 'log buyer' });
  });

  it('a failed run logs its first error as a warning, scrubbed of known secrets', async () => {
    const wf = {
      name: 'leaky', nodes: [
        node('start', 'start'),
        node('buy', 'placeOrder', { symbol: `${BOT_TOKEN}{{webhook.nope}}`, exchange: 'NSE', action: 'BUY', quantity: 1, priceType: 'MARKET', product: 'MIS' }, 100),
      ], edges: chain('start', 'buy'),
    };
    const id = (await flow.api('POST', '/api/workflows/import', wf)).body.id as string;
    const run = await flow.api('POST', `/api/workflows/${id}/execute?wait=true`, {});
    const executionId = run.body.executionId as string;
    const line = await until(() => find('run failed', (r) => r.executionId === executionId));
    expect(line).toMatchObject({ level: 40, workflow: 'leaky', trigger: 'manual', status: 'failed', orders: 0 });
    expect(line.error).toMatch(/^buy placeOrder: symbol .* did not resolve/);
    expect(lines.join('\n')).not.toContain(BOT_TOKEN);
  });

  it('logs each kill-switch change, and nothing when it is set to what it already is', async () => {
    const before = lines.length;
    await flow.api('POST', '/api/kill-switch', { enabled: true });
    await flow.api('POST', '/api/kill-switch', { enabled: true });
    await flow.api('POST', '/api/kill-switch', { enabled: false });
    const changes = records().slice(before).filter((r) => r.killSwitch);
    expect(changes.map((r) => r.killSwitch)).toEqual(['on', 'off']);
  });
});

describe('readable lines', () => {
  it('show time, level, message and fields on one line without pid or hostname', () => {
    const line = prettyLine(JSON.stringify({ level: 40, time: Date.UTC(2026, 0, 5, 3, 4, 5), pid: 1, hostname: 'h', msg: 'run failed', workflow: 'my buyer', orders: 0 }));
    expect(line).toMatch(/^\d\d:\d\d:\d\d WARN  run failed {2}workflow="my buyer" orders=0\n$/);
  });

  it('a server started for a terminal writes readable lines, not JSON', async () => {
    const out: string[] = [];
    const f = await startTestFlow({}, { logLevel: 'info', logPretty: true, logSink: { write: (l: string) => out.push(l) } });
    try {
      await f.api('POST', '/api/kill-switch', { enabled: true });
      expect(out.some((l) => / WARN {2}kill switch ON: orders are refused {2}part=|killSwitch=on/.test(l))).toBe(true);
      expect(out.every((l) => !l.startsWith('{'))).toBe(true);
    } finally {
      await f.stop();
    }
  });
});
