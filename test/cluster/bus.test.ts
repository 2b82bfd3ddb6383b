// LISTEN/NOTIFY between two buses (two processes) on a real PostgreSQL: delivered to the others in
// order, never back to the sender, and a payload too large for NOTIFY refused up front.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotifyBus } from '../../src/cluster/bus.js';
import { createPool, type Pool } from '../../src/cluster/pg.js';
import { createTestDatabase, type TestDatabase } from './pgdb.js';

let db: TestDatabase;
let pool: Pool;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url, { max: 4 });
}, 30_000);

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

describe('notify bus', () => {
  it('carries messages to other processes in order, not to the sender', async () => {
    const a = new NotifyBus({ connectionString: db.url, pool, origin: 'a' });
    const b = new NotifyBus({ connectionString: db.url, pool, origin: 'b' });
    await a.start();
    await b.start();
    const atA: unknown[] = [];
    const atB: Array<{ m: unknown; from: string }> = [];
    a.subscribe('flow_test', (m) => atA.push(m));
    b.subscribe('flow_test', (m, from) => atB.push({ m, from }));
    await new Promise((r) => setTimeout(r, 100)); // LISTEN issued
    for (let i = 0; i < 200; i++) a.publish('flow_test', { i, same: 'payload' });
    await a.flushed();
    const end = Date.now() + 5_000;
    while (atB.length < 200 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(atB.map((x) => (x.m as { i: number }).i)).toEqual([...Array(200).keys()]);
    expect(atB.every((x) => x.from === 'a')).toBe(true);
    expect(atA).toEqual([]);
    expect(a.publish('flow_test', { big: 'x'.repeat(8_000) })).toBe(false);
    await a.stop();
    await b.stop();
  }, 20_000);

  it('listens again after its connection is cut', async () => {
    const a = new NotifyBus({ connectionString: db.url, pool, origin: 'a2' });
    const b = new NotifyBus({ connectionString: db.url, pool, origin: 'b2' });
    await a.start();
    await b.start();
    const got: unknown[] = [];
    b.subscribe('flow_again', (m) => got.push(m));
    await new Promise((r) => setTimeout(r, 100));
    await pool.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'flow-bus b2'`);
    const end = Date.now() + 6_000;
    while (got.length === 0 && Date.now() < end) {
      a.publish('flow_again', 'hello');
      await a.flushed();
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(got[0]).toBe('hello');
    await a.stop();
    await b.stop();
  }, 20_000);
});
