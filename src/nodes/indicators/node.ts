// The indicator node, as OpenAlgo's execute_indicator: any of its 116 indicators over a symbol's
// history (the forming bar included, as OpenAlgo computes on what the broker returns) or nested over
// another node's series; the answer is compute_indicator's (compute.ts).

import { zonedDate } from '../../market/clock.js';
import { f, FieldError } from '../../contract/fields.js';
import { bucketStart, fetchCandles, lookbackDays } from '../history.js';
import { anyValue, customField, exchangeField, failure, symbolField, parseNumber } from '../shared.js';
import { defineNode, type NodeResult } from '../types.js';
import { clampBars, computeIndicator, INDICATOR_NAMES, resolveParams, type Bar } from './compute.js';
import type { PeriodKeys } from './vwap.js';

/** "db" builds intervals the broker lacks from 1-minute or daily candles (history.ts). */
export const sourceField = () =>
  f.enum(['api', 'db'], { label: 'Source', description: 'api: the broker’s candles; db: custom intervals (2m, 25m, 2h, W, M, Q, Y) built from 1-minute or daily candles', default: 'api' });

/** The params field: a JSON object, or a JSON string of one (OpenAlgo stores a string). */
const paramsField = () =>
  customField<Record<string, unknown>>('json', { label: 'Parameters', description: 'JSON object, e.g. {"period": 14}; blank uses the indicator’s defaults', default: {} }, (v) => {
    let raw = v;
    if (typeof raw === 'string') {
      try {
        raw = JSON.parse(raw);
      } catch {
        throw new FieldError(`is not valid JSON: ${v}`);
      }
    }
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new FieldError('must be a JSON object, e.g. {"period": 14}');
    return raw as Record<string, unknown>;
  });

/** The editor's list and its wording are f.enum's; the two-series and broken ones OpenAlgo refuses are not in it. */
const nameField = () =>
  f.enum(INDICATOR_NAMES as [string, ...string[]], {
    label: 'Indicator', default: 'sma',
    description: 'Not available, as in OpenAlgo: crossover, crossunder, cross, correlation, beta, exrem, flip, valuewhen (two series), median_bands, ulcerindex, vi',
  });

export const indicator = defineNode({
  type: 'indicator', category: 'data', label: 'Indicator',
  description: 'Any of OpenAlgo’s 116 indicators (docs/indicators.md) over the symbol’s history, or nested over another series: {{name.latest.value}}, {{name.previous.value}}, {{name.at_offset.out0}}, {{name.series[0].value}}.',
  fields: {
    symbol: symbolField(),
    exchange: exchangeField(),
    interval: f.string({ label: 'Interval', default: 'D' }),
    source: sourceField(),
    indicatorName: nameField(),
    params: paramsField(),
    lookbackBars: f.integer({ label: 'Bars', description: `Bars reported on; ${50} more are fetched for warm-up, ${200} at most`, default: 100, min: 0 }),
    tailBars: f.integer({ label: 'Series length', description: 'Rows in {{name.series}}, oldest first (1 to 200)', default: 5, min: 0 }),
    offsetBars: f.integer({ label: 'Offset', description: 'Bars back for {{name.at_offset}} (0 = latest)', default: 0, min: 0 }),
    sourceSeries: anyValue({ label: 'Nest over', description: 'Another series, e.g. {{rsi.series}} or {{h.data}}' }),
    sourceField: f.string({ label: 'Series field', description: 'Blank: value, out0 or close', default: '' }),
  },
  check(p) {
    const resolved = resolveParams(p.indicatorName, p.params);
    return resolved.ok ? [] : [{ field: 'params', message: resolved.message }];
  },
  async run(ctx, p): Promise<NodeResult> {
    const nested = p.sourceSeries !== undefined && p.sourceSeries !== null && p.sourceSeries !== '';
    const opts = { tailBars: p.tailBars, offsetBars: p.offsetBars, lookbackBars: p.lookbackBars };
    if (nested) {
      const series = readSeries(p.sourceSeries, p.sourceField);
      if (!series.ok) return failure(series.message);
      ctx.log(`Computing nested ${p.indicatorName} over ${series.values.length} upstream values`);
      return report(ctx, computeIndicator(null, p.indicatorName, p.params, { ...opts, nested: series.values }));
    }
    if (!p.symbol) return failure('symbol is required (or set sourceSeries to nest over another series)');
    const bars = clampBars(p.lookbackBars);
    ctx.log(`Computing ${p.indicatorName} for ${p.symbol} (${p.interval}, ${bars} bars)`);
    const got = await fetchCandles(ctx.broker, { symbol: p.symbol, exchange: p.exchange, interval: p.interval, source: p.source, days: lookbackDays(p.interval, bars) }, ctx.now(), ctx.timezone, ctx.signal);
    if (!got.ok) return failure(got.message);
    const sessionOf = (t: number): PeriodKeys => {
      const day = zonedDate(new Date(t * 1000), ctx.timezone);
      return { day, week: bucketStart(day, { kind: 'week', count: 1 }), month: day.slice(0, 7), quarter: bucketStart(day, { kind: 'month', count: 3 }), year: day.slice(0, 4) };
    };
    return report(ctx, computeIndicator(got.bars as Bar[], p.indicatorName, p.params, { ...opts, sessionOf }));
  },
});

function report(ctx: { log(m: string, l?: 'info' | 'error'): void }, result: ReturnType<typeof computeIndicator>): NodeResult {
  if (result.status === 'error') {
    ctx.log(`Indicator error: ${result.message}`, 'error');
    return result;
  }
  ctx.log(`${result.indicator}${result.nested ? ' (nested)' : ''} latest: ${JSON.stringify(result.latest)}`);
  return result;
}

/** Reads a nested series: numbers, or rows with value/out0/close (or the named field); nulls are skipped. */
export function readSeries(raw: unknown, field: string): { ok: true; values: number[] } | { ok: false; message: string } {
  let list = raw;
  if (typeof list === 'string') {
    try {
      list = JSON.parse(list);
    } catch {
      return { ok: false, message: 'sourceSeries did not resolve to a JSON array (is the upstream node’s output variable set?)' };
    }
  }
  if (!Array.isArray(list)) return { ok: false, message: 'sourceSeries must resolve to an array' };
  const values: number[] = [];
  for (const item of list) {
    let v: unknown = item;
    if (item !== null && typeof item === 'object') {
      const row = item as Record<string, unknown>;
      v = field ? row[field] : ['value', 'out0', 'close'].map((k) => row[k]).find((x) => x !== undefined && x !== null);
    }
    if (v === undefined || v === null) continue;
    const n = parseNumber(v);
    if (n === null) return { ok: false, message: `sourceSeries contains a non-numeric value: ${JSON.stringify(v)}` };
    values.push(n);
  }
  return { ok: true, values };
}
