// Opens a PostgreSQL store (FLOW_DATABASE_URL, DESIGN.md §9): a connection pool, the schema brought
// up to date, and the Store assembled from the per-concern parts. A transaction (tx) takes one
// connection, BEGIN, runs the batch's writes in order, COMMIT.

import pg from 'pg';
import type { Store, WriteBatch } from '../types.js';
import { insertDelivery, pgMisc, pgRetention } from './misc.js';
import { migratePostgres, pgSchemaVersion } from './migrations.js';
import { type Db, transaction, typeParser } from './rows.js';
import { pgRuns, runWrites } from './runs.js';
import { pgWorkflows } from './workflows.js';

export interface PostgresStoreOptions {
  /** postgres://user:password@host:port/database */
  url: string;
  /** 32-byte key that encrypts webhook secrets and broker API keys (the same key as the SQLite store's). */
  secretKey: Buffer;
  /** Connections in the pool. Default 10. */
  maxConnections?: number;
}

/** The URL without its password, to show (banner, `Store.path`). */
export function redactedUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}

export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const pool = new pg.Pool({ connectionString: options.url, max: options.maxConnections ?? 10, types: typeParser });
  // An idle connection that dies (a restarted server) must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  let open = true;
  try {
    await migratePostgres(pool);
  } catch (e) {
    await pool.end();
    throw e;
  }
  const schemaVersion = await pgSchemaVersion(pool);

  const inTransaction = <T>(fn: (db: Db) => Promise<T>): Promise<T> => transaction(pool, fn);

  /** A batch that records each write, to run in order inside the transaction; `ends` hear how the transaction ended. */
  const recordBatch = (ops: Array<(db: Db) => Promise<unknown>>, ends: Array<(committed: boolean) => void>): WriteBatch & {
    settled(fn: (committed: boolean) => void): void;
  } => {
    const later = <A extends unknown[]>(write: (db: Db, ...args: A) => Promise<unknown>) => (...args: A) => {
      ops.push((db) => write(db, ...args));
    };
    return {
      insertExecution: later(runWrites.insertExecution),
      markRunning: (id, startedAt) => new Promise<boolean>((resolve) => {
        ops.push(async (db) => resolve(await runWrites.markRunning(db, id, startedAt)));
      }),
      setCurrentNode: later(runWrites.setCurrentNode),
      finishExecution: later(runWrites.finishExecution),
      insertStep: later(runWrites.insertStep),
      insertLogs: later(runWrites.insertLogs),
      insertIntent: later(runWrites.insertIntent),
      markIntentSending: later(runWrites.markIntentSending),
      resolveIntent: later(runWrites.resolveIntent),
      insertNotification: later(runWrites.insertNotification),
      insertDelivery: later(insertDelivery),
      // Several processes (src/cluster): a statement of its own in this transaction, after the writes recorded before it.
      query: (text, params) => new Promise((resolve, reject) => {
        ops.push(async (db) => {
          try {
            resolve((await db.query(text, params)).rows);
          } catch (e) {
            reject(e);
            throw e;
          }
        });
      }),
      // Several processes: told once the transaction committed (true) or not (false), before tx() settles.
      settled: (fn) => {
        ends.push(fn);
      },
    };
  };

  return {
    kind: 'postgres',
    path: redactedUrl(options.url),
    schemaVersion,
    ...pgWorkflows(pool, options.secretKey, inTransaction),
    ...pgRuns(pool, inTransaction),
    ...pgMisc(pool),
    insertExecution: (e) => runWrites.insertExecution(pool, e),
    markRunning: (id, startedAt) => runWrites.markRunning(pool, id, startedAt),
    setCurrentNode: (id, nodeId, nodeType) => runWrites.setCurrentNode(pool, id, nodeId, nodeType),
    finishExecution: (id, f) => runWrites.finishExecution(pool, id, f),
    insertStep: (s) => runWrites.insertStep(pool, s),
    insertLogs: (id, entries) => runWrites.insertLogs(pool, id, entries),
    insertIntent: (i) => runWrites.insertIntent(pool, i),
    markIntentSending: (key) => runWrites.markIntentSending(pool, key),
    resolveIntent: (key, r) => runWrites.resolveIntent(pool, key, r),
    insertNotification: (n) => runWrites.insertNotification(pool, n),
    insertDelivery: (d) => insertDelivery(pool, d),
    async tx(fn) {
      const ops: Array<(db: Db) => Promise<unknown>> = [];
      const ends: Array<(committed: boolean) => void> = [];
      const end = (committed: boolean) => {
        for (const f of ends) f(committed);
      };
      try {
        fn(recordBatch(ops, ends));
      } catch (e) {
        end(false);
        throw e;
      }
      if (ops.length === 0) return end(true);
      try {
        await inTransaction(async (db) => {
          for (const op of ops) await op(db);
        });
      } catch (e) {
        end(false);
        throw e;
      }
      end(true);
    },
    prune: pgRetention(pool, inTransaction, () => open),
    async close() {
      if (!open) return;
      open = false;
      await pool.end();
    },
  };
}
