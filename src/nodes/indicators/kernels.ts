// Indicator kernels, written to give the numbers OpenAlgo's indicator library (`openalgo.ta`,
// its Rust core and NumPy fallback) gives: same seeding, same warm-up, same edge rules.
// Arrays are plain number[] with NaN where OpenAlgo has NaN (a bar still warming up).

export type Arr = number[];

export const nan = (n: number): Arr => new Array<number>(n).fill(NaN);
const isNaN_ = Number.isNaN;

/** Element-wise combination of equally long arrays (NaN flows through like NumPy's). */
export function zip(a: Arr, b: Arr, f: (x: number, y: number) => number): Arr {
  const out = new Array<number>(a.length);
  for (let i = 0; i < a.length; i++) out[i] = f(a[i], b[i]);
  return out;
}
export const map = (a: Arr, f: (x: number, i: number) => number): Arr => a.map(f);

/** Applies `fn` to every full window of `period` values (NaN before the first). */
export function roll(data: Arr, period: number, fn: (d: Arr, start: number, end: number) => number): Arr {
  const out = nan(data.length);
  if (period <= 0) return out;
  for (let i = period - 1; i < data.length; i++) out[i] = fn(data, i - period + 1, i + 1);
  return out;
}
const winSum = (d: Arr, s: number, e: number) => {
  let acc = 0;
  for (let k = s; k < e; k++) acc += d[k];
  return acc;
};
const winMax = (d: Arr, s: number, e: number) => {
  let m = -Infinity;
  for (let k = s; k < e; k++) {
    if (isNaN_(d[k])) return NaN;
    if (d[k] > m) m = d[k];
  }
  return m;
};
const winMin = (d: Arr, s: number, e: number) => {
  let m = Infinity;
  for (let k = s; k < e; k++) {
    if (isNaN_(d[k])) return NaN;
    if (d[k] < m) m = d[k];
  }
  return m;
};

/** NumPy's pairwise summation (np.sum / np.mean on a float64 slice), for the places OpenAlgo sums with NumPy. */
export function pairwiseSum(d: Arr, s: number, e: number): number {
  const len = e - s;
  if (len < 8) {
    let acc = 0;
    for (let k = s; k < e; k++) acc += d[k];
    return acc;
  }
  if (len <= 128) {
    const r = [d[s], d[s + 1], d[s + 2], d[s + 3], d[s + 4], d[s + 5], d[s + 6], d[s + 7]];
    let k = s + 8;
    for (; k < e - (len % 8); k += 8) for (let j = 0; j < 8; j++) r[j] += d[k + j];
    let acc = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; k < e; k++) acc += d[k];
    return acc;
  }
  let half = len >> 1;
  half -= half % 8;
  return pairwiseSum(d, s, s + half) + pairwiseSum(d, s + half, e);
}

/** Running-sum SMA (the cumulative-sum form OpenAlgo uses): the rolling sum over the period, divided. */
export function sma(data: Arr, period: number): Arr {
  const out = rollingSum(data, period);
  for (let i = period - 1; i < out.length; i++) out[i] /= period;
  return out;
}
/** Window mean (mean of each window, NaN if any value in it is NaN). */
export const winMean = (data: Arr, period: number): Arr => roll(data, period, (d, s, e) => winSum(d, s, e) / (e - s));
export const highest = (data: Arr, period: number): Arr => roll(data, period, winMax);
export const lowest = (data: Arr, period: number): Arr => roll(data, period, winMin);

export function rollingSum(data: Arr, period: number): Arr {
  const n = data.length;
  const out = nan(n);
  if (period <= 0 || n < period) return out;
  const c = new Array<number>(n);
  let acc = 0;
  for (let i = 0; i < n; i++) c[i] = acc += data[i];
  out[period - 1] = c[period - 1];
  for (let i = period; i < n; i++) out[i] = c[i] - c[i - period];
  return out;
}

/** Linearly weighted MA, weights 1..n (newest heaviest). */
export function wma(data: Arr, period: number): Arr {
  const n = data.length;
  const out = nan(n);
  if (period <= 0 || n < period) return out;
  const wsum = (period * (period + 1)) / 2;
  for (let i = period - 1; i < n; i++) {
    let acc = 0;
    for (let k = 0; k < period; k++) acc += data[i - period + 1 + k] * (k + 1);
    out[i] = acc / wsum;
  }
  return out;
}

