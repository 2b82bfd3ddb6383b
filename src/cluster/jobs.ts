// Executions as graphile-worker jobs (DESIGN.md §9). A run's job is added by SQL on the same
// connection, in the same transaction, that stores its execution row: an accepted webhook is never
// stored without being queued, nor queued without being stored.
//
// - `queue` workflows: every job in the named queue `wf:<id>`, which graphile-worker runs one at a
//   time across every process, by run_at; run_at is clock_timestamp() at the add, so jobs of one
//   transaction (a group commit) keep their order too.
// - `parallel`: no queue; the process's job concurrency is the only limit.
// - max_attempts 1: graphile-worker counts the attempt when it locks the job, so a job is never
//   handed out twice, not even after its process died (4 h later graphile-worker would otherwise
//   retry a locked job); a dead process's jobs are taken out by releaseDeadPool.

import { EventEmitter } from 'node:events';
import { run, type Runner } from 'graphile-worker';
import type pg from 'pg';
import type { Semaphore } from '../runtime/queue.js';
import type { Pool } from './pg.js';
import { RUN_TASK, workerLogger, type LogSink } from './schema.js';

export { RUN_TASK };

/** The named queue of a `queue` workflow's runs; null for the others. */
export function queueOf(workflowId: string, policy: 'queue' | 'parallel' | 'skip'): string | null {
  return policy === 'queue' ? `wf:${workflowId}` : null;
}

/** Adds the job of one execution, inside the caller's transaction on `client`. */
export async function addRunJob(client: pg.ClientBase, executionId: string, queue: string | null): Promise<void> {
  await client.query(
    `SELECT graphile_worker.add_job($1, json_build_object('executionId', $2::text), queue_name => $3::text,
       run_at => clock_timestamp(), max_attempts => 1)`,
    [RUN_TASK, executionId, queue],
  );
}

/**
 * A dead process's jobs: taken out of graphile-worker (deleted, their named queues unlocked so the
 * next run of a `queue` workflow can start). Returns the execution ids they carried; the caller
 * recovers those executions in the same transaction.
 */
export async function releaseDeadPool(client: pg.ClientBase, poolId: string): Promise<Array<{ executionId: string; queue: string | null }>> {
  // Locked: a second reaper of the same pool waits, then finds nothing left.
  const { rows } = await client.query<{ id: string; execution_id: string; queue_name: string | null }>(
    // (the public jobs view leaves the payload out)
    `SELECT j.id, j.payload->>'executionId' AS execution_id, q.queue_name FROM graphile_worker._private_jobs j
     JOIN graphile_worker._private_tasks t ON t.id = j.task_id
     LEFT JOIN graphile_worker._private_job_queues q ON q.id = j.job_queue_id
     WHERE j.locked_by = $1 AND t.identifier = $2 ORDER BY j.id FOR UPDATE OF j`,
    [poolId, RUN_TASK],
  );
  await client.query('SELECT graphile_worker.force_unlock_workers(ARRAY[$1::text])', [poolId]);
  if (rows.length > 0) await client.query('SELECT FROM graphile_worker.complete_jobs($1::bigint[])', [rows.map((r) => r.id)]);
  return rows.map((r) => ({ executionId: r.execution_id, queue: r.queue_name }));
}

/**
 * Job pools that hold jobs but belong to no live process (a process killed between taking a job and
 * recording its pool id, or reaped before): locked longer than `olderThanMs`.
 */
export async function orphanPools(client: pg.ClientBase | pg.Pool, olderThanMs: number): Promise<string[]> {
  const { rows } = await client.query<{ locked_by: string }>(
    `SELECT DISTINCT j.locked_by FROM graphile_worker._private_jobs j
     WHERE j.locked_by IS NOT NULL AND j.locked_at < now() - make_interval(secs => $1::double precision / 1000)
       AND NOT EXISTS (SELECT 1 FROM flow_processes p WHERE p.worker_pool_id = j.locked_by)`,
    [olderThanMs],
  );
  return rows.map((r) => r.locked_by);
}

