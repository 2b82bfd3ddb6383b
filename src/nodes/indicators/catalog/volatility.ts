// Volatility indicators and bands (OpenAlgo volatility.py).

import { atrWilder, ema, emaSma, highest, lowest, nan, roc, rollingSum, sma, stdev, trueRange, winMean, winStd, zip } from '../kernels.js';
import { add, both, int, n, num, periods, positive, scale, sub, type IndicatorSpec } from './spec.js';

export const VOLATILITY: Record<string, IndicatorSpec> = {
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
};
