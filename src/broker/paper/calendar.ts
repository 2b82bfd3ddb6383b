// The paper market's trading days, holidays and session timings, all read from the one exchange
// calendar (market/calendar.ts and its holidays.json).

import { defaultCalendar } from '../../market/calendar.js';
import { parseHhMm } from '../../market/clock.js';
import type { HolidaysAnswer, IntervalsAnswer, TimingsAnswer } from '../types.js';
import { istInstant, isoDate, parseIsoDate } from './clock.js';

/** The exchanges the paper market answers timings for (OpenAlgo's, less CRYPTO). */
const EXCHANGES = ['NSE', 'BSE', 'NFO', 'BFO', 'CDS', 'BCD', 'MCX'];

/** The calendar's times are validated when it loads. */
const minutesOf = (hhmm: string) => parseHhMm(hhmm) as number;
const regularDays = new Map<number, boolean>();

/**
 * Whether NSE holds its regular session that day. The simulated market only knows regular days,
 * so a special session (Muhurat, a weekend Budget session) counts as shut, as the exchanges treat
 * it for expiries (an expiry on a Muhurat day moves to the day before).
 */
export function isTradingDay(day: number): boolean {
  let regular = regularDays.get(day);
  if (regular === undefined) {
    const session = defaultCalendar().sessionFor('NSE', isoDate(day));
    regular = session !== null && !session.special;
    regularDays.set(day, regular);
  }
  return regular;
}

export function previousTradingDay(day: number): number {
  let d = day - 1;
  while (!isTradingDay(d)) d--;
  return d;
}

/** The day itself when it trades, else the trading day before it (how expiries move for holidays). */
export function onOrBeforeTradingDay(day: number): number {
  return isTradingDay(day) ? day : previousTradingDay(day);
}

/** OpenAlgo's holidays answer: each listed day with the exchanges shut and the sessions held (epoch ms). */
export function holidaysOf(year: number): NonNullable<HolidaysAnswer['data']> {
  return defaultCalendar().listedDays(year).map((d) => {
    const day = parseIsoDate(d.date) as number;
    return {
      date: d.date,
      description: d.description,
      holiday_type: d.sessions.NSE ? 'SPECIAL_SESSION' : 'TRADING_HOLIDAY',
      closed_exchanges: d.closed,
      open_exchanges: Object.entries(d.sessions).map(([exchange, s]) => ({
        exchange, start_time: istInstant(day, minutesOf(s.open)), end_time: istInstant(day, minutesOf(s.close)),
      })),
    };
  });
}

/** Session timings of a date (epoch ms), each exchange that trades that day; null when the date is malformed. */
export function timingsOf(date: string): NonNullable<TimingsAnswer['data']> | null {
  const day = parseIsoDate(date);
  if (day === null) return null;
  const out: NonNullable<TimingsAnswer['data']> = [];
  for (const exchange of EXCHANGES) {
    const s = defaultCalendar().sessionFor(exchange, date.trim());
    if (s) out.push({ exchange, start_time: istInstant(day, minutesOf(s.open)), end_time: istInstant(day, minutesOf(s.close)) });
  }
  return out;
}

export const INTERVALS: NonNullable<IntervalsAnswer['data']> = {
  months: ['M'], weeks: ['W'], days: ['D'], hours: ['1h'],
  minutes: ['1m', '3m', '5m', '10m', '15m', '30m'], seconds: [],
};
