// Candles from the same price walk as the quotes: intraday candles cover the 09:15–15:30 IST
// session only, never the future; D/W/M candles are stamped at IST midnight of their first day.

import type { Candle } from '../types.js';
import { isTradingDay } from './calendar.js';
import { istDay, istInstant, MINUTE_MS, SESSION_CLOSE_MIN, SESSION_MINUTES, SESSION_OPEN_MIN, weekdayOf, ymdOf } from './clock.js';
import { TICK_SIZE, type Instrument } from './instruments.js';
import { sessionPoint, type Market } from './prices.js';

const INTRADAY: Record<string, number> = { '1m': 1, '3m': 3, '5m': 5, '10m': 10, '15m': 15, '30m': 30, '1h': 60 };
const MAX_INTRADAY_DAYS = 366;
/** Daily candles sample the walk this often (minutes) for their high and low. */
const DAILY_SAMPLE = 15;

export const HISTORY_INTERVALS = [...Object.keys(INTRADAY), 'D', 'W', 'M'];

/** Candles between two IST days (inclusive), or a message when the request cannot be served. */
export function candles(market: Market, inst: Instrument, interval: string, startDay: number, endDay: number, nowMs: number): Candle[] | string {
  if (endDay < startDay) return 'end_date is before start_date';
  const lastMinute = sessionPoint(nowMs).minute; // the newest minute that has traded
  const last = Math.min(endDay, istDay(nowMs));
  const step = INTRADAY[interval];
  if (step !== undefined) {
    if (last - startDay > MAX_INTRADAY_DAYS) return `intraday history covers at most ${MAX_INTRADAY_DAYS} days per request`;
    const out: Candle[] = [];
    for (let day = startDay; day <= last; day++) if (isTradingDay(day)) intradayDay(market, inst, day, step, lastMinute, out);
    return out;
  }
  if (interval !== 'D' && interval !== 'W' && interval !== 'M') return `unsupported interval '${interval}' (supported: ${HISTORY_INTERVALS.join(', ')})`;
  const daily: Candle[] = [];
  const days: number[] = [];
  for (let day = startDay; day <= last; day++) {
    if (!isTradingDay(day)) continue;
    const c = dailyCandle(market, inst, day, lastMinute);
    if (c) { daily.push(c); days.push(day); }
  }
  if (interval === 'D') return daily;
  const period = interval === 'W'
    ? (day: number) => day - weekdayOf(day)
    : (day: number) => { const { year, month } = ymdOf(day); return year * 12 + month; };
  return aggregate(daily, days.map(period));
}

function intradayDay(market: Market, inst: Instrument, day: number, step: number, lastMinute: number, out: Candle[]): void {
  const first = istInstant(day, SESSION_OPEN_MIN) / MINUTE_MS;
  const end = Math.min(first + SESSION_MINUTES, lastMinute + 1);
  const perMinute = market.dailyVolume(inst, day) / SESSION_MINUTES;
  const oi = market.openInterest(inst, day);
  let open = market.priceAt(inst, first);
  for (let m0 = first; m0 < end; m0 += step) {
    const m1 = Math.min(m0 + step, end);
    let high = open;
    let low = open;
    let close = open;
    for (let m = m0; m < m1; m++) {
      close = market.priceAt(inst, m);
      if (close > high) high = close;
      if (close < low) low = close;
    }
    // A few ticks of wiggle inside the candle, so even a flat minute has a range.
    high = toTick(high + TICK_SIZE * Math.floor(market.unit(inst.symbol, m0, 5) * 3));
    low = Math.max(TICK_SIZE, toTick(low - TICK_SIZE * Math.floor(market.unit(inst.symbol, m0, 6) * 3)));
    const volume = Math.round(perMinute * (m1 - m0) * (0.5 + market.unit(inst.symbol, m0, 7)));
    out.push({ timestamp: (m0 * MINUTE_MS) / 1000, open, high, low, close, volume, oi });
    open = close;
  }
}

function dailyCandle(market: Market, inst: Instrument, day: number, lastMinute: number): Candle | null {
  const first = istInstant(day, SESSION_OPEN_MIN) / MINUTE_MS;
  if (first > lastMinute) return null;
  const close = Math.min(istInstant(day, SESSION_CLOSE_MIN) / MINUTE_MS - 1, lastMinute);
  const open = market.priceAt(inst, first);
  const closePrice = market.priceAt(inst, close);
  let high = Math.max(open, closePrice);
  let low = Math.min(open, closePrice);
  for (let m = first + DAILY_SAMPLE; m < close; m += DAILY_SAMPLE) {
    const p = market.priceAt(inst, m);
    if (p > high) high = p;
    if (p < low) low = p;
  }
  const traded = (close - first + 1) / SESSION_MINUTES;
  return {
    timestamp: istInstant(day, 0) / 1000, open, high, low, close: closePrice,
    volume: Math.round(market.dailyVolume(inst, day) * traded), oi: market.openInterest(inst, day),
  };
}

function aggregate(daily: Candle[], groups: number[]): Candle[] {
  const out: Candle[] = [];
  for (let i = 0; i < daily.length; i++) {
    const c = daily[i];
    const prev = out[out.length - 1];
    if (prev && groups[i] === groups[i - 1]) {
      prev.high = Math.max(prev.high, c.high);
      prev.low = Math.min(prev.low, c.low);
      prev.close = c.close;
      prev.volume += c.volume;
      prev.oi = c.oi;
    } else {
      out.push({ ...c });
    }
  }
  return out;
}

function toTick(x: number): number {
  return Math.round(x * 20) / 20;
}
