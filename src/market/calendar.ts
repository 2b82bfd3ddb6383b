// Exchange sessions and trading holidays, always evaluated in IST (never the machine's zone).
// Regular hours live here; holidays and special sessions are data (holidays.json), overridable.

import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseHhMm, zonedDate, zonedMinutes } from './clock.js';

/** Every Indian exchange keeps IST; CRYPTO's day boundaries are IST too. */
export const EXCHANGE_TIMEZONE = 'Asia/Kolkata';

/** An exchange's trading window on one date, wall-clock IST ("HH:MM", both ends inclusive to the minute). */
export interface Session {
  open: string;
  close: string;
  /** Start of the pre-open call auction (orders collected, matched into the open price); NSE and BSE cash only. */
  preOpen?: string;
  /** Set when the day's session comes from the holiday data (Muhurat, an MCX evening session, a weekend Budget session). */
  special?: boolean;
  description?: string;
}

/** A regular session, effective from `from` (inclusive) until a later rule takes over. */
export interface SessionRule {
  open: string;
  close: string;
  preOpen?: string;
  from?: string;
  /** Trades on Saturdays and Sundays too (CRYPTO). */
  weekends?: boolean;
}

export interface Holiday {
  date: string;
  description: string;
  /** null: shut all day; otherwise the reduced or moved session of that day. */
  session: { open: string; close: string } | null;
}

/** One listed day of the holiday data. */
export interface ListedDay {
  date: string;
  description: string;
  closed: string[];
  sessions: Record<string, { open: string; close: string }>;
}

/** A workflow's clock override (marketHoursStart/End): it moves the clock, it never reopens a shut day. */
export interface WindowOverride {
  start?: string | null;
  end?: string | null;
}

export class CalendarError extends Error {
  constructor(readonly code: 'unknown_exchange' | 'invalid_date' | 'invalid_time' | 'invalid_calendar', message: string) {
    super(message);
    this.name = 'CalendarError';
  }
}

const DEFAULT_RULES: Record<string, SessionRule[]> = {
  NSE: [{ preOpen: '09:00', open: '09:15', close: '15:30' }],
  BSE: [{ preOpen: '09:00', open: '09:15', close: '15:30' }],
  // SEBI's Closing Auction Session (effective 2026-08-03) moves the cash close to an auction; the
  // derivatives segments keep trading to 15:40 (OpenAlgo's market calendar carries the same).
  NFO: [{ from: '2026-08-03', open: '09:15', close: '15:40' }, { open: '09:15', close: '15:30' }],
  BFO: [{ from: '2026-08-03', open: '09:15', close: '15:40' }, { open: '09:15', close: '15:30' }],
  CDS: [{ open: '09:00', close: '17:00' }],
  BCD: [{ open: '09:00', close: '17:00' }],
  MCX: [{ open: '09:00', close: '23:55' }],
  CRYPTO: [{ open: '00:00', close: '23:59', weekends: true }],
};

/** Quote-only exchange codes that follow another exchange's calendar. */
const DEFAULT_ALIASES: Record<string, string> = { NSE_INDEX: 'NSE', BSE_INDEX: 'BSE', MCX_INDEX: 'MCX' };

// ---- data schema (the shipped file and user overrides share it) -------------------------------

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
function isValidDate(text: string): boolean {
  const m = DATE_RE.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

const dateText = z.string().refine(isValidDate, { message: 'must be a date YYYY-MM-DD' });
const hhmm = z.string().refine((s) => parseHhMm(s) !== null, { message: 'must be a time HH:MM' });
const exchangeCode = z.string().min(1).transform((s) => s.trim().toUpperCase());
const sessionSchema = z
  .object({ open: hhmm, close: hhmm })
  .refine((s) => parseHhMm(s.open)! < parseHhMm(s.close)!, { message: 'open must be before close' });
const ruleSchema = z
  .object({ preOpen: hhmm.optional(), open: hhmm, close: hhmm, from: dateText.optional(), weekends: z.boolean().optional() })
  .refine((s) => parseHhMm(s.open)! < parseHhMm(s.close)!, { message: 'open must be before close' })
  .refine((s) => !s.preOpen || parseHhMm(s.preOpen)! < parseHhMm(s.open)!, { message: 'preOpen must be before open' });
const daySchema = z.object({
  date: dateText,
  description: z.string().default(''),
  closed: z.array(exchangeCode).default([]),
  /** Exchanges that trade normally after all (corrects a shipped holiday). */
  open: z.array(exchangeCode).default([]),
  sessions: z.record(exchangeCode, sessionSchema).default({}),
});
const calendarFileSchema = z.object({
  sessions: z.record(exchangeCode, z.union([ruleSchema, z.array(ruleSchema).min(1)])).optional(),
  aliases: z.record(exchangeCode, exchangeCode).optional(),
  days: z.array(daySchema).default([]),
});

/** The shape of holidays.json and of an override file. */
export type CalendarFile = z.input<typeof calendarFileSchema>;
type ParsedFile = z.output<typeof calendarFileSchema>;
type ParsedDay = z.output<typeof daySchema>;

function parseFile(raw: unknown, where: string): ParsedFile {
  const parsed = calendarFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CalendarError('invalid_calendar', `${where}: ${issue.path.join('.') || '(root)'} ${issue.message}`);
  }
  return parsed.data;
}

