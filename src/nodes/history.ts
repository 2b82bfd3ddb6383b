// History helpers for the nodes that read candles (history, indicator, barOffset, priorPeriodOhlc):
// how many calendar days to ask for, which bars are closed, and prior-period aggregation.

import type { Broker, Candle } from '../broker/types.js';
import { zonedDate } from '../engine/time.js';
import { MAX_HISTORY_BARS, toNumber } from './shared.js';
import { addDays, weekdayOf } from './tradingDays.js';

export type IntervalInfo =
  | { kind: 'intraday'; seconds: number }
  | { kind: 'day' }
  | { kind: 'week' }
  | { kind: 'month' }
  | { kind: 'unknown' };

/** Reads OpenAlgo interval codes: 5s, 1m, 15m, 1h, D/1d, W/1w, M/1M (m is minutes, M months). */
export function intervalInfo(interval: string): IntervalInfo {
  const s = interval.trim();
  if (/^1?[dD]$/.test(s) || /^day$/i.test(s)) return { kind: 'day' };
  if (/^1?[wW]$/.test(s) || /^week$/i.test(s)) return { kind: 'week' };
  if (/^1?M$/.test(s) || /^month$/i.test(s)) return { kind: 'month' };
  const m = /^(\d+)\s*(s|m|h)$/.exec(s);
  if (m && Number(m[1]) > 0) return { kind: 'intraday', seconds: Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2] as 's' | 'm' | 'h'] };
  return { kind: 'unknown' };
}

/** Calendar days to request so that `bars` bars (plus a margin for weekends and holidays) come back. */
export function lookbackDays(interval: string, bars: number): number {
  const info = intervalInfo(interval);
  switch (info.kind) {
    case 'intraday': {
      const perDay = Math.max(1, Math.floor((375 * 60) / info.seconds));
      return Math.ceil((Math.ceil(bars / perDay) * 7) / 5) + 4;
    }
    case 'day':
      return Math.ceil((bars * 7) / 5) + 10;
    case 'week':
      return bars * 7 + 14;
    case 'month':
      return bars * 31 + 62;
    default:
      return Math.ceil(bars * 1.5) + 10;
  }
}

/** A bar has closed once its whole interval lies in the past; a daily bar closes with its date. */
export function isClosed(bar: Candle, interval: string, now: Date, timezone: string): boolean {
  const info = intervalInfo(interval);
  const start = bar.timestamp * 1000;
  const today = zonedDate(now, timezone);
  switch (info.kind) {
    case 'intraday':
      return start + info.seconds * 1000 <= now.getTime();
    case 'day':
      return zonedDate(new Date(start), timezone) < today;
    case 'week': {
      const d = zonedDate(new Date(start), timezone);
      return addDays(d, 7 - weekdayOf(d)) <= today;
    }
    case 'month':
      return zonedDate(new Date(start), timezone).slice(0, 7) < today.slice(0, 7);
    default:
      return start < now.getTime();
  }
}

export type Fetched = { ok: true; bars: Candle[] } | { ok: false; message: string };

/** Fetches candles for a window ending today (exchange time), validated and sorted oldest first. */
export async function fetchBars(
  broker: Broker, req: { symbol: string; exchange: string; interval: string; days: number }, now: Date, timezone: string, signal: AbortSignal,
): Promise<Fetched> {
  const end = zonedDate(now, timezone);
  const start = addDays(end, -req.days);
  const answer = await broker.history({ symbol: req.symbol, exchange: req.exchange, interval: req.interval, start_date: start, end_date: end }, { signal });
  if (answer.status !== 'success') {
    return { ok: false, message: `history for ${req.symbol} (${req.interval}) failed: ${answer.message ?? 'broker error'}. If the broker does not offer '${req.interval}', list its intervals with the intervals node.` };
  }
  const bars: Candle[] = [];
  for (const row of answer.data ?? []) {
    const c = {
      timestamp: toNumber(row.timestamp), open: toNumber(row.open), high: toNumber(row.high), low: toNumber(row.low),
      close: toNumber(row.close), volume: toNumber(row.volume) ?? 0, oi: toNumber(row.oi) ?? 0,
    };
    if (c.timestamp === null || c.open === null || c.high === null || c.low === null || c.close === null) {
      return { ok: false, message: `history for ${req.symbol} has a malformed candle: ${JSON.stringify(row)}` };
    }
    bars.push(c as Candle);
  }
  bars.sort((a, b) => a.timestamp - b.timestamp);
  return { ok: true, bars };
}

/** The latest closed bars, at most `limit` (the history cap). */
export function closedBars(bars: Candle[], interval: string, now: Date, timezone: string, limit = MAX_HISTORY_BARS): Candle[] {
  const closed = bars.filter((b) => isClosed(b, interval, now, timezone));
  return closed.slice(Math.max(0, closed.length - limit));
}

export const PERIODS = ['previous_hour', 'previous_day', 'previous_week', 'previous_month'] as const;
export type Period = (typeof PERIODS)[number];

export const periodInterval = (p: Period) => (p === 'previous_hour' ? '1h' : 'D');
export const periodLookback = (p: Period) => ({ previous_hour: 5, previous_day: 10, previous_week: 21, previous_month: 62 })[p];

export interface PeriodBar { date: string; open: number; high: number; low: number; close: number; volume: number }

/**
 * The last fully closed hour, day, week or month from hourly (previous_hour) or daily bars.
 * `today` is the trading session date; null when the history is too short.
 */
export function priorPeriod(bars: Candle[], period: Period, now: Date, timezone: string, today: string): PeriodBar | null {
  if (period === 'previous_hour') {
    const closed = bars.filter((b) => isClosed(b, '1h', now, timezone));
    const last = closed[closed.length - 1];
    if (!last) return null;
    const d = new Date(last.timestamp * 1000);
    const label = `${zonedDate(d, timezone)} ${new Intl.DateTimeFormat('en-GB', { timeZone: timezone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d)}`;
    return { date: label, open: last.open, high: last.high, low: last.low, close: last.close, volume: last.volume };
  }
  const daily = bars.map((b) => ({ ...b, date: zonedDate(new Date(b.timestamp * 1000), timezone) })).filter((b) => b.date < today);
  const keyOf = (date: string) =>
    period === 'previous_day' ? date : period === 'previous_week' ? addDays(date, -weekdayOf(date)) : date.slice(0, 7);
  const current = keyOf(today);
  const groups = new Map<string, typeof daily>();
  for (const b of daily) {
    const k = keyOf(b.date);
    if (k >= current) continue;
    (groups.get(k) ?? groups.set(k, []).get(k)!).push(b);
  }
  const keys = [...groups.keys()].sort();
  const last = keys.length ? groups.get(keys[keys.length - 1])! : null;
  if (!last) return null;
  return {
    date: last[0].date,
    open: last[0].open,
    high: Math.max(...last.map((b) => b.high)),
    low: Math.min(...last.map((b) => b.low)),
    close: last[last.length - 1].close,
    volume: last.reduce((s, b) => s + b.volume, 0),
  };
}
