// Opens a SQLite database, brings its schema up to date and assembles the Store from the per-table parts.

import Database from 'better-sqlite3';
import type { Store, WriteBatch } from '../types.js';
import { WRITE_BATCH_METHODS } from '../types.js';
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
import { promised, type Sync } from './sync.js';
import { workflowStore } from './workflows.js';

export interface SqliteStoreOptions {
  /** A file path, or null for an in-memory database. */
  path: string | null;
  /** 32-byte key that encrypts webhook secrets and broker API keys. */
  secretKey: Buffer;
  /** How long a write waits for another process's lock. Default 5000 ms. */
  busyTimeoutMs?: number;
  /** Checkpoint the WAL in a worker thread (files only), so fsync never blocks the event loop. Default true. */
  backgroundCheckpoints?: boolean;
  /** When that worker starts after opening. Default 500 ms. */
  checkpointWorkerDelayMs?: number;
}

export function openDatabase(path: string | null, busyTimeoutMs = 5000): Database.Database {
  const db = new Database(path ?? ':memory:', { timeout: busyTimeoutMs });
  try {
    // Small pages: most commits write a few small rows, and a WAL frame is a whole page.
    // Takes effect only when the file is created.
    db.pragma('page_size = 1024');
    if (path !== null) db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a commit survives a process crash; only a power loss can drop the latest commits.
    db.pragma('synchronous = NORMAL');
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
    // 2 MB of page cache (SQLite's default): a run writes to the tables' right edges (ids and rowids
    // grow with time) and reads what it just wrote, so a bigger cache only fills with old pages:
    // at 16 MB it held ~16 MB of RSS after a few tens of thousands of runs (docs/performance.md,
    // "Memory under load"); pages it misses come from the OS's file cache.
    db.pragma('cache_size = -2000');
    db.pragma('temp_store = MEMORY');
    // Truncates the WAL after checkpoints so it does not keep its high-water size.
    db.pragma('journal_size_limit = 67108864');
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

  // The worker starts once the store has lived a little: short-lived stores (CLI, tests) never pay for a thread,
  // and until it runs the connection checkpoints for itself.
  let checkpointer: Checkpointer | null = null;
  const path = options.path;
  const startWorker = path === null || options.backgroundCheckpoints === false ? null : setTimeout(() => {
    if (!db.open) return;
    db.pragma('wal_autocheckpoint = 0');
    checkpointer = startCheckpointer({
      path,
      busyTimeoutMs: options.busyTimeoutMs ?? 5000,
      onFailure: () => { if (db.open) db.pragma('wal_autocheckpoint = 1000'); },
    });
  }, options.checkpointWorkerDelayMs ?? 500);
  startWorker?.unref();

  const intents = intentStore(db);
  const notifications = notificationStore(db);
  const executions = executionStore(db, {
    listIntents: intents.listIntents,
    listNotifications: notifications.listNotifications,
    recoverAfterCrash: crashRecovery(db),
  });
  const parts: Sync<Omit<Store, 'kind' | 'path' | 'schemaVersion' | 'tx' | 'prune' | 'close'>> = {
    ...workflowStore(db, options.secretKey),
    ...executions,
    ...intents,
    insertNotification: notifications.insertNotification,
    ...deliveryStore(db),
    ...scheduleStore(db),
    ...settingsStore(db),
  };
  // A write batch performs each write at once, inside the transaction tx opened.
  const batch = Object.fromEntries(WRITE_BATCH_METHODS.map((name) => [name, parts[name]])) as unknown as WriteBatch;
  const markRunning = parts.markRunning;
  batch.markRunning = (id, startedAt, node) => Promise.resolve(markRunning(id, startedAt, node));
  const inTransaction = db.transaction((fn: (w: WriteBatch) => void) => fn(batch));
  const methods = Object.fromEntries(Object.entries(parts).map(([name, fn]) => [name, promised(fn as (...a: unknown[]) => unknown)]));

  return {
    ...(methods as unknown as Omit<Store, 'kind' | 'path' | 'schemaVersion' | 'tx' | 'prune' | 'close'>),
    kind: 'sqlite',
    path: options.path,
    schemaVersion: schemaVersion(db),
    tx: promised((fn: (w: WriteBatch) => void) => { inTransaction.immediate(fn); }),
    prune: retention(db),
    async close() {
      if (!db.open) return;
      if (startWorker) clearTimeout(startWorker);
      checkpointer?.stop();
      try {
        db.pragma('optimize');
      } finally {
        db.close();
      }
    },
  };
}
