// A rehearsal: a workflow replayed over past market days in simulated time, as fast as the CPU
// allows. The engine, the paper broker and the trigger machinery are the live ones; only the clock,
// the waits and the prices are simulated. Events run in time order: at one instant the tick first
// (so a schedule at 09:20:00 sees the 09:20 open), then schedules, webhook alerts and waking runs.

import { PaperBroker } from '../broker/paper/index.js';
import { resolveInstrument } from '../broker/paper/instruments.js';
import type { OrderUpdate, SymbolRef } from '../broker/types.js';
import { compileWorkflow, runWorkflow, type RunResult, type TriggerInfo } from '../engine/index.js';
import { DEFAULT_TIMEZONE, zonedTimeToDate } from '../market/clock.js';
import { defaultRegistry, createRegistry, type Registry } from '../nodes/registry.js';
import type { NodeDefinition } from '../nodes/types.js';
import type { MarketStream, StreamStats, Tick } from '../stream/types.js';
import { defaultCalendar } from '../market/calendar.js';
import { OrderWatcher, orderWatchFromNode } from '../triggers/order-watcher.js';
import { PriceMonitor, priceAlertFromNode } from '../triggers/price-monitor.js';
import { nextRun, parseSchedule, type ScheduleSpec } from '../triggers/schedule.js';
import type { Workflow } from '../workflow/index.js';
import type { PastAlert } from './alerts.js';
import { rehearsalBroker } from './broker.js';
import type { Candle, CandleSource } from './candles.js';
import { resampleIntraday } from '../nodes/history.js';
import { SymbolFeed, TICK_OFFSETS_MS } from './feed.js';
import { buildReport, type Fill, type Report, type RunSummary } from './report.js';

export interface RehearseOptions {
  workflow: Workflow;
  /** First and last market day, YYYY-MM-DD (exchange time), inclusive. */
  from: string;
  to: string;
  source: CandleSource;
  /** Past webhook alerts (delivered to the workflow's webhookTrigger nodes). */
  alerts?: PastAlert[];
  /** Starting capital in rupees (default ₹10,00,000). */
  capital?: number;
  /** Adverse slippage on market and SL-M fills, basis points (default 0). */
  slippageBps?: number;
  /** Indian brokerage and taxes by segment (`auto`, the default), or none. */
  charges?: 'auto' | 'none';
  timezone?: string;
  registry?: Registry;
  /** Each run as it ends, with its full result (steps with inputs and outputs, logs, orders). */
  onRun?: (result: RunResult, trigger: TriggerInfo) => void;
}

export class RehearseError extends Error {}

const DAY_MS = 86_400_000;
const MAX_DAYS = 400;
const INDEX_EXCHANGE: Record<string, string> = {
  NIFTY: 'NSE_INDEX', BANKNIFTY: 'NSE_INDEX', FINNIFTY: 'NSE_INDEX', MIDCPNIFTY: 'NSE_INDEX', NIFTYNXT50: 'NSE_INDEX',
  SENSEX: 'BSE_INDEX', BANKEX: 'BSE_INDEX', SENSEX50: 'BSE_INDEX',
};