/** A run slot taken for one execution while its transaction is written (see LocalRuns). */
export interface LocalSlot {
  /** The worker pool id to lock the job with (flow_enqueue_run's p_locked_by). */
  readonly lockedBy: string;
  /** The transaction committed with the job locked here: run it now; its job is completed (or released, if not run) after. */
  start(jobId: string, run: () => Promise<boolean | void>): void;
  /** Not run here (the transaction failed, the run was skipped or queued normally): the slot is given back. */
  release(): void;
  /**
   * The transaction's COMMIT failed after the job was added locked: it may have committed all the same
   * (a lost connection). The slot is given back and the job, if it exists, unlocked for any process.
   */
  abandon(jobId: string): void;
}

/**
 * The local fast path (issue 13): a run accepted by this process is run by it at once, its job added
 * in the execution's transaction already locked by this process's worker pool (flow_enqueue_run), so
 * no claim is waited for. When the run ends its job is completed (deleted), in batches; a run not
 * started (the process is stopping) has its job unlocked, its attempt given back, for any process to
 * claim. A process that dies meanwhile is handled as for any job it held: releaseDeadPool.
 */
export class LocalRuns {
  private completed: string[] = [];
  private returned: string[] = [];
  private armed = false;
  private readonly runs = new Set<Promise<void>>();
  private flushing: Promise<void> = Promise.resolve();
  /** Runs started here since start (for tests and the bench). */
  started = 0;

  constructor(private readonly o: { pool: Pool; slots: Semaphore; poolId: () => string | null; logger?: LogSink }) {}

  /** A slot for a run this process accepts, or null (no pool yet, or every slot taken: the queue takes it). */
  take(): LocalSlot | null {
    const lockedBy = this.o.poolId();
    if (!lockedBy || !this.o.slots.tryAcquire()) return null;
    let settled = false;
    const settle = () => {
      if (settled) return false;
      settled = true;
      return true;
    };
    return {
      lockedBy,
      release: () => {
        if (settle()) this.o.slots.release();
      },
      abandon: (jobId) => {
        if (!settle()) return;
        this.o.slots.release();
        this.returned.push(jobId);
        this.arm();
      },
      start: (jobId, run) => {
        if (!settle()) return;
        this.started++;
        const p = (async () => {
          let ran = true;
          try {
            ran = (await run()) !== false;
          } catch (e) {
            // The execution records its own failure; the job is done with either way.
            this.o.logger?.error({ jobId, err: (e as Error).message }, 'run job failed');
          } finally {
            this.o.slots.release();
          }
          (ran ? this.completed : this.returned).push(jobId);
          this.arm();
        })();
        this.runs.add(p);
        void p.finally(() => this.runs.delete(p));
      },
    };
  }

  private arm(): void {
    if (this.armed) return;
    this.armed = true;
    // One statement for every job that ended in this turn of the event loop.
    setImmediate(() => {
      this.armed = false;
      this.flushing = this.flushing.then(() => this.flush());
    });
  }

  private async flush(): Promise<void> {
    const poolId = this.o.poolId();
    const completed = this.completed;
    const returned = this.returned;
    this.completed = [];
    this.returned = [];
    try {
      if (completed.length > 0) {
        await this.o.pool.query({
          name: 'flow_complete_local',
          text: 'DELETE FROM graphile_worker._private_jobs WHERE id = ANY($1::bigint[]) AND locked_by = $2',
          values: [completed, poolId],
        });
      }
      if (returned.length > 0) {
        // Never attempted: unlocked with its attempt given back, and the workers told (a stopping process's runs go elsewhere).
        await this.o.pool.query(
          `WITH b AS (UPDATE graphile_worker._private_jobs SET locked_at = NULL, locked_by = NULL, attempts = 0
             WHERE id = ANY($1::bigint[]) AND locked_by = $2 RETURNING id)
           SELECT pg_notify('jobs:insert', json_build_object('count', count(*))::text) FROM b`,
          [returned, poolId],
        );
      }
    } catch (e) {
      // Left locked by this pool: released, and their runs recovered, when this process leaves or is found dead.
      this.o.logger?.warn({ err: (e as Error).message, completed: completed.length, returned: returned.length }, 'local jobs not completed');
    }
  }

