// One indicator over OHLCV bars (or nested over another series), shaped exactly as OpenAlgo's
// services/indicator_service.py compute_indicator returns it: latest / previous / at_offset / series
// rows keyed `value` or out0, out1, …; each output column read from its own non-null values; 6 decimals.

import { CATALOG, type Column, type IndicatorSpec, type Inputs, type ParamValue, type Params } from './catalog.js';
import { vwapLine } from './vwap.js';

/** OpenAlgo's FLOW_MAX_HISTORY_BARS default: no node reads more bars than this. */
export const MAX_BARS = 200;
/** Extra rows beyond lookbackBars kept so recursive indicators settle (OpenAlgo's _INDICATOR_WARMUP_BARS). */
export const WARMUP_BARS = 50;

/** Functions OpenAlgo's ta offers that the node refuses, with OpenAlgo's reasons. */
export const REFUSED: Record<string, string> = {
  ...Object.fromEntries(['correlation', 'beta', 'crossover', 'crossunder', 'cross', 'exrem', 'flip', 'valuewhen'].map((k) => [k,
    `'${k}' needs two independent series (a second symbol or two already-computed signals) and cannot run from a single symbol's history. Use two Indicator nodes plus a Math Expression/Var Condition node instead.`])),
  ...Object.fromEntries(['median_bands', 'ulcerindex', 'vi'].map((k) => [k,
    `'${k}' is not available: OpenAlgo's indicator library does not return usable values for it. Pick a different indicator.`])),
};

export const INDICATOR_NAMES = Object.keys(CATALOG).sort();

export interface Bar { timestamp: number; open: number; high: number; low: number; close: number; volume: number }

export type Row = Record<string, number | null>;
export type IndicatorResult =
  | {
    status: 'success'; indicator: string; nested: boolean; offset_bars: number; at_offset: Row; inputs: string[];
    params: Params; outputs: string[]; latest: Row; previous: Row; series: Row[]; bars_used: number;
  }
  | { status: 'error'; message: string; indicator?: string; inputs?: string[]; params?: Params; outputs?: string[]; bars_used?: number };

export const clampBars = (v: number) => Math.max(1, Math.min(Math.trunc(v), MAX_BARS));

/** Looks an indicator up as OpenAlgo does (trimmed, lower-case); the error says why one is refused. */
export function findIndicator(name: string): { ok: true; key: string; spec: IndicatorSpec } | { ok: false; message: string } {
  const key = name.trim().toLowerCase();
  if (REFUSED[key]) return { ok: false, message: REFUSED[key] };
  const spec = CATALOG[key];
  if (!spec) return { ok: false, message: `unknown indicator '${name}' (see docs/indicators.md for the ${INDICATOR_NAMES.length} available)` };
  return { ok: true, key, spec };
}

/**
 * Checks the params object against the indicator: known names, the right type. Returns the params as
 * OpenAlgo echoes them (what was given plus the few it fills in) and the full set used to compute.
 */
export function resolveParams(key: string, given: Record<string, unknown>): { ok: true; echo: Params; full: Params } | { ok: false; message: string } {
  const spec = CATALOG[key];
  const echo: Params = {};
  for (const [name, raw] of Object.entries(given)) {
    const def = spec.params[name];
    if (!def) {
      const accepted = Object.keys(spec.params);
      return { ok: false, message: `${key} has no parameter '${name}' (accepted: ${accepted.length ? accepted.join(', ') : 'none'})` };
    }
    const value = coerce(raw, def.kind, def.options);
    if (value === undefined) {
      const want = def.kind === 'int' ? 'a whole number' : def.kind === 'float' ? 'a number' : def.kind === 'bool' ? 'true or false' : `one of ${def.options?.join(', ')}`;
      return { ok: false, message: `${key} ${name} must be ${want} (got ${JSON.stringify(raw)})` };
    }
    echo[name] = value;
  }
  for (const [name, value] of Object.entries(spec.required ?? {})) if (!(name in echo)) echo[name] = value;
  const full: Params = {};
  for (const [name, def] of Object.entries(spec.params)) full[name] = name in echo ? echo[name] : def.default;
  return { ok: true, echo, full };
}

function coerce(raw: unknown, kind: 'int' | 'float' | 'str' | 'bool', options?: readonly string[]): ParamValue | undefined {
  if (kind === 'str') {
    if (typeof raw !== 'string') return undefined;
    return options?.find((o) => o.toLowerCase() === raw.trim().toLowerCase());
  }
  if (kind === 'bool') {
    if (typeof raw === 'boolean') return raw;
    if (raw === 'true' || raw === 1) return true;
    if (raw === 'false' || raw === 0) return false;
    return undefined;
  }
  const v = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  if (!Number.isFinite(v)) return undefined;
  if (kind === 'int' && !Number.isInteger(v)) return undefined;
  return v;
}

