// Moving averages and trend lines (OpenAlgo trend.py).

import { atrWilder, ema, emaWilder, highest, lowest, nan, pairwiseSum, roll, rollingSum, shift, sma, winMean, wma, zip, type Arr } from '../kernels.js';
import { add, both, don, int, MA_SE, n, num, periods, positive, scale, str, sub, type IndicatorSpec } from './spec.js';

export const TREND: Record<string, IndicatorSpec> = {
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
};

/** DEMA/TEMA: each further EMA restarts on the previous one's values from where they are "valid" (period - 1 on). */
function restartedEma(series: Arr, start: number, period: number): Arr {
  const out = nan(series.length);
  if (start >= series.length) return out;
  const partial = ema(series.slice(start), period);
  for (let k = period - 1; k < partial.length; k++) out[start + k] = partial[k];
  return out;
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
