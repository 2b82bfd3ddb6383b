// Statistical indicators (OpenAlgo statistics.py).

import { linregWindow, nan, roll, type Arr } from '../kernels.js';
import { bool, both, int, n, periods, str, type IndicatorSpec } from './spec.js';

export const STATISTICS: Record<string, IndicatorSpec> = {
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
};

function linregSeries(data: Arr, period: number, at: (slope: number, intercept: number) => number): Arr {
  return roll(data, period, (d, s) => {
    const fit = linregWindow(d, s, period);
    return fit ? at(fit[0], fit[1]) : d[s + period - 1];
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
