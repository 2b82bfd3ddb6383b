// One process's membership of a Flow cluster (DESIGN.md §9): a row in flow_processes that it beats,
// a session-level advisory lock that says it is alive for as long as its connection lives, and the
// trigger-holder lock that one process at a time holds. Every process also reaps the dead: a process
// whose liveness lock is gone (killed, its connection closed) or whose heartbeat stopped is removed,
// and its runs recovered, in one transaction.
//
// A process that finds its own row gone was declared dead by another (a long pause, a partition):
// its runs are already `crashed` and its intents `unknown`, so it must stop at once (onFenced).

import type pg from 'pg';
import { LOCK_NAMESPACE, TRIGGER_LOCK, connectClient, transaction, type Pool } from './pg.js';

export type Role = 'all' | 'web' | 'worker';

export interface DeadProcess {
  id: string;
  role: Role;
  host: string;
  pid: number;
  workerPoolId: string | null;
}

export interface SessionOptions {
  connectionString: string;
  pool: Pool;
  id: string;
  role: Role;
  /** Whether this process may hold the triggers (web and all roles; a worker only runs jobs). */
  wantsTriggers: boolean;
  /** graphile-worker's lock owner for this process's jobs, once known. */
  workerPoolId?: () => string | null;
  /** Beat, lock attempt and reaping interval (2 s): a new trigger holder within 2 s of the old one's lock going. */
  beatMs?: number;
  /** A process that has not beaten for this long is dead even if its lock lingers (10 s). */
  deadAfterMs?: number;
  /** This process now holds the triggers. */
  onLeader?: () => void;
  /** This process no longer holds them (its lock connection failed, or it is stopping). */
  onFollower?: () => void;
  /** Recovers a dead process's runs, inside the transaction that removes its row. */
  onDead?: (client: pg.PoolClient, dead: DeadProcess) => Promise<void>;
  /** This process was declared dead by another: stop now. */
  onFenced?: (reason: string) => void;
  logger?: { info(obj: unknown, msg?: string): void; warn(obj: unknown, msg?: string): void; error(obj: unknown, msg?: string): void };
}

/** How long a query on the lock connection may take before the connection counts as lost. */
const LOCK_QUERY_TIMEOUT_MS = 3_000;

export class ProcessSession {
  private client: pg.Client | null = null;
  private lockKey = 0;
  private timer: NodeJS.Timeout | null = null;
  private leader = false;
  private stopped = false;
  private ticking: Promise<void> = Promise.resolve();
  private poolRecorded: string | null = null;
  private readonly beatMs: number;
  private readonly deadAfterMs: number;

  constructor(private readonly opts: SessionOptions) {
    this.beatMs = opts.beatMs ?? 2_000;
    this.deadAfterMs = opts.deadAfterMs ?? 10_000;
  }

  get isLeader(): boolean {
    return this.leader;
  }

  get id(): string {
    return this.opts.id;
  }

  /** Joins: takes the liveness lock, writes the row, tries for the triggers, reaps; then every beatMs. */
  async start(): Promise<void> {
    await this.connect();
    await this.tick();
    this.timer = setInterval(() => {
      this.ticking = this.ticking.then(() => this.tick());
    }, this.beatMs);
    this.timer.unref();
  }

  /** Writes this process's job-pool id on its row now (before its first run), once. */
  async recordPool(): Promise<void> {
    const poolId = this.opts.workerPoolId?.();
    if (!poolId || this.poolRecorded === poolId) return;
    await this.opts.pool.query('UPDATE flow_processes SET worker_pool_id = $2 WHERE id = $1', [this.opts.id, poolId]);
    this.poolRecorded = poolId;
  }

