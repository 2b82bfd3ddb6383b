// Fires schedules on time: one timer per job, armed for its next run (nothing polls).
// A run found late (server down, machine asleep) fires if under 60 s late, otherwise is reported missed.

import { DEFAULT_TIMEZONE } from '../market/clock.js';
import { defaultCalendar, type Calendar } from '../market/calendar.js';
import { nextRun, parseSchedule, type ParseScheduleResult, type ScheduleSpec } from './schedule.js';

export interface ScheduledFire {
  workflowId: string;
  nodeId: string;
  scheduledFor: Date;
  /** The run fires after its instant: caught up at start-up, or the timer woke more than a second late. */
  late: boolean;
}

export interface MissedRuns {
  workflowId: string;
  nodeId: string;
  /** The most recent run that was missed. */
  scheduledFor: Date;
  /** The earliest run that was missed. */
  firstScheduledFor: Date;
  /** How many runs were missed (counting stops at MAX_COUNTED_MISSES). */
  count: number;
}

export interface ScheduledJob {
  workflowId: string;
  nodeId: string;
  spec: ScheduleSpec;
  nextRun: Date | null;
}

export interface SchedulerOptions {
  /** Zone for schedules added with addNode (Asia/Kolkata unless configured). */
  timezone?: string;
  calendar?: Calendar;
  /** The clock; tests pass a controllable one. */
  now?: () => Date;
  /** Called once per run; the execution service queues it (its concurrency policy keeps runs of a workflow apart). */
  onFire: (job: ScheduledFire) => void;
  /** Runs too late to fire; the store records them as missed. */
  onMissed?: (missed: MissedRuns) => void;
  /** A callback threw; the scheduler keeps going. */
  onError?: (err: unknown, job: { workflowId: string; nodeId: string }) => void;
  /** How late a run may be and still fire (DESIGN.md §7: 60 s). */
  graceMs?: number;
}

export const MAX_COUNTED_MISSES = 100_000;
const MAX_TIMER_MS = 60 * 60_000; // re-check the clock at least hourly (clock changes, setTimeout's 24.8-day limit)
const LATE_AFTER_MS = 1000;

interface Job {
  workflowId: string;
  nodeId: string;
  spec: ScheduleSpec;
  /** Runs at or before this instant have been handled. */
  cursor: Date;
  next: Date | null;
  timer: NodeJS.Timeout | null;
}

const keyOf = (workflowId: string, nodeId: string) => `${workflowId}\u0000${nodeId}`;

export class Scheduler {
  private readonly jobs = new Map<string, Job>();
  private readonly calendar: Calendar;
  private readonly timezone: string;
  private readonly now: () => Date;
  private readonly graceMs: number;

  constructor(private readonly options: SchedulerOptions) {
    this.calendar = options.calendar ?? defaultCalendar();
    this.timezone = options.timezone ?? DEFAULT_TIMEZONE;
    this.now = options.now ?? (() => new Date());
    this.graceMs = options.graceMs ?? 60_000;
  }

  /**
   * Registers (or replaces) a start node's schedule and answers its next run. With `lastRunAt`
   * (the last run, or the activation time if it never ran), runs missed since then are handled
   * now: the latest fires if under the grace period late, the others are reported missed.
   */
  add(workflowId: string, nodeId: string, spec: ScheduleSpec, opts: { lastRunAt?: Date | null } = {}): Date | null {
    this.removeJob(keyOf(workflowId, nodeId));
    const now = this.now();
    // An interval counts from activation (OpenAlgo's IntervalTrigger); after a restart, from the last run.
    if (spec.kind === 'interval' && !spec.anchor) spec = { ...spec, anchor: (opts.lastRunAt ?? now).toISOString() };
    const job: Job = { workflowId, nodeId, spec, cursor: now, next: null, timer: null };
    this.jobs.set(keyOf(workflowId, nodeId), job);
    if (opts.lastRunAt && opts.lastRunAt.getTime() < now.getTime()) this.catchUp(job, opts.lastRunAt, now, true);
    this.arm(job);
    return job.next;
  }

