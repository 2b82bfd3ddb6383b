// Trading-day facts for the calendar node: "has a new week/month/quarter/year started" is the same
// question as "is this the first trading day of it", which needs no memory between runs.

export type IsTradingDay = (date: string) => boolean;

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const pad = (n: number) => String(n).padStart(2, '0');

function toUtc(date: string): Date {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d));
}
const fromUtc = (d: Date) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;

export function addDays(date: string, n: number): string {
  const d = toUtc(date);
  d.setUTCDate(d.getUTCDate() + n);
  return fromUtc(d);
}

/** 0 = Monday … 6 = Sunday. */
export const weekdayOf = (date: string) => (toUtc(date).getUTCDay() + 6) % 7;
export const isWeekend = (date: string) => weekdayOf(date) >= 5;

/** ISO week number: the week (Monday first) holding the date's Thursday, counted in that Thursday's year. */
export function isoWeek(date: string): number {
  const thursday = addDays(date, 3 - weekdayOf(date));
  const jan1 = toUtc(`${thursday.slice(0, 4)}-01-01`);
  return Math.floor((toUtc(thursday).getTime() - jan1.getTime()) / 86_400_000 / 7) + 1;
}

/** 1 on 1 January. */
export const dayOfYear = (date: string) => Math.round((toUtc(date).getTime() - toUtc(`${date.slice(0, 4)}-01-01`).getTime()) / 86_400_000) + 1;

const quarterOf = (date: string) => Math.floor((Number(date.slice(5, 7)) - 1) / 3) + 1;
const quarterStart = (date: string) => `${date.slice(0, 4)}-${pad((quarterOf(date) - 1) * 3 + 1)}-01`;
/** The first day of the month after the date's month. */
const nextMonthStart = (date: string) => addDays(`${date.slice(0, 7)}-01`, 40).slice(0, 7) + '-01';

/** The first and last trading days within [from, to), or null when the period has none. */
function tradingBounds(from: string, to: string, isTrading: IsTradingDay): { first: string | null; last: string | null } {
  let first: string | null = null;
  let last: string | null = null;
  for (let d = from; d < to; d = addDays(d, 1)) {
    if (!isTrading(d)) continue;
    first ??= d;
    last = d;
  }
  return { first, last };
}

function step(date: string, dir: 1 | -1, isTrading: IsTradingDay): string | null {
  let d = date;
  for (let i = 0; i < 60; i++) {
    d = addDays(d, dir);
    if (isTrading(d)) return d;
  }
  return null;
}

/** Everything OpenAlgo's calendar node exposes about one date. */
export function describeDay(date: string, isTrading: IsTradingDay): Record<string, unknown> {
  const weekday = weekdayOf(date);
  const tradingDay = isTrading(date);
  const monday = addDays(date, -weekday);
  const week = tradingBounds(monday, addDays(monday, 7), isTrading);
  const month = tradingBounds(`${date.slice(0, 7)}-01`, nextMonthStart(date), isTrading);
  const qStart = quarterStart(date);
  const quarter = tradingBounds(qStart, nextMonthStart(addDays(qStart, 62)), isTrading);
  const year = tradingBounds(`${date.slice(0, 4)}-01-01`, `${Number(date.slice(0, 4)) + 1}-01-01`, isTrading);
  return {
    date,
    is_trading_day: tradingDay,
    is_trading_holiday: !tradingDay && weekday < 5,
    is_weekend: weekday >= 5,
    weekday: WEEKDAYS[weekday],
    weekday_num: weekday + 1,
    day: Number(date.slice(8, 10)),
    month: Number(date.slice(5, 7)),
    quarter: quarterOf(date),
    year: Number(date.slice(0, 4)),
    week_of_year: isoWeek(date),
    day_of_year: dayOfYear(date),
    is_new_day: tradingDay,
    is_new_week: tradingDay && week.first === date,
    is_new_month: tradingDay && month.first === date,
    is_new_quarter: tradingDay && quarter.first === date,
    is_new_year: tradingDay && year.first === date,
    is_last_day_of_week: tradingDay && week.last === date,
    is_last_day_of_month: tradingDay && month.last === date,
    is_last_day_of_quarter: tradingDay && quarter.last === date,
    is_last_day_of_year: tradingDay && year.last === date,
    prev_trading_day: step(date, -1, isTrading),
    next_trading_day: step(date, 1, isTrading),
    first_trading_day_of_week: week.first,
    first_trading_day_of_month: month.first,
    first_trading_day_of_quarter: quarter.first,
    last_trading_day_of_week: week.last,
    last_trading_day_of_month: month.last,
    last_trading_day_of_quarter: quarter.last,
  };
}
