// Issue 17: a run that can start at once commits its execution, its webhook delivery and its first
// durable point (running mark, steps, order intent) in one transaction before the order; the answer
// follows that commit. Real SQLite files; what is durable is read through a second connection.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../src/nodes/registry.js';
import { ExecutionService, type ExecutionServiceOptions } from '../../src/runtime/service.js';
import { openStore } from '../../src/store/index.js';
import type { Store, WorkflowDefinition, WriteBatch } from '../../src/store/types.js';
import { countingBroker } from '../helpers/graph.js';

const dirs: string[] = [];
const closers: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const node = (id: string, type: string, data: Record<string, unknown> = {}, y = 0) => ({ id, type, position: { x: 0, y }, data });
const chain = (...ids: string[]) => ids.slice(1).map((id, i) => ({ id: `e${i + 1}`, source: ids[i], target: id }));
const buy = {
  name: 'buy',
  nodes: [
    node('hook', 'webhookTrigger'), node('note', 'log', { message: 'alert {{webhook.n}}' }, 50),
    node('buy', 'placeOrder', { symbol: 'SBIN', exchange: 'NSE', action: 'BUY', quantity: '{{webhook.n}}', priceType: 'MARKET', product: 'MIS' }, 100),
  ],
  edges: chain('hook', 'note', 'buy'),
};
const slow = {
  name: 'slow', nodes: [node('hook', 'webhookTrigger'), node('wait', 'delay', { delayValue: '{{webhook.wait}}', delayUnit: 'seconds' }, 100)],
  edges: chain('hook', 'wait'),
};

interface Tx { writes: string[]; failed: boolean }

/**
 * A store whose transactions are recorded (the writes each ran, whether it failed), and whose
 * writes of an execution or intent for n = `failFor` throw (a disk that refuses them).
 */
async function setup(definition: WorkflowDefinition, opts: Partial<ExecutionServiceOptions> = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flow-onecommit-'));
  dirs.push(dir);
  const inner = await openStore({ dataDir: dir });
  closers.push(() => inner.close());
  const txs: Tx[] = [];
  const failing = { intentOf: null as string | null };
  const store: Store = Object.create(inner);
  store.tx = (fn) => {
    const tx: Tx = { writes: [], failed: false };
    txs.push(tx);
    return inner.tx((w) => {
      const seen = new Proxy(w, {
        get(t, prop: keyof WriteBatch) {
          const f = t[prop];
          if (typeof f !== 'function') return f;
          return (...args: unknown[]) => {
            tx.writes.push(String(prop));
            if (prop === 'insertIntent' && failing.intentOf && (args[0] as { executionId: string }).executionId === failing.intentOf) throw new Error('disk I/O error');
            return (f as (...a: unknown[]) => unknown).apply(t, args);
          };
        },
      });
      fn(seen);
    }).catch((e) => {
      tx.failed = true;
      throw e;
    });
  };
  // What is durable: a second connection to the file.
  const reader = new Database(path.join(dir, 'flow.db'), { readonly: true });
  closers.unshift(() => reader.close());
  const durable = (id: string) => ({
    execution: reader.prepare('SELECT status FROM executions WHERE id = ?').get(id) as { status: string } | undefined,
    intents: reader.prepare('SELECT status FROM order_intents WHERE execution_id = ?').all(id) as Array<{ status: string }>,
    deliveries: (reader.prepare('SELECT count(*) AS n FROM webhook_deliveries WHERE execution_id = ?').get(id) as { n: number }).n,
  });
  const atBroker: Array<{ execution: ReturnType<typeof durable>; txs: number }> = [];
  let executionOf = (_qty: unknown): string => '';
  const broker = countingBroker({
    async placeOrder(req: unknown) {
      atBroker.push({ execution: durable(executionOf((req as { quantity: unknown }).quantity)), txs: txs.length });
      return { status: 'success', orderid: `OID${atBroker.length}` };
    },
  } as never);
  const service = new ExecutionService({
    store, broker, notifier: { send: async () => ({ delivered: false, via: 'recorded' }) }, registry: defaultRegistry, timezone: 'Asia/Kolkata', ...opts,
  });
  closers.unshift(() => service.shutdown(100));
  const wf = await inner.createWorkflow({ definition });
  const version = await inner.freezeVersion(wf.id, definition);
  const ids = new Map<number, string>();
  executionOf = (qty) => ids.get(Number(qty)) ?? '';
  const request = (n: number, extra: Record<string, unknown> = {}) => {
    const p = service.request(
      { workflowId: wf.id, version, trigger: { kind: 'webhook', payload: { n, ...extra } }, concurrency: 'parallel', ...extra },
      (w, a) => {
        ids.set(n, a.executionId);
        w.insertDelivery({ workflowId: wf.id, httpStatus: 202, executionId: a.executionId, idempotencyKey: (extra.idempotencyKey as string) ?? null });
      },
    );
    return p.then((a) => {
      // Answered only once durable (a second connection sees the execution and its delivery row).
      expect(durable(a.executionId).execution).toBeDefined();
      if (!a.duplicate) expect(durable(a.executionId).deliveries).toBe(1);
      return a;
    });
  };
  return { store: inner, service, broker, txs, durable, atBroker, failing, request, workflowId: wf.id, version, ids };
}

