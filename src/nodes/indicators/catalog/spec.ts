// What an indicator entry is, and the small helpers every family file shares.

import { ema, highest, lowest, map, nan, winMean, zip, type Arr } from '../kernels.js';

export type Column = 'open' | 'high' | 'low' | 'close' | 'volume';
export type ParamValue = number | string | boolean;

export interface ParamDef {
  kind: 'int' | 'float' | 'str' | 'bool';
  default: ParamValue;
  /** For text parameters: the values OpenAlgo accepts (matched without regard to case). */
  options?: readonly string[];
}

export interface IndicatorSpec {
  /** OHLCV columns fed in, in the ta function's argument order (`data` is the close). */
  inputs: Column[];
  /** Only a single `data` series: can be nested over another indicator's series. */
  nestable: boolean;
  params: Record<string, ParamDef>;
  /** Parameters OpenAlgo's node fills in when absent (its _REQUIRED_PARAM_DEFAULTS); echoed in `params`. */
  required?: Record<string, number>;
  outputs: number;
  /** What OpenAlgo's wrapper refuses before computing (a period longer than the data, …); the message is its. */
  check?(p: Params, bars: number): string | null;
  compute(x: Inputs, p: Params): Arr[];
}

export type Inputs = Record<Column, Arr>;
export type Params = Record<string, ParamValue>;

export const int = (d: number): ParamDef => ({ kind: 'int', default: d });
export const num = (d: number): ParamDef => ({ kind: 'float', default: d });
export const str = (d: string, options: readonly string[]): ParamDef => ({ kind: 'str', default: d, options });
export const bool = (d: boolean): ParamDef => ({ kind: 'bool', default: d });
export const n = (p: Params, k: string) => p[k] as number;

/** OpenAlgo's validate_period: a positive whole period no longer than the data. */
function periodProblem(period: number, bars: number): string | null {
  if (period <= 0) return `Period must be positive, got ${period}`;
  if (period > bars) return `Period (${period}) cannot be greater than data length (${bars})`;
  return null;
}
export const periods = (...keys: Array<string | ((p: Params) => number)>) => (p: Params, bars: number) => {
  for (const k of keys) {
    const problem = periodProblem(typeof k === 'string' ? n(p, k) : k(p), bars);
    if (problem) return problem;
  }
  return null;
};
export const positive = (...keys: string[]) => (p: Params) => {
  for (const k of keys) if (n(p, k) <= 0) return `${k} must be positive, got ${n(p, k)}`;
  return null;
};
export const both = (...checks: Array<(p: Params, bars: number) => string | null>) => (p: Params, bars: number) => {
  for (const c of checks) {
    const problem = c(p, bars);
    if (problem) return problem;
  }
  return null;
};

export const sub = (a: Arr, b: Arr) => zip(a, b, (x, y) => x - y);
export const add = (a: Arr, b: Arr) => zip(a, b, (x, y) => x + y);
export const scale = (a: Arr, k: number) => map(a, (x) => x * k);
export const hl2 = (x: Inputs) => zip(x.high, x.low, (h, l) => (h + l) / 2);
export const hlc3 = (x: Inputs) => x.close.map((c, i) => (x.high[i] + x.low[i] + c) / 3);
export const don = (x: Inputs, p: number) => zip(highest(x.high, p), lowest(x.low, p), (h, l) => (h + l) / 2);

/** A ta function's boolean output becomes 1/0 in OpenAlgo's node (float(True)). */
export const bools = (a: boolean[]) => a.map((b) => (b ? 1 : 0));
export const MA_SE = ['SMA', 'EMA'] as const;

/** f(value, value k bars earlier); NaN for the first k bars. */
export function lagged(d: Arr, k: number, f: (now: number, then: number) => number): Arr {
  const out = nan(d.length);
  for (let i = k; i < d.length; i++) out[i] = f(d[i], d[i - k]);
  return out;
}

/** Fast MA minus slow MA, SMA (window mean) or EMA by `ma_type` (apo, po). */
export function maDiff(d: Arr, p: Params): Arr {
  const emaType = String(p.ma_type).toUpperCase() === 'EMA';
  const f = emaType ? ema(d, n(p, 'fast_period')) : winMean(d, n(p, 'fast_period'));
  const s = emaType ? ema(d, n(p, 'slow_period')) : winMean(d, n(p, 'slow_period'));
  return sub(f, s);
}
