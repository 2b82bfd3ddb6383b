import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CalendarError, holidaysFor, isTradingDay, loadCalendar } from '../../src/market/calendar.js';

const cal = loadCalendar();
const ist = (text: string) => new Date(`${text}+05:30`);

describe('trading days', () => {
  it('weekends are shut and ordinary weekdays trade', () => {
    expect(cal.isTradingDay('2026-05-04', 'NSE')).toBe(true); // Monday
    expect(cal.isTradingDay('2026-05-02', 'NSE')).toBe(false); // Saturday
    expect(cal.isTradingDay('2026-05-03', 'NSE')).toBe(false); // Sunday
  });

  it('ships the NSE trading holidays of 2025 and 2026, including the 15 January 2026 civic-poll closure', () => {
    expect(holidaysFor('NSE', 2025).map((h) => h.date)).toEqual([
      '2025-02-26', '2025-03-14', '2025-03-31', '2025-04-10', '2025-04-14', '2025-04-18', '2025-05-01',
      '2025-08-15', '2025-08-27', '2025-10-02', '2025-10-21', '2025-10-22', '2025-11-05', '2025-12-25',
    ]);
    const dates2026 = holidaysFor('NSE', 2026).map((h) => h.date);
    expect(dates2026).toEqual([
      '2026-01-15', '2026-01-26', '2026-03-03', '2026-03-26', '2026-03-31', '2026-04-03', '2026-04-14', '2026-05-01',
      '2026-05-28', '2026-06-26', '2026-09-14', '2026-10-02', '2026-10-20', '2026-11-10', '2026-11-24', '2026-12-25',
    ]);
    for (const date of dates2026) expect(isTradingDay(date, 'NSE')).toBe(false);
    for (const date of dates2026) expect(isTradingDay(date, 'NFO')).toBe(false);
  });

  it('MCX keeps its evening session on an equity holiday but shuts on Good Friday', () => {
    expect(cal.sessionFor('MCX', '2026-03-03')).toMatchObject({ open: '17:00', close: '23:55', special: true });
    expect(cal.sessionFor('MCX', '2026-04-03')).toBeNull();
    expect(cal.isMarketOpen(ist('2026-03-03T10:00:00'), 'MCX')).toBe(false);
    expect(cal.isMarketOpen(ist('2026-03-03T18:00:00'), 'MCX')).toBe(true);
  });

  it('a weekend Budget session is a trading day', () => {
    expect(cal.isTradingDay('2026-02-01', 'NSE')).toBe(true);
    expect(cal.isMarketOpen(ist('2026-02-01T11:00:00'), 'NSE')).toBe(true);
    expect(cal.isTradingDay('2026-02-01', 'CDS')).toBe(false);
  });

  it('index exchange codes follow their exchange, and CRYPTO never closes', () => {
    expect(cal.isTradingDay('2026-03-03', 'NSE_INDEX')).toBe(false);
    expect(cal.isMarketOpen(ist('2026-05-03T03:00:00'), 'CRYPTO')).toBe(true);
    expect(cal.isMarketOpen(ist('2026-03-03T23:59:30'), 'CRYPTO')).toBe(true);
  });

  it('an unknown exchange is an error that names it', () => {
    expect(() => cal.isTradingDay('2026-05-04', 'NASDAQ')).toThrow(CalendarError);
    expect(() => cal.isTradingDay('2026-05-04', 'NASDAQ')).toThrow(/NASDAQ/);
    expect(() => cal.isTradingDay('2026-02-30', 'NSE')).toThrow(/2026-02-30/);
  });
});

