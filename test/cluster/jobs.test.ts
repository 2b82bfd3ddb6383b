// Runs as graphile-worker jobs on a real PostgreSQL, two job workers (two processes): a `queue`
// workflow's runs one at a time and in order across both, `parallel` runs at once, each job once,
// a job added in a rolled-back transaction never runs, and a dead worker's jobs released (its
// named queue unlocked for the next run) without being run again.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobWorker, LocalRuns, addRunJob, queueOf, releaseDeadPool } from '../../src/cluster/jobs.js';
import { Semaphore } from '../../src/runtime/queue.js';
import { createPool, transaction, type Pool } from '../../src/cluster/pg.js';
import { ensureClusterSchema } from '../../src/cluster/schema.js';
import { createTestDatabase, type TestDatabase } from './pgdb.js';

let db: TestDatabase;
let pool: Pool;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url, { max: 6 });
  await ensureClusterSchema(pool);
}, 60_000);

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const until = async (cond: () => boolean, ms = 15_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(20);
  }
};

describe('run jobs', () => {
  it('queue: one at a time and in order across two workers; parallel: at once; each once', async () => {
    const started: string[] = [];
    const done: string[] = [];
    let inQueue = 0;
    let maxInQueue = 0;
    let inParallel = 0;
    let maxParallel = 0;
    const run = async (id: string) => {
      started.push(id);
      if (id.startsWith('q')) {
        inQueue++;
        maxInQueue = Math.max(maxInQueue, inQueue);
        await sleep(15);
        inQueue--;
      } else {
        inParallel++;
        maxParallel = Math.max(maxParallel, inParallel);
        await sleep(150);
        inParallel--;
      }
      done.push(id);
    };
    const poolB = createPool(db.url, { max: 6 });
    const w1 = new JobWorker({ pool, concurrency: 4, run, pollInterval: 200 });
    const w2 = new JobWorker({ pool: poolB, concurrency: 4, run, pollInterval: 200 });
    await w1.start();
    await w2.start();
    expect(w1.poolId).toMatch(/^pool-/);
    expect(w1.poolId).not.toBe(w2.poolId);

    // 30 queued runs, added in batches of 3 per transaction (a group commit), and 6 parallel ones.
    for (let i = 0; i < 30; i += 3) {
      await transaction(pool, async (c) => {
        for (let k = i; k < i + 3; k++) await addRunJob(c, `q${String(k).padStart(2, '0')}`, queueOf('wf_a', 'queue'));
      });
    }
    await transaction(pool, async (c) => {
      for (let k = 0; k < 6; k++) await addRunJob(c, `p${k}`, queueOf('wf_b', 'parallel'));
    });
    // rolled back: never runs
    await transaction(pool, async (c) => {
      await addRunJob(c, 'never', null);
      throw new Error('rollback');
    }).catch(() => {});

    await until(() => done.length === 36);
    await sleep(300);
    const queued = started.filter((id) => id.startsWith('q'));
    expect(queued).toEqual([...Array(30).keys()].map((k) => `q${String(k).padStart(2, '0')}`));
    expect(maxInQueue).toBe(1);
    expect(maxParallel).toBeGreaterThan(1);
    expect(started).toHaveLength(36);
    expect(new Set(started).size).toBe(36);
    expect(started).not.toContain('never');
    const left = await pool.query('SELECT count(*)::int AS n FROM graphile_worker.jobs');
    expect(left.rows[0].n).toBe(0);
    await w1.stop();
    await w2.stop();
    await poolB.end();
  }, 40_000);

  it('a dead worker’s jobs are released: its queue moves on, its run is not started again', async () => {
    const ran: string[] = [];
    let releaseHung!: () => void;
    const hungPool = createPool(db.url, { max: 4 });
    const hung = new JobWorker({
      pool: hungPool, concurrency: 1, pollInterval: 100,
      run: (id) => {
        ran.push(`hung:${id}`);
        return new Promise<void>((r) => (releaseHung = r));
      },
    });
    await hung.start();
    await transaction(pool, async (c) => {
      await addRunJob(c, 'first', queueOf('wf_c', 'queue'));
      await addRunJob(c, 'second', queueOf('wf_c', 'queue'));
    });
    await until(() => ran.length === 1);
    expect(ran).toEqual(['hung:first']);
    const live = new JobWorker({ pool, concurrency: 2, pollInterval: 100, run: async (id) => void ran.push(`live:${id}`) });
    await live.start();
    await sleep(500);
    // the queue is held by the hung worker: `second` waits
    expect(ran).toEqual(['hung:first']);
    const released = await transaction(pool, (c) => releaseDeadPool(c, hung.poolId!));
    expect(released).toEqual([{ executionId: 'first', queue: 'wf:wf_c' }]);
    await until(() => ran.length === 2);
    expect(ran).toEqual(['hung:first', 'live:second']);
    releaseHung();
    await sleep(300);
    expect(ran).toEqual(['hung:first', 'live:second']);
    await hung.stop();
    await live.stop();
    await hungPool.end();
  }, 30_000);
});