  /** Parses a start node's data in the scheduler's zone and adds it; answers the problems otherwise. */
  addNode(workflowId: string, nodeId: string, data: Record<string, unknown>, opts: { lastRunAt?: Date | null } = {}): ParseScheduleResult & { nextRun?: Date | null } {
    const parsed = parseSchedule(data, { timezone: this.timezone, calendar: this.calendar });
    if (!parsed.ok) return parsed;
    return { ...parsed, nextRun: this.add(workflowId, nodeId, parsed.spec, opts) };
  }

  /** Removes a workflow's schedules (one node's with nodeId); answers how many were removed. */
  remove(workflowId: string, nodeId?: string): number {
    if (nodeId !== undefined) return this.removeJob(keyOf(workflowId, nodeId)) ? 1 : 0;
    let removed = 0;
    for (const [key, job] of this.jobs) if (job.workflowId === workflowId && this.removeJob(key)) removed++;
    return removed;
  }

  list(): ScheduledJob[] {
    return [...this.jobs.values()].map((j) => ({ workflowId: j.workflowId, nodeId: j.nodeId, spec: j.spec, nextRun: j.next }));
  }

  stop(): void {
    for (const key of [...this.jobs.keys()]) this.removeJob(key);
  }

  private removeJob(key: string): boolean {
    const job = this.jobs.get(key);
    if (!job) return false;
    if (job.timer) clearTimeout(job.timer);
    this.jobs.delete(key);
    return true;
  }

  private arm(job: Job): void {
    job.next = nextRun(job.spec, job.cursor, this.calendar);
    if (!job.next) {
      // A once that has run (or can never run) is finished.
      this.jobs.delete(keyOf(job.workflowId, job.nodeId));
      return;
    }
    const delay = Math.min(Math.max(job.next.getTime() - this.now().getTime(), 0), MAX_TIMER_MS);
    job.timer = setTimeout(() => this.wake(job), delay);
    job.timer.unref?.();
  }

  private wake(job: Job): void {
    job.timer = null;
    if (this.jobs.get(keyOf(job.workflowId, job.nodeId)) !== job) return;
    const now = this.now();
    if (job.next && now.getTime() >= job.next.getTime()) {
      this.catchUp(job, job.cursor, now, false);
      job.cursor = now;
    }
    this.arm(job);
  }

  /** Handles every run in (since, now]: the latest fires if within grace, the rest are missed. */
  private catchUp(job: Job, since: Date, now: Date, restarting: boolean): void {
    let first: Date | null = null;
    let previous: Date | null = null;
    let last: Date | null = null;
    let count = 0;
    for (let t = nextRun(job.spec, since, this.calendar); t && t.getTime() <= now.getTime(); t = nextRun(job.spec, t, this.calendar)) {
      first ??= t;
      previous = last;
      last = t;
      if (++count >= MAX_COUNTED_MISSES) break;
    }
    if (!last || !first) return;
    const lateBy = now.getTime() - last.getTime();
    let missedCount = count;
    let lastMissed: Date | null = last;
    if (lateBy < this.graceMs) {
      missedCount -= 1;
      lastMissed = previous;
      this.call(job, () => this.options.onFire({
        workflowId: job.workflowId, nodeId: job.nodeId, scheduledFor: last, late: restarting || lateBy > LATE_AFTER_MS,
      }));
    }
    if (missedCount > 0 && lastMissed && this.options.onMissed) {
      const missed: MissedRuns = { workflowId: job.workflowId, nodeId: job.nodeId, scheduledFor: lastMissed, firstScheduledFor: first, count: missedCount };
      this.call(job, () => this.options.onMissed!(missed));
    }
  }

  private call(job: Job, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.options.onError?.(err, { workflowId: job.workflowId, nodeId: job.nodeId });
    }
  }
}
