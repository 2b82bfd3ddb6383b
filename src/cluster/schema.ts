// The cluster's own tables (next to the store's): the live processes and the shared rate-limit slots;
// and graphile-worker's schema. Idempotent, run by every process at start under one advisory lock.

import { Logger, runMigrations } from 'graphile-worker';
import { LOCK_NAMESPACE, type Pool } from './pg.js';

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
`;

/** Lock number (second half) for schema set-up, so two processes starting together do not race. */
const SCHEMA_LOCK = -1;

export async function ensureClusterSchema(pool: Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1, $2)', [LOCK_NAMESPACE, SCHEMA_LOCK]);
    try {
      await client.query(TABLES);
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
