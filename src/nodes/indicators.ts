// Technical indicators for the indicator node, in plain TypeScript over arrays. Every function
// returns series aligned with its input; bars still warming up are null.

export type Series = Array<number | null>;

export interface Bars {
  timestamp: number[];
  open: number[];
  high: number[];
  low: number[];
  close: number[];
  volume: number[];
}

/** Simple moving average. */
export function sma(values: Series, period: number): Series {
  const out: Series = new Array(values.length).fill(null);
  let sum = 0;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null) {
      sum = 0;
      count = 0;
      continue;
    }
    sum += v;
    count++;
    if (count > period) sum -= values[i - period] as number;
    if (count >= period) out[i] = sum / period;
  }
  return out;
}

/** Exponential moving average (alpha = 2/(n+1)), seeded with the SMA of the first n values; leading nulls are skipped. */
export function ema(values: Series, period: number): Series {
  return smoothed(values, period, 2 / (period + 1));
}

/** Wilder's smoothing (alpha = 1/n), used by RSI and ATR. */
export function rma(values: Series, period: number): Series {
  return smoothed(values, period, 1 / period);
}

function smoothed(values: Series, period: number, alpha: number): Series {
  const out: Series = new Array(values.length).fill(null);
  const start = values.findIndex((v) => v !== null);
  if (start < 0) return out;
  let prev: number | null = null;
  let seed = 0;
  for (let i = start; i < values.length; i++) {
    const v = values[i];
    if (v === null) return out; // a gap after the warm-up would make the average meaningless
    if (prev === null) {
      seed += v;
      if (i - start + 1 === period) {
        prev = seed / period;
        out[i] = prev;
      }
      continue;
    }
    prev = alpha * v + (1 - alpha) * prev;
    out[i] = prev;
  }
  return out;
}

/** Linearly weighted moving average (weights 1..n, newest heaviest). */
export function wma(values: Series, period: number): Series {
  const out: Series = new Array(values.length).fill(null);
  const denom = (period * (period + 1)) / 2;
  for (let i = period - 1; i < values.length; i++) {
    let acc = 0;
    let ok = true;
    for (let k = 0; k < period; k++) {
      const v = values[i - period + 1 + k];
      if (v === null) {
        ok = false;
        break;
      }
      acc += v * (k + 1);
    }
    if (ok) out[i] = acc / denom;
  }
  return out;
}

/** Population standard deviation over a rolling window. */
export function stdev(values: Series, period: number): Series {
  const mean = sma(values, period);
  return values.map((_, i) => {
    const m = mean[i];
    if (m === null) return null;
    let acc = 0;
    for (let k = i - period + 1; k <= i; k++) acc += ((values[k] as number) - m) ** 2;
    return Math.sqrt(acc / period);
  });
}

function rolling(values: Series, period: number, pick: (a: number, b: number) => number): Series {
  return values.map((_, i) => {
    if (i < period - 1) return null;
    let best: number | null = null;
    for (let k = i - period + 1; k <= i; k++) {
      const v = values[k];
      if (v === null) return null;
      best = best === null ? v : pick(best, v);
    }
    return best;
  });
}
export const highest = (values: Series, period: number) => rolling(values, period, Math.max);
export const lowest = (values: Series, period: number) => rolling(values, period, Math.min);

/** Relative strength index (Wilder). */
export function rsi(values: Series, period: number): Series {
  const gains: Series = [null];
  const losses: Series = [null];
  for (let i = 1; i < values.length; i++) {
    const a = values[i - 1];
    const b = values[i];
    if (a === null || b === null) {
      gains.push(null);
      losses.push(null);
    } else {
      gains.push(Math.max(b - a, 0));
      losses.push(Math.max(a - b, 0));
    }
  }
  const g = rma(gains, period);
  const l = rma(losses, period);
  return g.map((gain, i) => {
    const loss = l[i];
    if (gain === null || loss === null) return null;
    if (loss === 0) return gain === 0 ? 50 : 100;
    return 100 - 100 / (1 + gain / loss);
  });
}

