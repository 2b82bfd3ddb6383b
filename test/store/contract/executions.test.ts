import { describe, expect, it } from 'vitest';
import { newExecutionId, type NewExecution, type Store } from '../../../src/store/index.js';
import { activeWorkflow, tempDir, tempStore as openTempStore, BACKENDS } from '../helpers.js';

const HOUR = 3_600_000;

function row(workflowId: string, id: string, extra: { createdAt?: number; idempotencyKey?: string } = {}): NewExecution {
  return { id, workflowId, version: 1, trigger: { kind: 'webhook', nodeId: 'node_1' }, input: { symbol: 'SBIN' }, status: 'queued', ...extra };
}

function queue(store: Store, workflowId: string, id: string, extra: { createdAt?: number; idempotencyKey?: string } = {}) {
  return store.insertExecution({ id, workflowId, version: 1, trigger: { kind: 'webhook', nodeId: 'node_1' }, input: { symbol: 'SBIN' }, status: 'queued', ...extra });
}

// The store contract: the same tests against every store (SQLite, and PostgreSQL on 127.0.0.1:5432).
describe.each(BACKENDS)('%s store', (backend) => {
  const tempStore = (options: Parameters<typeof openTempStore>[0] = {}) => openTempStore({ backend, ...options });

  describe('executions', () => {
    it('a run stored as it goes reads back with every step, log, order and notification in order', async () => {
      const store = await tempStore();
      const { id: wf } = await activeWorkflow(store);
      const t = 1_700_000_000_000;
      await store.tx((w) => {
        w.insertExecution(row(wf, 'ex_1', { createdAt: t }));
        w.insertDelivery({ workflowId: wf, receivedAt: t, httpStatus: 202, executionId: 'ex_1', remote: '127.0.0.1' });
      });
      expect(await store.markRunning('ex_1', t + 1)).toBe(true);
      await store.insertStep({ executionId: 'ex_1', seq: 1, nodeId: 'node_1', nodeType: 'webhookTrigger', status: 'completed', input: {}, output: { symbol: 'SBIN' }, startedAt: t + 1, finishedAt: t + 2 });
      await store.insertLogs('ex_1', [{ time: t + 2, level: 'info', message: 'webhook received', nodeId: 'node_1' }]);
      await store.setCurrentNode('ex_1', 'node_2', 'placeOrder');
      await store.insertIntent({ key: 'ex_1:node_2:0', workflowId: wf, executionId: 'ex_1', nodeId: 'node_2', method: 'placeOrder', request: { symbol: 'SBIN', quantity: 1 }, createdAt: t + 3 });
      expect(await store.resolveIntent('ex_1:node_2:0', { status: 'accepted', answer: { status: 'success', orderid: 'O1' }, orderIds: ['O1'], resolvedAt: t + 4 })).toBe(true);
      await store.insertStep({ executionId: 'ex_1', seq: 2, nodeId: 'node_2', nodeType: 'placeOrder', status: 'failed', input: { quantity: 1 }, error: 'boom', startedAt: t + 3, finishedAt: t + 5 });
      await store.insertNotification({ executionId: 'ex_1', nodeId: 'node_2', channel: 'telegram', message: 'bought', delivered: false, detail: 'no bot token', createdAt: t + 5 });
      await store.insertLogs('ex_1', [
        { time: t + 5, level: 'warn', message: 'second' },
        { time: t + 6, level: 'error', message: 'third', nodeId: 'node_2' },
      ]);
      expect(await store.finishExecution('ex_1', { status: 'failed', error: 'node_2 placeOrder: boom', variables: { ltp: 812.5 }, finishedAt: t + 7 })).toBe(true);

      const run = (await store.getExecution('ex_1'))!;
      expect(run).toMatchObject({
        id: 'ex_1', workflowId: wf, version: 1, trigger: { kind: 'webhook', nodeId: 'node_1' }, status: 'failed',
        input: { symbol: 'SBIN' }, variables: { ltp: 812.5 }, createdAt: t, startedAt: t + 1, finishedAt: t + 7,
        error: 'node_2 placeOrder: boom', currentNodeId: 'node_2', currentNodeType: 'placeOrder',
      });
      expect(run.steps).toEqual([
        { seq: 1, nodeId: 'node_1', nodeType: 'webhookTrigger', status: 'completed', input: {}, output: { symbol: 'SBIN' }, error: null, notes: null, startedAt: t + 1, finishedAt: t + 2 },
        { seq: 2, nodeId: 'node_2', nodeType: 'placeOrder', status: 'failed', input: { quantity: 1 }, output: null, error: 'boom', notes: null, startedAt: t + 3, finishedAt: t + 5 },
      ]);
      expect(run.logs.map((l) => [l.message, l.level, l.nodeId])).toEqual([
        ['webhook received', 'info', 'node_1'], ['second', 'warn', null], ['third', 'error', 'node_2'],
      ]);
      expect(run.intents).toEqual([{
        key: 'ex_1:node_2:0', workflowId: wf, executionId: 'ex_1', nodeId: 'node_2', method: 'placeOrder',
        request: { symbol: 'SBIN', quantity: 1 }, status: 'accepted', answer: { status: 'success', orderid: 'O1' },
        orderIds: ['O1'], error: null, createdAt: t + 3, resolvedAt: t + 4,
      }]);
      expect(run.notifications).toEqual([{ nodeId: 'node_2', channel: 'telegram', message: 'bought', delivered: false, detail: 'no bot token', createdAt: t + 5 }]);
      expect(await store.listDeliveries(wf)).toMatchObject([{ httpStatus: 202, executionId: 'ex_1', remote: '127.0.0.1', receivedAt: t }]);
      expect(await store.getExecution('ex_missing')).toBeNull();
    });

    it('a duplicate execution id is a conflict', async () => {
      const store = await tempStore();
      await queue(store, 'wf_a', 'ex_1');
      await expect(queue(store, 'wf_a', 'ex_1')).rejects.toThrow(expect.objectContaining({ code: 'conflict' }));
    });

    it('status moves only forward: queued → running → final; a final run is never reopened', async () => {
      const store = await tempStore();
      await queue(store, 'wf_a', 'ex_1');
      expect(await store.finishExecution('ex_1', { status: 'canceled' })).toBe(true);
      expect(await store.markRunning('ex_1')).toBe(false);
      expect(await store.finishExecution('ex_1', { status: 'completed' })).toBe(false);
      expect((await store.getExecution('ex_1'))?.status).toBe('canceled');
      expect(await store.markRunning('ex_missing')).toBe(false);
    });

    it('a skipped run is stored finished, with its reason', async () => {
      const store = await tempStore();
      await store.insertExecution({ id: 'ex_s', workflowId: 'wf_a', version: 1, trigger: { kind: 'schedule' }, status: 'skipped', error: 'a run is in progress', createdAt: 5 });
      expect(await store.getExecution('ex_s')).toMatchObject({ status: 'skipped', finishedAt: 5, error: 'a run is in progress', trigger: { kind: 'schedule' } });
    });

    it('a transaction writes everything or nothing', async () => {
      const store = await tempStore();
      await expect(store.tx((w) => {
        w.insertExecution(row('wf_a', 'ex_1'));
        w.insertStep({ executionId: 'ex_1', seq: 1, nodeId: 'n', nodeType: 'start', status: 'completed', startedAt: 1, finishedAt: 2 });
        throw new Error('crash in the middle');
      })).rejects.toThrow('crash in the middle');
      expect(await store.getExecution('ex_1')).toBeNull();
      // A failing write rolls back the writes before it, too.
      await expect(store.tx((w) => {
        w.insertExecution(row('wf_a', 'ex_3'));
        w.insertExecution(row('wf_a', 'ex_3'));
      })).rejects.toThrow(expect.objectContaining({ code: 'conflict' }));
      expect(await store.getExecution('ex_3')).toBeNull();
      let started: Promise<boolean> | undefined;
      await store.tx((w) => {
        w.insertExecution(row('wf_a', 'ex_2'));
        started = w.markRunning('ex_2', 5);
      });
      expect(await started).toBe(true);
      expect((await store.getExecution('ex_2'))?.status).toBe('running');
    });

    it('the running mark and the finish can record the node in flight in the same statement', async () => {
      const store = await tempStore();
      await queue(store, 'wf_a', 'ex_1');
      let started: Promise<boolean> | undefined;
      await store.tx((w) => {
        started = w.markRunning('ex_1', 10, { id: 'buy', type: 'placeOrder' });
      });
      expect(await started).toBe(true);
      expect(await store.getExecution('ex_1')).toMatchObject({ status: 'running', startedAt: 10, currentNodeId: 'buy', currentNodeType: 'placeOrder' });
      // Not queued any more: neither the mark nor its node is written again.
      expect(await store.markRunning('ex_1', 11, { id: 'other', type: 'log' })).toBe(false);
      expect(await store.getExecution('ex_1')).toMatchObject({ startedAt: 10, currentNodeId: 'buy' });
      expect(await store.finishExecution('ex_1', { status: 'completed', finishedAt: 20, currentNode: { id: 'say', type: 'log' } })).toBe(true);
      expect(await store.getExecution('ex_1')).toMatchObject({ status: 'completed', finishedAt: 20, currentNodeId: 'say', currentNodeType: 'log' });
      // Already final: nothing changes.
      expect(await store.finishExecution('ex_1', { status: 'failed', currentNode: { id: null, type: null } })).toBe(false);
      expect(await store.getExecution('ex_1')).toMatchObject({ status: 'completed', currentNodeId: 'say' });
      // Without a node, the node recorded before stays.
      await queue(store, 'wf_a', 'ex_2');
      await store.setCurrentNode('ex_2', 'wait', 'delay');
      expect(await store.markRunning('ex_2', 30)).toBe(true);
      expect(await store.finishExecution('ex_2', { status: 'completed', finishedAt: 40 })).toBe(true);
      expect(await store.getExecution('ex_2')).toMatchObject({ status: 'completed', currentNodeId: 'wait', currentNodeType: 'delay' });
    });

    it('values written in one transaction read back exactly: quotes, backslashes, $n, unicode, newlines, NUL-free control characters', async () => {
      // (PostgreSQL sends a transaction's writes as one string with the values inlined: this is its escaping.)
      const store = await tempStore();
      const odd = `it's a \\ back\\slash, $1 and $2::text, E'x', "q", 'unicode' ₹ 日本 🚀\nline\ttab \u0001 end`;
      const input = { text: odd, nested: { [odd]: [odd, 1.5, 1e21, null, true] }, n: 9_007_199_254_740_991 };
      await store.tx((w) => {
        w.insertExecution({ ...row('wf_odd', 'ex_odd', { idempotencyKey: odd }), input });
        w.insertStep({ executionId: 'ex_odd', seq: 1, nodeId: odd, nodeType: 'log', status: 'completed', input: { odd }, output: odd, notes: [odd], startedAt: 1, finishedAt: 2 });
        w.insertLogs('ex_odd', [{ time: 3, level: 'info', message: odd, nodeId: odd }, { time: 4, level: 'warn', message: '' }]);
        w.insertLogs('ex_odd', []);
        w.finishExecution('ex_odd', { status: 'failed', error: odd, variables: { odd }, finishedAt: 5 });
      });
      const run = (await store.getExecution('ex_odd'))!;
      expect(run).toMatchObject({ input, error: odd, variables: { odd }, idempotencyKey: odd, status: 'failed' });
      expect(run.steps[0]).toMatchObject({ nodeId: odd, input: { odd }, output: odd, notes: [odd] });
      expect(run.logs.map((l) => [l.message, l.nodeId])).toEqual([[odd, odd], ['', null]]);
      expect(await store.findByIdempotencyKey('wf_odd', odd, 0)).toBe('ex_odd');
    });

    it('lists a workflow’s runs newest first, by status and page', async () => {
      const store = await tempStore();
      for (let i = 1; i <= 5; i++) await queue(store, 'wf_a', `ex_${i}`, { createdAt: i });
      await queue(store, 'wf_b', 'ex_other');
      await store.finishExecution('ex_2', { status: 'completed' });
      await store.finishExecution('ex_4', { status: 'completed' });
      expect((await store.listExecutions('wf_a')).map((e) => e.id)).toEqual(['ex_5', 'ex_4', 'ex_3', 'ex_2', 'ex_1']);
      expect((await store.listExecutions('wf_a', { limit: 2, offset: 1 })).map((e) => e.id)).toEqual(['ex_4', 'ex_3']);
      expect((await store.listExecutions('wf_a', { status: 'completed' })).map((e) => e.id)).toEqual(['ex_4', 'ex_2']);
      expect((await store.listExecutions('wf_a', { before: 'ex_4', limit: 2 })).map((e) => e.id)).toEqual(['ex_3', 'ex_2']);
      expect((await store.listExecutions('wf_a'))[0]).not.toHaveProperty('input');
      expect(await store.countByStatus()).toEqual({ queued: 4, running: 0, completed: 2, failed: 0, canceled: 0, crashed: 0, skipped: 0 });
      expect((await store.countByStatus('wf_b')).queued).toBe(1);
    });

    it('queued runs are listed oldest first with their input, to resume after a restart', async () => {
      const store = await tempStore();
      await queue(store, 'wf_a', 'ex_1');
      await queue(store, 'wf_b', 'ex_2');
      await queue(store, 'wf_a', 'ex_3');
      await store.markRunning('ex_1');
      expect((await store.listQueued()).map((e) => e.id)).toEqual(['ex_2', 'ex_3']);
      expect(await store.listQueued('wf_a')).toMatchObject([{ id: 'ex_3', input: { symbol: 'SBIN' }, version: 1 }]);
    });

    it('an idempotency key finds the first run within 24 hours and not after', async () => {
      const store = await tempStore();
      const now = 1_700_000_000_000;
      await queue(store, 'wf_a', 'ex_old', { createdAt: now - 25 * HOUR, idempotencyKey: 'alert-1' });
      await queue(store, 'wf_a', 'ex_first', { createdAt: now - 23 * HOUR, idempotencyKey: 'alert-2' });
      await queue(store, 'wf_a', 'ex_again', { createdAt: now - HOUR, idempotencyKey: 'alert-2' });
      const since = now - 24 * HOUR;
      expect(await store.findByIdempotencyKey('wf_a', 'alert-1', since)).toBeNull();
      expect(await store.findByIdempotencyKey('wf_a', 'alert-2', since)).toBe('ex_first');
      expect(await store.findByIdempotencyKey('wf_b', 'alert-2', since)).toBeNull();
      expect(await store.findByIdempotencyKey('wf_a', 'alert-3', since)).toBeNull();
    });

    it('execution ids sort by creation time', async () => {
      const ids = [1, 2, 3_000, 1_700_000_000_000].map((t) => newExecutionId(t));
      expect([...ids].sort()).toEqual(ids);
      expect(ids[0]).toMatch(/^ex_[0-9a-z]{9}[A-Za-z0-9_-]{10}$/);
    });
  });

  describe('order intents', () => {
    it('are pending until answered, and count toward the daily order limit unless rejected', async () => {
      const store = await tempStore();
      const intent = (key: string, createdAt: number) =>
        store.insertIntent({ key, workflowId: 'wf_a', executionId: 'ex_1', nodeId: 'node_2', method: 'placeOrder', request: {}, createdAt });
      await intent('k1', 100);
      await intent('k2', 200);
      await intent('k3', 300);
      await intent('k0', 50);
      expect((await store.getIntent('k1'))?.status).toBe('pending');
      await store.resolveIntent('k2', { status: 'rejected', answer: { status: 'error', message: 'margin' }, error: 'margin' });
      await store.resolveIntent('k3', { status: 'sent', answer: { status: 'success', orderid: 'O3' }, orderIds: ['O3'] });
      expect(await store.countOrdersForWorkflowSince('wf_a', 100)).toBe(2);
      expect(await store.countOrdersForWorkflowSince('wf_b', 0)).toBe(0);
      await expect(intent('k1', 400)).rejects.toThrow(expect.objectContaining({ code: 'conflict' }));
      expect(await store.resolveIntent('nope', { status: 'accepted' })).toBe(false);
    });
  });

  describe('crash recovery', () => {
    it('turns running runs into crashed ones naming the node, and unanswered orders into unknown ones', async () => {
      const dir = tempDir();
      const before = await tempStore({ dataDir: dir });
      const { id: wf } = await activeWorkflow(before);
      // ex_order: crashed during a broker call; ex_node: during a plain node; ex_done: finished; ex_wait: never started.
      for (const id of ['ex_order', 'ex_node', 'ex_done', 'ex_wait', 'ex_early']) await queue(before, wf, id);
      for (const id of ['ex_order', 'ex_node', 'ex_done', 'ex_early']) await before.markRunning(id, 10);
      await before.insertStep({ executionId: 'ex_order', seq: 1, nodeId: 'node_1', nodeType: 'webhookTrigger', status: 'completed', startedAt: 10, finishedAt: 11 });
      await before.setCurrentNode('ex_order', 'node_3', 'placeOrder');
      await before.insertIntent({ key: 'ok', workflowId: wf, executionId: 'ex_order', nodeId: 'node_2', method: 'placeOrder', request: { quantity: 1 } });
      await before.resolveIntent('ok', { status: 'accepted', answer: { status: 'success' } });
      await before.insertIntent({ key: 'lost', workflowId: wf, executionId: 'ex_order', nodeId: 'node_3', method: 'placeOrder', request: { quantity: 2 } });
      await before.setCurrentNode('ex_node', 'node_5', 'delay');
      await before.finishExecution('ex_done', { status: 'completed' });
      // The process dies here: `before` is never closed. A new process opens the same file.

      const after = await tempStore({ dataDir: dir });
      const report = await after.recoverAfterCrash(99);
      expect(report.crashed).toEqual([
        { executionId: 'ex_order', workflowId: wf, nodeId: 'node_3', nodeType: 'placeOrder', error: 'crashed while running node_3 (placeOrder)' },
        { executionId: 'ex_node', workflowId: wf, nodeId: 'node_5', nodeType: 'delay', error: 'crashed while running node_5 (delay)' },
        { executionId: 'ex_early', workflowId: wf, nodeId: null, nodeType: null, error: 'crashed before its first node finished' },
      ]);
      expect(report.unknownIntents).toMatchObject([{ key: 'lost', status: 'unknown', executionId: 'ex_order', request: { quantity: 2 }, resolvedAt: 99 }]);

      const run = (await after.getExecution('ex_order'))!;
      expect(run).toMatchObject({ status: 'crashed', finishedAt: 99, error: 'crashed while running node_3 (placeOrder)' });
      expect(run.intents.map((i) => [i.key, i.status])).toEqual([['ok', 'accepted'], ['lost', 'unknown']]);
      expect(run.intents[1].error).toContain('never re-sent');
      expect((await after.getExecution('ex_done'))?.status).toBe('completed');
      expect((await after.getExecution('ex_wait'))?.status).toBe('queued');
      expect((await after.listUnknownIntents()).map((i) => i.key)).toEqual(['lost']);
      // A second start-up finds nothing more to change.
      expect(await after.recoverAfterCrash(100)).toEqual({ crashed: [], unknownIntents: [], notSentIntents: [] });
    });

    it('an intent still waiting for a rate-limit slot becomes not_sent, one marked sending becomes unknown', async () => {
      const dir = tempDir();
      const before = await tempStore({ dataDir: dir });
      const { id: wf } = await activeWorkflow(before);
      await queue(before, wf, 'ex_1');
      await before.markRunning('ex_1', 10);
      const intent = (key: string, status: 'waiting' | 'pending') =>
        before.insertIntent({ key, workflowId: wf, executionId: 'ex_1', nodeId: 'buy', method: 'placeOrder', request: { quantity: 1 }, status });
      await intent('queued', 'waiting');
      await intent('granted', 'waiting');
      expect(await before.markIntentSending('granted')).toBe(true);
      expect(await before.markIntentSending('granted')).toBe(false); // only a waiting intent moves
      await intent('direct', 'pending');
      // A waiting intent still counts against the daily limit: it may yet be sent.
      expect(await before.countOrdersForWorkflowSince(wf, 0)).toBe(3);

      const after = await tempStore({ dataDir: dir });
      const report = await after.recoverAfterCrash(99);
      expect(report.unknownIntents.map((i) => i.key)).toEqual(['granted', 'direct']);
      expect(report.notSentIntents).toMatchObject([{ key: 'queued', status: 'not_sent', resolvedAt: 99 }]);
      const run = (await after.getExecution('ex_1'))!;
      expect(run.intents.map((i) => [i.key, i.status])).toEqual([['queued', 'not_sent'], ['granted', 'unknown'], ['direct', 'unknown']]);
      expect(run.intents[0].error).toMatch(/not sent.*rate-limit slot.*never re-sent/);
      expect((await after.listUnknownIntents()).map((i) => i.key)).toEqual(['granted', 'direct']);
      // A not_sent intent never reached the market: it does not count against the daily limit.
      expect(await after.countOrdersForWorkflowSince(wf, 0)).toBe(2);
    });

    it('names the last finished node when the one in flight was not recorded', async () => {
      const store = await tempStore();
      await queue(store, 'wf_a', 'ex_1');
      await store.markRunning('ex_1');
      await store.insertStep({ executionId: 'ex_1', seq: 1, nodeId: 'node_1', nodeType: 'start', status: 'completed', startedAt: 1, finishedAt: 2 });
      expect((await store.recoverAfterCrash()).crashed[0].error).toBe('crashed after node_1 (start) finished');
    });
  });

  describe('schedules, settings and the paper account', () => {
    it('schedules upsert per start node, record missed runs and are deleted per workflow', async () => {
      const store = await tempStore();
      await store.upsertSchedule({ workflowId: 'wf_a', nodeId: 'node_1', spec: { scheduleType: 'daily', time: '09:15' }, nextRunAt: 1000, lastRunAt: null });
      await store.upsertSchedule({ workflowId: 'wf_b', nodeId: 'node_1', spec: { scheduleType: 'interval' }, nextRunAt: 50 });
      await store.upsertSchedule({ workflowId: 'wf_a', nodeId: 'node_1', spec: { scheduleType: 'daily', time: '09:15' }, nextRunAt: 2000, lastRunAt: 1000 });
      await store.upsertSchedule({ workflowId: 'wf_a', nodeId: 'node_1', spec: { scheduleType: 'daily', time: '09:20' }, nextRunAt: 3000 });
      await store.recordMissedRun({ workflowId: 'wf_a', nodeId: 'node_1', scheduledFor: 3000, nextRunAt: 4000 });
      expect(await store.listSchedules('wf_a')).toEqual([{
        workflowId: 'wf_a', nodeId: 'node_1', spec: { scheduleType: 'daily', time: '09:20' }, nextRunAt: 4000, lastRunAt: 1000,
        missedCount: 1, lastMissedAt: 3000,
      }]);
      expect((await store.listSchedules()).map((s) => s.workflowId)).toEqual(['wf_a', 'wf_b']);
      expect(await store.deleteSchedulesFor('wf_a')).toBe(1);
      expect((await store.listSchedules()).map((s) => s.workflowId)).toEqual(['wf_b']);
    });

    it('settings and the paper account survive a restart', async () => {
      const dir = tempDir();
      const first = await tempStore({ dataDir: dir });
      expect(await first.loadPaperState()).toBeNull();
      expect(await first.getSetting('killSwitch')).toBeNull();
      await first.savePaperState({ funds: 10_000_000, positions: [] });
      await first.savePaperState({ funds: 9_990_000, positions: [{ symbol: 'SBIN', quantity: 10 }] });
      await first.setSetting('killSwitch', 'on');
      await first.setSetting('apiTokenHash', 'abc');
      await first.setSetting('apiTokenHash', null);
      await first.close();
      const second = await tempStore({ dataDir: dir });
      expect(await second.loadPaperState()).toEqual({ funds: 9_990_000, positions: [{ symbol: 'SBIN', quantity: 10 }] });
      expect(await second.getSetting('killSwitch')).toBe('on');
      expect(await second.getSetting('apiTokenHash')).toBeNull();
    });

    it.skipIf(backend === 'postgres')('an in-memory SQLite store works the same and touches no disk', async () => {
      const store = await tempStore({ memory: true, dataDir: '/nonexistent/flow' });
      expect(store.path).toBeNull();
      await queue(store, 'wf_a', 'ex_1');
      expect((await store.getExecution('ex_1'))?.status).toBe('queued');
    });
  });
});
