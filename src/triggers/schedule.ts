// A `start` node's schedule: parsed once into a plain spec, and its run instants computed
// purely (croner for clock patterns) in the exchange time zone, honouring the trading calendar.

import { Cron } from 'croner';
import { DEFAULT_TIMEZONE, parseHhMm, zonedDate, zonedTimeToDate } from '../market/clock.js';
import { defaultCalendar, type Calendar } from '../market/calendar.js';

export type ScheduleKind = 'once' | 'daily' | 'weekly' | 'interval' | 'cron';
export const SCHEDULE_KINDS: readonly ScheduleKind[] = ['once', 'daily', 'weekly', 'interval', 'cron'];

/**
 * marketHoursOnly, resolved. As OpenAlgo's is_within_market_hours, a run fires only inside the
 * day's session window (start/end replace its clock; the close minute is inside) on a trading day.
 */
export interface MarketHoursRule {
  exchange: string;
  start?: string;
  end?: string;
}

interface SpecBase {
  /** Zone the schedule's wall-clock times are read in (Asia/Kolkata unless configured). */
  timezone: string;
  marketHours: MarketHoursRule | null;
}

/** A parsed schedule; plain JSON, so the store can keep it as it is. */
export type ScheduleSpec =
  | (SpecBase & { kind: 'once'; /** ISO instant */ at: string })
  | (SpecBase & { kind: 'daily' | 'weekly'; /** HH:MM or HH:MM:SS */ time: string; /** 0 = Monday … 6 = Sunday */ days: number[] })
  | (SpecBase & { kind: 'interval'; everySeconds: number; /** ISO instant the steps count from (activation, or the last run); set by the Scheduler */ anchor?: string })
  | (SpecBase & { kind: 'cron'; expression: string });

export interface ScheduleProblem {
  field: string;
  message: string;
}

export type ParseScheduleResult = { ok: true; spec: ScheduleSpec } | { ok: false; problems: ScheduleProblem[] };

export interface ParseScheduleOptions {
  timezone?: string;
  /** Used to check marketHoursExchange; the shipped calendar by default. */
  calendar?: Calendar;
}

const DAY_NAMES: Record<string, number> = {
  mon: 0, monday: 0, tue: 1, tuesday: 1, wed: 2, wednesday: 2, thu: 3, thursday: 3,
  fri: 4, friday: 4, sat: 5, saturday: 5, sun: 6, sunday: 6,
};
const ALL_DAYS = [0, 1, 2, 3, 4, 5, 6];
const UNIT_SECONDS: Record<string, number> = { seconds: 1, minutes: 60, hours: 3600 };
const MAX_INTERVAL_SECONDS = 86_400;

const isBlank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
const show = (v: unknown) => (typeof v === 'string' ? `'${v}'` : JSON.stringify(v));
const pad = (n: number) => String(n).padStart(2, '0');

/** "9:20" → "09:20", "09:20:30" kept with its seconds; null when malformed. */
function normaliseTime(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const m = /^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$/.exec(raw);
  if (!m || parseHhMm(raw) === null || Number(m[3] ?? 0) > 59) return null;
  return m[3] === undefined ? `${pad(Number(m[1]))}:${m[2]}` : `${pad(Number(m[1]))}:${m[2]}:${m[3]}`;
}

function timeParts(time: string): [number, number, number] {
  const [h, m, s] = time.split(':').map(Number);
  return [h, m, s ?? 0];
}

function parseDays(raw: unknown): number[] | string {
  if (!Array.isArray(raw)) return `must be a list of days (0 = Monday … 6 = Sunday), got ${show(raw)}`;
  const days = new Set<number>();
  for (const item of raw) {
    const named = typeof item === 'string' ? DAY_NAMES[item.trim().toLowerCase()] : undefined;
    const n = named ?? (typeof item === 'string' && /^\s*\d+\s*$/.test(item) ? Number(item) : item);
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 6) return `${show(item)} is not a day (0 = Monday … 6 = Sunday)`;
    days.add(n);
  }
  if (days.size === 0) return 'must name at least one day';
  return [...days].sort((a, b) => a - b);
}