describe('one transaction before the order', () => {
  it('commits the execution, its delivery, the running mark, the steps so far and the intent together, before the broker call and before the answer', async () => {
    const t = await setup(buy);
    const before = t.txs.length;
    const a = await t.request(7);
    const result = await t.service.wait(a.executionId);
    expect(result!.status).toBe('completed');
    // Two transactions for the whole run: the first before the order, the finish after it.
    expect(t.txs.slice(before).map((x) => x.failed)).toEqual([false, false]);
    const first = t.txs[before].writes;
    expect(first).toEqual(expect.arrayContaining(['insertExecution', 'insertDelivery', 'markRunning', 'insertStep', 'insertIntent']));
    expect(first.indexOf('insertExecution')).toBeLessThan(first.indexOf('markRunning'));
    // The node in flight is written with the running mark, and the last node with the finish: no UPDATE of their own.
    expect(t.txs.slice(before).flatMap((x) => x.writes)).not.toContain('setCurrentNode');
    expect(await t.store.getExecution(a.executionId)).toMatchObject({ currentNodeId: 'buy', currentNodeType: 'placeOrder' });
    // At the broker: that one commit was durable (execution running, intent pending), nothing more.
    expect(t.atBroker).toEqual([{ execution: { execution: { status: 'running' }, intents: [{ status: 'pending' }], deliveries: 1 }, txs: before + 1 }]);
    expect(t.durable(a.executionId).execution!.status).toBe('completed');
    expect(t.durable(a.executionId).intents).toEqual([{ status: 'accepted' }]);
  });

  it('when that commit fails: the request fails (no 202), nothing is stored, nothing reaches the broker, and the run and its claims are given back', async () => {
    const t = await setup(buy);
    // The execution id is known only inside the commit: fail the intent of whichever run n = 1 is.
    Object.defineProperty(t.failing, 'intentOf', { get: () => t.ids.get(1) ?? null });
    await expect(t.request(1, { idempotencyKey: 'tv-1' })).rejects.toThrow(/disk I\/O error/);
    const id = t.ids.get(1)!;
    expect(t.durable(id)).toEqual({ execution: undefined, intents: [], deliveries: 0 });
    // The run ends on its own (it never reaches the broker) and gives back its claim.
    for (let i = 0; i < 400 && t.service.depth > 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(t.service.depth).toBe(0);
    expect(t.service.runningCount).toBe(0);
    expect(t.broker.calls).toEqual([]);
    // The key's pending claim was released: the retry is a new execution, which runs and orders once.
    const retry = await t.request(2, { idempotencyKey: 'tv-1' });
    expect(retry.duplicate).toBe(false);
    expect((await t.service.wait(retry.executionId))!.status).toBe('completed');
    expect(t.broker.calls.map((c) => c.method)).toEqual(['placeOrder']);
    const dup = await t.request(3, { idempotencyKey: 'tv-1' });
    expect(dup).toEqual({ executionId: retry.executionId, status: 'queued', duplicate: true });
  });

  it('another run of a queued workflow in flight: the next one is committed alone as queued and waits its turn (today\'s path)', async () => {
    const t = await setup(slow);
    const first = await t.service.request({ workflowId: t.workflowId, version: t.version, trigger: { kind: 'webhook', payload: { wait: 0.2 } } });
    const mark = t.txs.length;
    const second = await t.service.request({ workflowId: t.workflowId, version: t.version, trigger: { kind: 'webhook', payload: { wait: 0 } } });
    // Answered after a commit of its own, with nothing of its run in it, and still queued.
    expect(t.txs.slice(mark).map((x) => x.writes)).toContainEqual(['insertExecution']);
    expect(t.durable(second.executionId).execution!.status).toBe('queued');
    await t.service.wait(second.executionId);
    const [a, b] = [(await t.store.getExecution(first.executionId))!, (await t.store.getExecution(second.executionId))!];
    expect(b.startedAt!).toBeGreaterThanOrEqual(a.finishedAt!);
  });

  it('maxParallel full: the next parallel run is committed alone as queued and starts when a slot frees', async () => {
    const t = await setup(slow, { maxParallel: 1 });
    const req = (wait: number) => t.service.request({ workflowId: t.workflowId, version: t.version, concurrency: 'parallel', trigger: { kind: 'webhook', payload: { wait } } });
    const first = await req(0.2);
    const second = await req(0);
    expect(t.durable(second.executionId).execution!.status).toBe('queued');
    await t.service.wait(second.executionId);
    const [a, b] = [(await t.store.getExecution(first.executionId))!, (await t.store.getExecution(second.executionId))!];
    expect(b.startedAt!).toBeGreaterThanOrEqual(a.finishedAt!);
  });

  it('under load (16 at once) every execution is durable before its answer and every intent before its order', async () => {
    const t = await setup(buy);
    const accepted = await Promise.all(Array.from({ length: 16 }, (_, i) => t.request(100 + i)));
    await Promise.all(accepted.map((a) => t.service.wait(a.executionId)));
    expect(t.atBroker).toHaveLength(16);
    for (const at of t.atBroker) {
      expect(at.execution.execution?.status).toBe('running');
      expect(at.execution.intents).toEqual([{ status: 'pending' }]);
    }
    // They shared transactions: far fewer than the 3 per run of separate commits.
    expect(t.txs.length).toBeLessThan(16 * 2);
  });
});