/** EMA seeded with the first value (alpha 2/(n+1)); a leading NaN stays NaN throughout, as in NumPy. */
export function ema(data: Arr, period: number): Arr {
  const n = data.length;
  const out = new Array<number>(n);
  if (n === 0) return out;
  const alpha = 2 / (period + 1);
  out[0] = data[0];
  for (let i = 1; i < n; i++) out[i] = alpha * data[i] + (1 - alpha) * out[i - 1];
  return out;
}

/** EMA seeded with the SMA of the first `period` values (Keltner's middle line, Chaikin volatility). */
export function emaSma(data: Arr, period: number): Arr {
  const n = data.length;
  const out = nan(n);
  if (period <= 0 || n < period) return out;
  const alpha = 2 / (period + 1);
  out[period - 1] = winSum(data, 0, period) / period;
  for (let i = period; i < n; i++) out[i] = alpha * data[i] + (1 - alpha) * out[i - 1];
  return out;
}

/** EMA seeded at the first non-NaN value; NaN inputs after it leave NaN (and the next value then restarts from NaN). */
export function emaFirstValid(data: Arr, period: number): Arr {
  const n = data.length;
  const out = nan(n);
  const alpha = 2 / (period + 1);
  const fv = data.findIndex((v) => !isNaN_(v));
  if (fv < 0) return out;
  out[fv] = data[fv];
  for (let i = fv + 1; i < n; i++) if (!isNaN_(data[i])) out[i] = alpha * data[i] + (1 - alpha) * out[i - 1];
  return out;
}

/** Wilder's smoothing seeded with the mean of the first `period` non-NaN values; a NaN later carries the last value. */
export function emaWilder(data: Arr, period: number): Arr {
  const n = data.length;
  const out = nan(n);
  if (period <= 0) return out;
  let fv = 0;
  while (fv < n && isNaN_(data[fv])) fv++;
  if (fv + period > n) return out;
  let seed = 0;
  for (let k = fv; k < fv + period; k++) {
    if (isNaN_(data[k])) return out;
    seed += data[k];
  }
  const start = fv + period - 1;
  out[start] = seed / period;
  for (let i = start + 1; i < n; i++) out[i] = isNaN_(data[i]) ? out[i - 1] : (out[i - 1] * (period - 1) + data[i]) / period;
  return out;
}

/** RMA/SMMA in the alpha form, seeded with the SMA of the first `length` values (OBV smoothing). */
export function rmaSmma(data: Arr, length: number): Arr {
  const n = data.length;
  const out = nan(n);
  let fv = 0;
  for (let i = 0; i < n; i++) if (!isNaN_(data[i])) { fv = i; break; }
  let s = 0;
  let cnt = 0;
  for (let i = fv; i < Math.min(fv + length, n); i++) if (!isNaN_(data[i])) { s += data[i]; cnt++; }
  if (cnt === length) {
    out[fv + length - 1] = s / length;
    const alpha = 1 / length;
    for (let i = fv + length; i < n; i++) if (!isNaN_(data[i])) out[i] = alpha * data[i] + (1 - alpha) * out[i - 1];
  }
  return out;
}

/** Population standard deviation from running sums (OpenAlgo's stdev). */
export function stdev(data: Arr, period: number): Arr {
  const n = data.length;
  const out = nan(n);
  if (period <= 0 || n < period) return out;
  const c = new Array<number>(n);
  const cq = new Array<number>(n);
  let a = 0;
  let b = 0;
  for (let i = 0; i < n; i++) {
    c[i] = a += data[i];
    cq[i] = b += data[i] * data[i];
  }
  for (let i = period - 1; i < n; i++) {
    const s = i === period - 1 ? c[i] : c[i] - c[i - period];
    const sq = i === period - 1 ? cq[i] : cq[i] - cq[i - period];
    const mean = s / period;
    out[i] = Math.sqrt(Math.max(0, sq / period - mean * mean));
  }
  return out;
}
/** Per-window population std, NaN when the window holds a NaN. */
export const winStd = (data: Arr, period: number): Arr =>
  roll(data, period, (d, s, e) => {
    let m = 0;
    for (let k = s; k < e; k++) {
      if (isNaN_(d[k])) return NaN;
      m += d[k];
    }
    m /= e - s;
    let v = 0;
    for (let k = s; k < e; k++) v += (d[k] - m) ** 2;
    return Math.sqrt(v / (e - s));
  });

