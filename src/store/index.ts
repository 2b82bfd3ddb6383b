// The store's entry point: openStore() opens PostgreSQL when given a database URL (FLOW_DATABASE_URL,
// DESIGN.md §9), else the SQLite file under FLOW_DATA_DIR; the secret key comes from the data directory or FLOW_SECRET_KEY.

import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { makePrivateDir, prepareDatabaseFile } from './files.js';
import { loadSecretKey } from './secrets.js';
import { openSqliteStore } from './sqlite/store.js';
import type { Store } from './types.js';

export interface OpenStoreOptions {
  /** Default: FLOW_DATA_DIR, else ./data. Created (mode 0700) if missing. */
  dataDir?: string;
  /** postgres://…: the store is PostgreSQL (the data directory still holds the secret key and API token). */
  databaseUrl?: string | null;
  /** Database file, relative to dataDir unless absolute. Default flow.db. */
  file?: string;
  /** An in-memory database (tests, `flow run`); nothing touches the disk. */
  memory?: boolean;
  /** Default: loadSecretKey(dataDir, env); a random key for an in-memory store. */
  secretKey?: Buffer;
  env?: NodeJS.ProcessEnv;
  busyTimeoutMs?: number;
  /** Checkpoint the WAL in a worker thread, off the event loop. Default true. */
  backgroundCheckpoints?: boolean;
}

export async function openStore(options: OpenStoreOptions = {}): Promise<Store> {
  const env = options.env ?? process.env;
  if (options.databaseUrl) {
    const dataDir = path.resolve(options.dataDir ?? env.FLOW_DATA_DIR ?? './data');
    let secretKey = options.secretKey;
    if (!secretKey) {
      makePrivateDir(dataDir);
      secretKey = loadSecretKey(dataDir, env);
    }
    const { openPostgresStore } = await import('./postgres/store.js');
    return openPostgresStore({ url: options.databaseUrl, secretKey });
  }
  if (options.memory) {
    return openSqliteStore({ path: null, secretKey: options.secretKey ?? randomBytes(32), busyTimeoutMs: options.busyTimeoutMs });
  }
  const dataDir = path.resolve(options.dataDir ?? env.FLOW_DATA_DIR ?? './data');
  makePrivateDir(dataDir);
  const secretKey = options.secretKey ?? loadSecretKey(dataDir, env);
  const file = path.resolve(dataDir, options.file ?? 'flow.db');
  prepareDatabaseFile(file);
  return openSqliteStore({ path: file, secretKey, busyTimeoutMs: options.busyTimeoutMs, backgroundCheckpoints: options.backgroundCheckpoints });
}

export * from './types.js';
export { StoreError, isStoreError, type StoreErrorCode } from './errors.js';
export { dataDirWarning, keepPrivate, makePrivateDir } from './files.js';
export { loadSecretKey, encrypt, decrypt, parseSecretKey, SECRET_KEY_FILE } from './secrets.js';
export { newWorkflowId, newExecutionId, randomId } from './ids.js';
export { MIGRATIONS, LATEST_VERSION, migrate, type Migration } from './sqlite/migrations.js';
