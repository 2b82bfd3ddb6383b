// Nodes that read one bar or one period from history: priorPeriodOhlc and barOffset, as OpenAlgo's
// execute_prior_period_ohlc and execute_bar_offset (same fields, windows and output keys).

import { zonedDate } from '../market/clock.js';
import { f } from '../contract/fields.js';
import { closedBars, fetchCandles, lookbackDays, PERIODS, periodInterval, periodLookback, priorPeriod } from './history.js';
import { sourceField } from './indicators/node.js';
import { exchangeField, failure, MAX_HISTORY_BARS, symbolField } from './shared.js';
import { defineNode } from './types.js';

export const priorPeriodOhlc = defineNode({
  type: 'priorPeriodOhlc', category: 'data', label: 'Previous period OHLC',
  description: 'The last fully closed hour, day, week or month: {{name.pdh}}, {{name.pdl}}, {{name.pdc}}, {{name.open}} …',
  fields: {
    symbol: symbolField({ required: true }),
    exchange: exchangeField(),
    period: f.enum(PERIODS, { label: 'Period', default: 'previous_day' }),
    source: sourceField(),
  },
  async run(ctx, p) {
    const now = ctx.now();
    const interval = periodInterval(p.period);
    ctx.log(`Fetching ${p.period} OHLC for: ${p.symbol} (${p.exchange})`);
    const got = await fetchCandles(ctx.broker, { symbol: p.symbol, exchange: p.exchange, interval, source: p.source, days: periodLookback(p.period) }, now, ctx.timezone, ctx.signal);
    if (!got.ok) return failure(got.message);
    // The calendar date, as OpenAlgo's prior_period_ohlc (not the 03:00 session roll-over).
    const row = priorPeriod(got.bars, p.period, now, ctx.timezone, zonedDate(now, ctx.timezone));
    if (!row) return failure(`not enough history to determine ${p.period} for ${p.symbol}`);
    ctx.log(`${p.period} OHLC for ${p.symbol}: H=${row.high} L=${row.low} C=${row.close} (bucket=${row.date})`);
    return { status: 'success', symbol: p.symbol, exchange: p.exchange, period: p.period, ...row, pdh: row.high, pdl: row.low, pdc: row.close };
  },
});

export const barOffset = defineNode({
  type: 'barOffset', category: 'data', label: 'Bar N back',
  description: 'OHLCV of the bar offsetBars before the latest closed one (0 = latest closed; the forming bar is never used).',
  fields: {
    symbol: symbolField({ required: true }),
    exchange: exchangeField(),
    interval: f.string({ label: 'Interval', default: 'D', description: 'D, 5m, 1h …; with source db also 2m, 25m, 2h, W, M, Q, Y' }),
    source: sourceField(),
    offsetBars: f.integer({ label: 'Bars back', description: `0 = latest closed bar; at most ${MAX_HISTORY_BARS - 1}`, default: 0, min: 0 }),
  },
  async run(ctx, p) {
    const now = ctx.now();
    // OpenAlgo clamps the offset to the history cap rather than refusing it.
    const offset = Math.min(p.offsetBars, MAX_HISTORY_BARS - 1);
    ctx.log(`Fetching bar offset ${offset} for ${p.symbol} (${p.interval})`);
    const got = await fetchCandles(ctx.broker, { symbol: p.symbol, exchange: p.exchange, interval: p.interval, source: p.source, days: lookbackDays(p.interval, offset + 5) }, now, ctx.timezone, ctx.signal);
    if (!got.ok) return failure(got.message);
    const bars = closedBars(got.bars, p.interval, now, ctx.timezone);
    const bar = bars[bars.length - 1 - offset];
    if (!bar) return failure(`Not enough history to reach ${offset} bars back for ${p.symbol} (${bars.length} closed bars)`);
    return {
      status: 'success', symbol: p.symbol, exchange: p.exchange, offsetBars: offset,
      timestamp: bar.timestamp, open: bar.open, high: bar.high, low: bar.low, close: bar.close, volume: bar.volume,
    };
  },
});
