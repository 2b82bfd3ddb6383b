// A trigger payload's `triggered_at` (the exchange zone's ISO 8601 with its offset, as the
// `iso_timestamp` builtin), without Intl on every fire: builtins() formats every part of the date
// through Intl.DateTimeFormat (~30–60 µs), which a price alert paid between the tick and its run.
// The zone's offset is looked up once per 15 minutes of UTC (every offset change since 1970 falls on
// such a boundary) and the wall clock is then plain arithmetic.

import { zoneOffsetMinutes } from '../market/clock.js';

const WINDOW_MS = 15 * 60_000;
const offsets = new Map<string, { from: number; minutes: number }>();
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

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
