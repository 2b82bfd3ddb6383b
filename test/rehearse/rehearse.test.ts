// Rehearsals (issue 16): the examples replayed on past days, the same report for the same inputs,
// no node reading a price from its future, fills on the next tick, and a live run of an alert
// taking the same steps and orders as its rehearsal.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PaperBroker } from '../../src/broker/paper/index.js';
import type { Broker, Candle, SymbolRef } from '../../src/broker/types.js';
import { compileWorkflow, runWorkflow } from '../../src/engine/index.js';
import { defaultRegistry } from '../../src/nodes/registry.js';
import {
  candlePath, chargesOn, CHARGE_PRESETS, OpenAlgoCandles, PaperCandles, parseAlerts, rehearse, type CandleSource, type PastAlert, type Report,
} from '../../src/rehearse/index.js';
import type { Workflow } from '../../src/workflow/index.js';

const example = (name: string) => JSON.parse(readFileSync(join(__dirname, '../../examples', `${name}.json`), 'utf8')) as Workflow;
const TZ = 'Asia/Kolkata';
const ist = (text: string) => Date.parse(`${text}+05:30`);

function wf(nodes: Array<[string, string, Record<string, unknown>]>, edges: Array<[string, string, string?]>): Workflow {
  return {
    name: 'test',
    nodes: nodes.map(([id, type, data]) => ({ id, type, position: { x: 0, y: 0 }, data })),
    edges: edges.map(([source, target, sourceHandle], i) => ({ id: `e${i}`, source, target, ...(sourceHandle ? { sourceHandle } : {}) })),
  } as Workflow;
}

const paperMinutes = async (ref: SymbolRef, date: string) => (await new PaperCandles().minutes(ref, [date])).get(date)!;

describe('the examples, rehearsed on the paper market', () => {
  it('scheduled-entry buys RELIANCE once, on the tick after 09:20, and holds', async () => {
    const r = await rehearse({ workflow: example('scheduled-entry'), from: '2026-10-05', to: '2026-10-07', source: new PaperCandles() });
    expect(r.counts.runs).toBe(3);
    expect(r.trades).toHaveLength(1);
    const [t] = r.trades;
    expect(t).toMatchObject({ symbol: 'RELIANCE', action: 'BUY', quantity: 5, product: 'MIS', executionId: 'rh_000001', nodeId: 'node_4' });
    expect(t.time).toBe('2026-10-05T09:20:15.000+05:30');
    // The fill is the ask of the tick after the order: the 09:20 candle's second price plus one tick.
    const bars = await paperMinutes({ symbol: 'RELIANCE', exchange: 'NSE' }, '2026-10-05');
    const c920 = bars.find((c) => c.timestamp * 1000 === ist('2026-10-05T09:20:00'))!;
    expect(t.price).toBeCloseTo(candlePath(c920)[1] + 0.05, 5);
    // Later runs find the position and place nothing.
    expect(r.runs[1].steps.find((s) => s.nodeId === 'node_4')!.status).toBe('skipped');
  });

  it('options-straddle sells a CE and a PE each trading day at 09:30', async () => {
    const r = await rehearse({ workflow: example('options-straddle'), from: '2026-10-05', to: '2026-10-06', source: new PaperCandles() });
    expect(r.counts.runs).toBe(2);
    expect(r.counts.failed).toBe(0);
    expect(r.trades).toHaveLength(4);
    expect(r.trades.every((t) => t.action === 'SELL' && t.exchange === 'NFO' && t.segment === 'options')).toBe(true);
    expect(r.trades.map((t) => t.symbol.slice(-2)).sort()).toEqual(['CE', 'CE', 'PE', 'PE']);
    expect(r.pnl.charges).toBeGreaterThan(0);
  });

  it('price-exit checks SBIN every minute of the session and, with no position, closes nothing', async () => {
    const r = await rehearse({ workflow: example('price-exit'), from: '2026-10-05', to: '2026-10-05', source: new PaperCandles() });
    expect(r.counts.runs).toBe(376); // 09:15 … 15:30, the close minute inside
    expect(r.runs[0].time).toBe('2026-10-05T09:15:00.000+05:30');
    expect(r.trades).toHaveLength(0);
    expect(r.counts.failed).toBe(0);
  });

  it('fund-alert runs at 09:00 every day, weekends too (daily, outside market hours)', async () => {
    const r = await rehearse({ workflow: example('fund-alert'), from: '2026-10-03', to: '2026-10-05', source: new PaperCandles(), capital: 50_000 });
    expect(r.runs.map((x) => x.time)).toEqual(['2026-10-03T09:00:00.000+05:30', '2026-10-04T09:00:00.000+05:30', '2026-10-05T09:00:00.000+05:30']);
    // ₹50,000 is under the workflow's ₹1,00,000 minimum: the low-funds alert (node_5) runs.
    expect(r.runs.every((x) => x.steps.find((s) => s.nodeId === 'node_5')!.status === 'completed')).toBe(true);
  });

  it('ema-webhook takes alerts from a TradingView export at their timestamps; a second alert finds the position', async () => {
    const csv = [
      'Alert ID,Ticker,Name,Description,Time',
      '1,NSE:SBIN,EMA,"{""action"":""BUY""}",2026-10-05T04:15:00Z',
      '2,NSE:SBIN,EMA,"{""action"":""BUY""}",2026-10-05T06:00:00Z',
    ].join('\n');
    const alerts = parseAlerts(csv, TZ);
    expect(alerts[0]).toEqual({ at: ist('2026-10-05T09:45:00'), payload: { action: 'BUY', symbol: 'SBIN', exchange: 'NSE' } });
    const r = await rehearse({ workflow: example('ema-webhook'), from: '2026-10-05', to: '2026-10-05', alerts, source: new PaperCandles() });
    expect(r.counts.alertsDelivered).toBe(2);
    expect(r.runs.map((x) => [x.trigger, x.time])).toEqual([['webhook', '2026-10-05T09:45:00.000+05:30'], ['webhook', '2026-10-05T11:30:00.000+05:30']]);
    expect(r.trades).toHaveLength(1);
    expect(r.trades[0]).toMatchObject({ symbol: 'SBIN', action: 'BUY', quantity: 10, time: '2026-10-05T09:45:15.000+05:30' });
    expect(r.runs[1].steps.find((s) => s.nodeId === 'node_5')!.status).toBe('completed');
  });
});

