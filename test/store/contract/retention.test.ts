import { describe, expect, it } from 'vitest';
import type { Store } from '../../../src/store/index.js';
import { tempStore as openTempStore, BACKENDS } from '../helpers.js';

const DAY = 86_400_000;
const NOW = 1_750_000_000_000;

/** A finished run with one step, one log, one order and one notification. */
function finishedRun(store: Store, workflowId: string, id: string, ageDays: number, intentStatus: 'accepted' | 'unknown' | 'pending' = 'accepted') {
  const at = NOW - ageDays * DAY;
  return store.tx((w) => {
    w.insertExecution({ id, workflowId, version: 1, trigger: { kind: 'webhook' }, status: 'queued', createdAt: at });
    void w.markRunning(id, at);
    w.insertStep({ executionId: id, seq: 1, nodeId: 'node_1', nodeType: 'placeOrder', status: 'completed', startedAt: at, finishedAt: at });
    w.insertLogs(id, [{ time: at, level: 'info', message: 'placed' }]);
    w.insertIntent({ key: `${id}:k`, workflowId, executionId: id, nodeId: 'node_1', method: 'placeOrder', request: {}, createdAt: at });
    if (intentStatus !== 'pending') w.resolveIntent(`${id}:k`, { status: intentStatus, resolvedAt: at });
    w.insertNotification({ executionId: id, nodeId: 'node_1', channel: 'log', message: 'hi', delivered: true, createdAt: at });
    w.finishExecution(id, { status: 'completed', finishedAt: at });
  });
}

const ids = async (store: Store, wf: string) => (await store.listExecutions(wf, { limit: 1000 })).map((e) => e.id).sort();

// The store contract: the same tests against every store (SQLite, and PostgreSQL on 127.0.0.1:5432).
describe.each(BACKENDS)('%s store', (backend) => {
  const tempStore = (options: Parameters<typeof openTempStore>[0] = {}) => openTempStore({ backend, ...options });

  describe('retention', () => {
    it('deletes only runs both beyond the newest N of their workflow and older than D days, with their rows', async () => {
      const store = await tempStore();
      // wf_a: 6 runs, oldest first: a1..a4 are 40 days old, a5 and a6 are newer.
      for (let i = 1; i <= 4; i++) await finishedRun(store, 'wf_a', `a${i}`, 40);
      await finishedRun(store, 'wf_a', 'a5', 10);
      await finishedRun(store, 'wf_a', 'a6', 1);
      // wf_b: 2 old runs, within its newest N.
      await finishedRun(store, 'wf_b', 'b1', 90);
      await finishedRun(store, 'wf_b', 'b2', 90);

      const result = await store.prune({ keepPerWorkflow: 3, maxAgeDays: 30, now: NOW, batchSize: 2 });
      // Newest 3 of wf_a are a4..a6 (a4 is old but kept by count); a1..a3 go.
      expect(result).toEqual({ executions: 3, steps: 3, logs: 3, intents: 3, notifications: 3, deliveries: 0 });
      expect(await ids(store, 'wf_a')).toEqual(['a4', 'a5', 'a6']);
      expect(await ids(store, 'wf_b')).toEqual(['b1', 'b2']);
      expect(await store.getIntent('a1:k')).toBeNull();
      expect((await store.getExecution('a4'))?.steps).toHaveLength(1);
    });

    it('keeps young runs however many there are', async () => {
      const store = await tempStore();
      for (let i = 1; i <= 5; i++) await finishedRun(store, 'wf_a', `a${i}`, 29);
      expect((await store.prune({ keepPerWorkflow: 1, maxAgeDays: 30, now: NOW })).executions).toBe(0);
      expect(await ids(store, 'wf_a')).toHaveLength(5);
    });

    it('never deletes an order whose outcome is unknown or pending, nor its run, nor open runs', async () => {
      const store = await tempStore();
      await finishedRun(store, 'wf_a', 'unknown', 100, 'unknown');
      await finishedRun(store, 'wf_a', 'pending', 100, 'pending');
      await finishedRun(store, 'wf_a', 'plain', 100);
      await store.insertExecution({ id: 'queued', workflowId: 'wf_a', version: 1, trigger: { kind: 'manual' }, status: 'queued', createdAt: NOW - 100 * DAY });
      for (let i = 1; i <= 2; i++) await finishedRun(store, 'wf_a', `new${i}`, 0);

      const result = await store.prune({ keepPerWorkflow: 2, maxAgeDays: 30, now: NOW, batchSize: 1 });
      expect(result.executions).toBe(1);
      expect(await ids(store, 'wf_a')).toEqual(['new1', 'new2', 'pending', 'queued', 'unknown']);
      expect((await store.listUnknownIntents()).map((i) => i.key)).toEqual(['unknown:k']);
      expect((await store.getExecution('unknown'))?.steps).toHaveLength(1);
    });

    it('deletes old webhook deliveries oldest first and keeps young ones', async () => {
      const store = await tempStore();
      for (let i = 0; i < 5; i++) await store.insertDelivery({ workflowId: 'wf_a', receivedAt: NOW - 40 * DAY + i, httpStatus: 202 });
      for (let i = 0; i < 3; i++) await store.insertDelivery({ workflowId: 'wf_a', receivedAt: NOW - DAY + i, httpStatus: 401 });
      expect((await store.prune({ now: NOW, batchSize: 2 })).deliveries).toBe(5);
      expect((await store.listDeliveries('wf_a')).map((d) => d.httpStatus)).toEqual([401, 401, 401]);
    });

    it('uses the defaults: newest 500 per workflow, 30 days', async () => {
      const store = await tempStore();
      await store.tx((w) => {
        for (let i = 0; i < 502; i++) {
          w.insertExecution({ id: `e${i}`, workflowId: 'wf_a', version: 1, trigger: { kind: 'manual' }, status: 'skipped', createdAt: Date.now() - 31 * DAY });
        }
      });
      expect((await store.prune()).executions).toBe(2);
      expect(await store.getExecution('e0')).toBeNull();
      expect(await store.getExecution('e2')).not.toBeNull();
    });

    it('lets other work run between batches', async () => {
      const store = await tempStore();
      for (let i = 1; i <= 6; i++) await finishedRun(store, 'wf_a', `a${i}`, 40);
      let done = false;
      const pruned = store.prune({ keepPerWorkflow: 0, now: NOW, batchSize: 1 }).then((r) => { done = true; return r; });
      await new Promise((r) => setImmediate(r));
      expect(done).toBe(false);
      // A queued run written while pruning is in progress is unaffected.
      await store.insertExecution({ id: 'during', workflowId: 'wf_a', version: 1, trigger: { kind: 'manual' }, status: 'queued' });
      expect((await pruned).executions).toBe(6);
      expect(await ids(store, 'wf_a')).toEqual(['during']);
    });
  });
});
