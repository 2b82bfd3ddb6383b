// Rate limits shared by every Flow process (DESIGN.md §9): the order rate of one OpenAlgo API key,
// and webhooks per token. N slots per key in flow_rate_slots; a call takes the slot used longest ago,
// and may go a window after that slot's last call: by pigeonhole, no window ever holds more than N.
// Times are the database's clock, so machines whose clocks disagree still agree on the limit.
//
// These writes need no durability (a limit forgotten in a database crash costs at most one window),
// so they go through their own small pool with synchronous_commit off: no fsync on the hot path.

import pg from 'pg';
import type { Pool } from './pg.js';

const NOW_MS = 'extract(epoch from clock_timestamp()) * 1000';

export class SharedRateLimits {
  readonly pool: Pool;

  constructor(connectionString: string, max = 4) {
    this.pool = new pg.Pool({ connectionString, max, application_name: 'flow-limits', options: '-c synchronous_commit=off' });
    this.pool.on('error', () => {});
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /**
   * Reserves the next free moment for a call under `perWindow` calls per `windowMs` on `key`, and
   * waits until then; answers that moment (ms, database clock). Rejects (taking nothing further)
   * when `signal` aborts while it waits.
   */
  async acquire(key: string, perWindow: number, windowMs: number, signal?: AbortSignal): Promise<number> {
    const slotKey = `${key}:${perWindow}`;
    for (let attempt = 0; ; attempt++) {
      signal?.throwIfAborted();
      const { rows } = await this.pool.query<{ wait: number; at: number }>({
        // Before every order: prepared once per connection.
        name: 'flow_rate_acquire',
        text: `WITH now AS (SELECT ${NOW_MS} AS ms),
         s AS (SELECT i, at FROM flow_rate_slots WHERE key = $1 ORDER BY at, i LIMIT 1 FOR UPDATE SKIP LOCKED)
         UPDATE flow_rate_slots r SET at = greatest(s.at + $2, now.ms) FROM s, now
         WHERE r.key = $1 AND r.i = s.i RETURNING r.at - now.ms AS wait, r.at AS at`,
        values: [slotKey, windowMs],
      });
      if (rows.length === 0) {
        // First use of this key, or every slot is being taken right now by another caller.
        if (attempt === 0) await this.create(slotKey, perWindow);
        else await sleep(Math.min(20, attempt), signal);
        continue;
      }
      const wait = Number(rows[0].wait);
      if (wait > 0) await sleep(wait, signal);
      return Number(rows[0].at);
    }
  }

  /** Takes a slot now if one is free; otherwise says in how many ms one frees up. Never waits. */
  async take(key: string, perWindow: number, windowMs: number): Promise<{ ok: true } | { ok: false; retryAfterMs: number }> {
    const slotKey = `${key}:${perWindow}`;
    for (let attempt = 0; ; attempt++) {
      const { rows } = await this.pool.query<{ ok: boolean; retry: number }>(
        `WITH now AS (SELECT ${NOW_MS} AS ms),
         s AS (SELECT i, at FROM flow_rate_slots WHERE key = $1 ORDER BY at, i LIMIT 1 FOR UPDATE SKIP LOCKED)
         UPDATE flow_rate_slots r SET at = CASE WHEN s.at + $2 <= now.ms THEN now.ms ELSE s.at END FROM s, now
         WHERE r.key = $1 AND r.i = s.i RETURNING s.at + $2 <= now.ms AS ok, s.at + $2 - now.ms AS retry`,
        [slotKey, windowMs],
      );
      if (rows.length === 0) {
        if (attempt === 0) await this.create(slotKey, perWindow);
        else if (attempt > 50) return { ok: false, retryAfterMs: 1_000 };
        else await sleep(1);
        continue;
      }
      return rows[0].ok ? { ok: true } : { ok: false, retryAfterMs: Math.max(1, Number(rows[0].retry)) };
    }
  }

  /** Slot rows being created, per key: the callers that find none at once wait for one insert, not one each. */
  private readonly creating = new Map<string, Promise<void>>();

  private create(slotKey: string, n: number): Promise<void> {
    let p = this.creating.get(slotKey);
    if (!p) {
      // (N rows: with a large N — the tests' and benches' 100,000 — a hundred concurrent first orders each
      // inserting them made the first orders wait seconds, past their node's timeout.)
      p = this.pool.query(
        'INSERT INTO flow_rate_slots (key, i, at) SELECT $1, g, 0 FROM generate_series(1, $2::int) g ON CONFLICT DO NOTHING',
        [slotKey, n],
      ).then(() => {});
      this.creating.set(slotKey, p);
      // Kept once done (the rows exist); a failure is forgotten so the next caller tries again.
      p.catch(() => this.creating.delete(slotKey));
    }
    return p;
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