function addDays(date: string, n: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

function dayStart(date: string, timezone: string): number {
  const [y, m, d] = date.split('-').map(Number);
  return zonedTimeToDate(y, m, d, 0, 0, 0, timezone).getTime();
}

const literal = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' && !v.includes('{{') ? v.trim().toUpperCase() : null);

/** The symbols whose prices drive the rehearsal: every literal symbol and underlying in the workflow, and the alerts' symbols. */
export function watchedSymbols(workflow: Workflow, alerts: readonly PastAlert[]): SymbolRef[] {
  const seen = new Map<string, SymbolRef>();
  const add = (symbol: string, exchange: string) => seen.set(`${exchange}:${symbol}`, { symbol, exchange });
  let webhookExchange = 'NSE';
  for (const node of workflow.nodes) {
    const d = node.data as Record<string, unknown>;
    const symbol = literal(d.symbol);
    if (symbol) add(symbol, literal(d.exchange) ?? 'NSE');
    const underlying = literal(d.underlying);
    if (underlying) add(underlying, INDEX_EXCHANGE[underlying] ?? 'NSE');
    if (node.type === 'webhookTrigger') webhookExchange = literal(d.exchange) ?? webhookExchange;
  }
  for (const a of alerts) {
    const symbol = literal(a.payload.symbol);
    if (symbol) add(symbol, literal(a.payload.exchange) ?? webhookExchange);
  }
  return [...seen.values()];
}

/** httpRequest is not called in a rehearsal: a past day's request would reach a present-day server. */
function rehearsalRegistry(base: Registry): Registry {
  return createRegistry([...base.values()].map((def): NodeDefinition => def.type !== 'httpRequest' ? def : {
    ...def,
    instant: true,
    async run(_ctx, p) {
      return { status: 'success', message: 'rehearsal: the request was not sent', rehearsal: true, url: String((p as { url?: unknown }).url ?? '') };
    },
  }));
}

/** The paper stream's stand-in: ticks come from the replay, nothing else happens. */
class SimStream implements MarketStream {
  readonly state = 'live' as const;
  private readonly listeners = new Map<string, Set<(t: Tick) => void>>();
  subscribe(ref: SymbolRef, _mode: unknown, listener: (t: Tick) => void): () => void {
    const key = `${ref.exchange.toUpperCase()}:${ref.symbol.toUpperCase()}`;
    let set = this.listeners.get(key);
    if (!set) this.listeners.set(key, (set = new Set()));
    set.add(listener);
    return () => { set!.delete(listener); };
  }
  emit(key: string, ref: SymbolRef, ltp: number): void {
    const set = this.listeners.get(key);
    if (!set || set.size === 0) return;
    const tick: Tick = { symbol: ref.symbol, exchange: ref.exchange, mode: 1, ltp, data: { ltp } };
    for (const l of [...set]) l(tick);
  }
  onOrderUpdate(): () => void { return () => {}; }
  onStateChange(): () => void { return () => {}; }
  stats(): StreamStats {
    return { state: 'live', url: null, subscriptions: this.listeners.size, connects: 0, reconnects: 0, ticks: 0, orderUpdates: 0, badFrames: 0, errorFrames: 0, symbolErrors: 0, stalls: 0, lastTickAt: null };
  }
  close(): void {}
}

type Pending = { at: number; seq: number; fire: () => void };

/** A min-heap of timed events; equal times keep their insertion order. */
class Timeline {
  private heap: Pending[] = [];
  private seq = 0;
  push(at: number, fire: () => void): void {
    const h = this.heap;
    h.push({ at, seq: this.seq++, fire });
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }
  peek(): Pending | undefined { return this.heap[0]; }
  pop(): Pending | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l], h[m])) m = l;
        if (r < h.length && before(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}
const before = (a: Pending, b: Pending) => a.at < b.at || (a.at === b.at && a.seq < b.seq);

/** Replays the workflow over the days and answers the report. */
export async function rehearse(opts: RehearseOptions): Promise<Report> {
  const timezone = opts.timezone ?? DEFAULT_TIMEZONE;
  const capital = opts.capital ?? 10_00_000;
  const alerts = opts.alerts ?? [];
  if (!/^\d{4}-\d{2}-\d{2}$/.test(opts.from) || !/^\d{4}-\d{2}-\d{2}$/.test(opts.to)) throw new RehearseError('from and to must be dates YYYY-MM-DD');
  if (opts.to < opts.from) throw new RehearseError(`to (${opts.to}) is before from (${opts.from})`);
  const dates: string[] = [];
  for (let d = opts.from; d <= opts.to; d = addDays(d, 1)) {
    dates.push(d);
    if (dates.length > MAX_DAYS) throw new RehearseError(`a rehearsal covers at most ${MAX_DAYS} days`);
  }
  if (!(capital > 0)) throw new RehearseError('capital must be above 0');
  const startMs = dayStart(opts.from, timezone);
  const endMs = dayStart(addDays(opts.to, 1), timezone);
  const notes: string[] = [];

  // ---- the market -----------------------------------------------------------------------------
  const clock = { ms: startMs };
  const now = () => new Date(clock.ms);
  const paper = new PaperBroker({
    now, alwaysOpen: false, startingCapital: capital, fillOnNextMove: true, slippageBps: opts.slippageBps ?? 0,
  });
  const feeds = new Map<string, SymbolFeed>();
  for (const ref of watchedSymbols(opts.workflow, alerts)) {
    const r = resolveInstrument(ref.symbol, ref.exchange);
    if (!r.ok) {
      notes.push(`${ref.exchange}:${ref.symbol} is not in the paper market's instruments, so it cannot be priced or traded in a rehearsal`);
      continue;
    }
    const inst = { symbol: r.instrument.symbol, exchange: r.instrument.exchange };
    feeds.set(`${inst.exchange}:${inst.symbol}`, new SymbolFeed(inst));
  }
  const feedOf = (ref: SymbolRef) => feeds.get(`${String(ref.exchange).toUpperCase()}:${String(ref.symbol).toUpperCase()}`);
  const broker = rehearsalBroker(paper, { feed: feedOf, now, timezone, source: opts.source });

  // The price before the first day: the last close before it, so a pre-open order has a reference.
  const lookback = Array.from({ length: 10 }, (_, i) => addDays(opts.from, -10 + i));
  for (const feed of feeds.values()) {
    const days = await opts.source.daily(feed.ref, lookback);
    const last = [...days.values()].filter((c) => c !== null).pop();
    if (last) feed.seed(last);
  }
  const initial = [...feeds.values()].filter((f) => !Number.isNaN(f.ltp)).map((f) => ({ ...f.ref, ltp: f.ltp }));
  if (initial.length) paper.setPrices(initial);

  // ---- runs -----------------------------------------------------------------------------------
  const compiled = compileWorkflow(opts.workflow, rehearsalRegistry(opts.registry ?? defaultRegistry));
  const timeline = new Timeline();
  const runs: RunSummary[] = [];
  const queue: TriggerInfo[] = [];
  let active: { sleeping: boolean } | null = null;
  let deactivated: { at: number; reason: string } | null = null;
  let pricePending = false;
  let priceHeldBack = 0;
  let runCount = 0;
  const orderOwner = new Map<string, { executionId: string; nodeId: string }>();

  const request = (trigger: TriggerInfo) => {
    if (deactivated) return;
    if (trigger.kind === 'price') {
      // As live: at most one price-alert run of the workflow queued or running.
      if (pricePending) { priceHeldBack++; return; }
      pricePending = true;
    }
    queue.push(trigger);
  };
  const deactivate = (reason: string) => { deactivated ??= { at: clock.ms, reason }; };

  const sleep = (ms: number, signal: AbortSignal) => new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(new Error('canceled'));
    const run = active!;
    run.sleeping = true;
    timeline.push(clock.ms + Math.max(0, ms), () => { run.sleeping = false; resolve(); });
  });

  const startRun = (trigger: TriggerInfo) => {
    const run = { sleeping: false };
    active = run;
    const executionId = `rh_${String(++runCount).padStart(6, '0')}`;
    const at = clock.ms;
    runWorkflow(compiled, { broker, executionId, trigger, now, sleep, timezone }).then((result) => {
      for (const o of result.orders) for (const id of o.orderIds) orderOwner.set(id, { executionId, nodeId: o.nodeId });
      runs.push({ result, trigger, at });
      opts.onRun?.(result, trigger);
      if (trigger.kind === 'price') pricePending = false;
      active = null;
    });
  };

  /** Lets runs go until every one has ended or waits in simulated time; starts queued runs one at a time. */
  const settle = async () => {
    for (;;) {
      if (!active && queue.length) startRun(queue.shift()!);
      if (!active || active.sleeping) return;
      await new Promise<void>((r) => setImmediate(r));
    }
  };

  // ---- triggers -------------------------------------------------------------------------------
  const stream = new SimStream();
  const monitor = new PriceMonitor({
    broker, stream, now, timezone,
    onFire: (alert, payload) => request({ kind: 'price', nodeId: alert.nodeId, payload: { ...payload } }),
    onRetire: (alert, reason) => {
      if (reason === 'fired') deactivate(`price alert ${alert.nodeId} fired once`);
      if (reason === 'expired') deactivate(`price alert ${alert.nodeId} expired`);
    },
  });
  const watcher = new OrderWatcher({
    broker: paper, source: 'push', now, timezone,
    onFire: (watch, payload) => request({ kind: 'orderUpdate', nodeId: watch.nodeId, payload: { ...payload } }),
    onRetire: (watch) => deactivate(`order update trigger ${watch.nodeId} fired once`),
  });
  const problems: string[] = [];
  const webhookFilters: string[] = [];
  let hasWebhook = false;
  const schedules: Array<{ nodeId: string; spec: ScheduleSpec }> = [];
  for (const node of opts.workflow.nodes) {
    const d = node.data as Record<string, unknown>;
    if (node.type === 'start') {
      const parsed = parseSchedule(d, { timezone });
      if (parsed.ok) schedules.push({ nodeId: node.id, spec: parsed.spec });
      else problems.push(...parsed.problems.map((p) => `${node.id} ${p.field} ${p.message}`));
    } else if (node.type === 'priceAlert') {
      const parsed = priceAlertFromNode({ workflowId: 'rehearsal', nodeId: node.id }, d);
      if (parsed.ok) monitor.add(parsed.alert);
      else problems.push(...parsed.problems.map((p) => `${node.id} ${p.field} ${p.message}`));
    } else if (node.type === 'orderUpdateTrigger') {
      const parsed = orderWatchFromNode({ workflowId: 'rehearsal', nodeId: node.id }, d);
      if (parsed.ok) watcher.add(parsed.watch);
      else problems.push(...parsed.problems.map((p) => `${node.id} ${p.field} ${p.message}`));
    } else if (node.type === 'webhookTrigger') {
      hasWebhook = true;
      const s = literal(d.symbol);
      if (s) webhookFilters.push(s);
    }
  }
  if (problems.length) throw new RehearseError(`the workflow's triggers cannot be activated: ${problems.join('; ')}`);
  watcher.start();

  const calendar = defaultCalendar();
  const armSchedule = (s: { nodeId: string; spec: ScheduleSpec }, after: number) => {
    const next = nextRun(s.spec, new Date(after), calendar);
    if (!next || next.getTime() >= endMs) return;
    timeline.push(next.getTime(), () => {
      request({ kind: 'schedule', nodeId: s.nodeId, payload: { scheduled_for: next.toISOString(), late: false } });
      armSchedule(s, next.getTime());
    });
  };
  for (const s of schedules) armSchedule(s, startMs - 1);
  let alertsDelivered = 0;
  let alertsIgnored = 0;
  if (alerts.length && !hasWebhook) notes.push(`the workflow has no webhook trigger, so the ${alerts.length} alerts in the file were not delivered`);
  for (const a of alerts) {
    if (!hasWebhook || a.at < startMs || a.at >= endMs) continue;
    timeline.push(a.at, () => {
      const symbol = typeof a.payload.symbol === 'string' ? a.payload.symbol.toUpperCase() : '';
      if (webhookFilters.length && !webhookFilters.includes(symbol)) { alertsIgnored++; return; }
      alertsDelivered++;
      request({ kind: 'webhook', payload: { ...a.payload } });
    });
  }

  // ---- fills and the equity curve -------------------------------------------------------------
  const fills: Fill[] = [];
  paper.onOrderUpdate((u: OrderUpdate) => {
    if (u.order_status !== 'complete') return;
    fills.push({ at: clock.ms, orderid: u.orderid, symbol: u.symbol, exchange: u.exchange, action: u.action, quantity: Number(u.filled_quantity ?? u.quantity), price: Number(u.average_price ?? 0) });
  });
  const net = new Map<string, { ref: SymbolRef; qty: number }>();
  let cash = 0;
  let fillsBooked = 0;
  const equity: Array<{ at: number; value: number; gross: number }> = [];
  let minutesInMarket = 0;
  let minutesReplayed = 0;
  let maxGross = 0;
  const markOf = (ref: SymbolRef): number => {
    const f = feedOf(ref);
    if (f && !Number.isNaN(f.ltp)) return f.ltp;
    const m = paper.marketNow(ref);
    return typeof m === 'string' ? 0 : m.quote.ltp;
  };
  /** Books new fills into cash and net quantities, then marks the book to the market. */
  const mark = () => {
    for (; fillsBooked < fills.length; fillsBooked++) {
      const f = fills[fillsBooked];
      const signed = f.action === 'BUY' ? f.quantity : -f.quantity;
      cash -= signed * f.price;
      const key = `${f.exchange}:${f.symbol}`;
      const pos = net.get(key) ?? { ref: { symbol: f.symbol, exchange: f.exchange }, qty: 0 };
      pos.qty += signed;
      net.set(key, pos);
    }
    let value = cash;
    let gross = 0;
    for (const p of net.values()) {
      if (p.qty === 0) continue;
      const price = markOf(p.ref);
      value += p.qty * price;
      gross += Math.abs(p.qty) * price;
    }
    return { value, gross };
  };

  // ---- the replay -----------------------------------------------------------------------------
  /** Runs every timed event before `until` (schedules, alerts, waking runs), in time order. */
  const drain = async (until: number) => {
    for (let e = timeline.peek(); e && e.at < until; e = timeline.peek()) {
      timeline.pop();
      if (e.at > clock.ms) clock.ms = e.at;
      e.fire();
      await settle();
    }
  };

  const list = [...feeds.values()];
  // The price chart of the report: fine enough to read a trade on, small enough to draw.
  const chartMinutes = dates.length <= 10 ? 1 : dates.length <= 62 ? 5 : dates.length <= 200 ? 15 : 60;
  const chart = new Map(list.map((f) => [f.key, [] as Candle[]]));
  let ticks = 0;
  let tradingDays = 0;
  let lastYield = performance.now();
  const moved: Array<{ symbol: string; exchange: string; ltp: number }> = [];
  for (const date of dates) {
    const day0 = dayStart(date, timezone);
    const bars = await Promise.all(list.map((f) => opts.source.minutes(f.ref, [date]).then((m) => m.get(date) ?? [])));
    list.forEach((f, i) => {
      f.startDay(date, bars[i]);
      if (bars[i].length) chart.get(f.key)!.push(...(chartMinutes === 1 ? bars[i] : resampleIntraday(bars[i], chartMinutes * 60, f.ref.exchange)));
    });
    // Every minute any watched symbol traded, in order; each feed walks its own candles.
    const minuteSet = new Set<number>();
    for (const b of bars) for (const c of b) minuteSet.add(c.timestamp);
    const minutes = [...minuteSet].sort((a, b) => a - b);
    if (minutes.length) tradingDays++;
    const cursor = new Int32Array(list.length);
    for (const ts of minutes) {
      const base = ts * 1000;
      for (let j = 0; j < TICK_OFFSETS_MS.length; j++) {
        const at = base + TICK_OFFSETS_MS[j];
        await drain(at);
        clock.ms = at;
        moved.length = 0;
        let changed = 0;
        for (let i = 0; i < list.length; i++) {
          const f = list[i];
          const k = cursor[i];
          if (k >= f.bars.length || f.bars[k].timestamp !== ts) continue;
          const before = f.ltp;
          const price = f.advance(k, j);
          if (j === 3) cursor[i] = k + 1;
          // A tick at an unchanged price still fills what rests; only a change can move an alert.
          if (price !== before) { moved.unshift({ symbol: f.ref.symbol, exchange: f.ref.exchange, ltp: price }); changed++; }
          else moved.push({ symbol: f.ref.symbol, exchange: f.ref.exchange, ltp: price });
        }
        if (moved.length === 0) continue;
        ticks++;
        // Fills first (orders placed on the previous tick), then the alerts that watch these prices.
        paper.setPrices(moved);
        for (let m = 0; m < changed; m++) stream.emit(`${moved[m].exchange}:${moved[m].symbol}`, moved[m], moved[m].ltp);
        await settle();
      }
      minutesReplayed++;
      // A server that trades keeps answering while it rehearses: give the event loop a turn now and then.
      if (performance.now() - lastYield > 20) {
        await new Promise<void>((r) => setImmediate(r));
        lastYield = performance.now();
      }
      const { value, gross } = mark();
      if (gross > 0) minutesInMarket++;
      if (gross > maxGross) maxGross = gross;
      equity.push({ at: base + 60_000, value: capital + value, gross });
    }
    await drain(day0 + DAY_MS);
  }
  // Runs still waiting (a delay past the last day) finish on the last prices.
  await drain(Infinity);
  monitor.stop();
  watcher.stop();
  mark();

  return buildReport({
    workflow: opts.workflow.name, from: opts.from, to: opts.to, timezone, capital, source: opts.source.kind,
    slippageBps: opts.slippageBps ?? 0, charges: opts.charges ?? 'auto',
    runs, fills, trades: paper.snapshot().trades, orderOwner, equity,
    prices: list.map((f) => ({ ...f.ref, interval: `${chartMinutes}m`, candles: chart.get(f.key)! })),
    counts: { ticks, tradingDays, minutesReplayed, minutesInMarket, maxGross, priceHeldBack, alertsDelivered, alertsIgnored },
    deactivated, notes,
  });
}
