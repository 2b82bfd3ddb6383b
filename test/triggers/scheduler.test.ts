import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadCalendar } from '../../src/market/calendar.js';
import { parseSchedule, type ScheduleSpec } from '../../src/triggers/schedule.js';
import { Scheduler, type MissedRuns, type ScheduledFire } from '../../src/triggers/scheduler.js';

const cal = loadCalendar();
const ist = (text: string) => new Date(`${text}+05:30`);

function spec(data: Record<string, unknown>): ScheduleSpec {
  const parsed = parseSchedule(data, { calendar: cal });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.spec;
}

function recorder(now?: () => Date) {
  const fired: ScheduledFire[] = [];
  const missed: MissedRuns[] = [];
  const scheduler = new Scheduler({ calendar: cal, now, onFire: (j) => fired.push(j), onMissed: (m) => missed.push(m) });
  return { scheduler, fired, missed };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('firing on time (controlled clock)', () => {
  it('a daily schedule on all seven days fires on Sunday at its IST time', () => {
    vi.useFakeTimers({ now: ist('2026-05-02T10:00:00') }); // Saturday, after 09:20
    const { scheduler, fired } = recorder();
    const next = scheduler.add('wf1', 'start', spec({ scheduleType: 'daily', time: '09:20', days: [0, 1, 2, 3, 4, 5, 6], marketHoursOnly: false }));
    expect(next).toEqual(ist('2026-05-03T09:20:00'));
    vi.advanceTimersByTime(23 * 3_600_000);
    expect(fired).toHaveLength(0);
    vi.advanceTimersByTime(21 * 60_000);
    expect(fired).toEqual([{ workflowId: 'wf1', nodeId: 'start', scheduledFor: ist('2026-05-03T09:20:00'), late: false }]);
    vi.advanceTimersByTime(24 * 3_600_000);
    expect(fired.map((f) => f.scheduledFor)).toEqual([ist('2026-05-03T09:20:00'), ist('2026-05-04T09:20:00')]);
    scheduler.stop();
  });

  it('marketHoursOnly sleeps through the weekend and a holiday', () => {
    vi.useFakeTimers({ now: ist('2026-04-30T10:00:00') }); // Thursday, after 09:20
    const { scheduler, fired } = recorder();
    scheduler.add('wf1', 'start', spec({ scheduleType: 'daily', time: '09:20', days: [0, 1, 2, 3, 4, 5, 6] }));
    vi.advanceTimersByTime(4 * 86_400_000);
    expect(fired.map((f) => f.scheduledFor)).toEqual([ist('2026-05-04T09:20:00')]);
    scheduler.stop();
  });

  it('a removed schedule stops firing, and list shows what is armed', () => {
    vi.useFakeTimers({ now: ist('2026-05-04T09:00:00') });
    const { scheduler, fired } = recorder();
    scheduler.add('wf1', 'a', spec({ scheduleType: 'daily', time: '09:20' }));
    scheduler.add('wf1', 'b', spec({ scheduleType: 'daily', time: '09:30' }));
    scheduler.add('wf2', 'a', spec({ scheduleType: 'daily', time: '09:25' }));
    expect(scheduler.list().map((j) => [j.workflowId, j.nodeId, j.nextRun?.toISOString()])).toEqual([
      ['wf1', 'a', ist('2026-05-04T09:20:00').toISOString()],
      ['wf1', 'b', ist('2026-05-04T09:30:00').toISOString()],
      ['wf2', 'a', ist('2026-05-04T09:25:00').toISOString()],
    ]);
    expect(scheduler.remove('wf1')).toBe(2);
    vi.advanceTimersByTime(3_600_000);
    expect(fired.map((f) => f.workflowId)).toEqual(['wf2']);
    scheduler.stop();
  });

  it('a once fires a single time and then leaves the list', () => {
    vi.useFakeTimers({ now: ist('2026-05-04T09:16:00') });
    const { scheduler, fired } = recorder();
    scheduler.add('wf1', 'start', spec({ scheduleType: 'once', executeAt: '2026-05-04', time: '09:20' }));
    vi.advanceTimersByTime(86_400_000);
    expect(fired).toHaveLength(1);
    expect(scheduler.list()).toEqual([]);
  });

  it('a once in the past does not fire', () => {
    vi.useFakeTimers({ now: ist('2026-05-04T12:00:00') });
    const { scheduler, fired, missed } = recorder();
    expect(scheduler.add('wf1', 'start', spec({ scheduleType: 'once', executeAt: '2026-05-04', time: '09:05' }))).toBeNull();
    vi.advanceTimersByTime(86_400_000);
    expect(fired).toEqual([]);
    expect(missed).toEqual([]);
    expect(scheduler.list()).toEqual([]);
  });

  it('addNode answers the problems of an invalid start node without arming anything', () => {
    const { scheduler } = recorder();
    const result = scheduler.addNode('wf1', 'start', { scheduleType: 'interval', intervalValue: -1 });
    expect(result.ok).toBe(false);
    expect(scheduler.list()).toEqual([]);
  });

  it('a callback that throws does not stop the schedule', () => {
    vi.useFakeTimers({ now: ist('2026-05-04T09:00:00') });
    const errors: unknown[] = [];
    let calls = 0;
    const scheduler = new Scheduler({ calendar: cal, onFire: () => { calls++; throw new Error('queue full'); }, onError: (e) => errors.push(e) });
    scheduler.add('wf1', 'start', spec({ scheduleType: 'interval', intervalValue: 1, intervalUnit: 'minutes' }));
    vi.advanceTimersByTime(20 * 60_000);
    expect(calls).toBe(6); // 09:15 … 09:20
    expect(errors).toHaveLength(6);
    scheduler.stop();
  });
});

describe('runs missed while the server was down', () => {
  const daily = spec({ scheduleType: 'daily', time: '09:20' });

  it('a run less than 60 s late fires, marked late', () => {
    const { scheduler, fired, missed } = recorder(() => ist('2026-05-04T09:20:40'));
    scheduler.add('wf1', 'start', daily, { lastRunAt: ist('2026-04-30T09:20:00') });
    expect(fired).toEqual([{ workflowId: 'wf1', nodeId: 'start', scheduledFor: ist('2026-05-04T09:20:00'), late: true }]);
    expect(missed).toEqual([]);
    scheduler.stop();
  });

  it('a run 60 s late or more is reported missed, not run', () => {
    const { scheduler, fired, missed } = recorder(() => ist('2026-05-04T09:21:00'));
    const next = scheduler.add('wf1', 'start', daily, { lastRunAt: ist('2026-04-30T09:20:00') });
    expect(fired).toEqual([]);
    expect(missed).toEqual([{ workflowId: 'wf1', nodeId: 'start', scheduledFor: ist('2026-05-04T09:20:00'), firstScheduledFor: ist('2026-05-04T09:20:00'), count: 1 }]);
    expect(next).toEqual(ist('2026-05-05T09:20:00'));
    scheduler.stop();
  });

  it('older misses are counted once while the latest, if recent, still fires', () => {
    const { scheduler, fired, missed } = recorder(() => ist('2026-05-06T09:20:10'));
    scheduler.add('wf1', 'start', daily, { lastRunAt: ist('2026-04-29T12:00:00') });
    expect(fired.map((f) => f.scheduledFor)).toEqual([ist('2026-05-06T09:20:00')]);
    // 30 Apr, 4 May and 5 May were missed (1 May was a holiday).
    expect(missed).toEqual([{ workflowId: 'wf1', nodeId: 'start', scheduledFor: ist('2026-05-05T09:20:00'), firstScheduledFor: ist('2026-04-30T09:20:00'), count: 3 }]);
    scheduler.stop();
  });

  it('nothing is missed when the last run is the latest scheduled one', () => {
    const { scheduler, fired, missed } = recorder(() => ist('2026-05-04T12:00:00'));
    scheduler.add('wf1', 'start', daily, { lastRunAt: ist('2026-05-04T09:20:00') });
    expect(fired).toEqual([]);
    expect(missed).toEqual([]);
    scheduler.stop();
  });

  it('a timer that wakes long after its run (machine asleep) reports it missed', () => {
    vi.useFakeTimers({ now: ist('2026-05-04T09:00:00') });
    let skewMs = 0;
    const { scheduler, fired, missed } = recorder(() => new Date(Date.now() + skewMs));
    scheduler.add('wf1', 'start', daily);
    vi.advanceTimersByTime(10 * 60_000); // 09:10
    skewMs = 30 * 60_000; // the wall clock jumps ahead while timers were frozen
    vi.advanceTimersByTime(10 * 60_000 + 1000);
    expect(fired).toEqual([]);
    expect(missed.map((m) => [m.scheduledFor, m.count])).toEqual([[ist('2026-05-04T09:20:00'), 1]]);
    scheduler.stop();
  });
});

describe('interval (real timers)', () => {
  it('an interval of 2 s fires repeatedly, 2 s apart', async () => {
    const fired: ScheduledFire[] = [];
    const scheduler = new Scheduler({ calendar: cal, onFire: (j) => fired.push(j) });
    const activated = Date.now();
    scheduler.add('wf1', 'start', spec({ scheduleType: 'interval', intervalValue: 2, intervalUnit: 'seconds', marketHoursOnly: false }));
    const deadline = Date.now() + 5500;
    while (fired.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    scheduler.stop();
    expect(fired.length).toBeGreaterThanOrEqual(2);
    expect(fired[1].scheduledFor.getTime() - fired[0].scheduledFor.getTime()).toBe(2000);
    // Counted from activation (OpenAlgo's IntervalTrigger): the first run is 2 s after add().
    expect(Math.abs(fired[0].scheduledFor.getTime() - (activated + 2000))).toBeLessThan(50);
    expect(fired.every((f) => !f.late)).toBe(true);
  }, 8000);
});
