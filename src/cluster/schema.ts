// The cluster's own tables (next to the store's): the live processes and the shared rate-limit slots;
// and graphile-worker's schema. Idempotent, run by every process at start under one advisory lock.

import { Logger, runMigrations } from 'graphile-worker';
import { DECISION_NAMESPACE, LOCK_NAMESPACE, type Pool } from './pg.js';

const TABLES = `
CREATE TABLE IF NOT EXISTS flow_processes (
  id text PRIMARY KEY,
  role text NOT NULL,
  host text NOT NULL,
  pid integer NOT NULL,
  -- the second half of this process's liveness advisory lock, held while its session lives
  lock_key integer NOT NULL UNIQUE,
  -- graphile-worker's lock owner for this process's jobs (null: a web process runs none)
  worker_pool_id text,
  started_at timestamptz NOT NULL DEFAULT now(),
  beat_at timestamptz NOT NULL DEFAULT now()
);
-- Shared rate limits: N slots per key, each the time (ms, database clock) its last call was let through;
-- a slot is reused only a window after its last use, so no window holds more than N calls.
CREATE TABLE IF NOT EXISTS flow_rate_slots (
  key text NOT NULL,
  i integer NOT NULL,
  at double precision NOT NULL,
  PRIMARY KEY (key, i)
);
-- The slot used longest ago, by index: without it every order sorted all N slots of its key (100 ms at N = 100,000).
CREATE INDEX IF NOT EXISTS flow_rate_slots_next ON flow_rate_slots (key, at, i);
`;

/** graphile-worker's task name of a run's job. */
export const RUN_TASK = 'flow_run';

/**
 * Called in the transaction that stores an execution (row already written, status queued): decides
 * what cross-process state decides, under a transaction-level advisory lock so concurrent requests
 * in any process decide one after the other:
 * - an idempotency key seen in the last day on another execution → unique_violation (the caller
 *   rolls back and answers the first execution);
 * - `skip` with a run of the workflow queued or running → the row becomes skipped, no job;
 * - otherwise the job is added ('queue': in the workflow's named queue) and it answers 'queued';
 * - with p_locked_by (a `parallel` or `skip` run this process runs at once, the local fast path) the job
 *   is added already taken by that worker pool: locked, its one attempt counted (attempts 1 of 1, so
 *   graphile-worker never hands it out), no jobs:insert notification; it answers 'locked:<job id>'.
 *   A pool that dies with it is released by releaseDeadPool and its run recovered like any other.
 */
const ENQUEUE = `
DROP FUNCTION IF EXISTS flow_enqueue_run(text, text, text, text, bigint, bigint);
CREATE OR REPLACE FUNCTION flow_enqueue_run(p_execution text, p_workflow text, p_policy text, p_key text, p_since bigint, p_now bigint,
  p_locked_by text DEFAULT NULL)
RETURNS text LANGUAGE plpgsql AS $fn$
DECLARE
  v_job bigint;
BEGIN
  IF p_key IS NOT NULL THEN
    PERFORM pg_advisory_xact_lock(${DECISION_NAMESPACE}, hashtext('key' || chr(1) || p_workflow || chr(1) || p_key));
    IF EXISTS (SELECT 1 FROM executions WHERE workflow_id = p_workflow AND idempotency_key = p_key
               AND created_at >= p_since AND id <> p_execution) THEN
      RAISE EXCEPTION 'idempotency key already used' USING ERRCODE = 'unique_violation';
    END IF;
  END IF;
  IF p_policy = 'skip' THEN
    PERFORM pg_advisory_xact_lock(${DECISION_NAMESPACE}, hashtext('skip' || chr(1) || p_workflow));
    IF EXISTS (SELECT 1 FROM executions WHERE workflow_id = p_workflow AND status IN ('queued', 'running') AND id <> p_execution) THEN
      UPDATE executions SET status = 'skipped', finished_at = p_now,
        error = 'skipped: a run of this workflow is already in progress (concurrency: skip)' WHERE id = p_execution;
      RETURN 'skipped';
    END IF;
  END IF;
  IF p_locked_by IS NOT NULL AND p_policy <> 'queue' THEN
    INSERT INTO graphile_worker._private_jobs (task_id, payload, run_at, attempts, max_attempts, locked_at, locked_by)
      SELECT t.id, json_build_object('executionId', p_execution), clock_timestamp(), 1, 1, now(), p_locked_by
      FROM graphile_worker._private_tasks t WHERE t.identifier = '${RUN_TASK}'
      RETURNING id INTO v_job;
    IF v_job IS NOT NULL THEN
      RETURN 'locked:' || v_job;
    END IF;
  END IF;
  PERFORM graphile_worker.add_job('${RUN_TASK}', json_build_object('executionId', p_execution),
    queue_name => CASE WHEN p_policy = 'queue' THEN 'wf:' || p_workflow END, run_at => clock_timestamp(), max_attempts => 1);
  RETURN 'queued';
END
$fn$;
`;

/** Lock number (second half) for schema set-up, so two processes starting together do not race. */
const SCHEMA_LOCK = -1;

export async function ensureClusterSchema(pool: Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1, $2)', [LOCK_NAMESPACE, SCHEMA_LOCK]);
    try {
      await client.query(TABLES);
      await client.query(ENQUEUE);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1, $2)', [LOCK_NAMESPACE, SCHEMA_LOCK]);
    }
  } finally {
    client.release();
  }
  // graphile-worker serialises its own migrations.
  await runMigrations({ pgPool: pool, logger: workerLogger() });
}

export interface LogSink {
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

/** graphile-worker logs through Flow's logger: its warnings and errors only. */
export function workerLogger(log?: LogSink): Logger {
  return new Logger(() => (level, message) => {
    if (level === 'error') log ? log.error({ part: 'jobs' }, message) : console.error(`graphile-worker: ${message}`);
    else if (level === 'warning') log ? log.warn({ part: 'jobs' }, message) : console.error(`graphile-worker: ${message}`);
  });
}