describe('determinism', () => {
  it('the same inputs give the same report, byte for byte', async () => {
    const workflow = wf([
      ['t', 'priceAlert', { symbol: 'SBIN', exchange: 'NSE', condition: 'moving_up_percent', percentage: 0.05, trigger: 'every_time' }],
      ['o', 'placeOrder', { symbol: 'SBIN', exchange: 'NSE', action: 'BUY', quantity: 1, priceType: 'MARKET', product: 'MIS' }],
      ['d', 'delay', { delayValue: 5, delayUnit: 'minutes' }],
      ['x', 'placeOrder', { symbol: 'SBIN', exchange: 'NSE', action: 'SELL', quantity: 1, priceType: 'MARKET', product: 'MIS' }],
    ], [['t', 'o', 'true'], ['o', 'd'], ['d', 'x']]);
    const once = async () => JSON.stringify(await rehearse({ workflow, from: '2026-10-05', to: '2026-10-06', source: new PaperCandles(), slippageBps: 5 }));
    const a = await once();
    const b = await once();
    expect(a).toBe(b);
    const r = JSON.parse(a) as Report;
    expect(r.trades.length).toBeGreaterThan(4);
    // The delay is simulated: the exit is placed 5 minutes after the entry was, each filling on the tick after.
    const [buy, sell] = r.trades;
    expect(sell.at - buy.at).toBe(5 * 60_000);
    expect(Date.parse(r.runs[0].time)).toBe(buy.at - 15_000);
    expect(r.winRate.roundTrips).toBe(r.trades.length / 2);
    for (const key of ['runs', 'trades', 'pnl', 'maxDrawdown', 'assumptions'] as const) expect(r).toHaveProperty(key);
  });
});

/** A source whose prices after `cut` are changed: what happened before it must not change. */
function tampered(inner: CandleSource, cut: number): CandleSource {
  const bend = (c: Candle): Candle => (c.timestamp * 1000 >= cut ? { ...c, open: c.open * 1.5, high: c.high * 1.5, low: c.low * 1.5, close: c.close * 1.5 } : c);
  return {
    kind: inner.kind,
    requests: 0,
    async minutes(ref, dates) {
      const got = await inner.minutes(ref, dates);
      return new Map([...got].map(([d, bars]) => [d, bars.map(bend)]));
    },
    async daily(ref, dates) {
      const got = await inner.daily(ref, dates);
      return new Map([...got].map(([d, c]) => [d, c && c.timestamp * 1000 >= cut ? bend(c) : c]));
    },
  };
}

