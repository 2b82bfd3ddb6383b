// Schedules, price alerts and restarts through the running service.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PaperBroker } from '../../src/broker/paper/index.js';
import { chain, node, startTestFlow, until, type TestFlow } from './helpers.js';

const flows: TestFlow[] = [];
afterEach(async () => {
  for (const f of flows.splice(0)) await f.stop();
});
async function start(env: Record<string, string> = {}, opts: Parameters<typeof startTestFlow>[1] = {}) {
  const f = await startTestFlow(env, opts);
  flows.push(f);
  return f;
}

describe('schedules', () => {
  it('an interval of 2 s fires repeatedly and never overlaps itself under queue', async () => {
    const flow = await start();
    const def = {
      name: 'every 2 s',
      nodes: [
        node('clock', 'start', { scheduleType: 'interval', intervalValue: 2, intervalUnit: 'seconds', marketHoursOnly: false }),
        node('wait', 'delay', { delayValue: 2.5, delayUnit: 'seconds' }, 100),
      ],
      edges: chain('clock', 'wait'),
    };
    const { body } = await flow.api('POST', '/api/workflows/import', def);
    expect((await flow.api('POST', `/api/workflows/${body.id}/activate`)).status).toBe(200);
    const runs = await until(async () => {
      const list = (await flow.api('GET', `/api/workflows/${body.id}/executions`)).body.executions as Array<{ status: string; startedAt: string; finishedAt: string; trigger: { kind: string } }>;
      return list.filter((e) => e.status === 'completed').length >= 2 && list;
    }, 9_000);
    const done = runs.filter((e) => e.status === 'completed').reverse();
    expect(done.every((e) => e.trigger.kind === 'schedule')).toBe(true);
    expect(Date.parse(done[1].startedAt)).toBeGreaterThanOrEqual(Date.parse(done[0].finishedAt));
    await flow.api('POST', `/api/workflows/${body.id}/deactivate`);
  }, 15_000);

  it('schedules are rebuilt from the database at start-up', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flow-restart-'));
    const first = await startTestFlow({}, { dataDir });
    const def = { name: 'daily', nodes: [node('clock', 'start', { scheduleType: 'daily', time: '09:20', days: [0, 1, 2, 3, 4, 5, 6] }), node('say', 'log', { message: 'hi' }, 100)], edges: chain('clock', 'say') };
    const { body } = await first.api('POST', '/api/workflows/import', def);
    await first.api('POST', `/api/workflows/${body.id}/activate`);
    expect(first.triggers.scheduler.list().map((j) => j.workflowId)).toEqual([body.id]);
    await first.close(500);
    const second = await start({}, { dataDir });
    expect(second.triggers.scheduler.list().map((j) => [j.workflowId, j.nodeId])).toEqual([[body.id, 'clock']]);
    const next = second.triggers.scheduler.list()[0].nextRun!;
    expect(next.toISOString()).toMatch(/T03:50:00\.000Z$/); // 09:20 IST
  });
});

