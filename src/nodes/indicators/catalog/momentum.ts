// Momentum indicators (OpenAlgo momentum.py).

import { ema, highest, lowest, nan, roc, roll, rsi, sma, type Arr } from '../kernels.js';
import { both, hl2, hlc3, int, n, periods, positive, sub, type IndicatorSpec } from './spec.js';

export const MOMENTUM: Record<string, IndicatorSpec> = {
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
};

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