export function trueRange(high: Arr, low: Arr, close: Arr): Arr {
  const n = high.length;
  const tr = new Array<number>(n);
  if (n === 0) return tr;
  tr[0] = high[0] - low[0];
  for (let i = 1; i < n; i++) tr[i] = Math.max(high[i] - low[i], Math.abs(high[i] - close[i - 1]), Math.abs(low[i] - close[i - 1]));
  return tr;
}

/** ATR: true range, seeded with its SMA, then Wilder's smoothing. */
export function atrWilder(high: Arr, low: Arr, close: Arr, period: number): Arr {
  const n = high.length;
  const out = nan(n);
  if (period <= 0 || n < period) return out;
  const tr = trueRange(high, low, close);
  out[period - 1] = winSum(tr, 0, period) / period;
  for (let i = period; i < n; i++) out[i] = (out[i - 1] * (period - 1) + tr[i]) / period;
  return out;
}

/** Wilder RSI seeded with the mean gain/loss of the first `period` changes. */
export function rsi(data: Arr, period: number): Arr {
  const n = data.length;
  const out = nan(n);
  if (period <= 0 || n < period + 1) return out;
  let g = 0;
  let l = 0;
  for (let i = 0; i < period; i++) {
    const d = data[i + 1] - data[i];
    g += d > 0 ? d : 0;
    l += d < 0 ? -d : 0;
  }
  g /= period;
  l /= period;
  out[period] = l === 0 ? 100 : 100 - 100 / (1 + g / l);
  for (let i = period; i < n - 1; i++) {
    const d = data[i + 1] - data[i];
    g = (g * (period - 1) + (d > 0 ? d : 0)) / period;
    l = (l * (period - 1) + (d < 0 ? -d : 0)) / period;
    out[i + 1] = l === 0 ? 100 : 100 - 100 / (1 + g / l);
  }
  return out;
}

/** Rate of change in percent; NaN where the earlier value is 0 (OpenAlgo's roc). */
export function roc(data: Arr, length: number): Arr {
  const out = nan(data.length);
  for (let i = length; i < data.length; i++) if (data[i - length] !== 0) out[i] = ((data[i] - data[i - length]) / data[i - length]) * 100;
  return out;
}
/** Rate of change in percent; 0 where the earlier value is 0 (the oscillator variant). */
export function rocOsc(data: Arr, period: number): Arr {
  const out = nan(data.length);
  for (let i = period; i < data.length; i++) {
    const prev = data[i - period];
    out[i] = prev !== 0 ? ((data[i] - prev) / prev) * 100 : 0;
  }
  return out;
}

/** Moves a series `k` bars later (NaN in front). */
export function shift(arr: Arr, k: number): Arr {
  const out = nan(arr.length);
  if (k >= 0 && k < arr.length) for (let i = k; i < arr.length; i++) out[i] = arr[i - k];
  return out;
}

/** Symmetric weighted MA over the last 4 bars, weights 1,2,2,1. */
export function swma(data: Arr): Arr {
  const out = nan(data.length);
  for (let i = 3; i < data.length; i++) out[i] = (data[i - 3] + 2 * data[i - 2] + 2 * data[i - 1] + data[i]) / 6;
  return out;
}

/** Stochastic of one series over `period`, ignoring NaN inside the window; 50 when flat. */
export function stochSingle(data: Arr, period: number): Arr {
  const out = nan(data.length);
  for (let i = period - 1; i < data.length; i++) {
    let hi = -Infinity;
    let lo = Infinity;
    let any = false;
    for (let k = i - period + 1; k <= i; k++) {
      if (isNaN_(data[k])) continue;
      any = true;
      if (data[k] > hi) hi = data[k];
      if (data[k] < lo) lo = data[k];
    }
    if (!any) continue;
    if (hi !== lo && !isNaN_(data[i])) out[i] = ((data[i] - lo) / (hi - lo)) * 100;
    else if (hi === lo) out[i] = 50;
  }
  return out;
}

/** Least-squares line over a window ending at `end` (exclusive): slope and intercept at x = 0..period-1. */
export function linregWindow(d: Arr, start: number, period: number): [number, number] | null {
  let sx = 0;
  let sy = 0;
  let sxy = 0;
  let sx2 = 0;
  for (let k = 0; k < period; k++) {
    const y = d[start + k];
    sx += k;
    sy += y;
    sxy += k * y;
    sx2 += k * k;
  }
  const den = period * sx2 - sx * sx;
  if (den === 0) return null;
  const slope = (period * sxy - sx * sy) / den;
  return [slope, (sy - slope * sx) / period];
}
