// Volume indicators (OpenAlgo volume.py).

import { ema, emaFirstValid, nan, rmaSmma, rocOsc, roll, sma, winMean, wma, zip, type Arr } from '../kernels.js';
import { bool, both, hlc3, int, MA_SE, n, num, periods, positive, str, sub, type IndicatorSpec, type Inputs } from './spec.js';
import { VOLATILITY } from './volatility.js';

export const VOLUME: Record<string, IndicatorSpec> = {
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
      const obv = VOLUME.obv.compute(x, {})[0];
      const len = n(p, 'ma_length');
      switch (p.ma_type) {
        case 'SMA': return [sma(obv, len)];
        // OpenAlgo returns the three bands here (out0 upper, out1 middle, out2 lower), not one line.
        case 'SMA + Bollinger Bands': return VOLATILITY.bbands.compute({ ...x, close: obv }, { period: n(p, 'bb_length'), std_dev: n(p, 'bb_mult') });
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