describe('no look-ahead', () => {
  const workflow = wf([
    ['s', 'start', { scheduleType: 'interval', intervalValue: 30, intervalUnit: 'minutes' }],
    ['q', 'getQuote', { symbol: 'INFY', exchange: 'NSE', outputVariable: 'q' }],
    ['h', 'history', { symbol: 'INFY', exchange: 'NSE', interval: '5m', days: 3, outputVariable: 'h' }],
    ['i', 'indicator', { symbol: 'INFY', exchange: 'NSE', interval: '1m', indicatorName: 'sma', params: { period: 10 }, outputVariable: 'sma' }],
    ['d', 'history', { symbol: 'INFY', exchange: 'NSE', interval: 'D', days: 10, outputVariable: 'daily' }],
  ], [['s', 'q'], ['q', 'h'], ['h', 'i'], ['i', 'd']]);

  it('a run sees the forming candle as it stands at its tick, never the rest of it', async () => {
    const outputs: Array<{ at: string; steps: Record<string, unknown> }> = [];
    await rehearse({
      workflow, from: '2026-10-05', to: '2026-10-05', source: new PaperCandles(),
      onRun: (result) => outputs.push({ at: result.startedAt, steps: Object.fromEntries(result.steps.map((s) => [s.nodeId, s.output])) }),
    });
    const bars = await paperMinutes({ symbol: 'INFY', exchange: 'NSE' }, '2026-10-05');
    const run = outputs.find((o) => o.at === '2026-10-05T04:45:00.000Z')!; // 10:15 IST
    const c = bars.find((b) => b.timestamp * 1000 === ist('2026-10-05T10:15:00'))!;
    // At :00 the 10:15 candle has only its open.
    expect((run.steps.q as { data: { ltp: number } }).data.ltp).toBe(c.open);
    const h = (run.steps.h as { data: Candle[] }).data;
    const last = h[h.length - 1];
    expect(last.timestamp * 1000).toBe(ist('2026-10-05T10:15:00'));
    expect(last).toMatchObject({ open: c.open, high: c.open, low: c.open, close: c.open });
    const daily = (run.steps.d as { data: Candle[] }).data;
    expect(daily[daily.length - 1].close).toBe(c.open);
  });

  it('changing every price after a moment changes nothing a run saw before it', async () => {
    const cut = ist('2026-10-06T11:15:00');
    const collect = async (source: CandleSource) => {
      const seen: string[] = [];
      await rehearse({ workflow, from: '2026-10-05', to: '2026-10-06', source, onRun: (result) => seen.push(JSON.stringify(result)) });
      return seen;
    };
    const honest = await collect(new PaperCandles());
    const bent = await collect(tampered(new PaperCandles(), cut));
    const before = (runs: string[]) => runs.filter((r) => Date.parse(JSON.parse(r).startedAt) < cut);
    expect(before(honest).length).toBe(13 + 4); // 09:15 … 15:15 on the 5th, 09:15 … 10:45 on the 6th
    expect(before(bent)).toEqual(before(honest));
    // …and the tampering is real: the run at 11:15 sees it.
    expect(honest.find((r) => JSON.parse(r).startedAt === new Date(cut).toISOString())).not.toEqual(bent.find((r) => JSON.parse(r).startedAt === new Date(cut).toISOString()));
  });
});