  /** Waits for the runs started here (the service ends or cancels them) and completes their jobs. */
  async drain(): Promise<void> {
    while (this.runs.size > 0) await Promise.all([...this.runs]);
    await new Promise((resolve) => setImmediate(resolve));
    await this.flushing;
    if (this.completed.length || this.returned.length) await this.flush();
  }
}

export interface JobWorkerOptions {
  pool: Pool;
  /** Jobs run at once in this process. */
  concurrency: number;
  /**
   * The process's run slots (FLOW_MAX_PARALLEL), shared with the local fast path: a claimed job waits
   * for one before it runs, and a freed slot goes to a waiting claimed job first (the fast path only
   * takes a slot that is free now), so the fast path never starves the queue.
   */
  slots?: Semaphore;
  /**
   * Runs one execution to its end; a throw is logged (the execution records its own failure).
   * False: not run (this process is stopping): the job is put back, in its place in its queue.
   */
  run: (executionId: string, signal: AbortSignal) => Promise<boolean | void>;
  logger?: LogSink;
  /** How often to look for jobs when no notification came (ms). */
  pollInterval?: number;
}

/** The job worker of one process: graphile-worker's pool running `flow_run` jobs. */
export class JobWorker {
  private runner: Runner | null = null;
  private poolIdValue: string | null = null;

  constructor(private readonly opts: JobWorkerOptions) {}

  /** graphile-worker's lock owner for this process's jobs (known once started). */
  get poolId(): string | null {
    return this.poolIdValue;
  }

  async start(): Promise<void> {
    const events = new EventEmitter();
    events.on('pool:create', ({ workerPool }: { workerPool: { id: string } }) => {
      this.poolIdValue = workerPool.id;
    });
    this.runner = await run({
      pgPool: this.opts.pool,
      concurrency: this.opts.concurrency,
      noHandleSignals: true,
      // Each of graphile-worker's `concurrency` workers polls on its own (64 by default: 64 claim queries
      // a second from an idle process). A job is announced by jobs:insert anyway; the poll is for a missed
      // one, and any of the workers finds it: the interval grows with their number, so the pool as a
      // whole asks about 10 times a second.
      pollInterval: this.opts.pollInterval ?? Math.max(1_000, this.opts.concurrency * 100),
      logger: workerLogger(this.opts.logger),
      events: events as never,
      taskList: {
        [RUN_TASK]: async (payload, helpers) => {
          const executionId = (payload as { executionId?: unknown })?.executionId;
          if (typeof executionId !== 'string') return;
          await this.opts.slots?.acquire();
          try {
            const ran = await this.opts.run(executionId, helpers.abortSignal ?? new AbortController().signal);
            if (ran === false) {
              const job = helpers.job;
              await this.opts.pool.query(
                `SELECT graphile_worker.add_job($1, json_build_object('executionId', $2::text), run_at => $4::timestamptz, max_attempts => 1,
                   queue_name => (SELECT queue_name FROM graphile_worker._private_job_queues WHERE id = $3))`,
                [RUN_TASK, executionId, job.job_queue_id ?? null, job.run_at],
              );
            }
          } catch (e) {
            // Never failed back to graphile-worker: a failed job would be kept (and its run is recorded already).
            this.opts.logger?.error({ executionId, err: (e as Error).message }, 'run job failed');
          } finally {
            this.opts.slots?.release();
          }
        },
      },
    });
  }

  /** Stops taking jobs and waits for those running (the execution service has ended or canceled them). */
  async stop(): Promise<void> {
    const r = this.runner;
    this.runner = null;
    await r?.stop();
  }
}
