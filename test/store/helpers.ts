// Temporary stores for tests: SQLite files in temporary data directories, or PostgreSQL databases
// (flow_test_<random> on 127.0.0.1:5432, created for the test run and dropped after it).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDatabase, databaseUrl, dropDatabases } from '../helpers/postgres.js';
export { dropDatabases };
import { afterEach } from 'vitest';
import { openStore, type OpenStoreOptions, type Store, type WorkflowDefinition } from '../../src/store/index.js';

export type Backend = 'sqlite' | 'postgres';
/** Every store the contract suite runs against. */
export const BACKENDS: readonly Backend[] = ['sqlite', 'postgres'];


const dirs: string[] = [];
const stores: Store[] = [];
const databases = new Map<string, string>();

// A test's databases go with it (a restart within the test reopens the same one).
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  const names = [...databases.values()].map((url) => new URL(url).pathname.slice(1));
  databases.clear();
  if (names.length) await dropDatabases(names);
}, 60_000);

export function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flow-store-'));
  dirs.push(dir);
  return dir;
}

/** A new, empty database on the test server: its URL. tempStore's are dropped after each test; others by dropDatabases. */
export async function createTestDatabase(): Promise<string> {
  return databaseUrl(await createDatabase());
}

/** The test database standing for a data directory: the same directory reopens the same database. */
async function databaseFor(dataDir: string): Promise<string> {
  let url = databases.get(dataDir);
  if (!url) {
    url = await createTestDatabase();
    databases.set(dataDir, url);
  }
  return url;
}

/**
 * A store on a fresh file (or, for `postgres`, a fresh database); closed after the test. The same
 * dataDir opens the same one again (a restart). A fixed key keeps the test independent of the environment.
 */
export async function tempStore(options: OpenStoreOptions & { backend?: Backend } = {}): Promise<Store> {
  const { backend = 'sqlite', ...rest } = options;
  const dataDir = rest.dataDir ?? tempDir();
  const databaseUrl = backend === 'postgres' ? await databaseFor(dataDir) : undefined;
  const store = await openStore({ secretKey: Buffer.alloc(32, 7), env: {}, ...rest, dataDir, databaseUrl });
  stores.push(store);
  return store;
}
export const webhookWorkflow: WorkflowDefinition = {
  name: 'EMA webhook',
  description: 'buys SBIN on an alert',
  nodes: [
    { id: 'node_1', type: 'webhookTrigger', position: { x: 0, y: 0 }, data: {} },
    { id: 'node_2', type: 'placeOrder', position: { x: 0, y: 100 }, data: { symbol: 'SBIN', exchange: 'NSE', action: 'BUY', quantity: 1 } },
  ],
  edges: [{ id: 'e1', source: 'node_1', target: 'node_2' }],
};

export async function activeWorkflow(store: Store, token = 'tok_' + Math.random().toString(36).slice(2)) {
  const wf = await store.createWorkflow({ definition: webhookWorkflow });
  const version = await store.freezeVersion(wf.id, wf.definition);
  await store.setActive({
    workflowId: wf.id, version, webhookToken: token, webhookSecret: 'whsec_test', authType: 'payload',
    concurrency: 'queue', limits: { maxOrdersPerDay: 5 },
  });
  return { id: wf.id, version, token };
}
