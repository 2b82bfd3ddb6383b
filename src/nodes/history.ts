// History helpers for the nodes that read candles (indicator, barOffset, priorPeriodOhlc): the
// request window OpenAlgo sizes, which bars are closed, prior-period aggregation, and `source: "db"`,
// which builds intervals the broker may not offer (2m, 25m, 2h, W, M, Q, Y) from 1-minute or daily
// candles the way OpenAlgo's Historify does (database/historify_db.py).

import type { Broker, Candle } from '../broker/types.js';
import { zonedDate } from '../market/clock.js';
import { MAX_HISTORY_BARS, parseNumber } from './shared.js';
import { addDays, isoWeek, weekdayOf } from '../market/days.js';

export type IntervalInfo =
  | { kind: 'intraday'; seconds: number }
  | { kind: 'day'; count: number }
  | { kind: 'week'; count: number }
  | { kind: 'month'; count: number }
  | { kind: 'unknown' };

/**
 * Reads interval codes as OpenAlgo does: 5s, 1m, 25m, 2h (lower-case m is minutes), D, W, M, Q, Y and
 * multiples like 2W or 3M (upper-case M is months; a quarter is 3 months, a year 12). Also 1d, 1w, day, week, month.
 */
export function intervalInfo(interval: string): IntervalInfo {
  const s = interval.trim();
  const word = ({ day: 'D', week: 'W', month: 'M', quarter: 'Q', year: 'Y', '1d': 'D', '1w': 'W' } as Record<string, string>)[s.toLowerCase()];
  const m = /^(\d*)([smhDWMQYdw])$/.exec(word ?? s);
  if (!m) return { kind: 'unknown' };
  const count = m[1] === '' ? 1 : Number(m[1]);
  if (count <= 0) return { kind: 'unknown' };
  switch (m[2]) {
    case 's': return m[1] ? { kind: 'intraday', seconds: count } : { kind: 'unknown' };
    case 'm': return m[1] ? { kind: 'intraday', seconds: count * 60 } : { kind: 'unknown' };
    case 'h': return m[1] ? { kind: 'intraday', seconds: count * 3600 } : { kind: 'unknown' };
    case 'D': case 'd': return { kind: 'day', count };
    case 'W': case 'w': return { kind: 'week', count };
    case 'M': return { kind: 'month', count };
    case 'Q': return { kind: 'month', count: count * 3 };
    case 'Y': return { kind: 'month', count: count * 12 };
    default: return { kind: 'unknown' };
  }
}

/** OpenAlgo's bars-per-day table (services/indicator_service.py _BARS_PER_DAY), keyed by the lower-cased interval. */
const BARS_PER_DAY: Record<string, number> = {
  '1m': 375, '3m': 125, '5m': 75, '10m': 38, '15m': 25, '30m': 13, '1h': 7, '60m': 7, '2h': 4, '3h': 3, '4h': 2,
  d: 1, '1d': 1, day: 1, w: 0.2, week: 0.2, m: 0.05, month: 0.05, q: 0.016, quarter: 0.016, y: 0.004, year: 0.004,
};

/**
 * Calendar days OpenAlgo requests for `bars` bars (history_window): int(bars / bars-per-day × 1.6) + 5,
 * at most 4000. The same window gives the same bars, and so the same recursive-indicator warm-up.
 */
export function lookbackDays(interval: string, bars: number): number {
  const clamped = Math.max(1, Math.min(Math.trunc(bars), MAX_HISTORY_BARS));
  const perDay = BARS_PER_DAY[interval.toLowerCase()] ?? 75;
  return Math.min(Math.trunc((clamped / perDay) * 1.6) + 5, 4000);
}

/** Start of the calendar bucket holding `date` (YYYY-MM-DD): Monday weeks, months, quarters, years, grouped in `count`s as Historify does. */
export function bucketStart(date: string, info: { kind: 'week' | 'month'; count: number }): string {
  if (info.kind === 'week') {
    const monday = addDays(date, -weekdayOf(date));
    if (info.count === 1) return monday;
    return addDays(monday, -7 * ((isoWeek(monday) - 1) % info.count));
  }
  const y = Number(date.slice(0, 4));
  const month0 = Number(date.slice(5, 7)) - 1;
  if (info.count % 12 === 0) {
    const years = info.count / 12;
    return `${y - (y % years)}-01-01`;
  }
  const start = month0 - (month0 % info.count);
  return `${y}-${String(start + 1).padStart(2, '0')}-01`;
}

