// Opens a PostgreSQL store (FLOW_DATABASE_URL, DESIGN.md §9): a connection pool, the schema brought
// up to date, and the Store assembled from the per-concern parts. A transaction (tx) takes one
// connection, BEGIN, runs the batch's writes in order, COMMIT.

import { createRequire } from 'node:module';
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

const pgUtils = createRequire(import.meta.url)('pg/lib/utils.js') as { prepareValue(v: unknown): unknown; escapeLiteral(s: string): string };

/** One statement as SQL text: each $n replaced by its value as a literal, exactly the text node-postgres would send as a parameter. */
function inline(text: string, values: readonly unknown[]): string | null {
  let ok = true;
  const sql = text.replace(/\$(\d+)/g, (_m, n: string) => {
    const v = pgUtils.prepareValue(values[Number(n) - 1]);
    if (v === null || v === undefined) return 'NULL';
    if (typeof v !== 'string') {
      ok = false; // a Buffer (binary): not in a run's writes; such a batch runs statement by statement
      return '';
    }
    return pgUtils.escapeLiteral(v);
  });
  return ok ? sql : null;
}

/**
 * A transaction's writes in one round trip: the batch's statements are collected (each write calls
 * its query synchronously), sent as one simple-protocol string `BEGIN; …; COMMIT`, and each write
 * handed its own result. Before this a run's three commits cost 5 to 8 round trips each, and on a
 * loaded machine every round trip is a wake-up of the PostgreSQL backend. When the database refuses
 * a statement nothing was committed (the rest of the string is skipped, then ROLLBACK): the batch is
 * run again statement by statement, so each write sees its own error exactly as before. A failure
 * without an answer from the database (a lost connection) is thrown as is: whether it committed is
 * unknown, as for any COMMIT.
 */
async function runBatch(pool: pg.Pool, ops: ReadonlyArray<(db: Db) => Promise<unknown>>): Promise<void> {
  const oneByOne = () => transaction(pool, async (db) => {
    for (const op of ops) await op(db);
  });
  const statements: Array<{ sql: string | null; resolve: (r: pg.QueryResult) => void }> = [];
  let sealed = false;
  const collector = {
    query(config: string | pg.QueryConfig, values?: unknown[]): Promise<pg.QueryResult> {
      // Every write makes at most one query, synchronously (runWrites, insertDelivery, query).
      if (sealed) return Promise.reject(new Error('a batched write made a second query'));
      const text = typeof config === 'string' ? config : config.text;
      const vals = (typeof config === 'string' ? values : config.values ?? values) ?? [];
      return new Promise((resolve) => statements.push({ sql: inline(text, vals), resolve }));
    },
  } as unknown as Db;
  // Calling each write records its query; the writes that wait on a result are handed it below.
  const pending = ops.map((op) => op(collector));
  sealed = true;
  // A value that is no text (never in a run's writes): one statement at a time (the recorded calls are dropped unanswered).
  if (statements.some((st) => st.sql === null)) return oneByOne();
  if (statements.length === 0) return void (await Promise.all(pending));
  const client = await pool.connect();
  let results: pg.QueryResult[];
  try {
    const r = await client.query(`BEGIN;\n${statements.map((st) => st.sql).join(';\n')};\nCOMMIT`);
    results = r as unknown as pg.QueryResult[];
  } catch (e) {
    if (typeof (e as { code?: unknown }).code !== 'string') {
      client.release(e as Error);
      throw e;
    }
    await client.query('ROLLBACK').catch(() => {});
    client.release();
    // Refused by the database, nothing committed: again one statement at a time, each write seeing its own error.
    return oneByOne();
  }
  client.release();
  // The results: BEGIN's, one per statement, COMMIT's.
  statements.forEach((st, i) => st.resolve(results[i + 1]));
  await Promise.all(pending);
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
      markRunning: (id, startedAt, node) => new Promise<boolean>((resolve) => {
        ops.push(async (db) => resolve(await runWrites.markRunning(db, id, startedAt, node)));
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
    markRunning: (id, startedAt, node) => runWrites.markRunning(pool, id, startedAt, node),
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
        for (const f of ends) {
          try {
            f(committed);
          } catch {
            // A listener's failure is its own: the transaction's outcome stands.
          }
        }
      };
      try {
        fn(recordBatch(ops, ends));
      } catch (e) {
        end(false);
        throw e;
      }
      if (ops.length === 0) return end(true);
      try {
        await runBatch(pool, ops);
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
