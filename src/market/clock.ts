// Clock facts in the exchange time zone (Asia/Kolkata unless configured), never the server's zone.

import { dayOfYear, isoWeek } from './days.js';

export const DEFAULT_TIMEZONE = 'Asia/Kolkata';
const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const SHORT_DAYS: Record<string, number> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };

export interface ZonedParts {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  /** 0 = Monday … 6 = Sunday (OpenAlgo's convention for schedules). */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone, hourCycle: 'h23', weekday: 'short',
      year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    formatters.set(timezone, f);
  }
  return f;
}

/** Wall-clock parts of an instant in a time zone. */
export function zonedParts(date: Date, timezone = DEFAULT_TIMEZONE): ZonedParts {
  const p: Record<string, string> = {};
  for (const part of formatter(timezone).formatToParts(date)) p[part.type] = part.value;
  return {
    year: Number(p.year), month: Number(p.month), day: Number(p.day),
    hour: Number(p.hour), minute: Number(p.minute), second: Number(p.second),
    millisecond: date.getUTCMilliseconds(), weekday: SHORT_DAYS[p.weekday] ?? 0,
  };
}

/** Offset of the zone from UTC at an instant, in minutes (IST: 330). */
export function zoneOffsetMinutes(date: Date, timezone = DEFAULT_TIMEZONE): number {
  const z = zonedParts(date, timezone);
  const asUtc = Date.UTC(z.year, z.month - 1, z.day, z.hour, z.minute, z.second, z.millisecond);
  return Math.round((asUtc - date.getTime()) / 60_000);
}

/** The instant at which the zone's wall clock shows the given date and time. */
export function zonedTimeToDate(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, timezone = DEFAULT_TIMEZONE): Date {
  const guess = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  const offset = zoneOffsetMinutes(guess, timezone);
  const first = new Date(guess.getTime() - offset * 60_000);
  const offset2 = zoneOffsetMinutes(first, timezone);
  return offset2 === offset ? first : new Date(guess.getTime() - offset2 * 60_000);
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** YYYY-MM-DD of the instant in the zone. */
export function zonedDate(date: Date, timezone = DEFAULT_TIMEZONE): string {
  const z = zonedParts(date, timezone);
  return `${z.year}-${pad(z.month)}-${pad(z.day)}`;
}

/** Minutes since midnight on the zone's wall clock. */
export function zonedMinutes(date: Date, timezone = DEFAULT_TIMEZONE): number {
  const z = zonedParts(date, timezone);
  return z.hour * 60 + z.minute;
}

/** Parses "HH:MM" (or "HH:MM:SS") into minutes since midnight; null when malformed. */
export function parseHhMm(text: string): number | null {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(text.trim());
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h > 23 || min > 59) return null;
  return h * 60 + min;
}

export type Builtins = Record<
  'timestamp' | 'iso_timestamp' | 'date' | 'time' | 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second'
  | 'weekday' | 'weekday_num' | 'session_date' | 'quarter' | 'week_of_year' | 'day_of_year',
  string | number
>;

// A trigger payload's `triggered_at` (the `iso_timestamp` built-in) without Intl on every fire:
// builtins() formats every part of the date through Intl.DateTimeFormat (~30–60 µs), which a price
// alert paid between the tick and its run. The zone's offset is looked up once per 15 minutes of UTC
// (every offset change since 1970 falls on such a boundary) and the wall clock is then plain arithmetic.
const WINDOW_MS = 15 * 60_000;
const offsets = new Map<string, { from: number; minutes: number }>();

/** `YYYY-MM-DDTHH:MM:SS.mmm+HH:MM` in `timezone`: the same text as builtins(...).iso_timestamp. */
export function isoTimestamp(ms: number, timezone: string): string {
  const from = Math.floor(ms / WINDOW_MS) * WINDOW_MS;
  let o = offsets.get(timezone);
  if (!o || o.from !== from) {
    o = { from, minutes: zoneOffsetMinutes(new Date(from), timezone) };
    offsets.set(timezone, o);
  }
  const d = new Date(ms + o.minutes * 60_000);
  const abs = Math.abs(o.minutes);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
    + `.${pad(d.getUTCMilliseconds(), 3)}${o.minutes >= 0 ? '+' : '-'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

let lastKey = '';
let lastValue: Builtins | null = null;

/** The interpolation built-ins at an instant (cached per millisecond and zone). */
export function builtins(now: Date, timezone = DEFAULT_TIMEZONE): Builtins {
  const key = `${now.getTime()}|${timezone}`;
  if (key === lastKey && lastValue) return lastValue;
  const z = zonedParts(now, timezone);
  const date = `${z.year}-${pad(z.month)}-${pad(z.day)}`;
  const time = `${pad(z.hour)}:${pad(z.minute)}:${pad(z.second)}`;
  const offset = zoneOffsetMinutes(now, timezone);
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  // The trading session rolls over at 03:00 in the exchange zone.
  const session = z.hour < 3 ? zonedDate(new Date(now.getTime() - 3 * 3_600_000), timezone) : date;
  const value: Builtins = {
    timestamp: `${date} ${time}`,
    iso_timestamp: `${date}T${time}.${pad(z.millisecond, 3)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`,
    date,
    time,
    year: String(z.year),
    month: pad(z.month),
    day: pad(z.day),
    hour: pad(z.hour),
    minute: pad(z.minute),
    second: pad(z.second),
    weekday: WEEKDAYS[z.weekday],
    weekday_num: z.weekday + 1,
    session_date: session,
    quarter: Math.floor((z.month - 1) / 3) + 1,
    week_of_year: isoWeek(date),
    day_of_year: dayOfYear(date),
  };
  lastKey = key;
  lastValue = value;
  return value;
}
