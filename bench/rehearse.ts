// rehearse (issue 16): how fast a workflow replays on past market days, and in how much memory.
//
// The workflow: a price alert per symbol (every 0.1 % rise, every time) → positionCheck → a market
// BUY; a schedule at 15:10 → closePositions and cancelAllOrders (3 order nodes). Prices are the
// paper market's 1-minute candles (≈ 7,500 a symbol a month, four ticks each). Goals: one month,
// one symbol ≤ 1 s; one year, five symbols ≤ 30 s and ≤ 300 MB RSS.
//
//   npm run bench -- rehearse [--runs 3]

import type { Workflow } from '../src/workflow/schema.js';
import { PaperCandles, rehearse, type Report } from '../src/rehearse/index.js';
import { environment, fmt, intArg, median, parseArgs, printEnvironment, printTable, writeResult } from './lib.js';

const SYMBOLS = ['SBIN', 'RELIANCE', 'INFY', 'TCS', 'HDFCBANK'];

export function workflow(symbols: string[]): Workflow {
  const nodes: Array<{ id: string; type: string; position: { x: number; y: number }; data: Record<string, unknown> }> = [];
  const edges: Array<{ id: string; source: string; target: string; sourceHandle?: string }> = [];
  const at = (x: number, y: number) => ({ x: x * 220, y: y * 110 });
  symbols.forEach((symbol, i) => {
    nodes.push({ id: `alert_${symbol}`, type: 'priceAlert', position: at(i, 0), data: { symbol, exchange: 'NSE', condition: 'moving_up_percent', percentage: 0.1, trigger: 'every_time' } });
    nodes.push({ id: `flat_${symbol}`, type: 'positionCheck', position: at(i, 1), data: { symbol, exchange: 'NSE', product: 'MIS', condition: 'not_exists' } });
    nodes.push({ id: `buy_${symbol}`, type: 'placeOrder', position: at(i, 2), data: { symbol, exchange: 'NSE', action: 'BUY', quantity: 10, priceType: 'MARKET', product: 'MIS' } });
    edges.push({ id: `a${i}`, source: `alert_${symbol}`, target: `flat_${symbol}`, sourceHandle: 'true' });
    edges.push({ id: `b${i}`, source: `flat_${symbol}`, target: `buy_${symbol}`, sourceHandle: 'true' });
  });
  nodes.push({ id: 'close_time', type: 'start', position: at(0, 4), data: { scheduleType: 'daily', time: '15:10' } });
  nodes.push({ id: 'close', type: 'closePositions', position: at(0, 5), data: {} });
  nodes.push({ id: 'cancel', type: 'cancelAllOrders', position: at(0, 6), data: {} });
  edges.push({ id: 'c1', source: 'close_time', target: 'close' }, { id: 'c2', source: 'close', target: 'cancel' });
  return { name: `bench ${symbols.length} symbols`, nodes, edges } as unknown as Workflow;
}

interface Measure { ms: number; peakRssMb: number; ticks: number; runs: number; trades: number; days: number }

async function measure(symbols: string[], from: string, to: string): Promise<Measure> {
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 50);
  const t0 = performance.now();
  let report: Report;
  try {
    report = await rehearse({ workflow: workflow(symbols), from, to, source: new PaperCandles() });
  } finally {
    clearInterval(sampler);
  }
  const ms = performance.now() - t0;
  peak = Math.max(peak, process.memoryUsage().rss);
  return { ms, peakRssMb: peak / 2 ** 20, ticks: report.counts.ticks, runs: report.counts.runs, trades: report.trades.length, days: report.counts.tradingDays };
}

export async function run(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  const runs = intArg(args, 'runs', 3);
  const env = environment();
  printEnvironment('rehearse: a workflow replayed on past days (paper prices, 1-minute candles, 4 ticks each)', env);
  // Warm-up: module-level caches (Intl formatters, croner patterns) belong to no measurement.
  await measure(['SBIN'], '2026-09-01', '2026-09-03');
  const month: Measure[] = [];
  const year: Measure[] = [];
  const startRssMb = process.memoryUsage().rss / 2 ** 20;
  // The years first: a process's RSS seldom shrinks, so only the first year's peak is its own.
  for (let r = 1; r <= runs; r++) {
    process.stdout.write(`  run ${r}/${runs}… `);
    year.push(await measure(SYMBOLS, '2025-11-28', '2026-11-27'));
    console.log('done');
  }
  for (let r = 1; r <= runs; r++) month.push(await measure(['SBIN'], '2026-10-01', '2026-10-31'));
  const row = (name: string, list: Measure[], goalMs: number, goalMb: number | null) => {
    const m = list[0];
    const ms = median(list.map((x) => x.ms));
    const mb = list[0].peakRssMb;
    return [name, String(m.days), fmt(m.ticks), fmt(m.runs), fmt(m.trades), fmt(ms), `${fmt(goalMs)}`, fmt(mb), goalMb === null ? '—' : fmt(goalMb), ms <= goalMs && (goalMb === null || mb <= goalMb) ? 'met' : 'MISSED'];
  };
  console.log(`\n  medians of ${runs} runs; peak RSS of the first run (sampled every 50 ms), the whole process, which held ${fmt(startRssMb)} MB before it`);
  printTable([
    ['rehearsal', 'trading days', 'ticks', 'runs', 'trades', 'ms', 'goal ms', 'peak RSS MB', 'goal MB', ''],
    row('1 month, 1 symbol', month, 1_000, null).map((c, i) => (i === 7 ? '—' : c)),
    row('1 year, 5 symbols', year, 30_000, 300),
  ]);
  writeResult('rehearse', { env, month, year });
}