function parseBoolean(raw: unknown, fallback: boolean): boolean | null {
  if (isBlank(raw)) return fallback;
  if (typeof raw === 'boolean') return raw;
  if (raw === 'true' || raw === 1 || raw === '1') return true;
  if (raw === 'false' || raw === 0 || raw === '0') return false;
  return null;
}

function positiveInteger(raw: unknown): number | null {
  const n = typeof raw === 'string' && /^\s*\d+\s*$/.test(raw) ? Number(raw) : raw;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : null;
}

function validZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * executeAt (or the seed's runDate) as an instant: a date (combined with `time`), a local
 * date-time read in the zone, or an ISO date-time with its own offset.
 */
function parseOnce(raw: unknown, time: string, zone: string): Date | string {
  if (typeof raw !== 'string' || raw.trim() === '') return 'is required for a once schedule (YYYY-MM-DD)';
  const text = raw.trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(text);
  if (!m) return `${show(raw)} is not a date YYYY-MM-DD or an ISO date-time`;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return `${show(raw)} is not a real date`;
  if (m[7]) {
    if (m[4] === undefined) return `${show(raw)} has an offset but no time`;
    const at = new Date(text);
    return Number.isNaN(at.getTime()) ? `${show(raw)} is not a valid date-time` : at;
  }
  const [h, min, s] = m[4] !== undefined ? [Number(m[4]), Number(m[5]), Number(m[6] ?? 0)] : timeParts(time);
  if (h > 23 || min > 59 || s > 59) return `${show(raw)} has an invalid time`;
  return zonedTimeToDate(y, mo, d, h, min, s, zone);
}

/** Validates a start node's data and resolves defaults (OpenAlgo's field names, the seed's aliases). */
export function parseSchedule(data: Record<string, unknown>, options: ParseScheduleOptions = {}): ParseScheduleResult {
  const problems: ScheduleProblem[] = [];
  const problem = (field: string, message: string) => problems.push({ field, message });
  const calendar = options.calendar ?? defaultCalendar();
  const timezone = options.timezone ?? DEFAULT_TIMEZONE;
  if (!validZone(timezone)) problem('timezone', `'${timezone}' is not a time zone`);

  const kind = String(isBlank(data.scheduleType) ? 'daily' : data.scheduleType).trim().toLowerCase() as ScheduleKind;
  if (!SCHEDULE_KINDS.includes(kind)) problem('scheduleType', `${show(data.scheduleType)} is not one of ${SCHEDULE_KINDS.join(', ')}`);

  const time = normaliseTime(isBlank(data.time) ? '09:15' : data.time);
  if (time === null && (kind === 'daily' || kind === 'weekly' || kind === 'once')) problem('time', `${show(data.time)} is not a time HH:MM`);

  let marketHours: MarketHoursRule | null = null;
  const onlyMarketHours = parseBoolean(data.marketHoursOnly, true);
  if (onlyMarketHours === null) problem('marketHoursOnly', `${show(data.marketHoursOnly)} is not true or false`);
  if (onlyMarketHours) {
    const exchange = String(isBlank(data.marketHoursExchange) ? 'NSE' : data.marketHoursExchange).trim().toUpperCase();
    if (!calendar.knows(exchange)) problem('marketHoursExchange', `no trading calendar for '${exchange}' (known: ${calendar.exchanges().join(', ')})`);
    marketHours = { exchange };
    for (const field of ['marketHoursStart', 'marketHoursEnd'] as const) {
      if (isBlank(data[field])) continue;
      const t = normaliseTime(data[field]);
      if (t === null || t.length > 5) problem(field, `${show(data[field])} is not a time HH:MM`);
      else if (field === 'marketHoursStart') marketHours.start = t;
      else marketHours.end = t;
    }
    if (marketHours.start && marketHours.end && marketHours.start > marketHours.end) {
      problem('marketHoursEnd', `ends (${marketHours.end}) before it starts (${marketHours.start})`);
    }
  }

  const base: SpecBase = { timezone, marketHours };
  let spec: ScheduleSpec | null = null;
  switch (kind) {
    case 'once': {
      const raw = !isBlank(data.executeAt) ? data.executeAt : data.runDate;
      const at = parseOnce(raw, time ?? '09:15', timezone);
      if (typeof at === 'string') problem('executeAt', at);
      else spec = { ...base, kind, at: at.toISOString() };
      break;
    }
    case 'daily':
    case 'weekly': {
      // OpenAlgo's daily is a CronTrigger on the hour and minute alone: every day, whatever `days` says.
      const days = kind === 'daily' ? ALL_DAYS : parseDays(isBlank(data.days) ? [0, 1, 2, 3, 4] : data.days);
      if (typeof days === 'string') problem('days', days);
      else if (time) spec = { ...base, kind, time, days };
      break;
    }
    case 'interval': {
      // The seed's `intervalMinutes` is an alias for intervalValue in minutes.
      const seedMinutes = isBlank(data.intervalValue) && !isBlank(data.intervalMinutes);
      const rawValue = seedMinutes ? data.intervalMinutes : isBlank(data.intervalValue) ? 1 : data.intervalValue;
      const unit = seedMinutes ? 'minutes' : String(isBlank(data.intervalUnit) ? 'minutes' : data.intervalUnit).trim().toLowerCase();
      const value = positiveInteger(rawValue);
      if (value === null) problem(seedMinutes ? 'intervalMinutes' : 'intervalValue', `${show(rawValue)} is not a whole number above 0`);
      if (!(unit in UNIT_SECONDS)) problem('intervalUnit', `${show(data.intervalUnit)} is not one of seconds, minutes, hours`);
      if (value !== null && unit in UNIT_SECONDS) {
        const everySeconds = value * UNIT_SECONDS[unit];
        if (everySeconds > MAX_INTERVAL_SECONDS) problem('intervalValue', `every ${value} ${unit} is longer than a day; use a daily schedule`);
        else spec = { ...base, kind, everySeconds };
      }
      break;
    }
    case 'cron': {
      const expression = typeof data.cronExpression === 'string' ? data.cronExpression.trim() : '';
      if (!expression) {
        problem('cronExpression', 'is required for a cron schedule');
        break;
      }
      try {
        new Cron(expression, { paused: true, timezone: validZone(timezone) ? timezone : DEFAULT_TIMEZONE });
        spec = { ...base, kind, expression };
      } catch (err) {
        problem('cronExpression', `'${expression}' is not a cron expression: ${(err as Error).message.replace(/^CronPattern: /, '')}`);
      }
      break;
    }
  }
  if (problems.length > 0 || !spec) return { ok: false, problems };
  return { ok: true, spec };
}

// ---- run instants --------------------------------------------------------------------------

/** A croner pattern for the spec's clock; croner counts weekdays from Sunday = 0, we from Monday = 0. */
export function cronPattern(spec: ScheduleSpec): string | null {
  if (spec.kind === 'cron') return spec.expression;
  if (spec.kind !== 'daily' && spec.kind !== 'weekly') return null;
  const [h, m, s] = timeParts(spec.time);
  const dows = spec.days.map((d) => (d + 1) % 7).sort((a, b) => a - b);
  return `${s} ${m} ${h} * * ${dows.join(',')}`;
}

const crons = new Map<string, Cron>();
function cronFor(pattern: string, timezone: string): Cron {
  const key = `${timezone}|${pattern}`;
  let cron = crons.get(key);
  if (!cron) {
    cron = new Cron(pattern, { paused: true, timezone });
    crons.set(key, cron);
  }
  return cron;
}

function dateParts(date: string): [number, number, number] {
  const [y, m, d] = date.split('-').map(Number);
  return [y, m, d];
}

function addDays(date: string, n: number): string {
  const [y, m, d] = dateParts(date);
  const next = new Date(Date.UTC(y, m - 1, d + n));
  return `${next.getUTCFullYear()}-${pad(next.getUTCMonth() + 1)}-${pad(next.getUTCDate())}`;
}

function instantOf(date: string, time: string, zone: string): number {
  const [y, mo, d] = dateParts(date);
  const [h, mi, s] = timeParts(time);
  return zonedTimeToDate(y, mo, d, h, mi, s, zone).getTime();
}

const LOOKAHEAD_DAYS = 800;

function inMarketHours(spec: ScheduleSpec, instant: Date, calendar: Calendar): boolean {
  const rule = spec.marketHours;
  return !rule || calendar.isMarketOpen(instant, rule.exchange, { start: rule.start, end: rule.end });
}

function nextPatternRun(spec: ScheduleSpec, pattern: string, after: Date, calendar: Calendar): Date | null {
  const cron = cronFor(pattern, spec.timezone);
  const horizon = after.getTime() + LOOKAHEAD_DAYS * 86_400_000;
  const rule = spec.marketHours;
  let cursor = after;
  for (;;) {
    const candidate = cron.nextRun(cursor);
    if (!candidate || candidate.getTime() > horizon) return null;
    if (inMarketHours(spec, candidate, calendar)) return candidate;
    // Jump to the window's open, or past a shut day or a closed window, rather than walk it run by run.
    const date = zonedDate(candidate, calendar.timezone);
    const window = rule ? calendar.windowFor(rule.exchange, date, { start: rule.start, end: rule.end }) : null;
    const open = window ? instantOf(date, window.open, calendar.timezone) : 0;
    cursor = window && candidate.getTime() < open ? new Date(open - 1000)
      : new Date(instantOf(addDays(date, 1), '00:00', calendar.timezone) - 1000);
  }
}

/**
 * An interval runs every N from its anchor (activation, as OpenAlgo's IntervalTrigger counts), and
 * under marketHoursOnly only the steps inside a trading day's window fire. Without an anchor the
 * steps count from the start of each day's window (or midnight).
 */
function nextIntervalRun(spec: Extract<ScheduleSpec, { kind: 'interval' }>, after: Date, calendar: Calendar): Date | null {
  const everyMs = spec.everySeconds * 1000;
  const rule = spec.marketHours;
  const zone = rule ? calendar.timezone : spec.timezone;
  const t = after.getTime();
  const anchor = spec.anchor ? new Date(spec.anchor).getTime() : null;
  let date = zonedDate(after, zone);
  for (let i = 0; i < LOOKAHEAD_DAYS; i++, date = addDays(date, 1)) {
    let start: number;
    let end: number; // exclusive
    if (rule) {
      const window = calendar.windowFor(rule.exchange, date, { start: rule.start, end: rule.end });
      if (!window) continue;
      start = instantOf(date, window.open, zone);
      end = instantOf(date, window.close, zone) + 60_000; // the close minute is inside the window
    } else {
      start = instantOf(date, '00:00', zone);
      end = instantOf(addDays(date, 1), '00:00', zone);
    }
    let next: number;
    if (anchor === null) {
      next = t < start ? start : start + (Math.floor((t - start) / everyMs) + 1) * everyMs;
    } else {
      // The first step after both `after` and the window's start; never the anchor itself.
      const from = Math.max(t + 1, start, anchor + 1);
      next = anchor + Math.ceil((from - anchor) / everyMs) * everyMs;
    }
    if (next < end) return new Date(next);
  }
  return null;
}

/** The first run strictly after `after`, or null when there is none (a past once, a calendar with no trading day ahead). */
export function nextRun(spec: ScheduleSpec, after: Date, calendar: Calendar = defaultCalendar()): Date | null {
  switch (spec.kind) {
    case 'once': {
      const at = new Date(spec.at);
      return at.getTime() > after.getTime() && inMarketHours(spec, at, calendar) ? at : null;
    }
    case 'interval':
      return nextIntervalRun(spec, after, calendar);
    default:
      return nextPatternRun(spec, cronPattern(spec)!, after, calendar);
  }
}

/** The next `count` runs after `from`, honouring marketHoursOnly and holidays. Pure. */
export function nextRuns(spec: ScheduleSpec, from: Date, count: number, calendar: Calendar = defaultCalendar()): Date[] {
  const runs: Date[] = [];
  let cursor = from;
  while (runs.length < count) {
    const next = nextRun(spec, cursor, calendar);
    if (!next) break;
    runs.push(next);
    cursor = next;
  }
  return runs;
}