describe('flow_enqueue_run (the decision in the execution\'s transaction)', () => {
  // A stand-in for the store's executions table: the columns the decision reads.
  beforeAll(async () => {
    await pool.query(`CREATE TABLE IF NOT EXISTS executions (id text PRIMARY KEY, workflow_id text NOT NULL, status text NOT NULL,
      idempotency_key text, created_at bigint NOT NULL, finished_at bigint, error text)`);
  });

  const store = async (id: string, workflowId: string, policy: string, key: string | null = null) => transaction(pool, async (c) => {
    await c.query(`INSERT INTO executions (id, workflow_id, status, idempotency_key, created_at) VALUES ($1, $2, 'queued', $3, $4)`, [id, workflowId, key, Date.now()]);
    const r = await c.query<{ s: string }>('SELECT flow_enqueue_run($1, $2, $3, $4, $5, $6) AS s', [id, workflowId, policy, key, Date.now() - 86_400_000, Date.now()]);
    return r.rows[0].s;
  });
  const jobsFor = async (id: string) => (await pool.query(`SELECT count(*)::int AS n FROM graphile_worker._private_jobs WHERE payload->>'executionId' = $1`, [id])).rows[0].n;

  it('queues a job; skip decided against runs committed by any process; a key used twice is refused', async () => {
    expect(await store('s1', 'wf_skip', 'skip')).toBe('queued');
    expect(await jobsFor('s1')).toBe(1);
    // many requests at once from separate connections (processes): all skipped while s1 is queued
    const rest = await Promise.all(['s2', 's3', 's4', 's5'].map((id) => store(id, 'wf_skip', 'skip')));
    expect(rest).toEqual(['skipped', 'skipped', 'skipped', 'skipped']);
    expect((await pool.query(`SELECT status FROM executions WHERE id = 's3'`)).rows[0].status).toBe('skipped');
    expect(await jobsFor('s3')).toBe(0);
    await pool.query(`UPDATE executions SET status = 'completed' WHERE id = 's1'`);
    expect(await store('s6', 'wf_skip', 'skip')).toBe('queued');

    // the same key from two connections at once: one stored, the other refused and rolled back
    const both = await Promise.allSettled([store('k1', 'wf_key', 'parallel', 'alert-1'), store('k2', 'wf_key', 'parallel', 'alert-1')]);
    expect(both.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = both.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect((refused.reason as { code?: string }).code).toBe('23505');
    expect((await pool.query(`SELECT count(*)::int AS n FROM executions WHERE idempotency_key = 'alert-1'`)).rows[0].n).toBe(1);
    // cleanup: these jobs are not for the workers above
    await pool.query(`DELETE FROM graphile_worker._private_jobs`);
  });

  it('the local fast path: a job added locked by this process is never claimed; completed after its run, or given back to the queue when not run', async () => {
    const ran: string[] = [];
    const slots = new Semaphore(2);
    const worker = new JobWorker({ pool, concurrency: 2, slots, run: async (id) => void ran.push(`claimed:${id}`), pollInterval: 100 });
    await worker.start();
    await until(() => worker.poolId !== null);
    const local = new LocalRuns({ pool, slots, poolId: () => worker.poolId });
    try {
      const addLocked = async (id: string, lockedBy: string | null) => transaction(pool, async (c) => {
        await c.query(`INSERT INTO executions (id, workflow_id, status, created_at) VALUES ($1, 'wf_local', 'queued', $2)`, [id, Date.now()]);
        return (await c.query<{ s: string }>('SELECT flow_enqueue_run($1, $2, $3, $4, $5, $6, $7) AS s', [id, 'wf_local', 'parallel', null, 0, Date.now(), lockedBy])).rows[0].s;
      });
      // two slots: two taken, the third refused (it would go to the queue)
      const a = local.take()!;
      const b = local.take()!;
      expect(local.take()).toBeNull();
      const ja = await addLocked('l1', a.lockedBy);
      const jb = await addLocked('l2', b.lockedBy);
      expect(ja).toMatch(/^locked:\d+$/);
      const job = async (s: string) => (await pool.query(`SELECT attempts, max_attempts, locked_by FROM graphile_worker._private_jobs WHERE id = $1`, [s.slice(7)])).rows[0];
      expect(await job(ja)).toEqual({ attempts: 1, max_attempts: 1, locked_by: worker.poolId });
      await sleep(400); // the worker polls: it must not take them
      expect(ran).toEqual([]);
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      a.start(ja.slice(7), async () => {
        ran.push('local:l1');
        await held;
      });
      // l2 was accepted while this process was stopping: not run here, handed back
      b.start(jb.slice(7), async () => false);
      await until(() => ran.includes('claimed:l2'));
      expect(await job(ja)).toEqual({ attempts: 1, max_attempts: 1, locked_by: worker.poolId });
      release();
      await local.drain();
      expect(await job(ja)).toBeUndefined();
      await sleep(300);
      // each once: l1 here at once, l2 by the job worker after it was given back
      expect(ran.sort()).toEqual(['claimed:l2', 'local:l1']);
      // without a slot the job is added as usual (unlocked) and claimed
      expect(await addLocked('l3', null)).toBe('queued');
      await until(() => ran.includes('claimed:l3'));
    } finally {
      await worker.stop();
      await pool.query(`DELETE FROM graphile_worker._private_jobs`);
    }
  }, 30_000);
});
