// A rehearsal's report: the runs, the trades with their charges, P&L by day and in total, the
// largest drawdown, win rate, exposure, the equity curve, and what was assumed and not modelled.
// Pure arithmetic on what the replay recorded: the same replay gives the same report, byte for byte.

import type { PaperTrade } from '../broker/paper/index.js';
import type { Candle, SymbolRef } from '../broker/types.js';
import type { RunResult, TriggerInfo } from '../engine/index.js';
import { builtins } from '../market/clock.js';
import { CHARGE_PRESETS, chargesOn, NO_CHARGES, segmentOf, type ChargeSegment } from './charges.js';
import { PATH_NOTE } from './feed.js';

export interface Fill {
  at: number;
  orderid: string;
  symbol: string;
  exchange: string;
  action: string;
  quantity: number;
  price: number;
}

export interface RunSummary {
  result: RunResult;
  trigger: TriggerInfo;
  at: number;
}

export interface ReportInput {
  workflow: string;
  from: string;
  to: string;
  timezone: string;
  capital: number;
  source: 'paper' | 'openalgo';
  slippageBps: number;
  charges: 'auto' | 'none';
  runs: RunSummary[];
  fills: Fill[];
  trades: PaperTrade[];
  orderOwner: Map<string, { executionId: string; nodeId: string }>;
  /** Marked at the end of every replayed minute, before charges. */
  equity: Array<{ at: number; value: number; gross: number }>;
  prices: Array<SymbolRef & { interval: string; candles: Candle[] }>;
  counts: {
    ticks: number; tradingDays: number; minutesReplayed: number; minutesInMarket: number; maxGross: number;
    priceHeldBack: number; alertsDelivered: number; alertsIgnored: number;
  };
  deactivated: { at: number; reason: string } | null;
  notes: string[];
}

export interface ReportTrade {
  time: string;
  at: number;
  orderid: string;
  executionId: string | null;
  nodeId: string | null;
  symbol: string;
  exchange: string;
  product: string;
  action: string;
  quantity: number;
  price: number;
  value: number;
  segment: ChargeSegment;
  charges: number;
}

export interface Report {
  rehearsal: true;
  workflow: string;
  from: string;
  to: string;
  source: 'paper' | 'openalgo';
  capital: number;
  runs: Array<{
    executionId: string; time: string; trigger: string; nodeId: string | null; status: string; error: string | null;
    steps: Array<{ nodeId: string; type: string; status: string; error?: string }>;
    orders: Array<{ key: string; nodeId: string; method: string; status: string; orderIds: string[]; request: Record<string, unknown>; error?: string }>;
  }>;
  trades: ReportTrade[];
  pnl: {
    gross: number; charges: number; net: number; returnPct: number;
    byDay: Array<{ date: string; net: number; trades: number }>;
    chargesBreakdown: { brokerage: number; stt: number; exchange: number; sebi: number; stamp: number; gst: number };
  };
  maxDrawdown: { amount: number; pct: number; peakTime: string | null; troughTime: string | null };
  winRate: { roundTrips: number; wins: number; losses: number; pct: number | null };
  exposure: { timeInMarketPct: number; maxPositionValue: number };
  equity: Array<{ time: number; value: number }>;
  prices: Array<SymbolRef & { interval: string; candles: Candle[] }>;
  counts: ReportInput['counts'] & { runs: number; completed: number; failed: number };
  deactivated: { time: string; reason: string } | null;
  assumptions: string[];
  notModelled: string[];
}

const money = (x: number) => Math.round(x * 100) / 100;
const pct = (x: number) => Math.round(x * 100) / 100;
const MAX_EQUITY_POINTS = 2_000;

export const NOT_MODELLED = [
  'queue position: an order fills at the first tick that reaches its price, as if it stood first in the queue',
  'partial fills: every fill is the whole quantity, whatever the volume traded',
  'gaps between candles: a minute without a candle holds the last price, and the overnight gap is jumped (a resting order fills at the next open tick, nothing in between)',
  'market impact and depth: the fill price is the ask/bid one tick from the last price, plus slippage',
  'the broker\'s own risk checks beyond margin (circuit limits, RMS, auto square-off of MIS positions)',
  'DP charges on delivery sells, IPFT and clearing charges',
];

