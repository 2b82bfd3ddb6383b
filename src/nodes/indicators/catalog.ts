// The indicator catalogue: OpenAlgo's Flow indicator reference (docs/prompt/indicators/flow indicator
// reference.md), one entry per `ta` function: its input columns, parameters with OpenAlgo's defaults,
// number of outputs and the computation (kernels.ts). Names, parameter names and output order are
// OpenAlgo's, so an exported workflow's params JSON means the same here.

import {
  atrWilder, ema, pairwiseSum, emaFirstValid, emaSma, emaWilder, highest, linregWindow, lowest, map, nan, rmaSmma, roc, rocOsc, roll,
  rollingSum, rsi, shift, sma, stdev, stochSingle, swma, trueRange, winMean, winStd, wma, zip, type Arr,
} from './kernels.js';

export type Column = 'open' | 'high' | 'low' | 'close' | 'volume';
export type ParamValue = number | string | boolean;

export interface ParamDef {
  kind: 'int' | 'float' | 'str' | 'bool';
  default: ParamValue;
  /** For text parameters: the values OpenAlgo accepts (matched exactly, as Python does). */
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

const int = (d: number): ParamDef => ({ kind: 'int', default: d });
const num = (d: number): ParamDef => ({ kind: 'float', default: d });
const str = (d: string, options: readonly string[]): ParamDef => ({ kind: 'str', default: d, options });
const bool = (d: boolean): ParamDef => ({ kind: 'bool', default: d });
const n = (p: Params, k: string) => p[k] as number;

/** OpenAlgo's validate_period: a positive whole period no longer than the data. */
function periodProblem(period: number, bars: number): string | null {
  if (period <= 0) return `Period must be positive, got ${period}`;
  if (period > bars) return `Period (${period}) cannot be greater than data length (${bars})`;
  return null;
}
const periods = (...keys: Array<string | ((p: Params) => number)>) => (p: Params, bars: number) => {
  for (const k of keys) {
    const problem = periodProblem(typeof k === 'string' ? n(p, k) : k(p), bars);
    if (problem) return problem;
  }
  return null;
};
const positive = (...keys: string[]) => (p: Params) => {
  for (const k of keys) if (n(p, k) <= 0) return `${k} must be positive, got ${n(p, k)}`;
  return null;
};
const both = (...checks: Array<(p: Params, bars: number) => string | null>) => (p: Params, bars: number) => {
  for (const c of checks) {
    const problem = c(p, bars);
    if (problem) return problem;
  }
  return null;
};

const sub = (a: Arr, b: Arr) => zip(a, b, (x, y) => x - y);
const add = (a: Arr, b: Arr) => zip(a, b, (x, y) => x + y);
const scale = (a: Arr, k: number) => map(a, (x) => x * k);
const hl2 = (x: Inputs) => zip(x.high, x.low, (h, l) => (h + l) / 2);
const hlc3 = (x: Inputs) => x.close.map((c, i) => (x.high[i] + x.low[i] + c) / 3);
const don = (x: Inputs, p: number) => zip(highest(x.high, p), lowest(x.low, p), (h, l) => (h + l) / 2);

/** DEMA/TEMA: each further EMA restarts on the previous one's values from where they are "valid" (period - 1 on). */
function restartedEma(series: Arr, start: number, period: number): Arr {
  const out = nan(series.length);
  if (start >= series.length) return out;
  const partial = ema(series.slice(start), period);
  for (let k = period - 1; k < partial.length; k++) out[start + k] = partial[k];
  return out;
}

function adxLines(x: Inputs, period: number): [Arr, Arr, Arr] {
  const { high, low, close } = x;
  const len = close.length;
  const tr = trueRange(high, low, close);
  const dmp = new Array<number>(len).fill(0);
  const dmm = new Array<number>(len).fill(0);
  for (let i = 1; i < len; i++) {
    const up = high[i] - high[i - 1];
    const dn = low[i - 1] - low[i];
    dmp[i] = up > dn && up > 0 ? up : 0;
    dmm[i] = dn > up && dn > 0 ? dn : 0;
  }
  const sAtr = emaWilder(tr, period);
  const sP = emaWilder(dmp, period);
  const sM = emaWilder(dmm, period);
  const diP = nan(len);
  const diM = nan(len);
  const dx = nan(len);
  for (let i = period - 1; i < len; i++) {
    if (!Number.isNaN(sAtr[i]) && sAtr[i] > 0) {
      diP[i] = (sP[i] / sAtr[i]) * 100;
      diM[i] = (sM[i] / sAtr[i]) * 100;
      const sum = diP[i] + diM[i];
      if (sum > 0) dx[i] = (Math.abs(diP[i] - diM[i]) / sum) * 100;
    }
  }
  return [diP, diM, emaWilder(dx, period)];
}

/** TA-Lib's directional movement: sums seeded over the first period-1 changes, then Wilder-decayed. */
function talibDm(x: Inputs, period: number, which: 'plus' | 'minus'): Arr {
  const { high, low } = x;
  const out = nan(high.length);
  if (period === 0 || high.length < period) return out;
  const pick = (i: number) => {
    const dp = high[i] - high[i - 1];
    const dm = low[i - 1] - low[i];
    return which === 'plus' ? (dp > 0 && dp > dm ? dp : 0) : dm > 0 && dm > dp ? dm : 0;
  };
  let prev = 0;
  for (let i = 1; i < period; i++) prev += pick(i);
  out[period - 1] = prev;
  for (let i = period; i < high.length; i++) {
    prev = prev - prev / period + pick(i);
    out[i] = prev;
  }
  return out;
}

/** TA-Lib's DX steps (shared by dx, adx_talib and adxr). */
function talibDx(x: Inputs, period: number): { dxAt: (i: number) => number } {
  const { high, low, close } = x;
  const tr = trueRange(high, low, close);
  let sTr = 0;
  let sP = 0;
  let sM = 0;
  for (let i = 1; i < period; i++) {
    const dp = high[i] - high[i - 1];
    const dm = low[i - 1] - low[i];
    if (dp > 0 && dp > dm) sP += dp;
    else if (dm > 0 && dm > dp) sM += dm;
    sTr += tr[i];
  }
  return {
    dxAt(i: number) {
      const dp = high[i] - high[i - 1];
      const dm = low[i - 1] - low[i];
      sTr = sTr - sTr / period + tr[i];
      sP = sP - sP / period + (dp > 0 && dp > dm ? dp : 0);
      sM = sM - sM / period + (dm > 0 && dm > dp ? dm : 0);
      if (sTr !== 0) {
        const pdi = (100 * sP) / sTr;
        const mdi = (100 * sM) / sTr;
        const den = pdi + mdi;
        return den !== 0 ? (100 * Math.abs(pdi - mdi)) / den : 0;
      }
      return 0;
    },
  };
}
function adxTalib(x: Inputs, period: number): Arr {
  const len = x.close.length;
  const out = nan(len);
  if (period === 0 || len < 2 * period) return out;
  const steps = talibDx(x, period);
  let sum = 0;
  for (let i = period; i < 2 * period; i++) sum += steps.dxAt(i);
  let prev = sum / period;
  out[2 * period - 1] = prev;
  for (let i = 2 * period; i < len; i++) {
    prev = (prev * (period - 1) + steps.dxAt(i)) / period;
    out[i] = prev;
  }
  return out;
}

function linregSeries(data: Arr, period: number, at: (slope: number, intercept: number) => number): Arr {
  return roll(data, period, (d, s) => {
    const fit = linregWindow(d, s, period);
    return fit ? at(fit[0], fit[1]) : d[s + period - 1];
  });
}

function aroonLines(x: Inputs, period: number): [Arr, Arr] {
  const { high, low } = x;
  const up = nan(high.length);
  const down = nan(high.length);
  const lookback = period + 1;
  for (let i = lookback - 1; i < high.length; i++) {
    const ws = i - lookback + 1;
    let hp = 0;
    let lp = 0;
    for (let j = 0; j < lookback; j++) {
      if (high[ws + j] > high[ws + hp]) hp = j;
      if (low[ws + j] < low[ws + lp]) lp = j;
    }
    up[i] = (100 * (period - (lookback - 1 - hp))) / period;
    down[i] = (100 * (period - (lookback - 1 - lp))) / period;
  }
  return [up, down];
}

function stochRsi(data: Arr, rsiP: number, stochP: number, kP: number, dP: number): [Arr, Arr] {
  const r = rsi(data, rsiP);
  const len = r.length;
  const sr = nan(len);
  for (let i = stochP - 1; i < len; i++) {
    let hi = -Infinity;
    let lo = Infinity;
    let any = false;
    for (let k = i - stochP + 1; k <= i; k++) {
      if (Number.isNaN(r[k])) continue;
      any = true;
      hi = Math.max(hi, r[k]);
      lo = Math.min(lo, r[k]);
    }
    if (any) sr[i] = hi !== lo ? ((r[i] - lo) / (hi - lo)) * 100 : 50;
  }
  const smooth = (src: Arr, p: number) => {
    const out = nan(len);
    for (let i = p - 1; i < len; i++) {
      let s = 0;
      let c = 0;
      for (let k = i - p + 1; k <= i; k++) if (!Number.isNaN(src[k])) { s += src[k]; c++; }
      if (c) out[i] = s / c;
    }
    return out;
  };
  const k = smooth(sr, kP);
  return [k, smooth(k, dP)];
}

function sarLines(high: Arr, low: Arr, acceleration: number, maximum: number): Arr {
  const len = high.length;
  const sar = new Array<number>(len).fill(0);
  if (len === 0) return sar;
  let trend = 1;
  sar[0] = low[0];
  let af = acceleration;
  let ep = high[0];
  for (let i = 1; i < len; i++) {
    const prev = sar[i - 1];
    sar[i] = prev + af * (ep - prev);
    if (trend === 1) {
      if (low[i] <= sar[i]) {
        trend = -1;
        sar[i] = ep;
        ep = low[i];
        af = acceleration;
      } else {
        if (high[i] > ep) {
          ep = high[i];
          af = Math.min(af + acceleration, maximum);
        }
        sar[i] = i >= 2 ? Math.min(sar[i], low[i - 1], low[i - 2]) : Math.min(sar[i], low[i - 1]);
      }
    } else if (high[i] >= sar[i]) {
      trend = 1;
      sar[i] = ep;
      ep = high[i];
      af = acceleration;
    } else {
      if (low[i] < ep) {
        ep = low[i];
        af = Math.min(af + acceleration, maximum);
      }
      sar[i] = i >= 2 ? Math.max(sar[i], high[i - 1], high[i - 2]) : Math.max(sar[i], high[i - 1]);
    }
  }
  return sar;
}

function fisherLines(data: Arr, length: number): [Arr, Arr] {
  const len = data.length;
  const f1 = nan(len);
  const f2 = nan(len);
  if (length === 0 || len < length) return [f1, f2];
  let value = 0;
  let prev = 0;
  for (let i = length - 1; i < len; i++) {
    let hi = data[i + 1 - length];
    let lo = hi;
    for (let k = i + 1 - length; k <= i; k++) {
      if (data[k] > hi) hi = data[k];
      if (data[k] < lo) lo = data[k];
    }
    if (hi !== lo) {
      const v = 0.66 * ((data[i] - lo) / (hi - lo) - 0.5) + 0.67 * value;
      value = v > 0.99 ? 0.999 : v < -0.99 ? -0.999 : v;
      f1[i] = 0.5 * Math.log((1 + value) / (1 - value)) + 0.5 * prev;
      prev = f1[i];
    } else f1[i] = prev;
    f2[i] = i > length - 1 ? f1[i - 1] : 0;
  }
  return [f1, f2];
}

function framaLine(high: Arr, low: Arr, period: number): Arr {
  const len = high.length;
  const filt = nan(len);
  const price = zip(high, low, (h, l) => (h + l) / 2);
  if (len > 0) filt[0] = price[0];
  const half = Math.floor(period / 2);
  const range = (from: number, to: number, h0: number, l0: number) => {
    let hh = h0;
    let ll = l0;
    for (let k = from; k <= to; k++) {
      if (high[k] > hh) hh = high[k];
      if (low[k] < ll) ll = low[k];
    }
    return hh - ll;
  };
  for (let i = 1; i < len; i++) {
    if (i >= period && half > 0) {
      const n3 = range(i + 1 - period, i, high[i + 1 - period], low[i + 1 - period]) / period;
      const n1 = range(i - half + 1, i, high[i], low[i]) / half;
      const n2 = range(i - period + 1, i - half, high[i - half], low[i - half]) / half;
      const dimen = n1 > 0 && n2 > 0 && n3 > 0 ? (Math.log(n1 + n2) - Math.log(n3)) / Math.LN2 : 1;
      const alpha = Math.max(Math.min(Math.exp(-4.6 * (dimen - 1)), 1), 0.01);
      filt[i] = alpha * price[i] + (1 - alpha) * filt[i - 1];
    } else filt[i] = price[i];
  }
  return price.map((p, i) => {
    if (i < period + 1) return p;
    if (i < 4) return filt[i];
    let s = 0;
    let c = 0;
    for (let j = i - 4; j <= i; j++) if (!Number.isNaN(filt[j])) { s += filt[j]; c++; }
    return c > 0 ? s / c : filt[i];
  });
}

function medianOf(d: Arr, s: number, e: number): number {
  const w = d.slice(s, e);
  if (w.some(Number.isNaN)) return NaN;
  w.sort((a, b) => a - b);
  const m = w.length >> 1;
  return w.length % 2 ? w[m] : (w[m - 1] + w[m]) / 2;
}

function modeLine(data: Arr, period: number, bins: number): Arr {
  return roll(data, period, (d, s, e) => {
    let mn = Infinity;
    let mx = -Infinity;
    for (let k = s; k < e; k++) {
      mn = Math.min(mn, d[k]);
      mx = Math.max(mx, d[k]);
    }
    if (!(mx > mn)) return d[s];
    const bw = (mx - mn) / bins;
    const counts = new Array<number>(bins).fill(0);
    for (let k = s; k < e; k++) counts[Math.min(Math.max(Math.trunc((d[k] - mn) / bw), 0), bins - 1)]++;
    let best = 0;
    for (let b = 1; b < bins; b++) if (counts[b] > counts[best]) best = b;
    return mn + (best + 0.5) * bw;
  });
}

/** A ta function's boolean output becomes 1/0 in OpenAlgo's node (float(True)). */
const bools = (a: boolean[]) => a.map((b) => (b ? 1 : 0));

function fractalLines(high: Arr, low: Arr, periods: number): [Arr, Arr] {
  const len = high.length;
  const up = new Array<boolean>(len).fill(false);
  const down = new Array<boolean>(len).fill(false);
  const side = (v: Arr, better: (a: number, b: number) => boolean, strict: (a: number, b: number) => boolean, center: number) => {
    for (let i = 1; i <= periods; i++) if (!better(v[center], v[center - i])) return false;
    const f = [true, true, true, true, true];
    for (let i = 1; i <= periods; i++) {
      if (center + i < len && !better(v[center], v[center + i])) f[0] = false;
      for (let p = 1; p < 5; p++) {
        for (let q = 1; q <= p; q++) if (center + q < len && strict(v[center + q], v[center])) f[p] = false;
        if (center + i + p < len && !better(v[center], v[center + i + p])) f[p] = false;
      }
    }
    return f.some(Boolean);
  };
  for (let c = periods; c < len - periods; c++) {
    up[c] = side(high, (a, b) => a > b, (a, b) => a > b, c);
    down[c] = side(low, (a, b) => a < b, (a, b) => a < b, c);
  }
  return [bools(up), bools(down)];
}

function variance(data: Arr, lookback: number, mode: string): Arr {
  const len = data.length;
  let source: Arr;
  if (mode === 'LR') {
    source = nan(len);
    for (let i = 1; i < len; i++) if (data[i] > 0 && data[i - 1] > 0) source[i] = Math.log(data[i] / data[i - 1]) * 100;
  } else source = data.slice();
  const out = nan(len);
  if (len < lookback || lookback <= 1) return out;
  let rs = 0;
  let rsq = 0;
  for (let i = 0; i < lookback; i++) if (!Number.isNaN(source[i])) { rs += source[i]; rsq += source[i] * source[i]; }
  const put = (i: number) => {
    const mean = rs / lookback;
    const v = (rsq - lookback * mean * mean) / (lookback - 1);
    if (v >= 0) out[i] = v;
  };
  put(lookback - 1);
  for (let i = lookback; i < len; i++) {
    const old = source[i - lookback];
    const nw = source[i];
    if (!Number.isNaN(old)) { rs -= old; rsq -= old * old; }
    if (!Number.isNaN(nw)) { rs += nw; rsq += nw * nw; }
    put(i);
  }
  return out;
}

const MA_SE = ['SMA', 'EMA'] as const;

export const CATALOG: Record<string, IndicatorSpec> = {
  // ---- trend ----
  sma: { inputs: ['close'], nestable: true, params: { period: int(14) }, required: { period: 14 }, outputs: 1, check: periods('period'), compute: (x, p) => [sma(x.close, n(p, 'period'))] },
  ema: { inputs: ['close'], nestable: true, params: { period: int(14) }, required: { period: 14 }, outputs: 1, check: periods('period'), compute: (x, p) => [ema(x.close, n(p, 'period'))] },
  wma: { inputs: ['close'], nestable: true, params: { period: int(14) }, required: { period: 14 }, outputs: 1, check: periods('period'), compute: (x, p) => [wma(x.close, n(p, 'period'))] },
  dema: {
    inputs: ['close'], nestable: true, params: { period: int(14) }, required: { period: 14 }, outputs: 1, check: periods('period'),
    compute: (x, p) => {
      const per = n(p, 'period');
      const e1 = ema(x.close, per);
      const e2 = restartedEma(e1, per - 1, per);
      return [zip(e1, e2, (a, b) => 2 * a - b)];
    },
  },
  tema: {
    inputs: ['close'], nestable: true, params: { period: int(14) }, required: { period: 14 }, outputs: 1, check: periods('period'),
    compute: (x, p) => {
      const per = n(p, 'period');
      const e1 = ema(x.close, per);
      const second = 2 * per - 2;
      const e2 = restartedEma(e1, per - 1, per);
      let e3 = nan(e1.length);
      const valid = e2.slice(second).filter((v) => !Number.isNaN(v));
      if (second < e2.length && valid.length >= per) {
        const partial = ema(valid, per);
        for (let k = per - 1; k < partial.length && second + k < e3.length; k++) e3[second + k] = partial[k];
      }
      return [e1.map((a, i) => 3 * a - 3 * e2[i] + e3[i])];
    },
  },
  hma: {
    inputs: ['close'], nestable: true, params: { period: int(14) }, required: { period: 14 }, outputs: 1,
    check: periods('period', (p) => Math.floor(n(p, 'period') / 2), (p) => Math.floor(Math.sqrt(n(p, 'period')))),
    compute: (x, p) => {
      const per = n(p, 'period');
      const diff = zip(wma(x.close, Math.floor(per / 2)), wma(x.close, per), (a, b) => 2 * a - b);
      return [wma(diff, Math.floor(Math.sqrt(per)))];
    },
  },
  vwma: {
    inputs: ['close', 'volume'], nestable: false, params: { period: int(14) }, required: { period: 14 }, outputs: 1, check: periods('period'),
    compute: (x, p) => {
      const per = n(p, 'period');
      const pv = zip(x.close, x.volume, (c, v) => c * v);
      const spv = rollingSum(pv, per);
      const sv = rollingSum(x.volume, per);
      return [spv.map((s, i) => (Number.isNaN(sv[i]) ? NaN : sv[i] > 0 ? s / sv[i] : x.close[i]))];
    },
  },
  alma: {
    inputs: ['close'], nestable: true, params: { period: int(21), offset: num(0.85), sigma: num(6.0) }, outputs: 1,
    check: both(periods('period'), (p) => (n(p, 'offset') < 0 || n(p, 'offset') > 1 ? `Offset must be between 0 and 1, got ${n(p, 'offset')}` : null), positive('sigma')),
    compute: (x, p) => {
      const per = n(p, 'period');
      const m = n(p, 'offset') * (per - 1);
      const s = per / n(p, 'sigma');
      const w = Array.from({ length: per }, (_, k) => Math.exp(-((k - m) ** 2) / (2 * s * s)));
      const ws = w.reduce((a, b) => a + b, 0);
      const wn = w.map((v) => v / ws);
      return [roll(x.close, per, (d, st) => wn.reduce((acc, v, k) => acc + v * d[st + k], 0))];
    },
  },
  kama: {
    inputs: ['close'], nestable: true, params: { length: int(14), fast_length: int(2), slow_length: int(30) }, outputs: 1,
    check: both(periods((p) => n(p, 'length') + 1), positive('length', 'fast_length', 'slow_length'),
      (p) => (n(p, 'fast_length') >= n(p, 'slow_length') ? 'Fast length must be less than slow length' : null)),
    compute: (x, p) => {
      const d = x.close;
      const len = n(p, 'length');
      const out = nan(d.length);
      if (d.length < len + 1) return [out];
      const fa = 2 / (n(p, 'fast_length') + 1);
      const sa = 2 / (n(p, 'slow_length') + 1);
      for (let i = len; i < d.length; i++) {
        const mom = Math.abs(d[i] - d[i - len]);
        let vol = 0;
        for (let j = i - len + 1; j <= i; j++) if (j > 0) vol += Math.abs(d[j] - d[j - 1]);
        const er = vol !== 0 ? mom / vol : 0;
        const alpha = (er * (fa - sa) + sa) ** 2;
        const prev = i === len || Number.isNaN(out[i - 1]) ? d[i] : out[i - 1];
        out[i] = alpha * d[i] + (1 - alpha) * prev;
      }
      return [out];
    },
  },
  zlema: {
    inputs: ['close'], nestable: true, params: { period: int(14) }, required: { period: 14 }, outputs: 1, check: periods('period'),
    compute: (x, p) => {
      const per = n(p, 'period');
      const lag = Math.floor((per - 1) / 2);
      const adj = x.close.map((v, i) => (lag > 0 && i >= lag ? 2 * v - x.close[i - lag] : v));
      return [ema(adj, per)];
    },
  },
  t3: {
    inputs: ['close'], nestable: true, params: { period: int(21), v_factor: num(0.7) }, outputs: 1, check: periods('period'),
    compute: (x, p) => {
      const per = n(p, 'period');
      const v = n(p, 'v_factor');
      const gd = (s: Arr) => {
        const e1 = ema(s, per);
        const e2 = ema(e1, per);
        return zip(e1, e2, (a, b) => (1 + v) * a - v * b);
      };
      return [gd(gd(gd(x.close)))];
    },
  },
  frama: {
    inputs: ['high', 'low'], nestable: false, params: { period: int(26) }, outputs: 1,
    check: both(periods('period'), (p) => (n(p, 'period') < 2 ? 'Period must be at least 2 for FRAMA calculation' : n(p, 'period') % 2 ? 'Period must be even for FRAMA calculation' : null)),
    compute: (x, p) => [framaLine(x.high, x.low, n(p, 'period'))],
  },
  supertrend: {
    inputs: ['high', 'low', 'close'], nestable: false, params: { period: int(10), multiplier: num(3.0) }, outputs: 2,
    check: both(periods('period'), positive('multiplier')),
    compute: (x, p) => {
      const { high, low, close } = x;
      const per = n(p, 'period');
      const mult = n(p, 'multiplier');
      const len = close.length;
      const st = nan(len);
      const dir = nan(len);
      const atr = atrWilder(high, low, close, per);
      const ub = atr.map((a, i) => (high[i] + low[i]) / 2 + mult * a);
      const lb = atr.map((a, i) => (high[i] + low[i]) / 2 - mult * a);
      const fv = per - 1;
      if (fv >= len) return [st, dir];
      const fu = nan(len);
      const fl = nan(len);
      fu[fv] = ub[fv];
      fl[fv] = lb[fv];
      dir[fv] = 1;
      st[fv] = ub[fv];
      for (let i = fv + 1; i < len; i++) {
        fl[i] = lb[i] > fl[i - 1] || close[i - 1] < fl[i - 1] ? lb[i] : fl[i - 1];
        fu[i] = ub[i] < fu[i - 1] || close[i - 1] > fu[i - 1] ? ub[i] : fu[i - 1];
        if (st[i - 1] === fu[i - 1]) dir[i] = close[i] > fu[i] ? -1 : 1;
        else dir[i] = close[i] < fl[i] ? 1 : -1;
        st[i] = dir[i] === -1 ? fl[i] : fu[i];
      }
      return [st, dir];
    },
  },
  ichimoku: {
    inputs: ['high', 'low', 'close'], nestable: false,
    params: { conversion_periods: int(9), base_periods: int(26), lagging_span2_periods: int(52), displacement: int(26) }, outputs: 5,
    check: positive('conversion_periods', 'base_periods', 'lagging_span2_periods'),
    compute: (x, p) => {
      const conv = don(x, n(p, 'conversion_periods'));
      const base = don(x, n(p, 'base_periods'));
      const lead1 = zip(conv, base, (a, b) => (a + b) / 2);
      const lead2 = don(x, n(p, 'lagging_span2_periods'));
      const disp = n(p, 'displacement');
      const len = x.close.length;
      const off = disp - 1;
      let la = nan(len);
      let lb = nan(len);
      if (off > 0 && off < len) {
        la = shift(lead1, off);
        lb = shift(lead2, off);
      } else if (off === 0) {
        la = lead1.slice();
        lb = lead2.slice();
      }
      const lag = nan(len);
      const offlag = -disp + 1;
      if (offlag < 0) {
        const sh = -offlag;
        for (let i = 0; i + sh < len; i++) lag[i] = x.close[i + sh];
      } else if (offlag > 0) {
        for (let i = offlag; i < len; i++) lag[i] = x.close[i - offlag];
      } else for (let i = 0; i < len; i++) lag[i] = x.close[i];
      return [conv, base, la, lb, lag];
    },
  },
  ckstop: {
    inputs: ['high', 'low', 'close'], nestable: false, params: { p: int(10), x: num(1.0), q: int(9) }, outputs: 2,
    check: both(periods('p', 'q'), (p) => (n(p, 'x') <= 0 ? `ATR coefficient (x) must be positive, got ${n(p, 'x')}` : null)),
    compute: (x, p) => {
      const P = n(p, 'p');
      const X = n(p, 'x');
      const Q = n(p, 'q');
      const atr = atrWilder(x.high, x.low, x.close, P);
      const fhs = sub(highest(x.high, P), scale(atr, X));
      const fls = add(lowest(x.low, P), scale(atr, X));
      const len = x.close.length;
      const longStop = nan(len);
      const shortStop = nan(len);
      for (let i = P + Q - 2; i < len; i++) {
        const wh = fhs.slice(i - Q + 1, i + 1).filter((v) => !Number.isNaN(v));
        const wl = fls.slice(i - Q + 1, i + 1).filter((v) => !Number.isNaN(v));
        if (wh.length) shortStop[i] = Math.max(...wh);
        if (wl.length) longStop[i] = Math.min(...wl);
      }
      return [longStop, shortStop];
    },
  },
  trima: {
    inputs: ['close'], nestable: true, params: { period: int(20) }, outputs: 1, check: periods('period'),
    compute: (x, p) => {
      const per = n(p, 'period');
      const n1 = Math.floor((per + 1) / 2);
      const n2 = per - n1 + 1;
      const first = winMean(x.close, n1);
      const out = nan(first.length);
      for (let i = n1 + n2 - 2; i < first.length; i++) {
        if (Number.isNaN(first[i])) continue;
        const valid = first.slice(Math.max(0, i - n2 + 1), i + 1).filter((v) => !Number.isNaN(v));
        if (valid.length >= n2) out[i] = valid.slice(-n2).reduce((a, b) => a + b, 0) / n2;
      }
      return [out];
    },
  },
  mcginley: {
    inputs: ['close'], nestable: true, params: { period: int(14) }, outputs: 1, check: periods('period'),
    compute: (x, p) => {
      const d = x.close;
      const per = n(p, 'period');
      const out = nan(d.length);
      if (d.length < per) return [out];
      out[per - 1] = d.slice(0, per).reduce((a, b) => a + b, 0) / per;
      for (let i = per; i < d.length; i++) out[i] = out[i - 1] !== 0 ? out[i - 1] + (d[i] - out[i - 1]) / (per * (d[i] / out[i - 1]) ** 4) : d[i];
      return [out];
    },
  },
  vidya: {
    inputs: ['close'], nestable: true, params: { period: int(14), alpha: num(0.2) }, outputs: 1, check: periods((p) => n(p, 'period') + 1),
    compute: (x, p) => {
      const d = x.close;
      const per = n(p, 'period');
      const alpha = n(p, 'alpha');
      const out = nan(d.length);
      if (d.length < per + 1) return [out];
      const cmo = nan(d.length);
      for (let i = per; i < d.length; i++) {
        let g = 0;
        let l = 0;
        for (let j = i - per + 1; j <= i; j++) {
          if (j <= 0) continue;
          const diff = d[j] - d[j - 1];
          if (diff > 0) g += diff;
          else if (diff < 0) l -= diff;
        }
        cmo[i] = g + l !== 0 ? (100 * (g - l)) / (g + l) : 0;
      }
      out[per] = d[per];
      for (let i = per + 1; i < d.length; i++) out[i] = out[i - 1] + ((alpha * Math.abs(cmo[i])) / 100) * (d[i] - out[i - 1]);
      return [out];
    },
  },
  alligator: {
    inputs: ['close'], nestable: true,
    params: { jaw_period: int(13), jaw_shift: int(8), teeth_period: int(8), teeth_shift: int(5), lips_period: int(5), lips_shift: int(3) }, outputs: 3,
    compute: (x, p) => [
      shift(emaWilder(x.close, n(p, 'jaw_period')), n(p, 'jaw_shift')),
      shift(emaWilder(x.close, n(p, 'teeth_period')), n(p, 'teeth_shift')),
      shift(emaWilder(x.close, n(p, 'lips_period')), n(p, 'lips_shift')),
    ],
  },
  ma_envelopes: {
    inputs: ['close'], nestable: true, params: { period: int(20), percentage: num(2.5), ma_type: str('SMA', MA_SE) }, outputs: 3, check: periods('period'),
    compute: (x, p) => {
      // OpenAlgo takes this SMA with np.mean per window (pairwise summation), not its Rust window mean.
      const ma = String(p.ma_type).toUpperCase() === 'EMA' ? ema(x.close, n(p, 'period')) : roll(x.close, n(p, 'period'), (d, s, e) => pairwiseSum(d, s, e) / (e - s));
      const m = n(p, 'percentage') / 100;
      return [scale(ma, 1 + m), ma, scale(ma, 1 - m)];
    },
  },

  // ---- momentum ----
  rsi: { inputs: ['close'], nestable: true, params: { period: int(14) }, outputs: 1, check: periods('period'), compute: (x, p) => [rsi(x.close, n(p, 'period'))] },
  macd: {
    inputs: ['close'], nestable: true, params: { fast_period: int(12), slow_period: int(26), signal_period: int(9) }, outputs: 3,
    check: (p) => (n(p, 'fast_period') <= 0 || n(p, 'slow_period') <= 0 || n(p, 'signal_period') <= 0 ? 'All periods must be positive'
      : n(p, 'fast_period') >= n(p, 'slow_period') ? 'Fast period must be less than slow period' : null),
    compute: (x, p) => {
      const line = sub(ema(x.close, n(p, 'fast_period')), ema(x.close, n(p, 'slow_period')));
      const signal = ema(line, n(p, 'signal_period'));
      return [line, signal, sub(line, signal)];
    },
  },
  stochastic: {
    inputs: ['high', 'low', 'close'], nestable: false, params: { k_period: int(14), smooth_k: int(3), d_period: int(3) }, outputs: 2,
    check: both(periods('k_period'), positive('d_period', 'smooth_k')),
    compute: (x, p) => {
      const kp = n(p, 'k_period');
      const sk = n(p, 'smooth_k');
      const hh = highest(x.high, kp);
      const ll = lowest(x.low, kp);
      const fastK = x.close.map((c, i) => (i < kp - 1 ? NaN : hh[i] !== ll[i] ? (100 * (c - ll[i])) / (hh[i] - ll[i]) : 50));
      const fk = kp - 1;
      const slowK = [...nan(fk), ...sma(fastK.slice(fk), sk)];
      const start = fk + sk - 1;
      const slowD = [...nan(Math.min(start, slowK.length)), ...sma(slowK.slice(start), n(p, 'd_period'))];
      return [slowK, slowD];
    },
  },
  cci: {
    inputs: ['high', 'low', 'close'], nestable: false, params: { period: int(20) }, outputs: 1, check: periods('period'),
    compute: (x, p) => {
      const per = n(p, 'period');
      const tp = hlc3(x);
      const out = nan(tp.length);
      if (tp.length < per) return [out];
      let rsum = 0;
      for (let k = 0; k < per; k++) rsum += tp[k];
      for (let i = per - 1; i < tp.length; i++) {
        if (i > per - 1) rsum = rsum + tp[i] - tp[i - per];
        const mean = rsum / per;
        let md = 0;
        for (let j = 0; j < per; j++) md += Math.abs(tp[i + 1 - per + j] - mean);
        md /= per;
        out[i] = md !== 0 ? (tp[i] - mean) / (0.015 * md) : 0;
      }
      return [out];
    },
  },
  williams_r: {
    inputs: ['high', 'low', 'close'], nestable: false, params: { period: int(14) }, outputs: 1, check: periods('period'),
    compute: (x, p) => {
      const per = n(p, 'period');
      const hh = highest(x.high, per);
      const ll = lowest(x.low, per);
      return [x.close.map((c, i) => (i < per - 1 ? NaN : hh[i] !== ll[i] ? (-100 * (hh[i] - c)) / (hh[i] - ll[i]) : -50))];
    },
  },
  bop: {
    inputs: ['open', 'high', 'low', 'close'], nestable: false, params: {}, outputs: 1,
    compute: (x) => [x.close.map((c, i) => (x.high[i] - x.low[i] !== 0 ? (c - x.open[i]) / (x.high[i] - x.low[i]) : 0))],
  },
  elderray: {
    inputs: ['high', 'low', 'close'], nestable: false, params: { period: int(13) }, outputs: 2,
    compute: (x, p) => {
      const e = ema(x.close, n(p, 'period'));
      return [sub(x.high, e), sub(x.low, e)];
    },
  },
  fisher: {
    inputs: ['high', 'low'], nestable: false, params: { length: int(9) }, outputs: 2, check: periods('length'),
    compute: (x, p) => fisherLines(hl2(x), n(p, 'length')),
  },
  crsi: {
    inputs: ['close'], nestable: true, params: { lenrsi: int(3), lenupdown: int(2), lenroc: int(100) }, outputs: 1,
    check: periods((p) => Math.max(n(p, 'lenrsi'), n(p, 'lenupdown'), n(p, 'lenroc'))),
    compute: (x, p) => {
      const d = x.close;
      const streak = new Array<number>(d.length).fill(0);
      for (let i = 1; i < d.length; i++) {
        if (d[i] === d[i - 1]) streak[i] = 0;
        else if (d[i] > d[i - 1]) streak[i] = streak[i - 1] <= 0 ? 1 : streak[i - 1] + 1;
        else streak[i] = streak[i - 1] >= 0 ? -1 : streak[i - 1] - 1;
      }
      const pr = n(p, 'lenroc');
      const r1 = roc(d, 1);
      const rank = roll(r1, pr, (w, s, e) => {
        let below = 0;
        for (let k = s; k < e - 1; k++) if (w[k] < w[e - 1]) below++;
        return (below / pr) * 100;
      });
      const a = rsi(d, n(p, 'lenrsi'));
      const b = rsi(streak, n(p, 'lenupdown'));
      return [a.map((v, i) => (Number.isNaN(v) || Number.isNaN(b[i]) || Number.isNaN(rank[i]) ? NaN : (v + b[i] + rank[i]) / 3))];
    },
  },

  // ---- volatility ----
  atr: { inputs: ['high', 'low', 'close'], nestable: false, params: { period: int(14) }, outputs: 1, check: periods('period'), compute: (x, p) => [atrWilder(x.high, x.low, x.close, n(p, 'period'))] },
  bbands: {
    inputs: ['close'], nestable: true, params: { period: int(20), std_dev: num(2.0) }, outputs: 3,
    check: both(periods('period'), (p) => (n(p, 'std_dev') <= 0 ? `Standard deviation multiplier must be positive, got ${n(p, 'std_dev')}` : null)),
    compute: (x, p) => {
      const mid = sma(x.close, n(p, 'period'));
      const sd = stdev(x.close, n(p, 'period'));
      const k = n(p, 'std_dev');
      return [zip(mid, sd, (m, s) => m + k * s), mid, zip(mid, sd, (m, s) => m - k * s)];
    },
  },
  keltner: {
    inputs: ['high', 'low', 'close'], nestable: false, params: { ema_period: int(20), atr_period: int(10), multiplier: num(2.0) }, outputs: 3,
    check: both(periods('ema_period', 'atr_period'), positive('multiplier')),
    compute: (x, p) => {
      const mid = emaSma(x.close, n(p, 'ema_period'));
      const atr = atrWilder(x.high, x.low, x.close, n(p, 'atr_period'));
      const k = n(p, 'multiplier');
      return [zip(mid, atr, (m, a) => m + k * a), mid, zip(mid, atr, (m, a) => m - k * a)];
    },
  },
  donchian: {
    inputs: ['high', 'low'], nestable: false, params: { period: int(20) }, outputs: 3, check: periods('period'),
    compute: (x, p) => {
      const up = highest(x.high, n(p, 'period'));
      const lo = lowest(x.low, n(p, 'period'));
      return [up, zip(up, lo, (a, b) => (a + b) / 2), lo];
    },
  },
  chaikin: {
    inputs: ['high', 'low'], nestable: false, params: { ema_period: int(10), roc_period: int(10) }, outputs: 1,
    compute: (x, p) => [roc(emaSma(sub(x.high, x.low), n(p, 'ema_period')), n(p, 'roc_period'))],
  },
  natr: {
    inputs: ['high', 'low', 'close'], nestable: false, params: { period: int(14) }, outputs: 1,
    compute: (x, p) => [atrWilder(x.high, x.low, x.close, n(p, 'period')).map((a, i) => (x.close[i] !== 0 ? (a / x.close[i]) * 100 : 0))],
  },
  true_range: { inputs: ['high', 'low', 'close'], nestable: false, params: {}, outputs: 1, compute: (x) => [trueRange(x.high, x.low, x.close)] },
  massindex: {
    inputs: ['high', 'low'], nestable: false, params: { length: int(10) }, outputs: 1,
    compute: (x, p) => {
      const e1 = ema(sub(x.high, x.low), 9);
      const e2 = ema(e1, 9);
      return [rollingSum(zip(e1, e2, (a, b) => (b !== 0 && !Number.isNaN(a) && !Number.isNaN(b) ? a / b : NaN)), n(p, 'length'))];
    },
  },
  bbpercent: {
    inputs: ['close'], nestable: true, params: { period: int(20), std_dev: num(2.0) }, outputs: 1, check: periods('period'),
    compute: (x, p) => {
      const m = winMean(x.close, n(p, 'period'));
      const sd = winStd(x.close, n(p, 'period'));
      const k = n(p, 'std_dev');
      return [x.close.map((c, i) => {
        const up = m[i] + sd[i] * k;
        const lo = m[i] - sd[i] * k;
        return !Number.isNaN(up) && up === lo ? 0.5 : (c - lo) / (up - lo);
      })];
    },
  },
  bbwidth: {
    inputs: ['close'], nestable: true, params: { period: int(20), std_dev: num(2.0) }, outputs: 1, check: periods('period'),
    compute: (x, p) => {
      const m = winMean(x.close, n(p, 'period'));
      const sd = winStd(x.close, n(p, 'period'));
      const k = n(p, 'std_dev');
      return [m.map((mv, i) => (!Number.isNaN(mv) && mv === 0 ? 0 : (mv + sd[i] * k - (mv - sd[i] * k)) / mv))];
    },
  },
  chandelier_exit: {
    inputs: ['high', 'low', 'close'], nestable: false, params: { period: int(22), multiplier: num(3.0) }, outputs: 2, check: periods('period'),
    compute: (x, p) => {
      const per = n(p, 'period');
      const atr = winMean(trueRange(x.high, x.low, x.close), per);
      const k = n(p, 'multiplier');
      return [sub(highest(x.high, per), scale(atr, k)), add(lowest(x.low, per), scale(atr, k))];
    },
  },
  hv: {
    inputs: ['close'], nestable: false, params: { length: int(10), annual: int(365), per: int(1) }, outputs: 1,
    check: both(periods((p) => n(p, 'length') + 1), (p) => (n(p, 'length') < 1 ? `Length must be at least 1, got ${n(p, 'length')}` : null), positive('annual', 'per')),
    compute: (x, p) => {
      const c = x.close;
      const lr = nan(c.length);
      for (let i = 1; i < c.length; i++) if (c[i - 1] > 0 && c[i] > 0) lr[i] = Math.log(c[i] / c[i - 1]);
      const k = Math.sqrt(n(p, 'annual') / n(p, 'per'));
      return [winStd(lr, n(p, 'length')).map((s) => 100 * s * k)];
    },
  },
  starc: {
    inputs: ['high', 'low', 'close'], nestable: false, params: { ma_period: int(5), atr_period: int(15), multiplier: num(1.33) }, outputs: 3,
    compute: (x, p) => {
      const m = winMean(x.close, n(p, 'ma_period'));
      const atr = winMean(trueRange(x.high, x.low, x.close), n(p, 'atr_period'));
      const k = n(p, 'multiplier');
      return [zip(m, atr, (a, b) => a + b * k), m, zip(m, atr, (a, b) => a - b * k)];
    },
  },

  // ---- volume ----
  obv: {
    inputs: ['close', 'volume'], nestable: false, params: {}, outputs: 1,
    compute: (x) => {
      const out = new Array<number>(x.close.length).fill(0);
      for (let i = 1; i < out.length; i++) out[i] = out[i - 1] + (x.close[i] > x.close[i - 1] ? 1 : x.close[i] < x.close[i - 1] ? -1 : 0) * x.volume[i];
      return [out];
    },
  },
  obv_smoothed: {
    inputs: ['close', 'volume'], nestable: false,
    params: { ma_type: str('None', ['None', 'SMA', 'SMA + Bollinger Bands', 'EMA', 'SMMA (RMA)', 'WMA', 'VWMA']), ma_length: int(20), bb_length: int(20), bb_mult: num(2.0) }, outputs: 1,
    compute: (x, p) => {
      const obv = CATALOG.obv.compute(x, {})[0];
      const len = n(p, 'ma_length');
      switch (p.ma_type) {
        case 'SMA': return [sma(obv, len)];
        // OpenAlgo returns the three bands here (out0 upper, out1 middle, out2 lower), not one line.
        case 'SMA + Bollinger Bands': return CATALOG.bbands.compute({ ...x, close: obv }, { period: n(p, 'bb_length'), std_dev: n(p, 'bb_mult') });
        case 'EMA': return [ema(obv, len)];
        case 'SMMA (RMA)': return [rmaSmma(obv, len)];
        case 'WMA': return [wma(obv, len)];
        case 'VWMA': return [roll(obv, len, (d, s, e) => {
          let sw = 0;
          let sv = 0;
          for (let j = s; j < e; j++) if (!Number.isNaN(d[j]) && !Number.isNaN(x.volume[j])) { sw += d[j] * x.volume[j]; sv += x.volume[j]; }
          return sv > 0 ? sw / sv : NaN;
        })];
        default: return [obv];
      }
    },
  },
  mfi: {
    inputs: ['high', 'low', 'close', 'volume'], nestable: false, params: { period: int(14) }, outputs: 1, check: periods('period'),
    compute: (x, p) => {
      const per = n(p, 'period');
      const tp = hlc3(x);
      const len = tp.length;
      const out = nan(len);
      const pos = new Array<number>(len).fill(0);
      const neg = new Array<number>(len).fill(0);
      for (let i = 1; i < len; i++) {
        if (tp[i] > tp[i - 1]) pos[i] = tp[i] * x.volume[i];
        else if (tp[i] < tp[i - 1]) neg[i] = tp[i] * x.volume[i];
      }
      let ps = 0;
      let ns = 0;
      for (let i = 1; i < len; i++) {
        ps += pos[i];
        ns += neg[i];
        if (i >= per) {
          ps -= pos[i - per];
          ns -= neg[i - per];
        }
        if (i >= per - 1) out[i] = ns === 0 ? 100 : 100 - 100 / (1 + ps / ns);
      }
      return [out];
    },
  },
  adl: {
    inputs: ['high', 'low', 'close', 'volume'], nestable: false, params: {}, outputs: 1,
    compute: (x) => {
      const out = nan(x.close.length);
      if (!out.length) return [out];
      out[0] = 0;
      let acc = 0;
      for (let i = 1; i < out.length; i++) {
        const rng = x.high[i] - x.low[i];
        const mfm = rng !== 0 ? (x.close[i] - x.low[i] - (x.high[i] - x.close[i])) / rng : 0;
        out[i] = acc += mfm * x.volume[i];
      }
      return [out];
    },
  },
  cmf: {
    inputs: ['high', 'low', 'close', 'volume'], nestable: false, params: { period: int(20) }, outputs: 1, check: periods('period'),
    compute: (x, p) => {
      const per = n(p, 'period');
      return [roll(x.close, per, (_d, s, e) => {
        let smfv = 0;
        let sv = 0;
        for (let j = s; j < e; j++) {
          const mfm = x.high[j] !== x.low[j] ? (x.close[j] - x.low[j] - (x.high[j] - x.close[j])) / (x.high[j] - x.low[j]) : 0;
          smfv += mfm * x.volume[j];
          sv += x.volume[j];
        }
        return sv > 0 ? smfv / sv : 0;
      })];
    },
  },
  emv: {
    inputs: ['high', 'low', 'volume'], nestable: false, params: { length: int(14), divisor: int(10000) }, outputs: 1,
    check: both(periods('length'), positive('divisor')),
    compute: (x, p) => {
      const div = n(p, 'divisor');
      const raw = nan(x.high.length);
      for (let i = 1; i < raw.length; i++) {
        const chl2 = (x.high[i] + x.low[i]) / 2 - (x.high[i - 1] + x.low[i - 1]) / 2;
        const hlr = x.high[i] - x.low[i];
        raw[i] = x.volume[i] > 0 && hlr > 0 ? (div * chl2 * hlr) / x.volume[i] : 0;
      }
      return [winMean(raw, n(p, 'length'))];
    },
  },
  force_index: {
    inputs: ['close', 'volume'], nestable: false, params: { length: int(13) }, outputs: 1, check: periods('length'),
    compute: (x, p) => {
      const raw = nan(x.close.length);
      for (let i = 1; i < raw.length; i++) raw[i] = x.volume[i] * (x.close[i] - x.close[i - 1]);
      return [emaFirstValid(raw, n(p, 'length'))];
    },
  },
  nvi: { inputs: ['close', 'volume'], nestable: false, params: {}, outputs: 1, compute: (x) => [nviLine(x)] },
  nvi_with_ema: {
    inputs: ['close', 'volume'], nestable: false, params: { ema_length: int(255) }, outputs: 2,
    compute: (x, p) => {
      const line = nviLine(x);
      return [line, emaFirstValid(line, n(p, 'ema_length'))];
    },
  },
  pvi: { inputs: ['close', 'volume'], nestable: false, params: { initial_value: num(100.0) }, outputs: 1, compute: (x, p) => [pviLine(x, n(p, 'initial_value'))] },
  pvi_with_signal: {
    inputs: ['close', 'volume'], nestable: false, params: { initial_value: num(100.0), signal_type: str('EMA', MA_SE), signal_length: int(255) }, outputs: 2,
    compute: (x, p) => {
      const line = pviLine(x, n(p, 'initial_value'));
      const len = n(p, 'signal_length');
      const signal = String(p.signal_type).toUpperCase() === 'SMA'
        ? roll(line, len, (d, s, e) => {
          const v = d.slice(s, e).filter((y) => !Number.isNaN(y));
          return v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
        })
        : emaFirstValid(line, len);
      return [line, signal];
    },
  },
  pvt: {
    inputs: ['close', 'volume'], nestable: false, params: {}, outputs: 1,
    compute: (x) => {
      const out = new Array<number>(x.close.length).fill(0);
      let acc = 0;
      for (let i = 1; i < out.length; i++) {
        const prev = x.close[i - 1];
        out[i] = acc += prev !== 0 ? ((x.close[i] - prev) / prev) * x.volume[i] : 0;
      }
      return [out];
    },
  },
  volosc: {
    inputs: ['volume'], nestable: false, params: { short_length: int(5), long_length: int(10), check_volume_validity: bool(true) }, outputs: 1,
    compute: (x, p) => {
      const se = emaFirstValid(x.volume, n(p, 'short_length'));
      const le = emaFirstValid(x.volume, n(p, 'long_length'));
      return [zip(se, le, (s, l) => (!Number.isNaN(l) && l !== 0 ? (100 * (s - l)) / l : NaN))];
    },
  },
  vroc: { inputs: ['volume'], nestable: false, params: { period: int(25) }, outputs: 1, check: periods('period'), compute: (x, p) => [rocOsc(x.volume, n(p, 'period'))] },
  kvo: {
    inputs: ['high', 'low', 'close', 'volume'], nestable: false, params: { trig_len: int(13), fast_x: int(34), slow_x: int(55) }, outputs: 2,
    check: positive('trig_len', 'fast_x', 'slow_x'),
    compute: (x, p) => {
      const tp = hlc3(x);
      const xt = x.volume.map((v, i) => (i === 0 || tp[i] > tp[i - 1] ? v * 100 : -v * 100));
      const k = sub(ema(xt, n(p, 'fast_x')), ema(xt, n(p, 'slow_x')));
      return [k, ema(k, n(p, 'trig_len'))];
    },
  },
  rvol: {
    inputs: ['volume'], nestable: false, params: { period: int(20) }, outputs: 1, check: periods('period'),
    compute: (x, p) => {
      const avg = winMean(x.volume, n(p, 'period'));
      return [avg.map((a, i) => (Number.isNaN(a) ? NaN : a > 0 ? x.volume[i] / a : 1))];
    },
  },
  vwap: {
    // Anchored on the bars' own sessions (see vwap.ts); OpenAlgo's node ignores `anchor`: docs/indicators.md.
    inputs: ['high', 'low', 'close', 'volume'], nestable: false,
    params: {
      anchor: str('Session', ['Session', 'Week', 'Month', 'Quarter', 'Year']), source: str('hlc3', ['hlc3', 'hl2', 'ohlc4', 'close']),
      stdev_mult_1: num(1.0), stdev_mult_2: num(2.0), stdev_mult_3: num(3.0), percent_mult_1: num(0.236), percent_mult_2: num(0.382), percent_mult_3: num(0.618),
    },
    outputs: 1,
    compute: () => {
      throw new Error('vwap is computed with the bars\' timestamps (vwap.ts)');
    },
  },

  // ---- oscillators ----
  cmo: {
    inputs: ['close'], nestable: true, params: { period: int(14) }, outputs: 1, check: periods((p) => n(p, 'period') + 1),
    compute: (x, p) => {
      const d = x.close;
      const per = n(p, 'period');
      const out = nan(d.length);
      if (d.length < per + 1) return [out];
      const ch = d.slice(1).map((v, i) => v - d[i]);
      let up = 0;
      let down = 0;
      const addc = (c: number, sign: number) => {
        if (c > 0) up += sign * c;
        else if (c < 0) down += sign * Math.abs(c);
      };
      for (let k = 0; k < per; k++) addc(ch[k], 1);
      const val = () => (up + down > 0 ? ((up - down) / (up + down)) * 100 : 0);
      out[per] = val();
      for (let i = per + 1; i < d.length; i++) {
        addc(ch[i - per - 1], -1);
        addc(ch[i - 1], 1);
        out[i] = val();
      }
      return [out];
    },
  },
  trix: {
    inputs: ['close'], nestable: true, params: { length: int(18) }, outputs: 1, check: periods('length'),
    compute: (x, p) => {
      const len = n(p, 'length');
      const e = ema(ema(ema(x.close.map(Math.log), len), len), len);
      return [e.map((v, i) => (i === 0 ? NaN : (v - e[i - 1]) * 10000))];
    },
  },
  ultimate_oscillator: {
    inputs: ['high', 'low', 'close'], nestable: false, params: { period1: int(7), period2: int(14), period3: int(28) }, outputs: 1,
    compute: (x, p) => [ultimate(x, p, rollingSum, Math.min(x.low[0], x.close[0]))],
  },
  uo_oscillator: {
    inputs: ['high', 'low', 'close'], nestable: false, params: { period1: int(7), period2: int(14), period3: int(28) }, outputs: 1,
    compute: (x, p) => [ultimate(x, p, (d, per) => roll(d, per, (w, s, e) => w.slice(s, e).reduce((a, b) => a + b, 0)), x.low[0])],
  },
  awesome_oscillator: {
    inputs: ['high', 'low'], nestable: false, params: { fast_period: int(5), slow_period: int(34) }, outputs: 1,
    compute: (x, p) => [sub(winMean(hl2(x), n(p, 'fast_period')), winMean(hl2(x), n(p, 'slow_period')))],
  },
  accelerator_oscillator: {
    inputs: ['high', 'low'], nestable: false, params: { period: int(5) }, outputs: 1,
    compute: (x, p) => {
      const ao = sub(winMean(hl2(x), 5), winMean(hl2(x), 34));
      return [sub(ao, winMean(ao, n(p, 'period')))];
    },
  },
  ppo: {
    inputs: ['close'], nestable: true, params: { fast_period: int(12), slow_period: int(26), signal_period: int(9) }, outputs: 3,
    compute: (x, p) => {
      const fe = ema(x.close, n(p, 'fast_period'));
      const se = ema(x.close, n(p, 'slow_period'));
      const line = zip(fe, se, (f, s) => (s !== 0 ? ((f - s) / s) * 100 : 0));
      const sig = ema(line, n(p, 'signal_period'));
      return [line, sig, sub(line, sig)];
    },
  },
  po: {
    inputs: ['close'], nestable: true, params: { fast_period: int(10), slow_period: int(20), ma_type: str('SMA', MA_SE) }, outputs: 1,
    compute: (x, p) => [maDiff(x.close, p)],
  },
  dpo: {
    inputs: ['close'], nestable: true, params: { period: int(21), is_centered: bool(false) }, outputs: 1, check: periods('period'),
    compute: (x, p) => {
      const d = x.close;
      const per = n(p, 'period');
      const m = winMean(d, per);
      const back = Math.trunc(per / 2 + 1);
      const out = nan(d.length);
      if (back >= d.length) return [out];
      for (let i = back; i < d.length; i++) {
        if (p.is_centered) out[i] = Number.isNaN(m[i]) ? NaN : d[i - back] - m[i];
        else out[i] = Number.isNaN(m[i - back]) ? NaN : d[i] - m[i - back];
      }
      return [out];
    },
  },
  aroon_oscillator: {
    inputs: ['high', 'low'], nestable: false, params: { period: int(14) }, outputs: 1, check: periods('period'),
    compute: (x, p) => {
      const [up, down] = aroonLines(x, n(p, 'period'));
      return [sub(up, down)];
    },
  },
  stochrsi: {
    inputs: ['close'], nestable: true, params: { rsi_period: int(14), stoch_period: int(14), k_period: int(3), d_period: int(3) }, outputs: 2,
    check: periods((p) => n(p, 'rsi_period') + n(p, 'stoch_period')),
    compute: (x, p) => stochRsi(x.close, n(p, 'rsi_period'), n(p, 'stoch_period'), n(p, 'k_period'), n(p, 'd_period')),
  },
  rvi: {
    inputs: ['open', 'high', 'low', 'close'], nestable: false, params: { period: int(10) }, outputs: 2, check: periods('period'),
    compute: (x, p) => {
      const per = n(p, 'period');
      const sco = swma(sub(x.close, x.open));
      const shl = swma(sub(x.high, x.low));
      const r = nan(x.close.length);
      for (let i = per + 2; i < r.length; i++) {
        let ns = 0;
        let ds = 0;
        for (let j = i - per + 1; j <= i; j++) {
          if (!Number.isNaN(sco[j])) ns += sco[j];
          if (!Number.isNaN(shl[j])) ds += shl[j];
        }
        r[i] = ds !== 0 ? ns / ds : 0;
      }
      return [r, swma(r)];
    },
  },
  cho: {
    inputs: ['high', 'low', 'close', 'volume'], nestable: false, params: { fast_period: int(3), slow_period: int(10) }, outputs: 1,
    compute: (x, p) => {
      let acc = 0;
      const adl = x.close.map((c, i) => {
        const rng = x.high[i] - x.low[i];
        return (acc += (rng !== 0 ? (c - x.low[i] - (x.high[i] - c)) / rng : 0) * x.volume[i]);
      });
      return [sub(ema(adl, n(p, 'fast_period')), ema(adl, n(p, 'slow_period')))];
    },
  },
  chop: {
    inputs: ['high', 'low', 'close'], nestable: false, params: { period: int(14) }, outputs: 1, check: periods('period'),
    compute: (x, p) => {
      const per = n(p, 'period');
      const atrSum = rollingSum(trueRange(x.high, x.low, x.close), per);
      const rng = sub(highest(x.high, per), lowest(x.low, per));
      return [atrSum.map((s, i) => {
        const ok = rng[i] > 0 && s > 0;
        if (ok) return per > 1 ? (100 * Math.log10(s / rng[i])) / Math.log10(per) : NaN;
        return Number.isNaN(s) ? NaN : 50;
      })];
    },
  },
  kst: {
    inputs: ['close'], nestable: true,
    params: { roclen1: int(10), roclen2: int(15), roclen3: int(20), roclen4: int(30), smalen1: int(10), smalen2: int(10), smalen3: int(10), smalen4: int(15), siglen: int(9) },
    outputs: 2, check: positive('roclen1', 'roclen2', 'roclen3', 'roclen4', 'smalen1', 'smalen2', 'smalen3', 'smalen4', 'siglen'),
    compute: (x, p) => {
      const part = (k: number) => winMean(rocOsc(x.close, n(p, `roclen${k}`)), n(p, `smalen${k}`));
      const [a, b, c, d] = [part(1), part(2), part(3), part(4)];
      const k = a.map((v, i) => v * 1 + b[i] * 2 + c[i] * 3 + d[i] * 4);
      return [k, winMean(k, n(p, 'siglen'))];
    },
  },
  tsi: {
    inputs: ['close'], nestable: true, params: { long_period: int(25), short_period: int(13), signal_period: int(13) }, outputs: 2,
    compute: (x, p) => {
      const pc = x.close.map((v, i) => (i === 0 ? 0 : v - x.close[i - 1]));
      const lp = n(p, 'long_period');
      const sp = n(p, 'short_period');
      const num_ = ema(ema(pc, lp), sp);
      const den = ema(ema(pc.map(Math.abs), lp), sp);
      const t = zip(num_, den, (a, b) => (b !== 0 ? 100 * (a / b) : 0));
      return [t, ema(t, n(p, 'signal_period'))];
    },
  },
  gator_oscillator: {
    inputs: ['high', 'low'], nestable: false, params: { jaw_period: int(13), teeth_period: int(8), lips_period: int(5) }, outputs: 2,
    compute: (x, p) => {
      const m = hl2(x);
      const jaw = shift(emaWilder(m, n(p, 'jaw_period')), 8);
      const teeth = shift(emaWilder(m, n(p, 'teeth_period')), 5);
      const lips = shift(emaWilder(m, n(p, 'lips_period')), 3);
      return [zip(jaw, teeth, (a, b) => Math.abs(a - b)), zip(teeth, lips, (a, b) => -Math.abs(a - b))];
    },
  },
  stc: {
    inputs: ['close'], nestable: true, params: { fast_length: int(23), slow_length: int(50), cycle_length: int(10), d1_length: int(3), d2_length: int(3) }, outputs: 1,
    compute: (x, p) => {
      const cyc = n(p, 'cycle_length');
      const m = sub(ema(x.close, n(p, 'fast_length')), ema(x.close, n(p, 'slow_length')));
      const k = stochSingle(m, cyc).map((v) => (Number.isNaN(v) ? 0 : v));
      const d = ema(k, n(p, 'd1_length'));
      const kd = stochSingle(d, cyc).map((v) => (Number.isNaN(v) ? 0 : v));
      return [ema(kd, n(p, 'd2_length')).map((v) => Math.min(Math.max(v, 0), 100))];
    },
  },
  coppock: {
    inputs: ['close'], nestable: true, params: { wma_length: int(10), long_roc_length: int(14), short_roc_length: int(11) }, outputs: 1,
    compute: (x, p) => {
      const rs = add(roc(x.close, n(p, 'long_roc_length')), roc(x.close, n(p, 'short_roc_length')));
      const per = n(p, 'wma_length');
      const out = nan(rs.length);
      for (let i = per - 1; i < rs.length; i++) {
        if (Number.isNaN(rs[i])) continue;
        let ws = 0;
        let vw = 0;
        for (let j = 0; j < per; j++) {
          const v = rs[i - per + 1 + j];
          if (!Number.isNaN(v)) { ws += v * (j + 1); vw += j + 1; }
        }
        if (vw > 0) out[i] = ws / vw;
      }
      return [out];
    },
  },

  // ---- statistics ----
  linreg: { inputs: ['close'], nestable: true, params: { period: int(14) }, outputs: 1, check: periods('period'), compute: (x, p) => [linregSeries(x.close, n(p, 'period'), (s, b) => s * (n(p, 'period') - 1) + b)] },
  lrslope: {
    inputs: ['close'], nestable: true, params: { period: int(100), interval: int(1) }, outputs: 1,
    check: both(periods((p) => n(p, 'period') + 1), (p) => (n(p, 'interval') <= 0 ? `Interval must be positive, got ${n(p, 'interval')}` : null)),
    compute: (x, p) => {
      const per = n(p, 'period');
      const end = linregSeries(x.close, per, (s, b) => s * (per - 1) + b);
      return [end.map((v, i) => (i < per ? NaN : (v - end[i - 1]) / n(p, 'interval')))];
    },
  },
  tsf: { inputs: ['close'], nestable: true, params: { period: int(14) }, outputs: 1, check: periods('period'), compute: (x, p) => [linregSeries(x.close, n(p, 'period'), (s, b) => s * n(p, 'period') + b)] },
  linregangle: {
    inputs: ['close'], nestable: true, params: { period: int(14) }, outputs: 1,
    compute: (x, p) => [roll(x.close, n(p, 'period'), (d, s) => {
      const fit = linregWindow(d, s, n(p, 'period'));
      return (Math.atan(fit ? fit[0] : 0) * 180) / Math.PI;
    })],
  },
  linregintercept: {
    inputs: ['close'], nestable: true, params: { period: int(14) }, outputs: 1,
    compute: (x, p) => [roll(x.close, n(p, 'period'), (d, s, e) => {
      const fit = linregWindow(d, s, n(p, 'period'));
      return fit ? fit[1] : d.slice(s, e).reduce((a, b) => a + b, 0) / n(p, 'period');
    })],
  },
  variance: {
    inputs: ['close'], nestable: true,
    params: { lookback: int(20), mode: str('PR', ['PR', 'LR']), ema_period: int(20), filter_lookback: int(20), ema_length: int(14), return_components: bool(false) },
    outputs: 1,
    check: both(periods('lookback'), (p) => (p.return_components ? 'return_components is not supported by the indicator node (it returns five series)' : null)),
    compute: (x, p) => [variance(x.close, n(p, 'lookback'), String(p.mode))],
  },
  median: { inputs: ['close'], nestable: true, params: { period: int(3) }, outputs: 1, check: periods('period'), compute: (x, p) => [roll(x.close, n(p, 'period'), medianOf)] },
  mode: { inputs: ['close'], nestable: true, params: { period: int(20), bins: int(10) }, outputs: 1, check: periods('period'), compute: (x, p) => [modeLine(x.close, n(p, 'period'), n(p, 'bins'))] },

  // ---- hybrid ----
  adx: { inputs: ['high', 'low', 'close'], nestable: false, params: { period: int(14) }, outputs: 3, check: periods('period'), compute: (x, p) => adxLines(x, n(p, 'period')) },
  dmi: { inputs: ['high', 'low', 'close'], nestable: false, params: { period: int(14) }, outputs: 2, check: periods('period'), compute: (x, p) => adxLines(x, n(p, 'period')).slice(0, 2) },
  aroon: { inputs: ['high', 'low'], nestable: false, params: { period: int(25) }, outputs: 2, check: periods('period'), compute: (x, p) => aroonLines(x, n(p, 'period')) },
  pivot_points: {
    inputs: ['high', 'low', 'close'], nestable: false, params: {}, outputs: 7,
    compute: (x) => {
      const pivot = hlc3(x);
      const { high: h, low: l } = x;
      return [
        pivot, pivot.map((v, i) => 2 * v - l[i]), pivot.map((v, i) => 2 * v - h[i]), pivot.map((v, i) => v + (h[i] - l[i])),
        pivot.map((v, i) => v - (h[i] - l[i])), pivot.map((v, i) => h[i] + 2 * (v - l[i])), pivot.map((v, i) => l[i] - 2 * (h[i] - v)),
      ];
    },
  },
  psar: {
    inputs: ['high', 'low'], nestable: false, params: { acceleration: num(0.02), maximum: num(0.2) }, outputs: 1,
    check: (p) => (n(p, 'acceleration') <= 0 || n(p, 'maximum') <= 0 ? 'Acceleration and maximum must be positive'
      : n(p, 'acceleration') > n(p, 'maximum') ? 'Acceleration cannot be greater than maximum' : null),
    compute: (x, p) => [sarLines(x.high, x.low, n(p, 'acceleration'), n(p, 'maximum'))],
  },
  fractals: {
    inputs: ['high', 'low'], nestable: false, params: { periods: int(2) }, outputs: 2,
    check: (p) => (n(p, 'periods') < 2 ? `Periods must be at least 2, got ${n(p, 'periods')}` : null),
    compute: (x, p) => fractalLines(x.high, x.low, n(p, 'periods')),
  },
  rwi: {
    inputs: ['high', 'low', 'close'], nestable: false, params: { period: int(14) }, outputs: 2, check: periods('period'),
    compute: (x, p) => {
      const per = n(p, 'period');
      const atr = winMean(trueRange(x.high, x.low, x.close), per);
      const rh = nan(atr.length);
      const rl = nan(atr.length);
      for (let i = per; i < atr.length; i++) {
        if (!(atr[i] > 0)) continue;
        rh[i] = (x.high[i] - x.low[i - per]) / (atr[i] * Math.sqrt(per));
        rl[i] = (x.high[i - per] - x.low[i]) / (atr[i] * Math.sqrt(per));
      }
      return [rh, rl];
    },
  },

  // ---- TA-Lib additions and utilities ----
  mom: { inputs: ['close'], nestable: true, params: { period: int(10) }, outputs: 1, compute: (x, p) => [lagged(x.close, n(p, 'period'), (a, b) => a - b)] },
  rocp: { inputs: ['close'], nestable: true, params: { period: int(10) }, outputs: 1, compute: (x, p) => [lagged(x.close, n(p, 'period'), (a, b) => (a - b) / b)] },
  rocr: { inputs: ['close'], nestable: true, params: { period: int(10) }, outputs: 1, compute: (x, p) => [lagged(x.close, n(p, 'period'), (a, b) => a / b)] },
  rocr100: { inputs: ['close'], nestable: true, params: { period: int(10) }, outputs: 1, compute: (x, p) => [lagged(x.close, n(p, 'period'), (a, b) => (a / b) * 100)] },
  midpoint: { inputs: ['close'], nestable: true, params: { period: int(14) }, outputs: 1, compute: (x, p) => [zip(highest(x.close, n(p, 'period')), lowest(x.close, n(p, 'period')), (a, b) => (a + b) / 2)] },
  midprice: { inputs: ['high', 'low'], nestable: false, params: { period: int(14) }, outputs: 1, compute: (x, p) => [don(x, n(p, 'period'))] },
  apo: {
    inputs: ['close'], nestable: true, params: { fast_period: int(12), slow_period: int(26), ma_type: str('SMA', MA_SE) }, outputs: 1,
    compute: (x, p) => [maDiff(x.close, p)],
  },
  avgprice: { inputs: ['open', 'high', 'low', 'close'], nestable: false, params: {}, outputs: 1, compute: (x) => [x.close.map((c, i) => (x.open[i] + x.high[i] + x.low[i] + c) / 4)] },
  medprice: { inputs: ['high', 'low'], nestable: false, params: {}, outputs: 1, compute: (x) => [hl2(x)] },
  typprice: { inputs: ['high', 'low', 'close'], nestable: false, params: {}, outputs: 1, compute: (x) => [hlc3(x)] },
  wclprice: { inputs: ['high', 'low', 'close'], nestable: false, params: {}, outputs: 1, compute: (x) => [x.close.map((c, i) => (x.high[i] + x.low[i] + 2 * c) / 4)] },
  plus_dm: { inputs: ['high', 'low'], nestable: false, params: { period: int(14) }, outputs: 1, compute: (x, p) => [talibDm(x, n(p, 'period'), 'plus')] },
  minus_dm: { inputs: ['high', 'low'], nestable: false, params: { period: int(14) }, outputs: 1, compute: (x, p) => [talibDm(x, n(p, 'period'), 'minus')] },
  dx: {
    inputs: ['high', 'low', 'close'], nestable: false, params: { period: int(14) }, outputs: 1,
    compute: (x, p) => {
      const per = n(p, 'period');
      const out = nan(x.close.length);
      if (per === 0 || out.length < per + 1) return [out];
      const steps = talibDx(x, per);
      for (let i = per; i < out.length; i++) out[i] = steps.dxAt(i);
      return [out];
    },
  },
  adxr: {
    inputs: ['high', 'low', 'close'], nestable: false, params: { period: int(14) }, outputs: 1,
    compute: (x, p) => {
      const per = n(p, 'period');
      const a = adxTalib(x, per);
      const out = nan(a.length);
      const off = per - 1;
      for (let i = 2 * per - 1 + off; i < a.length; i++) if (!Number.isNaN(a[i]) && !Number.isNaN(a[i - off])) out[i] = (a[i] + a[i - off]) / 2;
      return [out];
    },
  },
  stochf: {
    inputs: ['high', 'low', 'close'], nestable: false, params: { fastk_period: int(5), fastd_period: int(3) }, outputs: 2,
    compute: (x, p) => {
      const kp = n(p, 'fastk_period');
      const dp = n(p, 'fastd_period');
      const len = x.close.length;
      const k = nan(len);
      const d = nan(len);
      if (kp === 0 || dp === 0 || len < kp) return [k, d];
      const hh = highest(x.high, kp);
      const ll = lowest(x.low, kp);
      const raw = x.close.map((c, i) => (i < kp - 1 ? NaN : hh[i] - ll[i] !== 0 ? (100 * (c - ll[i])) / (hh[i] - ll[i]) : 0));
      for (let i = kp - 1 + dp - 1; i < len; i++) {
        let s = 0;
        for (let j = i + 1 - dp; j <= i; j++) s += raw[j];
        d[i] = s / dp;
        k[i] = raw[i];
      }
      return [k, d];
    },
  },
  highest: { inputs: ['close'], nestable: true, params: { period: int(14) }, required: { period: 14 }, outputs: 1, compute: (x, p) => [highest(x.close, n(p, 'period'))] },
  lowest: { inputs: ['close'], nestable: true, params: { period: int(14) }, required: { period: 14 }, outputs: 1, compute: (x, p) => [lowest(x.close, n(p, 'period'))] },
  stdev: { inputs: ['close'], nestable: true, params: { period: int(14) }, required: { period: 14 }, outputs: 1, compute: (x, p) => [stdev(x.close, n(p, 'period'))] },
  roc: { inputs: ['close'], nestable: true, params: { length: int(14) }, required: { length: 14 }, outputs: 1, compute: (x, p) => [roc(x.close, n(p, 'length'))] },
  change: { inputs: ['close'], nestable: true, params: { length: int(1) }, outputs: 1, compute: (x, p) => [lagged(x.close, n(p, 'length'), (a, b) => a - b)] },
  rising: {
    inputs: ['close'], nestable: true, params: { length: int(1) }, required: { length: 1 }, outputs: 1,
    compute: (x, p) => [x.close.map((v, i) => { const L = n(p, 'length'); return i >= L && v > x.close[i - L] ? 1 : 0; })],
  },
  falling: {
    inputs: ['close'], nestable: true, params: { length: int(1) }, required: { length: 1 }, outputs: 1,
    compute: (x, p) => [x.close.map((v, i) => { const L = n(p, 'length'); return i >= L && v < x.close[i - L] ? 1 : 0; })],
  },
};

function nviLine(x: Inputs): Arr {
  const out = new Array<number>(x.close.length).fill(0);
  let acc = 0;
  for (let i = 1; i < out.length; i++) {
    const prev = x.close[i - 1];
    const r = prev !== 0 ? ((x.close[i] - prev) / prev) * 100 : 0;
    out[i] = acc += x.volume[i] < x.volume[i - 1] ? r : 0;
  }
  return out;
}
function pviLine(x: Inputs, initial: number): Arr {
  const out = new Array<number>(x.close.length);
  if (!out.length) return out;
  out[0] = initial;
  for (let i = 1; i < out.length; i++) {
    const prev = x.close[i - 1];
    out[i] = out[i - 1] * (x.volume[i] > x.volume[i - 1] && prev !== 0 ? x.close[i] / prev : 1);
  }
  return out;
}
function lagged(d: Arr, k: number, f: (now: number, then: number) => number): Arr {
  const out = nan(d.length);
  for (let i = k; i < d.length; i++) out[i] = f(d[i], d[i - k]);
  return out;
}
function maDiff(d: Arr, p: Params): Arr {
  const emaType = String(p.ma_type).toUpperCase() === 'EMA';
  const f = emaType ? ema(d, n(p, 'fast_period')) : winMean(d, n(p, 'fast_period'));
  const s = emaType ? ema(d, n(p, 'slow_period')) : winMean(d, n(p, 'slow_period'));
  return sub(f, s);
}
/** Ultimate oscillator; `firstLow` is the true low of bar 0, which the two OpenAlgo variants take differently. */
function ultimate(x: Inputs, p: Params, sum: (d: Arr, period: number) => Arr, firstLow: number): Arr {
  const { high, low, close } = x;
  const tr = trueRange(high, low, close);
  const bp = close.map((c, i) => c - (i === 0 ? firstLow : Math.min(low[i], close[i - 1])));
  const raw = (per: number) => zip(sum(bp, per), sum(tr, per), (b, t) => (t > 0 ? b / t : 0));
  const [p1, p2, p3] = [n(p, 'period1'), n(p, 'period2'), n(p, 'period3')];
  const r1 = raw(p1);
  const r2 = raw(p2);
  const r3 = raw(p3);
  const mp = Math.max(p1, p2, p3);
  return r1.map((v, i) => (i < mp - 1 ? NaN : (100 * (4 * v + 2 * r2[i] + r3[i])) / 7));
}
