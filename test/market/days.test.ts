import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultCalendar } from '../../src/market/calendar.js';
import { builtins } from '../../src/market/clock.js';
import { addDays, dayOfYear, describeDay, isoWeek, weekdayOf } from '../../src/market/days.js';

const weekdaysOnly = (d: string) => ![0, 6].includes(new Date(`${d}T00:00:00Z`).getUTCDay());
const nse = (d: string) => defaultCalendar().isTradingDay(d, 'NSE');

describe('date arithmetic', () => {
  it('adds days across month and year ends and leap days', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2025-02-28', 1)).toBe('2025-03-01');
    expect(addDays('2025-12-31', 1)).toBe('2026-01-01');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
    expect(weekdayOf('2026-08-03')).toBe(0); // Monday
    expect(weekdayOf('2026-02-01')).toBe(6); // Sunday
  });

  it('ISO weeks at the year boundary belong to the year of their Thursday', () => {
    expect(isoWeek('2024-12-30')).toBe(1); // Monday of 2025's week 1
    expect(isoWeek('2021-01-03')).toBe(53); // Sunday in 2020's week 53
    expect(isoWeek('2026-01-01')).toBe(1);
    expect(dayOfYear('2024-12-31')).toBe(366);
    expect(dayOfYear('2025-01-01')).toBe(1);
  });

  it("the interpolation built-ins agree with the day arithmetic (one rule for week_of_year and day_of_year)", () => {
    fc.assert(fc.property(fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) }), (ms) => {
      const b = builtins(new Date(ms));
      expect(b.week_of_year).toBe(isoWeek(String(b.date)));
      expect(b.day_of_year).toBe(dayOfYear(String(b.date)));
      expect(b.weekday_num).toBe(weekdayOf(String(b.date)) + 1);
    }), { numRuns: 300 });
  });
});

describe('trading-day facts (the calendar node)', () => {
  it('weekends-only facts work without a holiday list', () => {
    const facts = describeDay('2025-01-04', weekdaysOnly);
    expect(facts).toMatchObject({ is_weekend: true, is_trading_day: false, next_trading_day: '2025-01-06', week_of_year: 1 });
  });

  it("with NSE's holidays: after the 15 January 2026 closure the next trading day is the 16th", () => {
    const facts = describeDay('2026-01-14', nse);
    expect(facts).toMatchObject({ is_trading_day: true, next_trading_day: '2026-01-16' });
    expect(describeDay('2026-01-15', nse)).toMatchObject({ is_trading_day: false, is_trading_holiday: true, is_weekend: false });
  });

  it('Holi on Tuesday 3 March 2026 does not start a new week; Monday the 2nd did', () => {
    expect(describeDay('2026-03-02', nse)).toMatchObject({ is_new_week: true, is_new_month: true });
    expect(describeDay('2026-03-04', nse)).toMatchObject({ is_new_week: false, prev_trading_day: '2026-03-02' });
  });
});
