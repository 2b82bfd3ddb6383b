// Membership against a real PostgreSQL: one trigger holder at a time, a new one within a couple of
// beats after the holder's connection dies, the dead process reaped once (its recovery called with
// its job-pool id), and a process whose row was taken away fenced.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, type Pool } from '../../src/cluster/pg.js';
import { ensureClusterSchema } from '../../src/cluster/schema.js';
import { ProcessSession, type DeadProcess } from '../../src/cluster/session.js';
import { createTestDatabase, type TestDatabase } from './pgdb.js';

let db: TestDatabase;
let pool: Pool;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url, { max: 8 });
  await ensureClusterSchema(pool);
}, 60_000);

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

const until = async (cond: () => boolean | Promise<boolean>, ms = 8_000) => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
};

/** What a SIGKILL does to a session: its timer stops and its connection closes, nothing cleaned up. */
async function kill(s: ProcessSession): Promise<void> {
  const inner = s as unknown as { timer: NodeJS.Timeout; stopped: boolean; client: { end(): Promise<void> } | null };
  inner.stopped = true;
  clearInterval(inner.timer);
  const c = inner.client;
  inner.client = null;
  await c?.end();
}

describe('process sessions', () => {
  it('one trigger holder; when it dies another takes over and the dead one is reaped once', async () => {
    const leaders: string[] = [];
    const reaped: Array<{ by: string; dead: DeadProcess }> = [];
    const make = (id: string, role: 'all' | 'worker' = 'all') => new ProcessSession({
      connectionString: db.url, pool, id, role, wantsTriggers: role !== 'worker', beatMs: 150, deadAfterMs: 3_000,
      workerPoolId: () => `pool-${id}`,
      onLeader: () => leaders.push(id),
      onDead: async (client, dead) => {
        // Runs inside the reaping transaction.
        await client.query('SELECT 1');
        reaped.push({ by: id, dead });
      },
    });
    const a = make('host:1:a');
    const b = make('host:2:b');
    const w = make('host:3:w', 'worker');
    await a.start();
    await b.start();
    await w.start();
    await new Promise((r) => setTimeout(r, 500));
    expect(leaders).toEqual(['host:1:a']);
    expect(a.isLeader && !b.isLeader && !w.isLeader).toBe(true);
    const { rows } = await pool.query('SELECT id, role, worker_pool_id FROM flow_processes ORDER BY id');
    expect(rows.map((r) => r.id)).toEqual(['host:1:a', 'host:2:b', 'host:3:w']);

    const t0 = Date.now();
    await kill(a);
    await until(() => b.isLeader);
    const took = Date.now() - t0;
    expect(took).toBeLessThan(2_000);
    await until(() => reaped.length > 0);
    await new Promise((r) => setTimeout(r, 400));
    expect(reaped).toHaveLength(1);
    expect(reaped[0].dead).toMatchObject({ id: 'host:1:a', role: 'all', workerPoolId: 'pool-host:1:a' });
    expect(leaders).toEqual(['host:1:a', 'host:2:b']);
    const left = await pool.query('SELECT id FROM flow_processes ORDER BY id');
    expect(left.rows.map((r) => r.id)).toEqual(['host:2:b', 'host:3:w']);

    await b.stop();
    await w.stop();
    expect((await pool.query('SELECT count(*)::int AS n FROM flow_processes')).rows[0].n).toBe(0);
  }, 30_000);

  it('a process declared dead by others (its row gone) is fenced and gives up the triggers', async () => {
    let fenced = '';
    let follower = false;
    const s = new ProcessSession({
      connectionString: db.url, pool, id: 'host:9:f', role: 'all', wantsTriggers: true, beatMs: 100,
      onFenced: (reason) => (fenced = reason), onFollower: () => (follower = true),
    });
    await s.start();
    await until(() => s.isLeader);
    await pool.query(`DELETE FROM flow_processes WHERE id = 'host:9:f'`);
    await until(() => fenced !== '');
    expect(fenced).toMatch(/declared this one dead/);
    expect(s.isLeader).toBe(false);
    expect(follower).toBe(true);
    await s.stop();
  }, 20_000);

  it('a stopped heartbeat is dead even while its lock connection lingers', async () => {
    const reaped: string[] = [];
    const watcher = new ProcessSession({
      connectionString: db.url, pool, id: 'host:7:watch', role: 'worker', wantsTriggers: false, beatMs: 100, deadAfterMs: 800,
      onDead: async (_c, d) => void reaped.push(d.id),
    });
    const hung = new ProcessSession({ connectionString: db.url, pool, id: 'host:8:hung', role: 'worker', wantsTriggers: false, beatMs: 100, deadAfterMs: 800 });
    await hung.start();
    // Frozen: no more beats, but its connection (and liveness lock) stays open.
    clearInterval((hung as unknown as { timer: NodeJS.Timeout }).timer);
    await watcher.start();
    await until(() => reaped.includes('host:8:hung'), 5_000);
    await watcher.stop();
    await hung.stop();
  }, 20_000);
});
