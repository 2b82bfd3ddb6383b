// Expiry calendars derived from the clock in IST: weekly (NIFTY on Tuesday, SENSEX on
// Thursday) and monthly (the last Tuesday/Thursday of the month); a holiday moves an expiry
// to the trading day before it, as the exchanges do.

import { defaultCalendar } from '../../market/calendar.js';
import { parseHhMm } from '../../market/clock.js';
import { onOrBeforeTradingDay } from './calendar.js';
import { daysInMonth, dayFromYmd, isoDate, istDay, istMinuteOfDay, SESSION_CLOSE_MIN, weekdayOf, ymdOf } from './clock.js';
import type { Underlying } from './instruments.js';

const WEEKLY_COUNT = 8;
const MONTHLY_COUNT = 3;

/** The last given weekday (0 = Monday) of a month, moved back over holidays. */
export function monthlyExpiry(year: number, month: number, weekday: number): number {
  const last = dayFromYmd(year, month, daysInMonth(year, month));
  const back = (weekdayOf(last) - weekday + 7) % 7;
  return onOrBeforeTradingDay(last - back);
}

const foCloses = new Map<number, number>();
/** The minute F&O stops trading on a day (NFO and BFO keep the same hours): 15:30, 15:40 from 3 August 2026. */
function foCloseMinute(day: number): number {
  let close = foCloses.get(day);
  if (close === undefined) {
    const session = defaultCalendar().sessionFor('NFO', isoDate(day));
    close = session && !session.special ? (parseHhMm(session.close) as number) : SESSION_CLOSE_MIN;
    foCloses.set(day, close);
  }
  return close;
}

/** The first day whose contracts are still alive at `ms`: today until the F&O close (IST), then tomorrow. */
function firstLiveDay(ms: number): number {
  const today = istDay(ms);
  return istMinuteOfDay(ms) < foCloseMinute(today) ? today : today + 1;
}

function monthlies(u: Underlying, from: number, count: number): number[] {
  const out: number[] = [];
  let { year, month } = ymdOf(from);
  while (out.length < count) {
    const day = monthlyExpiry(year, month, u.expiryWeekday);
    if (day >= from) out.push(day);
    month++;
    if (month > 12) { month = 1; year++; }
  }
  return out;
}

function weeklies(u: Underlying, from: number, count: number): number[] {
  const out: number[] = [];
  let day = from - 7; // a holiday can pull this week's expiry before `from`'s weekday
  day += (u.expiryWeekday - weekdayOf(day) + 7) % 7;
  while (out.length < count) {
    const shifted = onOrBeforeTradingDay(day);
    if (shifted >= from) out.push(shifted);
    day += 7;
  }
  return out;
}

/** Live expiries (IST day numbers), ascending: options get weeklies where listed plus monthlies; futures are monthly. */
export function expiryDays(u: Underlying, kind: 'options' | 'futures', ms: number): number[] {
  const from = firstLiveDay(ms);
  const days = kind === 'options' && u.weekly
    ? [...weeklies(u, from, WEEKLY_COUNT), ...monthlies(u, from, MONTHLY_COUNT)]
    : monthlies(u, from, MONTHLY_COUNT);
  return [...new Set(days)].sort((a, b) => a - b);
}

/** True once a contract expiring on `day` has stopped trading (from the F&O close that day). */
export function hasExpired(expiryDay: number, ms: number): boolean {
  return expiryDay < firstLiveDay(ms);
}
