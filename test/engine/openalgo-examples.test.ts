// The 16 worked examples of OpenAlgo's import spec (docs/prompt/flow-import-format.md §8), run to
// completion by the engine against the paper broker, with the payloads and at the times they describe.
// The JSON files are extracted verbatim from the spec by test/fixtures/openalgo-examples/extract.mjs.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PaperBroker } from '../../src/broker/paper/index.js';
import { compileWorkflow, runWorkflow } from '../../src/engine/index.js';
import type { RunResult, TriggerInfo } from '../../src/engine/types.js';
import { defaultRegistry } from '../../src/nodes/registry.js';
import { validateWorkflow } from '../../src/workflow/validate.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/openalgo-examples');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
const ist = (text: string) => new Date(`${text}+05:30`);
const MONDAY_11 = ist('2026-05-04T11:00:00');

const load = (file: string) => JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));

async function runExample(example: string | object, trigger: TriggerInfo, at = MONDAY_11): Promise<{ result: RunResult; broker: PaperBroker; problems: string[] }> {
  const workflow = typeof example === 'string' ? load(example) : example;
  const v = validateWorkflow(workflow, defaultRegistry);
  const problems = v.problems.filter((p) => p.severity === 'error').map((p) => `${p.nodeId ?? ''} ${p.field ?? ''} ${p.message}`);
  const broker = new PaperBroker({ now: () => at });
  if (!v.workflow || problems.length) return { result: undefined as unknown as RunResult, broker, problems };
  const running = runWorkflow(compileWorkflow(v.workflow, defaultRegistry), { broker, trigger, now: () => at, defaultTimeoutMs: 10_000 });
  return { result: await running, broker, problems };
}

const stepOf = (r: RunResult, id: string) => r.steps.find((s) => s.nodeId === id);
const statuses = (r: RunResult) => Object.fromEntries(r.steps.map((s) => [s.nodeId, s.status]));
const schedule: TriggerInfo = { kind: 'schedule' };

afterEach(() => {
  vi.useRealTimers();
});

