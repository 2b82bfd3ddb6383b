// PostgreSQL plumbing shared by the cluster parts: a pool, a transaction helper, and the advisory
// lock keys Flow uses (two 32-bit halves: Flow's namespace, then the lock within it).

import os from 'node:os';
import pg from 'pg';

export type Pool = pg.Pool;
export type Client = pg.PoolClient | pg.Client;

/** The first half of every advisory lock Flow takes ('Flow' in ASCII), so they never collide with another application's. */
export const LOCK_NAMESPACE = 0x466c6f77;
/** A second namespace ('Flox') for transaction-level locks on decisions (idempotency keys, skip): never a liveness lock. */
export const DECISION_NAMESPACE = 0x466c6f78;
/** The second half of the trigger-holder lock; process liveness locks use positive numbers. */
export const TRIGGER_LOCK = 0;

export function createPool(connectionString: string, opts: { max?: number; name?: string } = {}): Pool {
  const pool = new pg.Pool({ connectionString, max: opts.max ?? 10, application_name: opts.name ?? 'flow' });
  // An idle client that loses its connection emits on the pool and on itself; the next query gets a fresh one.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

/** A connection of its own (not from a pool): for LISTEN and session-level advisory locks. */
export async function connectClient(connectionString: string, name: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString, application_name: name, keepAlive: true, keepAliveInitialDelayMillis: 2_000 });
  await client.connect();
  return client;
}

export { transaction } from '../store/postgres/rows.js';

/** This process's name in the processes table and in graphile-worker's locks: host, pid and a random tail. */
export function processName(): string {
  return `${os.hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
}