/** Python's round(x, 6): the nearest 6-decimal value of the exact double, ties to even. */
export function round6(x: number): number | null {
  if (!Number.isFinite(x)) return null;
  const exact = Math.abs(x).toFixed(30);
  const tie = /\.\d{6}50*$/.test(exact);
  let r = Number(x.toFixed(6));
  if (tie) {
    const down = Math.trunc(Math.abs(x) * 1e6);
    const even = down % 2 === 0 ? down : down + 1;
    r = (Math.sign(x) * even) / 1e6;
  }
  return Object.is(r, -0) ? 0 : r;
}

export interface ComputeOptions {
  lookbackBars?: number;
  tailBars?: number;
  offsetBars?: number;
  /** Session key of a bar (the exchange-time date), for vwap's anchor. */
  sessionOf?: (timestamp: number) => { day: string; week: string; month: string; quarter: string; year: string };
}

/** compute_indicator over bars (oldest first) or, when `nested` is a list of numbers, over that series. */
export function computeIndicator(bars: Bar[] | null, name: string, givenParams: Record<string, unknown>, opts: ComputeOptions & { nested?: number[] } = {}): IndicatorResult {
  const found = findIndicator(name);
  if (!found.ok) return { status: 'error', message: found.message };
  const { key, spec } = found;
  const params = resolveParams(key, givenParams);
  if (!params.ok) return { status: 'error', message: params.message };
  const tailBars = clampBars(opts.tailBars ?? 5);
  const offset = clampBars((opts.offsetBars ?? 0) + 1) - 1;

  let inputs: Inputs;
  let cols: string[];
  let rows: number;
  let timestamps: number[] = [];
  if (opts.nested) {
    if (!spec.nestable) {
      return { status: 'error', message: `'${key}' takes more than one independent input series (e.g. high/low/close), so it cannot be nested on top of another indicator's single output series. Nest only single-series indicators (SMA, EMA, RSI, WMA, stdev, highest/lowest, ...).` };
    }
    if (opts.nested.length < 2) return { status: 'error', message: 'nested indicator needs at least 2 upstream values' };
    rows = opts.nested.length;
    inputs = { open: [], high: [], low: [], volume: [], close: opts.nested };
    cols = ['data (nested)'];
  } else {
    if (!bars || bars.length === 0) return { status: 'error', message: 'no historical data available for this symbol/date range' };
    const used = bars.slice(-Math.min(clampBars(opts.lookbackBars ?? 100) + WARMUP_BARS, MAX_BARS));
    rows = used.length;
    const col = (c: Column) => used.map((b) => b[c]);
    inputs = { open: col('open'), high: col('high'), low: col('low'), close: col('close'), volume: col('volume') };
    timestamps = used.map((b) => b.timestamp);
    cols = spec.inputs;
  }

  const problem = spec.check?.(params.full, rows) ?? null;
  if (problem) return { status: 'error', message: problem };
  let series: number[][];
  if (key === 'vwap') {
    const line = vwapLine(inputs, timestamps, params.full, opts.sessionOf);
    if (!line.ok) return { status: 'error', message: line.message };
    series = [line.values];
  } else series = spec.compute(inputs, params.full);

  const outputs = series.length === 1 ? ['value'] : series.map((_, i) => `out${i}`);
  // OpenAlgo drops each column's nulls separately, so position k counts that column's values only.
  const present = series.map((s) => s.filter((v) => !Number.isNaN(v)));
  const at = (fromEnd: number): Row => {
    const row: Row = {};
    outputs.forEach((o, k) => {
      const v = present[k][present[k].length + fromEnd];
      row[o] = v === undefined ? null : round6(v);
    });
    return row;
  };
  const latest = at(-1);
  if (Object.values(latest).every((v) => v === null)) {
    return {
      status: 'error', indicator: key,
      message: `Indicator '${key}' produced no value over ${rows} bars - every output was null. Increase the lookback if the indicator needs a longer warm-up, or check that this indicator is usable with the selected inputs.`,
      inputs: cols, params: params.echo, outputs, bars_used: rows,
    };
  }
  const tail: Row[] = [];
  for (let k = -tailBars; k < 0; k++) tail.push(at(k));
  return {
    status: 'success', indicator: key, nested: Boolean(opts.nested), offset_bars: offset, at_offset: at(-1 - offset),
    inputs: cols, params: params.echo, outputs, latest, previous: at(-2), series: tail, bars_used: rows,
  };
}
