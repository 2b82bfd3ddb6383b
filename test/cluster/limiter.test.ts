// The shared rate limit on a real PostgreSQL, taken by two limiters (two processes) at once: no
// window ever holds more than N calls, yet N go at once; webhook-style take() refuses past N.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SharedRateLimits } from '../../src/cluster/limiter.js';
import { createPool, type Pool } from '../../src/cluster/pg.js';
import { ensureClusterSchema } from '../../src/cluster/schema.js';
import { createTestDatabase, type TestDatabase } from './pgdb.js';

let db: TestDatabase;
let pool: Pool;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url, { max: 4 });
  await ensureClusterSchema(pool);
}, 60_000);

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

describe('shared rate limits', () => {
  it('two processes together never exceed N calls in any window', async () => {
    const p1 = new SharedRateLimits(db.url);
    const p2 = new SharedRateLimits(db.url);
    const N = 5;
    const W = 600;
    // connections opened first: the measure is of the limit, not of connecting
    await Promise.all([...Array(4)].flatMap(() => [p1.take('warm', 50, 1), p2.take('warm', 50, 1)]));
    const t0 = performance.now();
    const waited: number[] = [];
    const slots = await Promise.all(Array.from({ length: 16 }, (_, i) => (i % 2 ? p1 : p2).acquire('order:key1', N, W).then((at) => {
      waited.push(performance.now() - t0);
      return at;
    })));
    // the slots, on the database clock: in any window of W ms at most N calls (exact, by pigeonhole)
    slots.sort((x, y) => x - y);
    for (let i = 0; i + N < slots.length; i++) expect(slots[i + N] - slots[i]).toBeGreaterThanOrEqual(W);
    // 16 calls at 5 per window: the last slot three windows after the first
    expect(slots.at(-1)! - slots[0]).toBeGreaterThanOrEqual(3 * W);
    // and the callers waited for them: the first N at once, the last about three windows
    waited.sort((x, y) => x - y);
    expect(waited[N - 1]).toBeLessThan(W);
    expect(waited.at(-1)!).toBeGreaterThanOrEqual(3 * W - 100);
    await p1.close();
    await p2.close();
  }, 20_000);

  it('take() lets N through, then says when to retry; an abort while waiting rejects', async () => {
    const p = new SharedRateLimits(db.url);
    const results = await Promise.all(Array.from({ length: 7 }, () => p.take('webhook:tok', 5, 60_000)));
    expect(results.filter((r) => r.ok)).toHaveLength(5);
    const refused = results.filter((r) => !r.ok) as Array<{ retryAfterMs: number }>;
    expect(refused).toHaveLength(2);
    for (const r of refused) expect(r.retryAfterMs).toBeGreaterThan(55_000);
    // another key is not affected
    expect((await p.take('webhook:other', 5, 60_000)).ok).toBe(true);
    // every slot of this key is used for a minute: a waiting acquire is aborted
    const ac = new AbortController();
    const waiting = p.acquire('webhook:tok', 5, 60_000, ac.signal);
    setTimeout(() => ac.abort(new Error('stop')), 100);
    await expect(waiting).rejects.toThrow('stop');
    await p.close();
  }, 20_000);
});
