// `flow migrate --to postgres://…`: copies a SQLite data directory's database into PostgreSQL, row
// for row (workflows, versions, runs, steps, logs, order intents, notifications, webhook deliveries,
// schedules, settings, the paper account). Stored secrets are copied as they are, still encrypted with
// the data directory's key: the PostgreSQL deployment must use that key (FLOW_SECRET_KEY).

import Database from 'better-sqlite3';
import fs from 'node:fs';
import pg from 'pg';
import { StoreError } from './errors.js';
import { openPostgresStore } from './postgres/store.js';
import { migrate } from './sqlite/migrations.js';
import { openDatabase } from './sqlite/store.js';

/** Tables in copy order, each with its columns and those that SQLite keeps as 0/1 and PostgreSQL as booleans. */
const TABLES: ReadonlyArray<{ name: string; columns: readonly string[]; booleans?: readonly string[]; identity?: string }> = [
  { name: 'workflows', columns: ['id', 'name', 'description', 'trigger_kinds', 'created_at', 'updated_at', 'deleted_at', 'active', 'active_version', 'webhook_token', 'auth_type', 'concurrency', 'limits', 'webhook_secret', 'broker_api_key', 'webhook_enabled', 'definition'], booleans: ['active', 'webhook_enabled'] },
  { name: 'workflow_versions', columns: ['workflow_id', 'version', 'created_at', 'definition'] },
  { name: 'executions', columns: ['seq', 'id', 'workflow_id', 'version', 'status', 'trigger_kind', 'trigger_node', 'idempotency_key', 'created_at', 'started_at', 'finished_at', 'current_node', 'current_node_type', 'error', 'input', 'variables'], identity: 'seq' },
  { name: 'steps', columns: ['id', 'execution_id', 'seq', 'node_id', 'node_type', 'status', 'started_at', 'finished_at', 'error', 'input', 'output', 'notes'], identity: 'id' },
  { name: 'logs', columns: ['id', 'execution_id', 'seq', 'time', 'level', 'node_id', 'message'], identity: 'id' },
  { name: 'order_intents', columns: ['id', 'key', 'workflow_id', 'execution_id', 'node_id', 'method', 'status', 'created_at', 'resolved_at', 'order_ids', 'error', 'request', 'answer'], identity: 'id' },
  { name: 'notifications', columns: ['id', 'execution_id', 'node_id', 'channel', 'delivered', 'created_at', 'detail', 'message'], booleans: ['delivered'], identity: 'id' },
  { name: 'webhook_deliveries', columns: ['id', 'workflow_id', 'received_at', 'http_status', 'execution_id', 'idempotency_key', 'remote', 'error'], identity: 'id' },
  { name: 'schedules', columns: ['workflow_id', 'node_id', 'next_run_at', 'last_run_at', 'missed_count', 'last_missed_at', 'spec'] },
  { name: 'settings', columns: ['key', 'value', 'updated_at'] },
  { name: 'paper_account', columns: ['id', 'updated_at', 'state'] },
];

export type CopyCounts = Record<string, number>;

export interface CopyOptions {
  /** The SQLite database file (flow.db in the data directory). */
  sqliteFile: string;
  /** postgres://… */
  databaseUrl: string;
  /** Replace what the target holds; otherwise a target with any row is refused. */
  overwrite?: boolean;
  /** Rows per INSERT. */
  batchSize?: number;
}

/** Copies every row in one PostgreSQL transaction: the target ends with all of it or none of it. Answers rows per table. */
export async function copySqliteToPostgres(o: CopyOptions): Promise<CopyCounts> {
  if (!fs.existsSync(o.sqliteFile)) throw new StoreError('not_found', `no Flow database at ${o.sqliteFile}: give --data-dir`);
  // Brings the source to the latest schema first (as `flow serve` would), so both sides have the same columns.
  const source = openDatabase(o.sqliteFile);
  try {
    migrate(source);
  } catch (e) {
    source.close();
    throw e;
  }
  // The target's schema, by opening it as a store.
  try {
    await (await openPostgresStore({ url: o.databaseUrl, secretKey: Buffer.alloc(32) })).close();
  } catch (e) {
    source.close();
    throw e;
  }
  const target = new pg.Client({ connectionString: o.databaseUrl });
  await target.connect();
  const counts: CopyCounts = {};
  try {
    await target.query('BEGIN');
    const held: string[] = [];
    for (const t of TABLES) {
      if ((await target.query(`SELECT EXISTS (SELECT 1 FROM ${t.name}) AS any`)).rows[0].any) held.push(t.name);
    }
    if (held.length && !o.overwrite) {
      throw new StoreError('conflict', `the target database already holds Flow data (${held.join(', ')}): refusing to mix two stores; use an empty database, or --overwrite to replace it`);
    }
    if (held.length) await target.query(`TRUNCATE ${TABLES.map((t) => t.name).join(', ')}`);
    for (const t of TABLES) counts[t.name] = await copyTable(source, target, t, o.batchSize ?? 500);
    await target.query('COMMIT');
  } catch (e) {
    await target.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    await target.end();
    source.close();
  }
  return counts;
}

async function copyTable(source: Database.Database, target: pg.Client, t: (typeof TABLES)[number], batchSize: number): Promise<number> {
  const rows = source.prepare(`SELECT ${t.columns.join(', ')} FROM ${t.name} ORDER BY 1, 2`).iterate() as IterableIterator<Record<string, unknown>>;
  const booleans = new Set(t.booleans ?? []);
  let batch: unknown[][] = [];
  let n = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const values = batch.map((_, r) => `(${t.columns.map((_c, c) => `$${r * t.columns.length + c + 1}`).join(', ')})`).join(', ');
    await target.query(`INSERT INTO ${t.name} (${t.columns.join(', ')}) VALUES ${values}`, batch.flat());
    n += batch.length;
    batch = [];
  };
  for (const row of rows) {
    batch.push(t.columns.map((c) => (booleans.has(c) ? row[c] === 1 : row[c])));
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  // Identity columns continue after the copied ids.
  if (t.identity) {
    await target.query(`SELECT setval(pg_get_serial_sequence('${t.name}', '${t.identity}'), greatest((SELECT max(${t.identity}) FROM ${t.name}), 1), (SELECT count(*) > 0 FROM ${t.name}))`);
  }
  return n;
}