describe('fills and charges', () => {
  it('a limit order fills when the price crosses it, an SL-M when its trigger is reached', async () => {
    const bars = await paperMinutes({ symbol: 'TCS', exchange: 'NSE' }, '2026-10-05');
    const at10 = bars.find((b) => b.timestamp * 1000 === ist('2026-10-05T10:00:00'))!;
    const low = Math.min(...bars.filter((b) => b.timestamp > at10.timestamp).map((b) => b.low));
    const limit = Math.round((low + (at10.open - low) / 2) * 20) / 20; // between now and the day's later low
    const workflow = wf([
      ['s', 'start', { scheduleType: 'once', executeAt: '2026-10-05', time: '10:00' }],
      ['o', 'placeOrder', { symbol: 'TCS', exchange: 'NSE', action: 'BUY', quantity: 2, priceType: 'LIMIT', price: limit, product: 'MIS' }],
    ], [['s', 'o']]);
    const r = await rehearse({ workflow, from: '2026-10-05', to: '2026-10-05', source: new PaperCandles() });
    expect(r.trades).toHaveLength(1);
    expect(r.trades[0].price).toBeLessThanOrEqual(limit);
    // It filled at the first tick at or below the limit, not before.
    const firstCross = bars.find((b) => b.timestamp > at10.timestamp && b.low <= limit)!;
    expect(Math.floor(r.trades[0].at / 60_000)).toBe(firstCross.timestamp / 60);

    const high = Math.max(...bars.filter((b) => b.timestamp > at10.timestamp).map((b) => b.high));
    const trigger = Math.round((at10.open + (high - at10.open) / 2) * 20) / 20;
    const stop = wf([
      ['s', 'start', { scheduleType: 'once', executeAt: '2026-10-05', time: '10:00' }],
      ['o', 'placeOrder', { symbol: 'TCS', exchange: 'NSE', action: 'BUY', quantity: 2, priceType: 'SL-M', triggerPrice: trigger, product: 'MIS' }],
    ], [['s', 'o']]);
    const r2 = await rehearse({ workflow: stop, from: '2026-10-05', to: '2026-10-05', source: new PaperCandles() });
    expect(r2.trades).toHaveLength(1);
    const reached = bars.find((b) => b.timestamp > at10.timestamp && b.high >= trigger)!;
    expect(Math.floor(r2.trades[0].at / 60_000)).toBe(reached.timestamp / 60);
    expect(r2.trades[0].price).toBeGreaterThanOrEqual(trigger);
  });

  it('charges follow the preset: equity intraday', () => {
    const buy = chargesOn({ action: 'BUY', quantity: 100, price: 800 }, CHARGE_PRESETS.equity_intraday);
    // turnover 80,000: brokerage min(20, 24) = 20; exchange 2.38; SEBI 0.08; stamp 2.40; GST 18 % of 22.46 = 4.04
    expect(buy).toEqual({ brokerage: 20, stt: 0, exchange: 2.38, sebi: 0.08, stamp: 2.4, gst: 4.04, total: 28.9 });
    const sell = chargesOn({ action: 'SELL', quantity: 100, price: 800 }, CHARGE_PRESETS.equity_intraday);
    expect(sell.stt).toBe(20);
    expect(sell.stamp).toBe(0);
  });
});

describe('a live run and a rehearsal of the same alert', () => {
  it('take the same steps and place the same orders at the same price', async () => {
    const workflow = example('ema-webhook');
    const at = ist('2026-10-05T10:30:00');
    const alerts: PastAlert[] = [{ at, payload: { symbol: 'SBIN', action: 'BUY' } }];
    const rehearsed: Array<import('../../src/engine/index.js').RunResult> = [];
    await rehearse({ workflow, from: '2026-10-05', to: '2026-10-05', alerts, source: new PaperCandles(), onRun: (x) => rehearsed.push(x) });
    const bars = await paperMinutes({ symbol: 'SBIN', exchange: 'NSE' }, '2026-10-05');
    const price = bars.find((b) => b.timestamp * 1000 === at)!.open;

    const live = new PaperBroker({ now: () => new Date(at), alwaysOpen: false, startingCapital: 10_00_000 });
    live.setPrice('SBIN', 'NSE', price);
    const result = await runWorkflow(compileWorkflow(workflow, defaultRegistry), {
      broker: live, executionId: rehearsed[0].executionId, now: () => new Date(at), trigger: { kind: 'webhook', payload: { symbol: 'SBIN', action: 'BUY' } },
    });
    const shape = (x: typeof result) => ({
      status: x.status,
      steps: x.steps.map((s) => ({ nodeId: s.nodeId, status: s.status, input: s.input, output: s.output })),
      orders: x.orders.map((o) => ({ key: o.key, nodeId: o.nodeId, request: o.request, status: o.status, orderIds: o.orderIds })),
    });
    expect(shape(rehearsed[0])).toEqual(shape(result));
    expect(result.orders).toHaveLength(1);
  });
});

describe('OpenAlgo history is cached on disk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flow-rehearse-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a second rehearsal of the same days makes no request', async () => {
    // The paper broker served as the history API: real candles through the Broker interface.
    const market = new PaperBroker({ now: () => new Date('2026-11-01T00:00:00Z') });
    let calls = 0;
    const broker = { ...market, history: (req: Parameters<Broker['history']>[0]) => { calls++; return market.history(req); } } as unknown as Broker;
    const workflow = example('scheduled-entry');
    const first = new OpenAlgoCandles({ broker, cacheDir: dir, today: '2026-11-01' });
    const a = await rehearse({ workflow, from: '2026-10-05', to: '2026-10-06', source: first });
    expect(first.requests).toBeGreaterThan(0);
    expect(calls).toBe(first.requests);
    const second = new OpenAlgoCandles({ broker, cacheDir: dir, today: '2026-11-01' });
    const b = await rehearse({ workflow, from: '2026-10-05', to: '2026-10-06', source: second });
    expect(second.requests).toBe(0);
    expect(JSON.stringify({ ...b, source: 'x' })).toBe(JSON.stringify({ ...a, source: 'x' }));
    expect(a.source).toBe('openalgo');
    expect(a.trades).toHaveLength(1);
  });
});