/** MACD line, signal and histogram. */
export function macd(values: Series, fast: number, slow: number, signal: number): [Series, Series, Series] {
  const f = ema(values, fast);
  const s = ema(values, slow);
  const line: Series = f.map((v, i) => (v === null || s[i] === null ? null : v - (s[i] as number)));
  const sig = ema(line, signal);
  const hist: Series = line.map((v, i) => (v === null || sig[i] === null ? null : v - (sig[i] as number)));
  return [line, sig, hist];
}

/** Bollinger bands: upper, middle (SMA), lower. */
export function bbands(values: Series, period: number, stdDev: number): [Series, Series, Series] {
  const mid = sma(values, period);
  const sd = stdev(values, period);
  const upper = mid.map((m, i) => (m === null ? null : m + stdDev * (sd[i] as number)));
  const lower = mid.map((m, i) => (m === null ? null : m - stdDev * (sd[i] as number)));
  return [upper, mid, lower];
}

/** True range, then Wilder's average of it. */
export function atr(bars: Bars, period: number): Series {
  const tr: Series = bars.close.map((_, i) => {
    const hl = bars.high[i] - bars.low[i];
    if (i === 0) return hl;
    const pc = bars.close[i - 1];
    return Math.max(hl, Math.abs(bars.high[i] - pc), Math.abs(bars.low[i] - pc));
  });
  return rma(tr, period);
}

/** Supertrend: the trailing level and its direction (1 = up trend, the level is support; -1 = down trend, resistance). */
export function supertrend(bars: Bars, period: number, multiplier: number): [Series, Series] {
  const a = atr(bars, period);
  const n = bars.close.length;
  const level: Series = new Array(n).fill(null);
  const dir: Series = new Array(n).fill(null);
  let upper = 0;
  let lower = 0;
  let trend = 1;
  let started = false;
  for (let i = 0; i < n; i++) {
    const atrI = a[i];
    if (atrI === null) continue;
    const hl2 = (bars.high[i] + bars.low[i]) / 2;
    const basicUpper = hl2 + multiplier * atrI;
    const basicLower = hl2 - multiplier * atrI;
    if (!started) {
      upper = basicUpper;
      lower = basicLower;
      trend = bars.close[i] >= hl2 ? 1 : -1;
      started = true;
    } else {
      const prevClose = bars.close[i - 1];
      upper = basicUpper < upper || prevClose > upper ? basicUpper : upper;
      lower = basicLower > lower || prevClose < lower ? basicLower : lower;
      if (trend === -1 && bars.close[i] > upper) trend = 1;
      else if (trend === 1 && bars.close[i] < lower) trend = -1;
    }
    level[i] = trend === 1 ? lower : upper;
    dir[i] = trend;
  }
  return [level, dir];
}

/** Volume-weighted average price of the typical price, restarting each session (the bar's date in `sessionOf`). */
export function vwap(bars: Bars, sessionOf: (timestamp: number) => string): Series {
  let session = '';
  let pv = 0;
  let vol = 0;
  return bars.close.map((c, i) => {
    const s = sessionOf(bars.timestamp[i]);
    if (s !== session) {
      session = s;
      pv = 0;
      vol = 0;
    }
    const tp = (bars.high[i] + bars.low[i] + c) / 3;
    pv += tp * bars.volume[i];
    vol += bars.volume[i];
    return vol > 0 ? pv / vol : tp;
  });
}

// ---- the catalogue ---------------------------------------------------------

interface ParamSpec { default: number; integer: boolean; min: number; max: number; aliases: string[] }
const period = (def: number): ParamSpec => ({ default: def, integer: true, min: 1, max: 500, aliases: ['length', 'timeperiod', 'n'] });

export interface IndicatorDef {
  outputs: string[];
  /** Needs high/low/volume, not just one series (so it cannot be nested over another indicator). */
  needsBars: boolean;
  params: Record<string, ParamSpec>;
  compute(input: { values: Series; bars?: Bars; sessionOf: (t: number) => string }, p: Record<string, number>): Series[];
}