function readJson(path: string | URL, where: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new CalendarError('invalid_calendar', `${where}: cannot read calendar file (${(err as Error).message})`);
  }
}

// ---- the calendar ---------------------------------------------------------------------------

interface DayEntry {
  description: string;
  closed: Set<string>;
  sessions: Map<string, { open: string; close: string }>;
}

const minutesOf = (text: string): number => {
  const m = parseHhMm(text);
  if (m === null) throw new CalendarError('invalid_time', `'${text}' is not a time HH:MM`);
  return m;
};
const hhmmOf = (minutes: number): string => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/** 0 = Sunday … 6 = Saturday for a calendar date, independent of any zone. */
function dayOfWeek(date: string): number {
  const m = DATE_RE.exec(date)!;
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))).getUTCDay();
}

export class Calendar {
  readonly timezone = EXCHANGE_TIMEZONE;
  private readonly rules = new Map<string, SessionRule[]>();
  private readonly aliases = new Map<string, string>();
  private readonly days = new Map<string, DayEntry>();

  constructor(files: ParsedFile[]) {
    for (const [ex, rules] of Object.entries(DEFAULT_RULES)) this.rules.set(ex, rules);
    for (const [alias, ex] of Object.entries(DEFAULT_ALIASES)) this.aliases.set(alias, ex);
    for (const file of files) this.merge(file);
  }

  private merge(file: ParsedFile): void {
    for (const [ex, value] of Object.entries(file.sessions ?? {})) {
      const rules = Array.isArray(value) ? value : [value];
      // Latest `from` first, so the first rule not after the date wins.
      this.rules.set(ex, [...rules].sort((a, b) => (b.from ?? '').localeCompare(a.from ?? '')));
    }
    for (const [alias, ex] of Object.entries(file.aliases ?? {})) this.aliases.set(alias, ex);
    for (const day of file.days) this.mergeDay(day);
  }

  private mergeDay(day: ParsedDay): void {
    const entry = this.days.get(day.date) ?? { description: '', closed: new Set<string>(), sessions: new Map() };
    if (day.description) entry.description = day.description;
    for (const ex of day.closed) {
      entry.closed.add(ex);
      entry.sessions.delete(ex);
    }
    for (const ex of day.open) {
      entry.closed.delete(ex);
      entry.sessions.delete(ex);
    }
    for (const [ex, session] of Object.entries(day.sessions)) {
      entry.closed.delete(ex);
      entry.sessions.set(ex, session);
    }
    this.days.set(day.date, entry);
  }

  /** Exchange codes this calendar can answer for (aliases included). */
  exchanges(): string[] {
    return [...this.rules.keys(), ...this.aliases.keys()].sort();
  }

  knows(exchange: string): boolean {
    const ex = exchange.trim().toUpperCase();
    return this.rules.has(this.aliases.get(ex) ?? ex);
  }

  private resolve(exchange: string): string {
    const ex = exchange.trim().toUpperCase();
    const target = this.aliases.get(ex) ?? ex;
    if (!this.rules.has(target)) {
      throw new CalendarError('unknown_exchange', `no trading calendar for exchange '${exchange}' (known: ${this.exchanges().join(', ')})`);
    }
    return target;
  }

  private checkDate(date: string): void {
    if (!isValidDate(date)) throw new CalendarError('invalid_date', `'${date}' is not a date YYYY-MM-DD`);
  }

  /** The exchange's session on a date (IST), or null when it does not trade that day. */
  sessionFor(exchange: string, date: string): Session | null {
    const ex = this.resolve(exchange);
    this.checkDate(date);
    const day = this.days.get(date);
    const special = day?.sessions.get(ex);
    if (special) return { open: special.open, close: special.close, special: true, description: day!.description };
    if (day?.closed.has(ex)) return null;
    const rule = this.rules.get(ex)!.find((r) => !r.from || r.from <= date);
    if (!rule) return null;
    const dow = dayOfWeek(date);
    if ((dow === 0 || dow === 6) && !rule.weekends) return null;
    return rule.preOpen ? { preOpen: rule.preOpen, open: rule.open, close: rule.close } : { open: rule.open, close: rule.close };
  }