/** A bar has closed once its whole interval lies in the past; a daily bar closes with its date, a week or month with its bucket. */
export function isClosed(bar: Candle, interval: string, now: Date, timezone: string): boolean {
  const info = intervalInfo(interval);
  const start = bar.timestamp * 1000;
  const today = zonedDate(now, timezone);
  switch (info.kind) {
    case 'intraday':
      return start + info.seconds * 1000 <= now.getTime();
    case 'day':
      return addDays(zonedDate(new Date(start), timezone), info.count - 1) < today;
    case 'week':
    case 'month':
      return bucketStart(zonedDate(new Date(start), timezone), info) < bucketStart(today, info);
    default:
      return start < now.getTime();
  }
}

export type Fetched = { ok: true; bars: Candle[] } | { ok: false; message: string };

/** Market open in seconds after midnight IST per exchange (Historify's candle alignment). */
const MARKET_OPEN: Record<string, number> = { CDS: 32_400, BCD: 32_400, MCX: 32_400 };
const IST_OFFSET = 19_800;

/** Intraday candles from 1-minute ones, buckets aligned to the exchange's open (NSE 09:15, MCX 09:00) in IST. */
export function resampleIntraday(bars: Candle[], seconds: number, exchange: string): Candle[] {
  const open = MARKET_OPEN[exchange.toUpperCase()] ?? 33_300;
  return group(bars, (t) => {
    const local = t + IST_OFFSET;
    const dayStart = Math.floor(local / 86_400) * 86_400 - IST_OFFSET;
    return dayStart + open + Math.floor(((local % 86_400) - open) / seconds) * seconds;
  });
}

/** Weekly, monthly, quarterly or yearly candles from daily ones; stamped at 00:00 UTC of the bucket's first IST date, as Historify stamps them. */
export function resampleCalendar(bars: Candle[], info: { kind: 'week' | 'month'; count: number }): Candle[] {
  return group(bars, (t) => Date.parse(`${bucketStart(new Date((t + IST_OFFSET) * 1000).toISOString().slice(0, 10), info)}T00:00:00Z`) / 1000);
}

/** First open, highest high, lowest low, last close, summed volume, last oi per key (bars oldest first). */
function group(bars: Candle[], keyOf: (timestamp: number) => number): Candle[] {
  const out: Candle[] = [];
  for (const b of bars) {
    const key = keyOf(b.timestamp);
    const last = out[out.length - 1];
    if (last && last.timestamp === key) {
      last.high = Math.max(last.high, b.high);
      last.low = Math.min(last.low, b.low);
      last.close = b.close;
      last.volume += b.volume;
      last.oi = b.oi;
    } else out.push({ ...b, timestamp: key });
  }
  return out;
}

/** Fetches candles for a window ending today (exchange time), validated and sorted oldest first. */
export async function fetchBars(
  broker: Broker, req: { symbol: string; exchange: string; interval: string; days: number }, now: Date, timezone: string, signal: AbortSignal,
): Promise<Fetched> {
  const end = zonedDate(now, timezone);
  const start = addDays(end, -req.days);
  const answer = await broker.history({ symbol: req.symbol, exchange: req.exchange, interval: req.interval, start_date: start, end_date: end }, { signal });
  if (answer.status !== 'success') {
    return { ok: false, message: `History fetch failed for ${req.symbol} (${req.interval}): ${answer.message ?? 'broker error'}.` };
  }
  const bars: Candle[] = [];
  for (const row of answer.data ?? []) {
    const c = {
      timestamp: parseNumber(row.timestamp), open: parseNumber(row.open), high: parseNumber(row.high), low: parseNumber(row.low),
      close: parseNumber(row.close), volume: parseNumber(row.volume) ?? 0, oi: parseNumber(row.oi) ?? 0,
    };
    if (c.timestamp === null || c.open === null || c.high === null || c.low === null || c.close === null) {
      return { ok: false, message: `history for ${req.symbol} has a malformed candle: ${JSON.stringify(row)}` };
    }
    bars.push(c as Candle);
  }
  bars.sort((a, b) => a.timestamp - b.timestamp);
  return { ok: true, bars };
}