describe("OpenAlgo's worked examples (import spec §8) run against the paper broker", () => {
  it('all 16 are here, extracted from the spec', () => {
    expect(files).toHaveLength(16);
    expect(files[0]).toMatch(/^8\.1-/);
    expect(files[15]).toMatch(/^8\.16-/);
  });

  it('8.1 scheduled buy: no position, so the order is placed', async () => {
    const { result, problems } = await runExample(files[0], schedule);
    expect(problems).toEqual([]);
    expect(result.status).toBe('completed');
    expect(statuses(result)).toMatchObject({ node_2: 'completed', node_3: 'completed', node_4: 'skipped' });
    expect(result.orders.map((o) => o.status)).toEqual(['accepted']);
  });

  it('8.2 webhook options buy: expiry, ATM CE in lots, Telegram recorded on paper', async () => {
    const { result, problems } = await runExample(files[1], { kind: 'webhook', payload: { symbol: 'NIFTY', action: 'BUY' } });
    expect(problems).toEqual([]);
    expect(result.status).toBe('completed');
    expect(result.orders[0]).toMatchObject({ method: 'optionsOrder', status: 'accepted' });
    expect(stepOf(result, 'node_4')?.output).toMatchObject({ delivered: false, via: 'recorded' });
  });

  it('8.3 funds-gated split: ₹1 crore ≥ 50k, so 100 SBIN in 5 chunks of 20', async () => {
    const { result, broker } = await runExample(files[2], schedule);
    expect(result.status).toBe('completed');
    expect(statuses(result)).toMatchObject({ node_3: 'completed', node_4: 'skipped' });
    expect((await broker.orderBook()).data?.orders.filter((o) => o.symbol === 'SBIN').map((o) => o.quantity)).toEqual([20, 20, 20, 20, 20]);
  });

  it('8.4 P&L watchdog: funds interpolated into the recorded Telegram message', async () => {
    const { result } = await runExample(files[3], schedule);
    expect(result.status).toBe('completed');
    expect(stepOf(result, 'node_3')?.input).toMatchObject({ message: expect.stringMatching(/^Realized: Rs \S+ \| Unrealized: Rs \S+ \| Cash: Rs \S+ \| At 11:00:00 IST$/) });
  });

  it('8.5 P&L circuit breaker: LTP is not below -2000, so nothing is squared off', async () => {
    const { result } = await runExample(files[4], schedule);
    expect(result.status).toBe('completed');
    expect(result.variables.totalPnL).toBe(0);
    expect(statuses(result)).toMatchObject({ node_4: 'completed', node_5: 'skipped', node_6: 'skipped' });
  });

  it('8.6 custom iron fly: four legs in one multi-order', async () => {
    const { result } = await runExample(files[5], schedule);
    expect(result.status).toBe('completed');
    expect(result.orders[0]).toMatchObject({ method: 'optionsMultiOrder', status: 'accepted' });
    expect((result.orders[0].request as { legs: unknown[] }).legs).toHaveLength(4);
  });

  it('8.7 webhook order + audit POST: the order is placed; the audit call (no network here) fails its own branch only', async () => {
    const { result } = await runExample(files[6], { kind: 'webhook', payload: { symbol: 'SBIN', exchange: 'NSE', action: 'BUY', qty: 5 } });
    expect(result.orders[0]).toMatchObject({ method: 'placeOrder', status: 'accepted', request: expect.objectContaining({ symbol: 'SBIN', quantity: 5 }) });
    expect(stepOf(result, 'node_2')?.status).toBe('completed');
    // audit.example.com is unreachable from the test machine: the run ends failed, as OpenAlgo's would.
    expect(stepOf(result, 'node_3')?.status).toBe('failed');
    expect(result.status).toBe('failed');
  });

  it('8.8 three-input AND gate: runs once with every input, and the order follows its answer', async () => {
    const { result } = await runExample(files[7], schedule);
    expect(result.status).toBe('completed');
    const gate = stepOf(result, 'node_5')!;
    expect(gate.status).toBe('completed');
    const inputs = ['node_2', 'node_3', 'node_4'].map((id) => (stepOf(result, id)?.output as { condition: boolean }).condition);
    expect((gate.output as { condition: boolean }).condition).toBe(inputs.every(Boolean));
    expect(stepOf(result, 'node_6')?.status).toBe(inputs.every(Boolean) ? 'completed' : 'skipped');
  });

  it('8.9 sub-LTP LIMIT: LTP × 0.995 is off the 0.05 tick, so the exchange (paper) rejects it and its branch stops: no wait, no cancel', async () => {
    const { result } = await runExample(files[8], schedule);
    expect(result.orders.map((o) => `${o.method} ${o.status}`)).toEqual(['placeOrder rejected']);
    expect(result.error).toMatch(/node_4 placeOrder: price [\d.]+ is not a multiple of the tick size 0.05/);
    expect(statuses(result)).toMatchObject({ node_4: 'failed', node_5: 'skipped', node_6: 'skipped', node_7: 'skipped' });
    expect(result.status).toBe('failed');
  });

  it('8.9 with an on-tick price: the LIMIT rests, the 90 s wait passes, the cancel is sent', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const workflow = load(files[8]);
    workflow.nodes.find((n: { id: string }) => n.id === 'node_3').data.expression = 'floor({{q.data.ltp}} * 0.995)';
    let done = false;
    const running = runExample(workflow, schedule).finally(() => (done = true));
    for (let i = 0; i < 200 && !done; i++) await vi.advanceTimersByTimeAsync(1_000);
    const { result } = await running;
    expect(result.error).toBeNull();
    expect(result.orders.map((o) => `${o.method} ${o.status}`)).toEqual(['placeOrder accepted', 'cancelOrder accepted']);
    expect(stepOf(result, 'node_5')?.output).toMatchObject({ waited_ms: 90_000 });
  });

  it('8.10 wait until 15:15 then close: run at 15:16, the wait is already over', async () => {
    const { result } = await runExample(files[9], schedule, ist('2026-05-04T15:16:00'));
    expect(result.status).toBe('completed');
    expect(stepOf(result, 'node_2')?.output).toMatchObject({ waited: false });
    expect(stepOf(result, 'node_4')?.input).toMatchObject({ message: 'Daily square-off completed at 15:16:00 IST' });
  });

  it('8.11 quantity from a math expression: the fraction is truncated, as the spec says, and the step says so', async () => {
    const { result } = await runExample(files[10], schedule);
    expect(result.status).toBe('completed');
    const sized = result.variables.sizedQty as number;
    expect(Number.isInteger(sized)).toBe(false);
    expect(result.orders[0].request).toMatchObject({ quantity: Math.trunc(sized), product: 'CNC' });
    expect(stepOf(result, 'node_5')?.notes).toEqual([expect.stringMatching(/^quantity .* truncated to \d+/)]);
  });

  it('8.12 hourly buy with a counter: the counter starts at 1', async () => {
    const { result } = await runExample(files[11], schedule);
    expect(result.status).toBe('completed');
    expect(result.variables.todayCount).toBe(1);
  });

  it('8.13 two-input AND gate: inside 09:30–14:30, the order follows the price check', async () => {
    const { result } = await runExample(files[12], schedule);
    expect(result.status).toBe('completed');
    const above = (stepOf(result, 'node_3')?.output as { condition: boolean }).condition;
    expect(stepOf(result, 'node_5')?.status).toBe(above ? 'completed' : 'skipped');
  });

  for (const [index, name] of [[13, '8.14 EMA crossover'], [14, '8.15 multi-timeframe filter'], [15, '8.16 PDH retest']] as const) {
    it(`${name} (indicator / priorPeriodOhlc nodes) validates and runs to completion, every node settled once`, async () => {
      const { result, problems } = await runExample(files[index], schedule);
      expect(problems).toEqual([]);
      expect(result.status).toBe('completed');
      expect(result.steps.length).toBe(load(files[index]).nodes.length);
    });
  }
});
