// Versioned schema, forward only. Each migration runs in its own transaction at open;
// PRAGMA user_version holds the version, schema_migrations records when each was applied.
// Never edit a shipped migration: add the next one.

import type Database from 'better-sqlite3';
import { StoreError } from '../errors.js';

type DB = Database.Database;

export interface Migration {
  version: number;
  name: string;
  up(db: DB): void;
}

// Integer primary keys are explicit wherever order matters: VACUUM may renumber implicit rowids.
// Large JSON columns come last so that summaries never read them.
const CORE = `
CREATE TABLE workflows (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  trigger_kinds TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  deleted_at INTEGER,
  active INTEGER NOT NULL DEFAULT 0,
  active_version INTEGER,
  webhook_token TEXT,
  auth_type TEXT,
  concurrency TEXT NOT NULL DEFAULT 'queue',
  limits TEXT NOT NULL DEFAULT '{}',
  webhook_secret TEXT,
  broker_api_key TEXT,
  definition TEXT NOT NULL
);
CREATE UNIQUE INDEX workflows_webhook_token ON workflows (webhook_token) WHERE webhook_token IS NOT NULL;

CREATE TABLE workflow_versions (
  workflow_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  definition TEXT NOT NULL,
  PRIMARY KEY (workflow_id, version)
);

CREATE TABLE executions (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  workflow_id TEXT NOT NULL,
  version INTEGER,
  status TEXT NOT NULL,
  trigger_kind TEXT NOT NULL,
  trigger_node TEXT,
  idempotency_key TEXT,
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  finished_at INTEGER,
  current_node TEXT,
  current_node_type TEXT,
  error TEXT,
  input TEXT,
  variables TEXT
);
-- (workflow_id, seq): newest-first listing, last run per workflow, retention. No index on status:
-- every run would pay for it three times, while only start-up (recovery, resuming the queue) reads by status.
CREATE INDEX executions_workflow ON executions (workflow_id);
CREATE INDEX executions_idempotency ON executions (workflow_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

CREATE TABLE steps (
  id INTEGER PRIMARY KEY,
  execution_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  node_id TEXT NOT NULL,
  node_type TEXT NOT NULL,
  status TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  finished_at INTEGER NOT NULL,
  error TEXT,
  input TEXT,
  output TEXT
);
CREATE INDEX steps_execution ON steps (execution_id, seq);

CREATE TABLE logs (
  id INTEGER PRIMARY KEY,
  execution_id TEXT NOT NULL,
  seq INTEGER,
  time INTEGER NOT NULL,
  level TEXT NOT NULL,
  node_id TEXT,
  message TEXT NOT NULL
);
CREATE INDEX logs_execution ON logs (execution_id);

CREATE TABLE order_intents (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  workflow_id TEXT NOT NULL,
  execution_id TEXT NOT NULL,
  node_id TEXT NOT NULL,
  method TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  resolved_at INTEGER,
  order_ids TEXT,
  error TEXT,
  request TEXT NOT NULL,
  answer TEXT
);
CREATE INDEX order_intents_execution ON order_intents (execution_id);
CREATE INDEX order_intents_workflow ON order_intents (workflow_id, created_at);
-- Only 'unknown' is indexed: rare, and read by the dashboard; 'pending' is read once, at start-up.
CREATE INDEX order_intents_unknown ON order_intents (status) WHERE status = 'unknown';

CREATE TABLE webhook_deliveries (
  id INTEGER PRIMARY KEY,
  workflow_id TEXT,
  received_at INTEGER NOT NULL,
  http_status INTEGER NOT NULL,
  execution_id TEXT,
  idempotency_key TEXT,
  remote TEXT,
  error TEXT
);
CREATE INDEX webhook_deliveries_workflow ON webhook_deliveries (workflow_id);

CREATE TABLE schedules (
  workflow_id TEXT NOT NULL,
  node_id TEXT NOT NULL,
  next_run_at INTEGER,
  last_run_at INTEGER,
  missed_count INTEGER NOT NULL DEFAULT 0,
  last_missed_at INTEGER,
  spec TEXT NOT NULL,
  PRIMARY KEY (workflow_id, node_id)
) WITHOUT ROWID;

CREATE TABLE paper_account (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  updated_at INTEGER NOT NULL,
  state TEXT NOT NULL
);

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;
`;

const NOTIFICATIONS = `
CREATE TABLE notifications (
  id INTEGER PRIMARY KEY,
  execution_id TEXT NOT NULL,
  node_id TEXT NOT NULL,
  channel TEXT NOT NULL,
  delivered INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  detail TEXT,
  message TEXT NOT NULL
);
CREATE INDEX notifications_execution ON notifications (execution_id);
`;

// A webhook can be turned off without deactivating its workflow (OpenAlgo's webhook_enabled).
const WEBHOOK_ENABLED = 'ALTER TABLE workflows ADD COLUMN webhook_enabled INTEGER NOT NULL DEFAULT 1;';

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'core tables', up: (db) => { db.exec(CORE); } },
  { version: 2, name: 'notifications', up: (db) => { db.exec(NOTIFICATIONS); } },
  { version: 3, name: 'webhook enabled', up: (db) => { db.exec(WEBHOOK_ENABLED); } },
  // A step's warnings (an unresolved reference in a text field, a value adjusted), as a JSON array.
  { version: 4, name: 'step notes', up: (db) => { db.exec('ALTER TABLE steps ADD COLUMN notes TEXT'); } },
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

export function schemaVersion(db: DB): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export interface MigrationResult {
  from: number;
  to: number;
  applied: number[];
}

/** Brings the database up to `target` (default: latest), one transaction per migration. */
export function migrate(db: DB, migrations: readonly Migration[] = MIGRATIONS, target?: number): MigrationResult {
  const latest = migrations.length ? migrations[migrations.length - 1].version : 0;
  const goal = target ?? latest;
  const from = schemaVersion(db);
  if (from > latest) {
    throw new StoreError('schema_too_new',
      `the database is at schema version ${from} but this Flow knows only up to ${latest}: upgrade Flow, or point FLOW_DATA_DIR elsewhere`);
  }
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const applied: number[] = [];
  for (const m of migrations) {
    if (m.version > goal) break;
    // IMMEDIATE + re-check: a second process opening the same file at the same time applies nothing twice.
    db.transaction(() => {
      if (schemaVersion(db) >= m.version) return;
      m.up(db);
      record.run(m.version, m.name, Date.now());
      db.pragma(`user_version = ${m.version}`);
      applied.push(m.version);
    }).immediate();
  }
  return { from, to: schemaVersion(db), applied };
}