  isTradingDay(date: string, exchange: string): boolean {
    return this.sessionFor(exchange, date) !== null;
  }

  /**
   * The window a workflow may act in on a date: the session with the workflow's start/end
   * replacing its clock. On a special-session day (Muhurat) the override can only narrow it.
   */
  windowFor(exchange: string, date: string, override: WindowOverride = {}): { open: string; close: string } | null {
    const session = this.sessionFor(exchange, date);
    if (!session) return null;
    const start = override.start ? minutesOf(override.start) : null;
    const end = override.end ? minutesOf(override.end) : null;
    let open = minutesOf(session.open);
    let close = minutesOf(session.close);
    if (session.special) {
      if (start !== null) open = Math.max(open, start);
      if (end !== null) close = Math.min(close, end);
    } else {
      if (start !== null) open = start;
      if (end !== null) close = end;
    }
    return open <= close ? { open: hhmmOf(open), close: hhmmOf(close) } : null;
  }

  /** Whether the exchange is trading at an instant (minute resolution, close minute included). */
  isMarketOpen(instant: Date, exchange: string, override: WindowOverride = {}): boolean {
    const window = this.windowFor(exchange, zonedDate(instant, this.timezone), override);
    if (!window) return false;
    const minutes = zonedMinutes(instant, this.timezone);
    return minutesOf(window.open) <= minutes && minutes <= minutesOf(window.close);
  }

  /** Weekdays of a year on which the exchange is shut or trades a special session, in date order. */
  holidaysFor(exchange: string, year: number): Holiday[] {
    const ex = this.resolve(exchange);
    const out: Holiday[] = [];
    const prefix = `${year}-`;
    for (const [date, day] of this.days) {
      if (!date.startsWith(prefix)) continue;
      const dow = dayOfWeek(date);
      if (dow === 0 || dow === 6) continue;
      const special = day.sessions.get(ex);
      if (special) out.push({ date, description: day.description, session: { ...special } });
      else if (day.closed.has(ex)) out.push({ date, description: day.description, session: null });
    }
    return out.sort((a, b) => a.date.localeCompare(b.date));
  }

  /**
   * Every day of a year the data lists (holidays, special sessions, weekends included), with the
   * exchanges shut and the sessions traded that day: what OpenAlgo's holidays answer carries.
   */
  listedDays(year: number): ListedDay[] {
    const prefix = `${year}-`;
    return [...this.days]
      .filter(([date, day]) => date.startsWith(prefix) && (day.closed.size > 0 || day.sessions.size > 0))
      .map(([date, day]) => ({
        date, description: day.description, closed: [...day.closed],
        sessions: Object.fromEntries([...day.sessions].map(([ex, s]) => [ex, { ...s }])),
      }))
      .sort((a, b) => a.date.localeCompare(b.date));
  }
}

const SHIPPED = new URL('./holidays.json', import.meta.url);

export interface LoadCalendarOptions {
  /** A JSON file in holidays.json's shape; its days merge over the shipped ones, its sessions replace ours. */
  overrideFile?: string;
  /** The same, already parsed (tests, configuration objects). */
  override?: CalendarFile;
}

/** Builds a calendar from the shipped data plus an optional user override. Throws CalendarError on bad data. */
export function loadCalendar(options: LoadCalendarOptions = {}): Calendar {
  const files = [parseFile(readJson(SHIPPED, 'holidays.json'), 'holidays.json')];
  if (options.overrideFile) files.push(parseFile(readJson(options.overrideFile, options.overrideFile), options.overrideFile));
  if (options.override) files.push(parseFile(options.override, 'calendar override'));
  return new Calendar(files);
}

let shared: Calendar | null = null;
/** The shipped calendar, loaded once. */
export function defaultCalendar(): Calendar {
  shared ??= loadCalendar();
  return shared;
}

export const isTradingDay = (date: string, exchange: string, calendar: Calendar = defaultCalendar()): boolean =>
  calendar.isTradingDay(date, exchange);
export const sessionFor = (exchange: string, date: string, calendar: Calendar = defaultCalendar()): Session | null =>
  calendar.sessionFor(exchange, date);
export const isMarketOpen = (instant: Date, exchange: string, override: WindowOverride = {}, calendar: Calendar = defaultCalendar()): boolean =>
  calendar.isMarketOpen(instant, exchange, override);
export const holidaysFor = (exchange: string, year: number, calendar: Calendar = defaultCalendar()): Holiday[] =>
  calendar.holidaysFor(exchange, year);