describe('price alerts', () => {
  it('crosses_above fires once, then the workflow is deactivated', async () => {
    const flow = await start({}, { priceTickMs: 50 });
    const paper = flow.broker as PaperBroker;
    paper.setPrice('SBIN', 'NSE', 790);
    const def = {
      name: 'SBIN breakout',
      nodes: [
        node('alert', 'priceAlert', { symbol: 'SBIN', exchange: 'NSE', condition: 'crosses_above', price: 800, trigger: 'once' }),
        node('say', 'log', { message: 'SBIN crossed {{webhook.target_price}} at {{webhook.trigger_price}} ({{webhook.trigger_type}})' }, 100),
      ],
      edges: chain('alert', 'say'),
    };
    const { body } = await flow.api('POST', '/api/workflows/import', def);
    await flow.api('POST', `/api/workflows/${body.id}/activate`);
    await new Promise((r) => setTimeout(r, 200)); // the monitor sees 790 first
    // The paper market streams in-process: health data and metrics say the alert is on the stream.
    expect(flow.triggers.streamStatus().prices.alerts).toEqual({ stream: 1, poll: 0 });
    const metrics = await (await fetch(`${flow.url}/metrics`)).text();
    expect(metrics).toContain('flow_price_alerts{source="stream"} 1');
    expect(metrics).toContain('flow_stream_live 1');
    expect(metrics).toContain('flow_price_alert_fires 0');
    const health = (await (await fetch(`${flow.url}/api/health`)).json()) as { marketData: unknown };
    expect(health.marketData).toEqual({ stream: 'live', priceAlerts: { stream: 1, poll: 0, ticksHeldBack: 0 }, orderUpdates: { source: expect.any(String), watches: 0 } });
    paper.setPrice('SBIN', 'NSE', 805);
    const [run] = await until(async () => {
      const list = (await flow.api('GET', `/api/workflows/${body.id}/executions`)).body.executions;
      return list.length > 0 && list;
    });
    expect(run.trigger).toEqual({ kind: 'price', nodeId: 'alert' });
    const detail = await until(async () => {
      const d = (await flow.api('GET', `/api/executions/${run.executionId}`)).body;
      return d.status === 'completed' && d;
    });
    expect(detail.logs.map((l: { message: string }) => l.message)).toContain('SBIN crossed 800 at 805 (price_alert)');
    const after = await (await fetch(`${flow.url}/metrics`)).text();
    expect(after).toContain('flow_price_alert_fires 1');
    expect(after).toContain('flow_price_alert_fires_held_back 0');
    await until(async () => (await flow.api('GET', `/api/workflows/${body.id}`)).body.active === false);
    paper.setPrice('SBIN', 'NSE', 790);
    paper.setPrice('SBIN', 'NSE', 810);
    await new Promise((r) => setTimeout(r, 300));
    expect((await flow.api('GET', `/api/workflows/${body.id}/executions`)).body.executions).toHaveLength(1);
  });
});

describe('price alerts, repeated and expiring', () => {
  it('every_time fires on every tick that satisfies, with no cooldown; an expired alert does not fire', async () => {
    let offsetMs = 0;
    const flow = await start({}, { priceTickMs: 50, now: () => new Date(Date.now() + offsetMs) });
    const paper = flow.broker as PaperBroker;
    const alertFlow = async (symbol: string, data: Record<string, unknown>) => {
      const def = { name: `${symbol} alert`, nodes: [node('alert', 'priceAlert', { symbol, exchange: 'NSE', ...data }), node('say', 'log', { message: '{{webhook.ltp}}' }, 100)], edges: chain('alert', 'say') };
      const { body } = await flow.api('POST', '/api/workflows/import', def);
      expect((await flow.api('POST', `/api/workflows/${body.id}/activate`)).status).toBe(200);
      return body.id as string;
    };
    const runs = async (id: string) => (await flow.api('GET', `/api/workflows/${id}/executions`)).body.executions.length as number;

    paper.setPrice('INFY', 'NSE', 1500);
    const repeat = await alertFlow('INFY', { condition: 'above', price: 1600, trigger: 'every_time' });
    paper.setPrice('TCS', 'NSE', 3000);
    const expiring = await alertFlow('TCS', { condition: 'above', price: 3100, trigger: 'every_time', expiration: '1h' });

    // The paper stream ticks when the price moves: each tick above 1600 is a run, one below is none.
    paper.setPrice('INFY', 'NSE', 1650);
    await until(async () => (await runs(repeat)) === 1);
    paper.setPrice('INFY', 'NSE', 1655);
    await until(async () => (await runs(repeat)) === 2);
    paper.setPrice('INFY', 'NSE', 1590);
    await new Promise((r) => setTimeout(r, 300));
    expect(await runs(repeat)).toBe(2);

    offsetMs = 2 * 3_600_000; // two hours later: the TCS alert has expired
    paper.setPrice('TCS', 'NSE', 3200);
    await new Promise((r) => setTimeout(r, 400));
    expect(await runs(expiring)).toBe(0);
  });
});