export function buildReport(input: ReportInput): Report {
  const iso = (ms: number) => String(builtins(new Date(ms), input.timezone).iso_timestamp);
  // Dates by quarter hour (every zone's offset is a multiple of 15 minutes): one Intl call per bucket, not per minute.
  const dates = new Map<number, string>();
  const dateOf = (ms: number) => {
    const bucket = Math.floor(ms / 900_000);
    let d = dates.get(bucket);
    if (d === undefined) dates.set(bucket, (d = String(builtins(new Date(bucket * 900_000), input.timezone).date)));
    return d;
  };
  const productOf = new Map(input.trades.map((t) => [t.orderid, t.product]));

  // ---- trades and charges -----------------------------------------------------------------------
  const breakdown = { brokerage: 0, stt: 0, exchange: 0, sebi: 0, stamp: 0, gst: 0 };
  const trades: ReportTrade[] = input.fills.map((f) => {
    const product = productOf.get(f.orderid) ?? 'MIS';
    const segment = segmentOf({ symbol: f.symbol, exchange: f.exchange, product });
    const c = input.charges === 'none' ? NO_CHARGES : chargesOn(f, CHARGE_PRESETS[segment]);
    for (const k of Object.keys(breakdown) as Array<keyof typeof breakdown>) breakdown[k] += c[k];
    const owner = input.orderOwner.get(f.orderid);
    return {
      time: iso(f.at), at: f.at, orderid: f.orderid, executionId: owner?.executionId ?? null, nodeId: owner?.nodeId ?? null,
      symbol: f.symbol, exchange: f.exchange, product, action: f.action, quantity: f.quantity, price: f.price,
      value: money(f.quantity * f.price), segment, charges: c.total,
    };
  });
  const totalCharges = money(trades.reduce((s, t) => s + t.charges, 0));

  // ---- equity after charges, drawdown, days ----------------------------------------------------------
  let k = 0;
  let paid = 0;
  let peak = input.capital;
  let peakAt: number | null = null;
  let dd = { amount: 0, pct: 0, peakAt: null as number | null, troughAt: null as number | null };
  const netEquity: Array<{ at: number; value: number }> = [];
  const lastOfDay = new Map<string, number>();
  for (const p of input.equity) {
    while (k < trades.length && trades[k].at < p.at) paid += trades[k++].charges;
    const value = p.value - paid;
    netEquity.push({ at: p.at, value });
    lastOfDay.set(dateOf(p.at - 1), value);
    if (value > peak) { peak = value; peakAt = p.at; }
    const drop = peak - value;
    if (drop > dd.amount) dd = { amount: drop, pct: (drop / peak) * 100, peakAt, troughAt: p.at };
  }
  const tradesByDay = new Map<string, number>();
  for (const t of trades) tradesByDay.set(dateOf(t.at), (tradesByDay.get(dateOf(t.at)) ?? 0) + 1);
  let previous = input.capital;
  const byDay = [...lastOfDay].map(([date, value]) => {
    const day = { date, net: money(value - previous), trades: tradesByDay.get(date) ?? 0 };
    previous = value;
    return day;
  });
  const finalGross = input.equity.length ? input.equity[input.equity.length - 1].value : input.capital;
  const gross = money(finalGross - input.capital);
  const net = money(gross - totalCharges);

  // ---- round trips: a position from flat back to flat (or through zero) ------------------------------
  const books = new Map<string, { qty: number; avg: number; pnl: number }>();
  let wins = 0;
  let losses = 0;
  for (const t of trades) {
    const key = `${t.exchange}:${t.symbol}:${t.product}`;
    const b = books.get(key) ?? { qty: 0, avg: 0, pnl: 0 };
    books.set(key, b);
    b.pnl -= t.charges;
    let signed = t.action === 'BUY' ? t.quantity : -t.quantity;
    if (b.qty !== 0 && Math.sign(signed) !== Math.sign(b.qty)) {
      const closing = Math.min(Math.abs(signed), Math.abs(b.qty));
      b.pnl += (t.price - b.avg) * closing * Math.sign(b.qty);
      b.qty += Math.sign(signed) * closing;
      signed -= Math.sign(signed) * closing;
      if (b.qty === 0) {
        if (b.pnl > 0) wins++; else losses++;
        b.pnl = 0;
        b.avg = 0;
      }
    }
    if (signed !== 0) {
      b.avg = (b.avg * Math.abs(b.qty) + t.price * Math.abs(signed)) / (Math.abs(b.qty) + Math.abs(signed));
      b.qty += signed;
    }
  }

  // ---- runs -----------------------------------------------------------------------------------------
  const runs = input.runs.map(({ result, trigger, at }) => ({
    executionId: result.executionId, time: iso(at), trigger: trigger.kind, nodeId: trigger.nodeId ?? null,
    status: result.status, error: result.error,
    steps: result.steps.map((s) => ({ nodeId: s.nodeId, type: s.type, status: s.status, ...(s.error ? { error: s.error } : {}) })),
    orders: result.orders.map((o) => ({
      key: o.key, nodeId: o.nodeId, method: o.method, status: o.status, orderIds: o.orderIds, request: o.request, ...(o.error ? { error: o.error } : {}),
    })),
  }));

  const stride = Math.max(1, Math.ceil(netEquity.length / MAX_EQUITY_POINTS));
  const equity = netEquity.filter((_, i) => i % stride === 0 || i === netEquity.length - 1).map((p) => ({ time: Math.floor(p.at / 1000), value: money(p.value) }));

  const c = input.counts;
  const assumptions = [
    `prices: ${input.source === 'paper' ? "the paper market's deterministic model (no broker configured)" : "OpenAlgo's history API (1-minute candles, daily where a node asks), cached on disk"}`,
    PATH_NOTE,
    'every node sees the simulated clock; history, quotes and indicators reach only up to the current tick (the forming candle as it stands)',
    `fills: no order fills on the tick that made the workflow place it; a market order fills on the next tick at the ask (buy) or bid (sell), one tick from the last price${input.slippageBps ? `, plus ${input.slippageBps} bps of slippage` : ''}; a limit order when the last price reaches its limit (at the limit or better); SL and SL-M when the last price reaches the trigger`,
    input.charges === 'none'
      ? 'charges: none'
      : 'charges per fill (discount broker, 2025 rates): brokerage ₹20 or 0.03 % whichever is lower (delivery ₹0, options ₹20 flat); STT 0.025 % sell (intraday), 0.1 % both sides (delivery), 0.02 % sell (futures), 0.1 % sell premium (options); NSE transaction charges 0.00297 % (equity), 0.00173 % (futures), 0.03503 % (options premium); SEBI ₹10 a crore; stamp duty 0.003 % (intraday, options), 0.015 % (delivery), 0.002 % (futures) on buys; GST 18 % on brokerage, transaction charges and SEBI fee',
    `starting capital ₹${input.capital.toLocaleString('en-IN')}; margin as the paper broker (CNC full value, MIS 20 %, futures 12 %, long options the premium, short options 12 % of the underlying)`,
    'schedules fire at their times on the exchange\'s trading days; a price alert sees every tick; webhook alerts arrive at their timestamps; order-update triggers fire on the simulated fills',
    'runs go one at a time in trigger order (the default queue policy); a price-alert tick while the previous price-alert run is still going is dropped, as live',
    'a once price alert or order-update trigger that fires (or an alert that expires) deactivates the workflow, as live: later triggers do not run',
    'MIS orders that open a position are refused from 15:15 to 09:00 (OpenAlgo sandbox hours)',
    'Telegram and WhatsApp alerts are recorded, not sent; HTTP request nodes are not called',
    ...input.notes,
  ];

  return {
    rehearsal: true,
    workflow: input.workflow, from: input.from, to: input.to, source: input.source, capital: input.capital,
    runs, trades,
    pnl: {
      gross, charges: totalCharges, net, returnPct: pct((net / input.capital) * 100), byDay,
      chargesBreakdown: Object.fromEntries(Object.entries(breakdown).map(([k2, v]) => [k2, money(v)])) as Report['pnl']['chargesBreakdown'],
    },
    maxDrawdown: { amount: money(dd.amount), pct: pct(dd.pct), peakTime: dd.peakAt === null ? null : iso(dd.peakAt), troughTime: dd.troughAt === null ? null : iso(dd.troughAt) },
    winRate: { roundTrips: wins + losses, wins, losses, pct: wins + losses ? pct((wins / (wins + losses)) * 100) : null },
    exposure: { timeInMarketPct: c.minutesReplayed ? pct((c.minutesInMarket / c.minutesReplayed) * 100) : 0, maxPositionValue: money(c.maxGross) },
    equity,
    prices: input.prices,
    counts: { ...c, maxGross: money(c.maxGross), runs: runs.length, completed: runs.filter((r) => r.status === 'completed').length, failed: runs.filter((r) => r.status !== 'completed').length },
    deactivated: input.deactivated ? { time: iso(input.deactivated.at), reason: input.deactivated.reason } : null,
    assumptions,
    notModelled: NOT_MODELLED,
  };
}

