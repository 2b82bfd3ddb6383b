// DESIGN.md §6: nothing lost. Real SQLite files in temp directories, real child processes.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { OpenAlgoBroker } from '../../src/broker/openalgo/index.js';
import { PaperBroker } from '../../src/broker/paper/index.js';
import { defaultRegistry } from '../../src/nodes/registry.js';
import { ExecutionService, type ExecutionServiceOptions } from '../../src/runtime/service.js';
import { openStore } from '../../src/store/index.js';
import type { Store, WorkflowDefinition } from '../../src/store/types.js';
import { countingBroker } from '../helpers/graph.js';
import { fakeOpenAlgo, ok } from '../openalgo/fake-openalgo.js';

const dirs: string[] = [];
const stores: Store[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flow-runtime-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const node = (id: string, type: string, data: Record<string, unknown> = {}, y = 0) => ({ id, type, position: { x: 0, y }, data });
const chain = (...ids: string[]) => ids.slice(1).map((id, i) => ({ id: `e${i + 1}`, source: ids[i], target: id }));

async function setup(definition: WorkflowDefinition, opts: Partial<ExecutionServiceOptions> = {}) {
  const store = await openStore({ dataDir: tempDir() });
  stores.push(store);
  const broker = countingBroker(new PaperBroker());
  const service = new ExecutionService({
    store, broker, notifier: { send: async () => ({ delivered: false, via: 'recorded' }) }, registry: defaultRegistry, timezone: 'Asia/Kolkata', ...opts,
  });
  const wf = await store.createWorkflow({ definition });
  const version = await store.freezeVersion(wf.id, definition);
  return { store, broker, service, workflowId: wf.id, version };
}

const logOnly = {
  name: 'log only',
  nodes: [node('hook', 'webhookTrigger'), node('say', 'log', { message: 'run {{webhook.n}} at {{time}}' }, 100), node('wait', 'delay', { delayValue: '{{webhook.wait}}', delayUnit: 'seconds' }, 200)],
  edges: chain('hook', 'say', 'wait'),
};

describe('durable executions', () => {
  it('stores a run as queued before it starts, then every step and log', async () => {
    const { store, service, workflowId, version } = await setup({
      name: 'buy', nodes: [node('hook', 'webhookTrigger'), node('buy', 'placeOrder', { symbol: 'SBIN', exchange: 'NSE', action: 'BUY', quantity: 2, priceType: 'MARKET', product: 'MIS' }, 100), node('say', 'log', { message: 'bought {{order.orderid}}' }, 200)],
      edges: chain('hook', 'buy', 'say'),
    });
    const accepted = await service.request({ workflowId, version, trigger: { kind: 'webhook', payload: { n: 1, secret: 'do-not-store' } } });
    // Written before request() returns (it may already have started: runs begin at once).
    expect(['queued', 'running']).toContain((await store.getExecution(accepted.executionId))!.status);
    const result = await service.wait(accepted.executionId);
    expect(result!.status).toBe('completed');
    const stored = (await store.getExecution(accepted.executionId))!;
    expect(stored.status).toBe('completed');
    expect(stored.steps.map((s) => [s.nodeId, s.status])).toEqual([['hook', 'completed'], ['buy', 'completed'], ['say', 'completed']]);
    expect(stored.logs.length).toBe(result!.logs.length);
    expect(stored.intents).toHaveLength(1);
    expect(stored.intents[0]).toMatchObject({ nodeId: 'buy', method: 'placeOrder', status: 'accepted' });
    expect(JSON.stringify(stored)).not.toContain('do-not-store');
  });

  it('runs ten executions of one workflow one at a time, in arrival order, under queue', async () => {
    const { store, service, workflowId, version } = await setup(logOnly);
    const ids: string[] = [];
    for (let n = 0; n < 10; n++) ids.push((await service.request({ workflowId, version, trigger: { kind: 'webhook', payload: { n, wait: 0.01 } } })).executionId);
    await Promise.all(ids.map((id) => service.wait(id)));
    const runs = await Promise.all(ids.map(async (id) => (await store.getExecution(id))!));
    expect(runs.every((r) => r.status === 'completed')).toBe(true);
    for (let i = 1; i < runs.length; i++) expect(runs[i].startedAt!).toBeGreaterThanOrEqual(runs[i - 1].finishedAt!);
    expect(runs.map((r) => r.logs[0].message.split(' ')[1])).toEqual(ids.map((_, n) => String(n)));
  });

  it('runs in parallel when the workflow allows it', async () => {
    const { store, service, workflowId, version } = await setup(logOnly);
    const started = Date.now();
    const ids = await Promise.all(Array.from({ length: 5 }, async (_, n) => (await service.request({ workflowId, version, concurrency: 'parallel', trigger: { kind: 'webhook', payload: { n, wait: 0.3 } } })).executionId));
    await Promise.all(ids.map((id) => service.wait(id)));
    expect(Date.now() - started).toBeLessThan(1_200);
    expect(await Promise.all(ids.map(async (id) => (await store.getExecution(id))!.status))).toEqual(Array(5).fill('completed'));
  });

  it('records a run as skipped under skip while another is in progress', async () => {
    const { store, service, workflowId, version } = await setup(logOnly);
    const first = await service.request({ workflowId, version, concurrency: 'skip', trigger: { kind: 'webhook', payload: { n: 1, wait: 0.2 } } });
    const second = await service.request({ workflowId, version, concurrency: 'skip', trigger: { kind: 'webhook', payload: { n: 2, wait: 0 } } });
    expect(second.status).toBe('skipped');
    await service.wait(first.executionId);
    expect((await store.getExecution(second.executionId))!.status).toBe('skipped');
  });

  it('gives the first execution for an idempotency key seen again', async () => {
    const { store, service, workflowId, version } = await setup(logOnly);
    const a = await service.request({ workflowId, version, idempotencyKey: 'tv-alert-42', trigger: { kind: 'webhook', payload: { n: 1, wait: 0 } } });
    const b = await service.request({ workflowId, version, idempotencyKey: 'tv-alert-42', trigger: { kind: 'webhook', payload: { n: 2, wait: 0 } } });
    expect(b).toEqual({ executionId: a.executionId, status: 'queued', duplicate: true });
    await service.wait(a.executionId);
    expect(await store.listExecutions(workflowId)).toHaveLength(1);
  });

  it('the same key submitted twice in one turn still gives one execution', async () => {
    const { store, service, workflowId, version } = await setup(logOnly);
    const req = { workflowId, version, idempotencyKey: 'tv-9', trigger: { kind: 'webhook' as const, payload: { n: 1, wait: 0 } } };
    const [a, b] = await Promise.all([service.request(req), service.request(req)]);
    expect(b.executionId).toBe(a.executionId);
    expect(b.duplicate).toBe(true);
    await service.wait(a.executionId);
    expect(await store.listExecutions(workflowId)).toHaveLength(1);
  });

  it('skip holds for requests submitted in the same turn', async () => {
    const { store, service, workflowId, version } = await setup(logOnly);
    const req = { workflowId, version, concurrency: 'skip' as const, trigger: { kind: 'webhook' as const, payload: { n: 1, wait: 0.05 } } };
    const [a, b] = await Promise.all([service.request(req), service.request(req)]);
    expect([a.status, b.status]).toEqual(['queued', 'skipped']);
    await service.wait(a.executionId);
    expect((await store.getExecution(b.executionId))!.status).toBe('skipped');
  });

  it('a write that fails for one run does not cost another run sharing its group commit any rows', async () => {
    const { store, service, workflowId, version } = await setup(logOnly);
    const a = await service.request({ workflowId, version, concurrency: 'parallel', trigger: { kind: 'webhook', payload: { n: 1, wait: 0.01 } } });
    const b = await service.request({ workflowId, version, concurrency: 'parallel', trigger: { kind: 'webhook', payload: { n: 2, wait: 0.01 } } });
    // Every run write goes through a transaction's write batch: fail b's logs there.
    const tx = store.tx.bind(store);
    store.tx = (fn) => tx((w) => fn({
      ...w,
      insertLogs: (executionId, entries) => {
        if (executionId === b.executionId) throw new Error('disk full');
        w.insertLogs(executionId, entries);
      },
    }));
    await Promise.all([service.wait(a.executionId), service.wait(b.executionId)]);
    const good = (await store.getExecution(a.executionId))!;
    expect(good.status).toBe('completed');
    expect(good.steps.map((st) => st.nodeId)).toEqual(['hook', 'say', 'wait']);
    expect(good.logs.map((l) => l.message)).toEqual([expect.stringMatching(/^run 1 at /), expect.stringMatching(/^Waiting/)]);
    expect((await store.getExecution(b.executionId))!.status).toBe('failed');
  });

  it('cancels a queued execution and a running one', async () => {
    const { store, service, workflowId, version } = await setup(logOnly);
    const running = await service.request({ workflowId, version, trigger: { kind: 'webhook', payload: { n: 1, wait: 30 } } });
    const queued = await service.request({ workflowId, version, trigger: { kind: 'webhook', payload: { n: 2, wait: 0 } } });
    await new Promise((r) => setTimeout(r, 100));
    expect(await service.cancel(queued.executionId)).toBe(true);
    expect(await service.cancel(running.executionId)).toBe(true);
    await service.wait(running.executionId);
    expect((await store.getExecution(running.executionId))!.status).toBe('canceled');
    expect((await store.getExecution(queued.executionId))!.status).toBe('canceled');
    await new Promise((r) => setTimeout(r, 50));
    expect((await store.getExecution(queued.executionId))!.steps).toEqual([]); // it never ran
  });

  it('shuts down leaving no execution running', async () => {
    const { store, service, workflowId, version } = await setup(logOnly);
    const a = await service.request({ workflowId, version, trigger: { kind: 'webhook', payload: { n: 1, wait: 30 } } });
    const b = await service.request({ workflowId, version, trigger: { kind: 'webhook', payload: { n: 2, wait: 0 } } });
    await new Promise((r) => setTimeout(r, 100));
    await service.shutdown(200);
    expect((await store.getExecution(a.executionId))!.status).toBe('canceled');
    expect((await store.getExecution(b.executionId))!.status).toBe('queued'); // kept, resumed or expired at the next start
    await expect(service.request({ workflowId, version, trigger: { kind: 'manual' } })).rejects.toThrow(/shutting down/);
  });
});

describe('orders behind the OpenAlgo limiter', () => {
  it('an order waiting for its slot is stored waiting, then sent once it has it; one cancelled while waiting is not_sent and never reaches the broker', async () => {
    const fake = await fakeOpenAlgo(() => ok({ orderid: 'OID' }));
    const broker = new OpenAlgoBroker({ host: fake.url, apiKey: 'limiter-test-key', orderRatePerSec: 1 });
    try {
      const { store, service, workflowId, version } = await setup({
        name: 'buy', nodes: [node('hook', 'webhookTrigger'), node('buy', 'placeOrder', { symbol: 'SBIN', exchange: 'NSE', action: 'BUY', quantity: '{{webhook.n}}', priceType: 'MARKET', product: 'MIS' }, 100)],
        edges: chain('hook', 'buy'),
      }, { broker });
      const run = async (n: number) => (await service.request({ workflowId, version, concurrency: 'parallel', trigger: { kind: 'webhook', payload: { n } } })).executionId;
      const [first, second, third] = [await run(1), await run(2), await run(3)];
      // Waiters before anything can finish: wait() on a run that already ended answers null.
      const results = Promise.all([service.wait(first), service.wait(second), service.wait(third)]);
      const statusOf = async (id: string) => (await store.getExecution(id))!.intents[0]?.status;
      const deadline = Date.now() + 5_000;
      while ((await statusOf(second) !== 'waiting' || await statusOf(third) !== 'waiting' || fake.calls('placeorder').length < 1) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 10));
      }
      // The first took the free slot; the others wait for theirs, recorded as such, nothing of them sent.
      expect([await statusOf(second), await statusOf(third)]).toEqual(['waiting', 'waiting']);
      expect(fake.calls('placeorder').map((c) => c.body.quantity)).toEqual([1]);
      await service.cancel(third);
      const [r1, r2, r3] = await results;
      expect(r1!.orders[0].status).toBe('accepted');
      expect(r2!.orders[0].status).toBe('accepted');
      expect(r3!.orders[0]).toMatchObject({ status: 'not_sent', error: expect.stringMatching(/cancelled before it was sent/) });
      expect((await store.getExecution(third))!.intents[0].status).toBe('not_sent');
      expect(fake.calls('placeorder').map((c) => c.body.quantity)).toEqual([1, 2]);
      expect(await store.listUnknownIntents()).toEqual([]);
    } finally {
      await broker.close();
      await fake.close();
    }
  });
});