describe('secrets at rest', () => {
  it('the data file holds no broker API key or webhook secret in clear text', async () => {
    const flow = await start();
    const def = { name: 'k', nodes: [node('hook', 'webhookTrigger'), node('say', 'log', { message: 'x' }, 100)], edges: chain('hook', 'say') };
    const { body } = await flow.api('POST', '/api/workflows/import', def);
    const apiKey = 'openalgo-key-0123456789abcdef0123456789abcdef';
    const act = await flow.api('POST', `/api/workflows/${body.id}/activate`, { brokerApiKey: apiKey });
    const secret = act.body.webhook.secret as string;
    await flow.close(500);
    const files = fs.readdirSync(flow.dataDir).filter((f) => f.startsWith('flow.db'));
    const raw = files.map((f) => fs.readFileSync(path.join(flow.dataDir, f)).toString('latin1')).join('');
    expect(raw.length).toBeGreaterThan(0);
    expect(raw).not.toContain(apiKey);
    expect(raw).not.toContain(secret);
    expect(fs.statSync(path.join(flow.dataDir, 'secret.key')).mode & 0o777).toBe(0o600);
  });
});

describe('order updates', () => {
  it('an orderUpdateTrigger fires when a paper order for its symbol completes', async () => {
    const flow = await start();
    const watch = {
      name: 'on fill', nodes: [node('upd', 'orderUpdateTrigger', { symbol: 'ITC', exchange: 'NSE', status: 'complete', trigger: 'once' }), node('say', 'log', { message: 'filled {{webhook.orderid}} {{webhook.order_status}}' }, 100)],
      edges: chain('upd', 'say'),
    };
    const w = (await flow.api('POST', '/api/workflows/import', watch)).body;
    expect((await flow.api('POST', `/api/workflows/${w.id}/activate`)).status).toBe(200);
    const buy = {
      name: 'buy ITC', nodes: [node('go', 'webhookTrigger'), node('buy', 'placeOrder', { symbol: 'ITC', exchange: 'NSE', action: 'BUY', quantity: 1 }, 100)],
      edges: chain('go', 'buy'),
    };
    const b = (await flow.api('POST', '/api/workflows/import', buy)).body;
    const run = (await flow.api('POST', `/api/workflows/${b.id}/execute?wait=true`, {})).body;
    expect(run.status).toBe('completed');
    const [fired] = await until(async () => {
      const list = (await flow.api('GET', `/api/workflows/${w.id}/executions`)).body.executions;
      return list.length > 0 && list;
    });
    expect(fired.trigger).toEqual({ kind: 'orderUpdate', nodeId: 'upd' });
    const detail = await until(async () => {
      const d = (await flow.api('GET', `/api/executions/${fired.executionId}`)).body;
      return d.status === 'completed' && d;
    });
    expect(detail.logs.map((l: { message: string }) => l.message)).toContain(`filled ${run.orders[0].orderIds[0]} complete`);
  });
});

describe('re-activation', () => {
  it('a re-activation with a broken trigger keeps the active version and its schedule', async () => {
    const flow = await start();
    const def = { name: 'daily', nodes: [node('clock', 'start', { scheduleType: 'daily', time: '09:20' }), node('say', 'log', { message: 'hi' }, 100)], edges: chain('clock', 'say') };
    const { body } = await flow.api('POST', '/api/workflows/import', def);
    expect((await flow.api('POST', `/api/workflows/${body.id}/activate`)).body.version).toBe(1);
    const broken = { ...def, nodes: [node('clock', 'start', { scheduleType: 'daily', time: '09:20', marketHoursOnly: true, marketHoursExchange: 'NCDEX' }), def.nodes[1]] };
    expect((await flow.api('PUT', `/api/workflows/${body.id}`, broken)).status).toBe(200);
    const again = await flow.api('POST', `/api/workflows/${body.id}/activate`);
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe('invalid_trigger'); // caught by the scheduler, after the old triggers were taken down
    expect(again.body.error.details.problems[0]).toMatchObject({ nodeId: 'clock' });
    const wf = (await flow.api('GET', `/api/workflows/${body.id}`)).body;
    expect([wf.active, wf.version]).toEqual([true, 1]);
    expect(flow.triggers.scheduler.list().map((j) => [j.workflowId, j.nodeId])).toEqual([[body.id, 'clock']]);
  });
});