export const INDICATORS: Record<string, IndicatorDef> = {
  sma: { outputs: ['value'], needsBars: false, params: { period: period(20) }, compute: ({ values }, p) => [sma(values, p.period)] },
  ema: { outputs: ['value'], needsBars: false, params: { period: period(20) }, compute: ({ values }, p) => [ema(values, p.period)] },
  wma: { outputs: ['value'], needsBars: false, params: { period: period(20) }, compute: ({ values }, p) => [wma(values, p.period)] },
  rsi: { outputs: ['value'], needsBars: false, params: { period: period(14) }, compute: ({ values }, p) => [rsi(values, p.period)] },
  stdev: { outputs: ['value'], needsBars: false, params: { period: period(20) }, compute: ({ values }, p) => [stdev(values, p.period)] },
  highest: { outputs: ['value'], needsBars: false, params: { period: period(20) }, compute: ({ values }, p) => [highest(values, p.period)] },
  lowest: { outputs: ['value'], needsBars: false, params: { period: period(20) }, compute: ({ values }, p) => [lowest(values, p.period)] },
  macd: {
    outputs: ['line', 'signal', 'histogram'],
    needsBars: false,
    params: {
      fast_period: { ...period(12), aliases: ['fast', 'fastperiod'] },
      slow_period: { ...period(26), aliases: ['slow', 'slowperiod'] },
      signal_period: { ...period(9), aliases: ['signal', 'signalperiod'] },
    },
    compute: ({ values }, p) => macd(values, p.fast_period, p.slow_period, p.signal_period),
  },
  bbands: {
    outputs: ['upper', 'middle', 'lower'],
    needsBars: false,
    params: { period: period(20), std_dev: { default: 2, integer: false, min: 0.01, max: 10, aliases: ['std', 'stddev', 'nbdev', 'multiplier'] } },
    compute: ({ values }, p) => bbands(values, p.period, p.std_dev),
  },
  atr: { outputs: ['value'], needsBars: true, params: { period: period(14) }, compute: ({ bars }, p) => [atr(bars!, p.period)] },
  supertrend: {
    outputs: ['level', 'direction'],
    needsBars: true,
    params: { period: period(10), multiplier: { default: 3, integer: false, min: 0.01, max: 20, aliases: ['factor', 'mult'] } },
    compute: ({ bars }, p) => supertrend(bars!, p.period, p.multiplier),
  },
  vwap: { outputs: ['value'], needsBars: true, params: {}, compute: ({ bars, sessionOf }) => [vwap(bars!, sessionOf)] },
};

export const INDICATOR_NAMES = Object.keys(INDICATORS);

/** Resolves an indicator's params (with accepted spellings and defaults); throws on an unknown or out-of-range one. */
export function indicatorParams(name: string, given: Record<string, unknown>): Record<string, number> {
  const def = INDICATORS[name];
  const out: Record<string, number> = {};
  const seen = new Set<string>();
  for (const [key, spec] of Object.entries(def.params)) {
    const names = [key, ...spec.aliases];
    const found = names.find((n) => given[n] !== undefined && given[n] !== null && given[n] !== '');
    for (const n of names) if (given[n] !== undefined) seen.add(n);
    if (found === undefined) {
      out[key] = spec.default;
      continue;
    }
    const raw = given[found];
    const v = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
    if (!Number.isFinite(v) || (spec.integer && !Number.isInteger(v)) || v < spec.min || v > spec.max) {
      throw new Error(`${name} ${key} must be ${spec.integer ? 'a whole number' : 'a number'} from ${spec.min} to ${spec.max} (got ${JSON.stringify(raw)})`);
    }
    out[key] = v;
  }
  const unknown = Object.keys(given).filter((k) => !seen.has(k));
  if (unknown.length) {
    const accepted = Object.keys(def.params);
    throw new Error(`${name} has no parameter ${unknown.map((k) => `'${k}'`).join(', ')} (accepted: ${accepted.length ? accepted.join(', ') : 'none'})`);
  }
  return out;
}