  /** Leaves cleanly: the row is removed (nothing to recover: the caller finished its runs) and the locks released. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.ticking;
    this.lose();
    await this.opts.pool.query('DELETE FROM flow_processes WHERE id = $1', [this.opts.id]).catch(() => {});
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => {});
  }

  /** Connects the lock connection and takes this process's liveness lock (a fresh key each time). */
  private async connect(): Promise<void> {
    const client = await connectClient(this.opts.connectionString, `flow-session ${this.opts.id}`);
    client.on('error', () => this.dropClient(client));
    client.on('end', () => this.dropClient(client));
    // The server notices a vanished machine in seconds and frees its locks (TCP connections only).
    await client.query('SET tcp_keepalives_idle = 3; SET tcp_keepalives_interval = 1; SET tcp_keepalives_count = 3');
    const first = this.lockKey === 0;
    for (;;) {
      const key = 1 + Math.floor(Math.random() * 0x7ffffffe);
      const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [LOCK_NAMESPACE, key]);
      if (!rows[0].ok) continue;
      this.lockKey = key;
      break;
    }
    if (first) {
      await this.opts.pool.query(
        `INSERT INTO flow_processes (id, role, host, pid, lock_key, worker_pool_id) VALUES ($1, $2, $3, $4, $5, $6)`,
        [this.opts.id, this.opts.role, this.opts.id.split(':')[0], process.pid, this.lockKey, this.opts.workerPoolId?.() ?? null],
      );
    } else {
      const r = await this.opts.pool.query('UPDATE flow_processes SET lock_key = $2 WHERE id = $1', [this.opts.id, this.lockKey]);
      if (r.rowCount === 0) {
        await client.end().catch(() => {});
        return this.fence('this process was declared dead while its database connection was down');
      }
    }
    this.client = client;
  }

  private dropClient(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = null;
    this.lose();
    client.end().catch(() => {});
  }

  private lose(): void {
    if (!this.leader) return;
    this.leader = false;
    this.opts.logger?.warn({ process: this.opts.id }, 'this process no longer holds the triggers');
    this.opts.onFollower?.();
  }

  private fence(reason: string): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.lose();
    this.opts.onFenced?.(reason);
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.beat();
      if (this.stopped) return;
      await this.holdLocks();
      await this.reap();
    } catch (e) {
      this.opts.logger?.warn({ err: (e as Error).message }, 'cluster heartbeat failed; retrying');
    }
  }

  private async beat(): Promise<void> {
    const r = await this.opts.pool.query('UPDATE flow_processes SET beat_at = now(), worker_pool_id = coalesce($2, worker_pool_id) WHERE id = $1',
      [this.opts.id, this.opts.workerPoolId?.() ?? null]);
    if (r.rowCount === 0) this.fence('another process declared this one dead (its heartbeat stopped)');
  }

  /** Reconnects the lock connection if it dropped; tries for the trigger lock; a hung connection counts as lost. */
  private async holdLocks(): Promise<void> {
    if (!this.client) await this.connect();
    const client = this.client;
    if (!client) return;
    const query = this.leader || !this.opts.wantsTriggers
      ? client.query('SELECT true AS ok')
      : client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [LOCK_NAMESPACE, TRIGGER_LOCK]);
    let timeout: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timeout = setTimeout(() => resolve('timeout'), LOCK_QUERY_TIMEOUT_MS)));
    let result;
    try {
      result = await Promise.race([query, timedOut]);
    } catch {
      result = 'timeout' as const;
    } finally {
      clearTimeout(timeout);
    }
    if (result === 'timeout') {
      this.dropClient(client);
      return;
    }
    if (!this.leader && this.opts.wantsTriggers && result.rows[0].ok && !this.stopped) {
      this.leader = true;
      this.opts.logger?.info({ process: this.opts.id }, 'this process holds the triggers');
      this.opts.onLeader?.();
    }
  }

  /** Removes processes that are dead and recovers their runs, one transaction each. */
  private async reap(): Promise<void> {
    const quickMs = this.beatMs * 2;
    const { rows } = await this.opts.pool.query<{ id: string }>(
      `SELECT p.id FROM flow_processes p WHERE p.id <> $1 AND (
         p.beat_at < now() - make_interval(secs => $2::double precision / 1000)
         OR (p.beat_at < now() - make_interval(secs => $3::double precision / 1000) AND NOT EXISTS (
           SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted
             AND l.classid = $4::bigint::oid AND l.objid = p.lock_key::bigint::oid AND l.objsubid = 2)))`,
      [this.opts.id, this.deadAfterMs, quickMs, LOCK_NAMESPACE],
    );
    for (const { id } of rows) {
      await transaction(this.opts.pool, async (client) => {
        // Another process may be reaping it too: whoever deletes the row recovers its runs.
        const gone = await client.query<{ id: string; role: Role; host: string; pid: number; worker_pool_id: string | null }>(
          'DELETE FROM flow_processes WHERE id = $1 RETURNING id, role, host, pid, worker_pool_id', [id]);
        const row = gone.rows[0];
        if (!row) return;
        const dead: DeadProcess = { id: row.id, role: row.role, host: row.host, pid: row.pid, workerPoolId: row.worker_pool_id };
        await this.opts.onDead?.(client, dead);
        this.opts.logger?.warn({ process: dead.id }, 'a Flow process stopped beating: its runs are recovered as after a crash');
      });
    }
  }
}
