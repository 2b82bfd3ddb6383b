// Anchored VWAP. OpenAlgo's indicator node calls ta.vwap without timestamps, so its VWAP runs
// cumulatively over all ~150 fetched bars whatever `anchor` says; a trader picking "Session" expects
// today's VWAP, so Flow restarts the sums at each session (or week, month, quarter, year) in
// exchange time. Sums and the no-volume fallback are OpenAlgo's session_vwap.

import type { Inputs, Params } from './catalog.js';

export interface PeriodKeys { day: string; week: string; month: string; quarter: string; year: string }

/** Period keys of a bar in a fixed-offset zone (IST by default): weeks start on Monday. */
export function periodKeys(timestamp: number, offsetMinutes = 330): PeriodKeys {
  const d = new Date((timestamp + offsetMinutes * 60) * 1000);
  const day = d.toISOString().slice(0, 10);
  const monday = new Date(d.getTime() - ((d.getUTCDay() + 6) % 7) * 86_400_000).toISOString().slice(0, 10);
  const month = day.slice(0, 7);
  const q = Math.floor(d.getUTCMonth() / 3) + 1;
  return { day, week: monday, month, quarter: `${day.slice(0, 4)}-Q${q}`, year: day.slice(0, 4) };
}

const ANCHOR_KEY = { Session: 'day', Week: 'week', Month: 'month', Quarter: 'quarter', Year: 'year' } as const;

export function vwapLine(
  x: Inputs, timestamps: number[], p: Params, sessionOf: (t: number) => PeriodKeys = (t) => periodKeys(t),
): { ok: true; values: number[] } | { ok: false; message: string } {
  const n = x.close.length;
  if (x.volume.reduce((a, b) => a + b, 0) === 0) return { ok: false, message: 'No volume is provided by the data vendor.' };
  const source = x.close.map((c, i) => {
    switch (p.source) {
      case 'hl2': return (x.high[i] + x.low[i]) / 2;
      case 'ohlc4': return (x.open[i] + x.high[i] + x.low[i] + c) / 4;
      case 'close': return c;
      default: return (x.high[i] + x.low[i] + c) / 3;
    }
  });
  const field = ANCHOR_KEY[p.anchor as keyof typeof ANCHOR_KEY] ?? 'day';
  const out = new Array<number>(n);
  let key = '';
  let spv = 0;
  let sv = 0;
  for (let i = 0; i < n; i++) {
    const k = timestamps.length ? sessionOf(timestamps[i])[field] : '';
    if (i === 0 || k !== key) {
      key = k;
      spv = 0;
      sv = 0;
    }
    spv += source[i] * x.volume[i];
    sv += x.volume[i];
    out[i] = sv > 0 ? spv / sv : source[i];
  }
  return { ok: true, values: out };
}
