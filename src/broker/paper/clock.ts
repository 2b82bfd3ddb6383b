// IST calendar arithmetic on epoch numbers: cheap enough to run on every quote, and
// independent of the machine's TZ. Days are "IST day numbers" (days since 1970-01-01 in IST).

import { zoneOffsetMinutes } from '../../market/clock.js';
import { MONTHS, parseExpiry } from '../../market/expiry.js';

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;
/** India has kept one fixed offset (+05:30) since 1945, so one lookup serves every instant we price. */
export const IST_OFFSET_MS = zoneOffsetMinutes(new Date(), 'Asia/Kolkata') * MINUTE_MS;

/** The simulated price session, in minutes of the IST day: 09:15 to 15:30 (the 15:30 minute is closed); F&O prices follow their underlying. */
export const SESSION_OPEN_MIN = 9 * 60 + 15;
export const SESSION_CLOSE_MIN = 15 * 60 + 30;
export const SESSION_MINUTES = SESSION_CLOSE_MIN - SESSION_OPEN_MIN;

const MONTH_TITLE = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const pad = (n: number) => (n < 10 ? `0${n}` : String(n));

export function istDay(ms: number): number {
  return Math.floor((ms + IST_OFFSET_MS) / DAY_MS);
}

/** Minutes since IST midnight. */
export function istMinuteOfDay(ms: number): number {
  const local = ms + IST_OFFSET_MS;
  return Math.floor((local - Math.floor(local / DAY_MS) * DAY_MS) / MINUTE_MS);
}

/** 0 = Monday … 6 = Sunday. */
export function weekdayOf(day: number): number {
  return (((day + 3) % 7) + 7) % 7;
}

/** The instant of an IST wall-clock minute on a day. */
export function istInstant(day: number, minuteOfDay = 0): number {
  return day * DAY_MS + minuteOfDay * MINUTE_MS - IST_OFFSET_MS;
}

export function dayFromYmd(year: number, month: number, day: number): number {
  return Math.round(Date.UTC(year, month - 1, day) / DAY_MS);
}

export function ymdOf(day: number): { year: number; month: number; day: number } {
  const d = new Date(day * DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** "2025-11-25". */
export function isoDate(day: number): string {
  const { year, month, day: d } = ymdOf(day);
  return `${year}-${pad(month)}-${pad(d)}`;
}

/** Parses "YYYY-MM-DD" into a day number; null when malformed or not a real date. */
export function parseIsoDate(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return null;
  return dayFromYmd(y, mo, d);
}

/** OpenAlgo's expiry list format: "25-NOV-25". */
export function formatExpiry(day: number): string {
  const { year, month, day: d } = ymdOf(day);
  return `${pad(d)}-${MONTHS[month - 1]}-${pad(year % 100)}`;
}

/** The symbol/request form: "25NOV25". */
export function formatExpiryCompact(day: number): string {
  const { year, month, day: d } = ymdOf(day);
  return `${pad(d)}${MONTHS[month - 1]}${pad(year % 100)}`;
}

/** Accepts "25NOV25", "25-NOV-25", "25NOV2025", "25-Nov-2025"; null when not a real date. */
export function parseExpiryDate(text: string): number | null {
  const iso = parseExpiry(text);
  return iso === null ? null : parseIsoDate(iso);
}

let lastSecond = NaN;
let lastStamp = '';

/** OpenAlgo's order-book timestamp: "08-Apr-2025 13:58:03" (IST). */
export function formatOrderTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) { lastStamp = formatSecond(ms); lastSecond = second; }
  return lastStamp;
}

function formatSecond(ms: number): string {
  const day = istDay(ms);
  const { year, month, day: d } = ymdOf(day);
  const secs = Math.floor((ms + IST_OFFSET_MS - day * DAY_MS) / 1000);
  return `${pad(d)}-${MONTH_TITLE[month - 1]}-${year} ${pad(Math.floor(secs / 3600))}:${pad(Math.floor(secs / 60) % 60)}:${pad(secs % 60)}`;
}

/** "251125": the date prefix of order ids. */
export function yymmdd(ms: number): string {
  const { year, month, day } = ymdOf(istDay(ms));
  return `${pad(year % 100)}${pad(month)}${pad(day)}`;
}