const rupees = (x: number) => `${x < 0 ? '-' : ''}₹${Math.abs(x).toLocaleString('en-IN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const signed = (x: number) => (x > 0 ? `+${rupees(x)}` : rupees(x));

/** The report as a trader reads it in a terminal. */
export function formatReport(r: Report): string {
  const lines: string[] = [];
  lines.push(`Rehearsal of "${r.workflow}", ${r.from} to ${r.to}: ${r.counts.tradingDays} trading days, ${r.source} prices, ${r.counts.ticks.toLocaleString('en-IN')} ticks`);
  lines.push(`Runs: ${r.counts.runs} (${r.counts.completed} completed, ${r.counts.failed} failed)   Trades: ${r.trades.length}   Round trips: ${r.winRate.roundTrips}${r.winRate.pct === null ? '' : ` (win rate ${r.winRate.pct}%)`}`);
  lines.push(`P&L: gross ${signed(r.pnl.gross)}, charges ${rupees(r.pnl.charges)}, net ${signed(r.pnl.net)} (${r.pnl.returnPct}% of ${rupees(r.capital)})`);
  lines.push(`Max drawdown: ${rupees(r.maxDrawdown.amount)} (${r.maxDrawdown.pct}%)${r.maxDrawdown.troughTime ? ` from ${r.maxDrawdown.peakTime ?? 'the start'} to ${r.maxDrawdown.troughTime}` : ''}`);
  lines.push(`Exposure: in the market ${r.exposure.timeInMarketPct}% of the replayed minutes; largest position value ${rupees(r.exposure.maxPositionValue)}`);
  if (r.deactivated) lines.push(`Deactivated at ${r.deactivated.time}: ${r.deactivated.reason}`);
  if (r.pnl.byDay.length) {
    lines.push('', 'By day:');
    for (const d of r.pnl.byDay) lines.push(`  ${d.date}  ${signed(d.net).padStart(14)}  ${d.trades} trade${d.trades === 1 ? '' : 's'}`);
  }
  if (r.trades.length) {
    lines.push('', 'Trades:');
    for (const t of r.trades) {
      lines.push(`  ${t.time.slice(0, 19).replace('T', ' ')}  ${t.action.padEnd(4)} ${String(t.quantity).padStart(6)} ${t.exchange}:${t.symbol} ${t.product} @ ${t.price.toFixed(2)}  charges ${rupees(t.charges)}  (${t.executionId ?? '?'} ${t.nodeId ?? ''})`);
    }
  }
  const failed = r.runs.filter((x) => x.status !== 'completed');
  if (failed.length) {
    lines.push('', `Failed runs (${failed.length}):`);
    for (const f of failed.slice(0, 20)) lines.push(`  ${f.time.slice(0, 19).replace('T', ' ')}  ${f.executionId}  ${f.error ?? ''}`);
    if (failed.length > 20) lines.push(`  … and ${failed.length - 20} more (--json lists every run)`);
  }
  lines.push('', 'Assumed:', ...r.assumptions.map((a) => `  - ${a}`));
  lines.push('', 'Not modelled:', ...r.notModelled.map((a) => `  - ${a}`));
  return lines.join('\n');
}
