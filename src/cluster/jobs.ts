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

export interface JobWorkerOptions {
  pool: Pool;
  /** Jobs run at once in this process. */
  concurrency: number;
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
      pollInterval: this.opts.pollInterval ?? 1_000,
      logger: workerLogger(this.opts.logger),
      events: events as never,
      taskList: {
        [RUN_TASK]: async (payload, helpers) => {
          const executionId = (payload as { executionId?: unknown })?.executionId;
          if (typeof executionId !== 'string') return;
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
