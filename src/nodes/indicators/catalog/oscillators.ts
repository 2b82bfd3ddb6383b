// Oscillators (OpenAlgo oscillators.py).

import { ema, emaWilder, highest, lowest, nan, roc, rocOsc, roll, rollingSum, rsi, shift, stochSingle, swma, trueRange, winMean, zip, type Arr } from '../kernels.js';
import { add, bool, hl2, int, MA_SE, maDiff, n, periods, positive, str, sub, type IndicatorSpec, type Inputs, type Params } from './spec.js';
import { aroonLines } from './hybrid.js';

export const OSCILLATORS: Record<string, IndicatorSpec> = {
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
};

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
