// Hybrid indicators: ADX family, Aroon, pivots, PSAR, fractals, RWI (OpenAlgo hybrid.py).

import { emaWilder, nan, trueRange, winMean, type Arr } from '../kernels.js';
import { bools, hlc3, int, n, num, periods, type IndicatorSpec, type Inputs } from './spec.js';

export const HYBRID: Record<string, IndicatorSpec> = {
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
};

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

export function aroonLines(x: Inputs, period: number): [Arr, Arr] {
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
