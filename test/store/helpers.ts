// Temporary data directories with real SQLite files, removed after each test.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { openStore, type OpenStoreOptions, type Store, type WorkflowDefinition } from '../../src/store/index.js';

const dirs: string[] = [];
const stores: Store[] = [];

afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

export function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flow-store-'));
  dirs.push(dir);
  return dir;
}

/** A store on a fresh file; closed after the test. A fixed key keeps the test independent of the environment. */
export function tempStore(options: OpenStoreOptions = {}): Store {
  const store = openStore({ dataDir: options.dataDir ?? tempDir(), secretKey: Buffer.alloc(32, 7), env: {}, ...options });
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

export function activeWorkflow(store: Store, token = 'tok_' + Math.random().toString(36).slice(2)) {
  const wf = store.createWorkflow({ definition: webhookWorkflow });
  const version = store.freezeVersion(wf.id, wf.definition);
  store.setActive({
    workflowId: wf.id, version, webhookToken: token, webhookSecret: 'whsec_test', authType: 'payload',
    concurrency: 'queue', limits: { maxOrdersPerDay: 5 },
  });
  return { id: wf.id, version, token };
}
