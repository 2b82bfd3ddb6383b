// TA-Lib-compatible additions and utilities (OpenAlgo talib_extra.py, utils.py).

import { highest, lowest, nan, roc, stdev, trueRange, zip, type Arr } from '../kernels.js';
import { don, hl2, hlc3, int, lagged, MA_SE, maDiff, n, str, type IndicatorSpec, type Inputs } from './spec.js';

export const TALIB: Record<string, IndicatorSpec> = {
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
