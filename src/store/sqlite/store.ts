// Opens a SQLite database, brings its schema up to date and assembles the Store from the per-table parts.

import Database from 'better-sqlite3';
import type { Store } from '../types.js';
import { type Checkpointer, startCheckpointer } from './checkpointer.js';
import { deliveryStore } from './deliveries.js';
import { executionStore } from './executions.js';
import { intentStore } from './intents.js';
import { migrate, schemaVersion } from './migrations.js';
import { notificationStore } from './notifications.js';
import { crashRecovery } from './recovery.js';
import { retention } from './retention.js';
import { scheduleStore } from './schedules.js';
import { settingsStore } from './settings.js';
import { workflowStore } from './workflows.js';

export interface SqliteStoreOptions {
  /** A file path, or null for an in-memory database. */
  path: string | null;
  /** 32-byte key that encrypts webhook secrets and broker API keys. */
  secretKey: Buffer;
  /** How long a write waits for another process's lock. Default 5000 ms. */
  busyTimeoutMs?: number;
  /** Checkpoint the WAL in a worker thread (files only). Default true. */
  backgroundCheckpoints?: boolean;
}

export function openDatabase(path: string | null, busyTimeoutMs = 5000): Database.Database {
  const db = new Database(path ?? ':memory:', { timeout: busyTimeoutMs });
  try {
    for (const p of (process.env.XX_PRE ?? '').split(';').filter(Boolean)) db.pragma(p); // XXTEMP
    if (path !== null) db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a commit survives a process crash; only a power loss can drop the latest commits.
    db.pragma('synchronous = NORMAL');
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
    db.pragma('cache_size = -16000');
    db.pragma('temp_store = MEMORY');
    // Truncates the WAL after checkpoints so it does not keep its high-water size.
    db.pragma('journal_size_limit = 67108864');
    for (const p of (process.env.XX_PRAGMAS ?? '').split(';').filter(Boolean)) db.pragma(p); // XXTEMP
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

export function openSqliteStore(options: SqliteStoreOptions): Store {
  const db = openDatabase(options.path, options.busyTimeoutMs);
  try {
    migrate(db);
    db.pragma('optimize = 0x10002');
  } catch (e) {
    db.close();
    throw e;
  }

  let checkpointer: Checkpointer | null = null;
  if (options.path !== null && options.backgroundCheckpoints !== false) {
    db.pragma('wal_autocheckpoint = 0');
    checkpointer = startCheckpointer({
      path: options.path,
      busyTimeoutMs: options.busyTimeoutMs ?? 5000,
      // Without the worker, the connection checkpoints for itself again.
      onFailure: () => { if (db.open) db.pragma('wal_autocheckpoint = 1000'); },
    });
  }

  const intents = intentStore(db);
  const notifications = notificationStore(db);
  const executions = executionStore(db, {
    listIntents: intents.listIntents,
    listNotifications: notifications.listNotifications,
    recoverAfterCrash: crashRecovery(db),
  });
  const inTransaction = db.transaction((fn: () => unknown) => fn());

  return {
    path: options.path,
    schemaVersion: schemaVersion(db),
    ...workflowStore(db, options.secretKey),
    ...executions,
    ...intents,
    insertNotification: notifications.insertNotification,
    ...deliveryStore(db),
    ...scheduleStore(db),
    ...settingsStore(db),
    tx: <T>(fn: () => T): T => inTransaction.immediate(fn) as T,
    prune: retention(db),
    close() {
      if (!db.open) return;
      checkpointer?.stop();
      try {
        db.pragma('optimize');
      } finally {
        db.close();
      }
    },
  };
}