describe('sessions', () => {
  it('each exchange keeps its hours in IST', () => {
    expect(cal.sessionFor('NSE', '2026-05-04')).toEqual({ preOpen: '09:00', open: '09:15', close: '15:30' });
    expect(cal.sessionFor('BSE', '2026-05-04')).toEqual({ preOpen: '09:00', open: '09:15', close: '15:30' });
    expect(cal.sessionFor('NFO', '2026-05-04')).toEqual({ open: '09:15', close: '15:30' });
    expect(cal.sessionFor('BFO', '2026-05-04')).toEqual({ open: '09:15', close: '15:30' });
    expect(cal.sessionFor('CDS', '2026-05-04')).toEqual({ open: '09:00', close: '17:00' });
    expect(cal.sessionFor('BCD', '2026-05-04')).toEqual({ open: '09:00', close: '17:00' });
    expect(cal.sessionFor('MCX', '2026-05-04')).toEqual({ open: '09:00', close: '23:55' });
  });

  it('the pre-open auction is not trading time: the market opens at 09:15', () => {
    expect(cal.isMarketOpen(ist('2026-05-04T09:05:00'), 'NSE')).toBe(false);
    expect(cal.sessionFor('NSE', '2025-10-21')?.preOpen).toBeUndefined(); // a special session has none of its own
    expect(() => loadCalendar({ override: { sessions: { NSE: { preOpen: '09:20', open: '09:15', close: '15:30' } } } })).toThrow(/preOpen must be before open/);
  });

  it('NFO and BFO close at 15:40 from 3 August 2026 (SEBI closing auction session), the cash market still at 15:30', () => {
    expect(cal.sessionFor('NFO', '2026-07-31')?.close).toBe('15:30');
    expect(cal.sessionFor('BFO', '2026-07-31')?.close).toBe('15:30');
    expect(cal.sessionFor('NFO', '2026-08-03')?.close).toBe('15:40');
    expect(cal.sessionFor('BFO', '2026-08-03')?.close).toBe('15:40');
    expect(cal.sessionFor('NSE', '2026-08-03')?.close).toBe('15:30');
    expect(cal.sessionFor('BSE', '2026-08-03')?.close).toBe('15:30');
    expect(cal.isMarketOpen(ist('2026-07-31T15:35:00'), 'NFO')).toBe(false);
    expect(cal.isMarketOpen(ist('2026-08-03T15:35:00'), 'NFO')).toBe(true);
    expect(cal.isMarketOpen(ist('2026-08-03T15:40:30'), 'BFO')).toBe(true);
    expect(cal.isMarketOpen(ist('2026-08-03T15:41:00'), 'BFO')).toBe(false);
    expect(cal.isMarketOpen(ist('2026-08-03T15:35:00'), 'NSE')).toBe(false);
  });

  it('the market is open from the open minute through the close minute', () => {
    expect(cal.isMarketOpen(ist('2026-05-04T09:14:59'), 'NSE')).toBe(false);
    expect(cal.isMarketOpen(ist('2026-05-04T09:15:00'), 'NSE')).toBe(true);
    expect(cal.isMarketOpen(ist('2026-05-04T15:30:30'), 'NSE')).toBe(true);
    expect(cal.isMarketOpen(ist('2026-05-04T15:31:00'), 'NSE')).toBe(false);
  });

  it('start and end move the clock but never reopen a shut day', () => {
    const window = { start: '09:30', end: '15:00' };
    expect(cal.isMarketOpen(ist('2026-05-04T09:20:00'), 'NSE', window)).toBe(false);
    expect(cal.isMarketOpen(ist('2026-05-04T09:30:00'), 'NSE', window)).toBe(true);
    expect(cal.isMarketOpen(ist('2026-05-04T15:10:00'), 'NSE', window)).toBe(false);
    expect(cal.isMarketOpen(ist('2026-05-04T15:35:00'), 'NSE', { end: '15:40' })).toBe(true);
    expect(cal.isMarketOpen(ist('2026-03-03T10:00:00'), 'NSE', { start: '00:00', end: '23:59' })).toBe(false);
    expect(cal.isMarketOpen(ist('2026-05-02T10:00:00'), 'NSE', { start: '00:00', end: '23:59' })).toBe(false);
  });

  it('a Muhurat session cannot be widened into a full day', () => {
    expect(cal.sessionFor('NSE', '2025-10-21')).toMatchObject({ open: '13:45', close: '14:45', special: true });
    const wide = { start: '09:15', end: '15:30' };
    expect(cal.isMarketOpen(ist('2025-10-21T10:00:00'), 'NSE', wide)).toBe(false);
    expect(cal.isMarketOpen(ist('2025-10-21T14:00:00'), 'NSE', wide)).toBe(true);
    expect(holidaysFor('NSE', 2025).find((h) => h.date === '2025-10-21')?.session).toEqual({ open: '13:45', close: '14:45' });
  });
});

describe('overrides', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flow-calendar-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a user file adds holidays, reopens a shipped one and replaces hours', () => {
    const file = join(dir, 'calendar.json');
    writeFileSync(file, JSON.stringify({
      sessions: { CDS: { open: '09:00', close: '15:30' } },
      days: [
        { date: '2026-05-05', description: 'Exchange outage', closed: ['NSE'] },
        { date: '2026-03-03', open: ['NSE'] },
        { date: '2026-11-08', description: 'Muhurat trading', sessions: { NSE: { open: '18:00', close: '19:15' } } },
      ],
    }));
    const custom = loadCalendar({ overrideFile: file });
    expect(custom.isTradingDay('2026-05-05', 'NSE')).toBe(false);
    expect(custom.isTradingDay('2026-05-05', 'BSE')).toBe(true);
    expect(custom.sessionFor('NSE', '2026-03-03')).toEqual({ preOpen: '09:00', open: '09:15', close: '15:30' });
    expect(custom.isTradingDay('2026-03-03', 'BSE')).toBe(false);
    expect(custom.sessionFor('NSE', '2026-11-08')).toMatchObject({ open: '18:00', close: '19:15', special: true });
    expect(custom.sessionFor('CDS', '2026-05-04')).toEqual({ open: '09:00', close: '15:30' });
    // The shipped calendar is untouched.
    expect(cal.isTradingDay('2026-05-05', 'NSE')).toBe(true);
  });

  it('a bad override file is refused with its path and the faulty field', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ days: [{ date: '2026-13-01', closed: ['NSE'] }] }));
    expect(() => loadCalendar({ overrideFile: file })).toThrow(/bad\.json: days\.0\.date/);
    expect(() => loadCalendar({ overrideFile: join(dir, 'missing.json') })).toThrow(CalendarError);
    expect(() => loadCalendar({ override: { sessions: { NSE: { open: '15:30', close: '09:15' } } } })).toThrow(/open must be before close/);
  });
});

describe('time zone independence', () => {
  it('answers the same whatever the machine zone (TZ=America/New_York in a child process)', () => {
    const probe = fileURLToPath(new URL('./fixtures/tz-probe.ts', import.meta.url));
    const run = (tz: string) => execFileSync(process.execPath, ['--import', 'tsx', probe], { env: { ...process.env, TZ: tz }, encoding: 'utf8' });
    const ny = run('America/New_York');
    const kolkata = run('Asia/Kolkata');
    expect(JSON.parse(ny).zone).toBe('America/New_York');
    expect(JSON.parse(ny).answers).toEqual(JSON.parse(kolkata).answers);
    expect(JSON.parse(ny).answers).toEqual({
      open: [true, false, true],
      monday920: ['2026-05-04T03:50:00.000Z', '2026-05-05T03:50:00.000Z'],
      firstInterval: '2026-05-04T03:45:00.000Z',
    });
  }, 30_000);
});
