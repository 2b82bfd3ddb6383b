import { Cron } from 'croner';
import { describe, expect, it } from 'vitest';
import { zonedParts } from '../../src/market/clock.js';
import { loadCalendar } from '../../src/market/calendar.js';
import { cronPattern, nextRuns, parseSchedule, type ScheduleSpec } from '../../src/triggers/schedule.js';

const cal = loadCalendar();
const ist = (text: string) => new Date(`${text}+05:30`);
const iso = (text: string) => ist(text).toISOString();

function spec(data: Record<string, unknown>): ScheduleSpec {
  const parsed = parseSchedule(data, { calendar: cal });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.spec;
}
const runs = (s: ScheduleSpec, from: string, count: number) => nextRuns(s, ist(from), count, cal).map((d) => d.toISOString());

describe('daily and weekly schedules', () => {
  it('a daily schedule on all seven days fires on Sunday', () => {
    const s = spec({ scheduleType: 'daily', time: '09:20', days: [0, 1, 2, 3, 4, 5, 6], marketHoursOnly: false });
    expect(runs(s, '2026-05-02T10:00:00', 3)).toEqual([iso('2026-05-03T09:20:00'), iso('2026-05-04T09:20:00'), iso('2026-05-05T09:20:00')]);
    expect(zonedParts(nextRuns(s, ist('2026-05-02T10:00:00'), 1, cal)[0]).weekday).toBe(6); // 6 = Sunday
  });

  it('keeps every chosen weekday of a weekly schedule, not only the first three', () => {
    const s = spec({ scheduleType: 'weekly', time: '09:20', marketHoursOnly: false });
    const week = nextRuns(s, ist('2026-05-03T12:00:00'), 5, cal).map((d) => zonedParts(d).weekday);
    expect(week).toEqual([0, 1, 2, 3, 4]);
  });

  it('daily runs every day whatever days says, as OpenAlgo (CronTrigger(hour, minute))', () => {
    const s = spec({ scheduleType: 'daily', time: '09:20', days: [0], marketHoursOnly: false });
    const week = nextRuns(s, ist('2026-05-03T12:00:00'), 7, cal).map((d) => zonedParts(d).weekday);
    expect(week).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('under marketHoursOnly a run outside the session window is skipped, as OpenAlgo (is_within_market_hours)', () => {
    const early = spec({ scheduleType: 'daily', time: '09:00' });
    expect(runs(early, '2026-05-03T12:00:00', 1)).toEqual([]); // 09:00 is before every NSE open
    const close = spec({ scheduleType: 'daily', time: '15:30' });
    expect(runs(close, '2026-05-04T12:00:00', 1)).toEqual([iso('2026-05-04T15:30:00')]); // the close minute is inside
  });

  it('marketHoursOnly skips a Saturday, a Sunday and a listed holiday', () => {
    const s = spec({ scheduleType: 'daily', time: '09:20', days: [0, 1, 2, 3, 4, 5, 6], marketHoursOnly: true });
    // Thursday 30 Apr, then Friday 1 May (Maharashtra Day), the weekend, then Monday.
    expect(runs(s, '2026-04-30T08:00:00', 2)).toEqual([iso('2026-04-30T09:20:00'), iso('2026-05-04T09:20:00')]);
    // 15 January 2026 was added as a holiday after the calendar was published.
    expect(runs(s, '2026-01-14T10:00:00', 1)).toEqual([iso('2026-01-16T09:20:00')]);
  });

  it('marketHoursOnly follows the chosen exchange, and runs on a weekend special session', () => {
    const mcx = spec({ scheduleType: 'daily', time: '18:00', marketHoursExchange: 'MCX' });
    expect(runs(mcx, '2026-04-30T19:00:00', 1)).toEqual([iso('2026-05-01T18:00:00')]); // MCX trades its evening session on 1 May
    const budget = spec({ scheduleType: 'weekly', time: '10:00', days: [6] });
    expect(runs(budget, '2026-01-01T00:00:00', 1)).toEqual([iso('2026-02-01T10:00:00')]); // the Budget Sunday
  });

  it('weekly honours exactly the chosen days', () => {
    const s = spec({ scheduleType: 'weekly', time: '15:00', days: [1, 3], marketHoursOnly: false });
    expect(runs(s, '2026-05-04T00:00:00', 4)).toEqual([
      iso('2026-05-05T15:00:00'), iso('2026-05-07T15:00:00'), iso('2026-05-12T15:00:00'), iso('2026-05-14T15:00:00'),
    ]);
  });

  it('matches croner run for run, with Monday = 0 turned into croner weekday numbers', () => {
    const s = spec({ scheduleType: 'weekly', time: '09:45', days: [0, 6], marketHoursOnly: false });
    expect(cronPattern(s)).toBe('0 45 9 * * 0,1');
    const croner = new Cron('0 45 9 * * 0,1', { timezone: 'Asia/Kolkata', paused: true });
    const from = ist('2026-06-01T00:00:00');
    expect(nextRuns(s, from, 6, cal)).toEqual(croner.nextRuns(6, from));
    expect(nextRuns(s, from, 2, cal).map((d) => d.toISOString())).toEqual([iso('2026-06-01T09:45:00'), iso('2026-06-07T09:45:00')]);
  });

  it('a schedule with no trading day ahead yields no runs instead of spinning', () => {
    const s = spec({ scheduleType: 'weekly', time: '10:00', days: [5] }); // Saturdays, NSE hours only
    expect(runs(s, '2026-03-01T00:00:00', 1)).toEqual([]);
  });
});

describe('once', () => {
  it('runs once at its date and time in IST', () => {
    const s = spec({ scheduleType: 'once', executeAt: '2026-05-06', time: '11:05' });
    expect(runs(s, '2026-05-01T00:00:00', 3)).toEqual([iso('2026-05-06T11:05:00')]);
  });

  it('a once in the past never runs', () => {
    const s = spec({ scheduleType: 'once', executeAt: '2026-05-06', time: '11:05' });
    expect(runs(s, '2026-05-06T11:05:00', 1)).toEqual([]);
  });

  it('accepts the seed\'s runDate and ISO date-times, with or without an offset', () => {
    expect(runs(spec({ scheduleType: 'once', runDate: '2026-05-06T10:00' }), '2026-05-01T00:00:00', 1)).toEqual([iso('2026-05-06T10:00:00')]);
    expect(runs(spec({ scheduleType: 'once', executeAt: '2026-05-06T04:30:00Z' }), '2026-05-01T00:00:00', 1)).toEqual([iso('2026-05-06T10:00:00')]);
  });

  it('a once on a holiday does not run under marketHoursOnly', () => {
    expect(runs(spec({ scheduleType: 'once', executeAt: '2026-05-01', time: '10:00' }), '2026-04-01T00:00:00', 1)).toEqual([]);
    expect(runs(spec({ scheduleType: 'once', executeAt: '2026-05-01', time: '10:00', marketHoursOnly: false }), '2026-04-01T00:00:00', 1)).toHaveLength(1);
  });
});

describe('interval', () => {
  it('runs from the session open through the close minute, then resumes on the next trading day', () => {
    const s = spec({ scheduleType: 'interval', intervalValue: 15, intervalUnit: 'minutes' });
    expect(runs(s, '2026-04-30T08:00:00', 2)).toEqual([iso('2026-04-30T09:15:00'), iso('2026-04-30T09:30:00')]);
    // The last run of Thursday is 15:30; Friday 1 May is a holiday; Monday opens at 09:15.
    expect(runs(s, '2026-04-30T15:20:00', 2)).toEqual([iso('2026-04-30T15:30:00'), iso('2026-05-04T09:15:00')]);
  });

  it('marketHoursStart and marketHoursEnd narrow the window', () => {
    const s = spec({ scheduleType: 'interval', intervalValue: 1, intervalUnit: 'hours', marketHoursStart: '10:00', marketHoursEnd: '12:00' });
    expect(runs(s, '2026-05-04T00:00:00', 4)).toEqual([
      iso('2026-05-04T10:00:00'), iso('2026-05-04T11:00:00'), iso('2026-05-04T12:00:00'), iso('2026-05-05T10:00:00'),
    ]);
  });

  it('MCX intervals run into the evening and CRYPTO intervals run on Sunday', () => {
    const mcx = spec({ scheduleType: 'interval', intervalValue: 30, intervalUnit: 'minutes', marketHoursExchange: 'MCX' });
    expect(runs(mcx, '2026-05-04T23:20:00', 2)).toEqual([iso('2026-05-04T23:30:00'), iso('2026-05-05T09:00:00')]);
    const crypto = spec({ scheduleType: 'interval', intervalValue: 6, intervalUnit: 'hours', marketHoursExchange: 'CRYPTO' });
    expect(runs(crypto, '2026-05-03T01:00:00', 2)).toEqual([iso('2026-05-03T06:00:00'), iso('2026-05-03T12:00:00')]);
  });

  it('without marketHoursOnly an interval runs around the clock on fixed steps from midnight', () => {
    const s = spec({ scheduleType: 'interval', intervalValue: 2, intervalUnit: 'seconds', marketHoursOnly: false });
    expect(runs(s, '2026-05-03T03:00:01.500', 3)).toEqual([iso('2026-05-03T03:00:02'), iso('2026-05-03T03:00:04'), iso('2026-05-03T03:00:06')]);
  });

  it('counts from its anchor (activation), as OpenAlgo\'s IntervalTrigger, and fires only the steps inside the window', () => {
    const s = { ...spec({ scheduleType: 'interval', intervalValue: 15, intervalUnit: 'minutes' }), anchor: iso('2026-05-04T09:07:30') } as ScheduleSpec;
    expect(runs(s, '2026-05-04T09:07:30', 3)).toEqual([iso('2026-05-04T09:22:30'), iso('2026-05-04T09:37:30'), iso('2026-05-04T09:52:30')]);
    // Activated at 08:00: the steps before the 09:15 open are skipped, the cadence is kept.
    const early = { ...s, anchor: iso('2026-05-04T08:00:00') } as ScheduleSpec;
    expect(runs(early, '2026-05-04T08:00:00', 1)).toEqual([iso('2026-05-04T09:15:00')]);
    const off = { ...spec({ scheduleType: 'interval', intervalValue: 7, intervalUnit: 'minutes', marketHoursOnly: false }), anchor: iso('2026-05-04T08:00:00') } as ScheduleSpec;
    expect(runs(off, '2026-05-04T08:00:00', 2)).toEqual([iso('2026-05-04T08:07:00'), iso('2026-05-04T08:14:00')]);
  });

  it('accepts the seed\'s intervalMinutes', () => {
    expect(spec({ scheduleType: 'interval', intervalMinutes: 5 })).toMatchObject({ kind: 'interval', everySeconds: 300 });
  });
});

describe('cron', () => {
  it('reads the expression in IST and skips holidays under marketHoursOnly', () => {
    const s = spec({ scheduleType: 'cron', cronExpression: '*/30 9-10 * * 1-5' });
    // Friday 1 May is a holiday; on Monday 09:00 is before the 09:15 open, so 09:30 is the first run.
    expect(runs(s, '2026-04-30T10:45:00', 2)).toEqual([iso('2026-05-04T09:30:00'), iso('2026-05-04T10:00:00')]);
  });
});

describe('validation', () => {
  it('names every faulty field', () => {
    const parsed = parseSchedule({ scheduleType: 'weekly', time: '9:75', days: [0, 7] }, { calendar: cal });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems.map((p) => p.field).sort()).toEqual(['days', 'time']);
    expect(parsed.problems.find((p) => p.field === 'days')?.message).toMatch(/7 is not a day/);
  });

  it.each([
    [{ scheduleType: 'hourly' }, 'scheduleType'],
    [{ scheduleType: 'once' }, 'executeAt'],
    [{ scheduleType: 'once', executeAt: '2026-02-30' }, 'executeAt'],
    [{ scheduleType: 'interval', intervalValue: 0 }, 'intervalValue'],
    [{ scheduleType: 'interval', intervalValue: 5, intervalUnit: 'days' }, 'intervalUnit'],
    [{ scheduleType: 'interval', intervalValue: 48, intervalUnit: 'hours' }, 'intervalValue'],
    [{ scheduleType: 'cron', cronExpression: '61 * * * *' }, 'cronExpression'],
    [{ scheduleType: 'cron' }, 'cronExpression'],
    [{ scheduleType: 'weekly', days: [] }, 'days'],
    [{ scheduleType: 'daily', marketHoursExchange: 'LSE' }, 'marketHoursExchange'],
    [{ scheduleType: 'daily', marketHoursStart: '15:00', marketHoursEnd: '10:00' }, 'marketHoursEnd'],
    [{ scheduleType: 'daily', marketHoursOnly: 'sometimes' }, 'marketHoursOnly'],
  ])('%j is refused on %s', (data, field) => {
    const parsed = parseSchedule(data, { calendar: cal });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problems.map((p) => p.field)).toContain(field);
  });

  it('fills OpenAlgo\'s defaults: daily at 09:15 every day, NSE market hours', () => {
    expect(spec({})).toEqual({
      kind: 'daily', time: '09:15', days: [0, 1, 2, 3, 4, 5, 6], timezone: 'Asia/Kolkata', marketHours: { exchange: 'NSE' },
    });
  });

  it('accepts day names from the seed', () => {
    expect(spec({ scheduleType: 'weekly', days: ['mon', 'wed', 'FRI'] })).toMatchObject({ days: [0, 2, 4] });
  });
});