describe('crash recovery (a real process killed with SIGKILL)', () => {
  async function runChild(mode: 'delay' | 'hang', until: (db: Database.Database) => boolean) {
    const dataDir = tempDir();
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'fixtures/crash-child.ts'), dataDir, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
    const first = await new Promise<string>((resolve, reject) => {
      child.stdout.once('data', (d) => resolve(String(d)));
      child.once('exit', (code) => reject(new Error(`child exited ${code}`)));
    });
    const ids = JSON.parse(first) as { workflowId: string; executionId: string };
    const db = new Database(path.join(dataDir, 'flow.db'), { readonly: true });
    const deadline = Date.now() + 10_000;
    while (!until(db)) {
      if (Date.now() > deadline) throw new Error('child did not reach the expected state');
      await new Promise((r) => setTimeout(r, 25));
    }
    db.close();
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    return { dataDir, ...ids };
  }

  it('a run killed during a delay is crashed, keeps its finished steps, and no order is sent twice', async () => {
    const { dataDir, executionId } = await runChild('delay', (db) =>
      (db.prepare("SELECT count(*) AS n FROM steps WHERE node_id = 'buy'").get() as { n: number }).n === 1
      && (db.prepare('SELECT current_node AS c FROM executions').get() as { c: string }).c === 'wait');
    const store = await openStore({ dataDir });
    stores.push(store);
    const paper = new PaperBroker({ state: await store.loadPaperState() as never });
    const service = new ExecutionService({ store, broker: paper, notifier: { send: async () => ({ delivered: false, via: 'recorded' }) }, registry: defaultRegistry, timezone: 'Asia/Kolkata' });
    const report = await service.recover(async () => ({ concurrency: 'queue', limits: {} }));
    expect(report.crashed).toBe(1);
    const e = (await store.getExecution(executionId))!;
    expect(e.status).toBe('crashed');
    expect(e.error).toContain('wait');
    expect(e.steps.map((s) => s.nodeId)).toEqual(['hook', 'buy']);
    expect(e.intents.map((i) => i.status)).toEqual(['accepted']);
    const orders = (await paper.orderBook()).data!.orders;
    expect(orders).toHaveLength(1);
    expect(orders[0].action).toBe('BUY');
  });

  it('an intent written but unanswered becomes unknown and is never re-sent', async () => {
    const { dataDir, executionId } = await runChild('hang', (db) =>
      (db.prepare('SELECT count(*) AS n FROM order_intents').get() as { n: number }).n === 1);
    const store = await openStore({ dataDir });
    stores.push(store);
    const broker = countingBroker(new PaperBroker());
    const service = new ExecutionService({ store, broker, notifier: { send: async () => ({ delivered: false, via: 'recorded' }) }, registry: defaultRegistry, timezone: 'Asia/Kolkata' });
    const report = await service.recover(async () => ({ concurrency: 'queue', limits: {} }));
    expect(report.unknownIntents).toBe(1);
    expect((await store.getExecution(executionId))!.intents[0].status).toBe('unknown');
    expect(await store.listUnknownIntents()).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(broker.calls).toHaveLength(0);
  });
});