/**
 * Candles at `interval` from the broker (`source: "api"`), or (`source: "db"`) built here: 1m and D as
 * the broker gives them, other intraday intervals from 1m candles, W/M/Q/Y from daily ones. The latest
 * MAX_HISTORY_BARS are kept (OpenAlgo's trim_records).
 */
export async function fetchCandles(
  broker: Broker, req: { symbol: string; exchange: string; interval: string; source: 'api' | 'db'; days: number }, now: Date, timezone: string, signal: AbortSignal,
): Promise<Fetched> {
  const info = intervalInfo(req.interval);
  const trim = (got: Fetched): Fetched => (got.ok ? { ok: true, bars: got.bars.slice(-MAX_HISTORY_BARS) } : got);
  if (req.source === 'api') {
    const got = await fetchBars(broker, req, now, timezone, signal);
    if (!got.ok) {
      return { ok: false, message: `${got.message} If your broker does not support the '${req.interval}' interval, use the Intervals node to list supported ones, or set Source to "db" to build it from 1-minute or daily candles.` };
    }
    return trim(got);
  }
  if (info.kind === 'intraday' && info.seconds === 60) return trim(await fetchBars(broker, { ...req, interval: '1m' }, now, timezone, signal));
  if (info.kind === 'day' && info.count === 1) return trim(await fetchBars(broker, { ...req, interval: 'D' }, now, timezone, signal));
  if (info.kind === 'intraday') {
    if (info.seconds % 60 !== 0) return { ok: false, message: `source "db" builds minute and hour intervals from 1-minute candles; '${req.interval}' is not a whole number of minutes` };
    const got = await fetchBars(broker, { ...req, interval: '1m' }, now, timezone, signal);
    return got.ok ? trim({ ok: true, bars: resampleIntraday(got.bars, info.seconds, req.exchange) }) : got;
  }
  if (info.kind === 'week' || info.kind === 'month') {
    const got = await fetchBars(broker, { ...req, interval: 'D' }, now, timezone, signal);
    return got.ok ? trim({ ok: true, bars: resampleCalendar(got.bars, info) }) : got;
  }
  return { ok: false, message: `source "db" cannot build the '${req.interval}' interval: use 1m, 25m, 2h (minutes/hours), D, W, M, Q, Y or multiples like 2W` };
}

/** The latest closed bars, at most `limit` (the history cap). */
export function closedBars(bars: Candle[], interval: string, now: Date, timezone: string, limit = MAX_HISTORY_BARS): Candle[] {
  const closed = bars.filter((b) => isClosed(b, interval, now, timezone));
  return closed.slice(Math.max(0, closed.length - limit));
}

export const PERIODS = ['previous_hour', 'previous_day', 'previous_week', 'previous_month'] as const;
export type Period = (typeof PERIODS)[number];

export const periodInterval = (p: Period) => (p === 'previous_hour' ? '1h' : 'D');
/** Calendar days OpenAlgo fetches per period (execute_prior_period_ohlc). */
export const periodLookback = (p: Period) => ({ previous_hour: 5, previous_day: 10, previous_week: 21, previous_month: 60 })[p];

export interface PeriodBar { date: string; open: number; high: number; low: number; close: number; volume: number }

/**
 * The last fully closed hour, day, week or month from hourly (previous_hour) or daily bars.
 * `today` is the exchange's calendar date; null when the history is too short. Labels are OpenAlgo's:
 * "YYYY-MM-DD HH:MM" for an hour, the date for a day, "Mon/Sun" dates for a week, "YYYY-MM" for a month.
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
  const key = keys[keys.length - 1];
  const last = key ? groups.get(key)! : null;
  if (!last) return null;
  const label = period === 'previous_week' ? `${key}/${addDays(key, 6)}` : period === 'previous_month' ? key : last[0].date;
  return {
    date: label,
    open: last[0].open,
    high: Math.max(...last.map((b) => b.high)),
    low: Math.min(...last.map((b) => b.low)),
    close: last[last.length - 1].close,
    volume: last.reduce((s, b) => s + b.volume, 0),
  };
}
