// Trading days, NSE holidays (2025 and 2026 from the exchange's circulars) and session timings.

import type { HolidaysAnswer, IntervalsAnswer, TimingsAnswer } from '../types.js';
import { dayFromYmd, istInstant, parseIsoDate, SESSION_CLOSE_MIN, SESSION_OPEN_MIN, weekdayOf } from './clock.js';

const HOLIDAYS: ReadonlyArray<readonly [string, string]> = [
  ['2025-02-26', 'Mahashivratri'],
  ['2025-03-14', 'Holi'],
  ['2025-03-31', 'Id-Ul-Fitr (Ramadan Eid)'],
  ['2025-04-10', 'Shri Mahavir Jayanti'],
  ['2025-04-14', 'Dr. Baba Saheb Ambedkar Jayanti'],
  ['2025-04-18', 'Good Friday'],
  ['2025-05-01', 'Maharashtra Day'],
  ['2025-08-15', 'Independence Day'],
  ['2025-08-27', 'Ganesh Chaturthi'],
  ['2025-10-02', 'Mahatma Gandhi Jayanti/Dussehra'],
  ['2025-10-21', 'Diwali Laxmi Pujan'],
  ['2025-10-22', 'Diwali-Balipratipada'],
  ['2025-11-05', 'Prakash Gurpurb Sri Guru Nanak Dev'],
  ['2025-12-25', 'Christmas'],
  ['2026-01-26', 'Republic Day'],
  ['2026-03-03', 'Holi'],
  ['2026-03-26', 'Shri Ram Navami'],
  ['2026-03-31', 'Shri Mahavir Jayanti'],
  ['2026-04-03', 'Good Friday'],
  ['2026-04-14', 'Dr. Baba Saheb Ambedkar Jayanti'],
  ['2026-05-01', 'Maharashtra Day'],
  ['2026-05-28', 'Bakri Id'],
  ['2026-06-26', 'Muharram'],
  ['2026-09-14', 'Ganesh Chaturthi'],
  ['2026-10-02', 'Mahatma Gandhi Jayanti'],
  ['2026-10-20', 'Dussehra'],
  ['2026-11-10', 'Diwali-Balipratipada'],
  ['2026-11-24', 'Prakash Gurpurb Sri Guru Nanak Dev'],
  ['2026-12-25', 'Christmas'],
];
const HOLIDAY_DAYS = new Set(HOLIDAYS.map(([date]) => parseIsoDate(date) as number));
const CLOSED_EXCHANGES = ['NSE', 'BSE', 'NFO', 'BFO', 'CDS', 'BCD'];

export function isTradingDay(day: number): boolean {
  return weekdayOf(day) < 5 && !HOLIDAY_DAYS.has(day);
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

export function holidaysOf(year: number): NonNullable<HolidaysAnswer['data']> {
  return HOLIDAYS.filter(([date]) => date.startsWith(`${year}-`)).map(([date, description]) => ({
    date, description, holiday_type: 'TRADING_HOLIDAY', closed_exchanges: [...CLOSED_EXCHANGES],
  }));
}

/** Session timings of a date (epoch ms); empty on weekends and holidays. Null when the date is malformed. */
export function timingsOf(date: string): NonNullable<TimingsAnswer['data']> | null {
  const day = parseIsoDate(date);
  if (day === null) return null;
  if (!isTradingDay(day)) return [];
  // NSE extends the F&O close to 15:40 from 2026-08-03.
  const foClose = day >= dayFromYmd(2026, 8, 3) ? 15 * 60 + 40 : SESSION_CLOSE_MIN;
  const at = (open: number, close: number) => ({ start_time: istInstant(day, open), end_time: istInstant(day, close) });
  return [
    { exchange: 'NSE', ...at(SESSION_OPEN_MIN, SESSION_CLOSE_MIN) },
    { exchange: 'BSE', ...at(SESSION_OPEN_MIN, SESSION_CLOSE_MIN) },
    { exchange: 'NFO', ...at(SESSION_OPEN_MIN, foClose) },
    { exchange: 'BFO', ...at(SESSION_OPEN_MIN, foClose) },
    { exchange: 'CDS', ...at(9 * 60, 17 * 60) },
    { exchange: 'BCD', ...at(9 * 60, 17 * 60) },
    { exchange: 'MCX', ...at(9 * 60, 23 * 60 + 55) },
  ];
}

export const INTERVALS: NonNullable<IntervalsAnswer['data']> = {
  months: ['M'], weeks: ['W'], days: ['D'], hours: ['1h'],
  minutes: ['1m', '3m', '5m', '10m', '15m', '30m'], seconds: [],
};
