// A Flow process as a member of a cluster (DESIGN.md §9; FLOW_DATABASE_URL set): composes the
// process session (heartbeat, liveness, trigger lock), the message bus, the shared rate limits and,
// unless the role is `web`, the job worker that runs executions. The server wires these into the
// execution service, the triggers, the kill switch and the webhook and order limits.

import type pg from 'pg';
import { NotifyBus } from './bus.js';
import { Semaphore } from '../runtime/queue.js';
import { JobWorker, LocalRuns, orphanPools, releaseDeadPool, type LocalSlot } from './jobs.js';
import { SharedRateLimits } from './limiter.js';
import { createPool, processName, transaction, type Pool } from './pg.js';
import { ensureClusterSchema } from './schema.js';
import { ProcessSession, type Role } from './session.js';

export { NotifyBus } from './bus.js';
export { addRunJob, queueOf, type LocalSlot } from './jobs.js';
export { SharedRateLimits } from './limiter.js';
export { LeaderTriggers } from './triggers.js';
export type { Role } from './session.js';

/** Channels between processes. */
export const CHANNELS = {
  /** live run events: { workflowId, event } */
  events: 'flow_run_events',
  /** the kill switch changed: { on } */
  killSwitch: 'flow_kill_switch',
  /** a workflow changed (activated, deactivated, edited, webhook changed): { workflowId } */
  workflows: 'flow_workflows',
} as const;

type Log = { info(obj: unknown, msg?: string): void; warn(obj: unknown, msg?: string): void; error(obj: unknown, msg?: string): void };

export interface ClusterOptions {
  databaseUrl: string;
  role: Role;
  /** Runs executed at once by this process's job worker. */
  concurrency: number;
  logger?: Log;
  /** Runs one execution whose job this process took (not for role `web`). */
  runExecution?: (executionId: string, signal: AbortSignal) => Promise<boolean | void>;
  /**
   * Recovers the executions a dead process held, inside the transaction that released its jobs:
   * running ones crashed (their intents unknown or not_sent), queued ones queued again or expired.
   */
  recover: (client: pg.PoolClient, jobs: Array<{ executionId: string; queue: string | null }>) => Promise<void>;
  onLeader?: () => void;
  onFollower?: () => void;
  /** This process was declared dead by the others: it must stop at once (its runs are already crashed). */
  onFenced?: (reason: string) => void;
  beatMs?: number;
  deadAfterMs?: number;
}

/** Jobs locked this long by a pool no live process owns are orphans (a process killed before it beat once). */
const ORPHAN_AFTER_MS = 15_000;

export class Cluster {
  readonly id = processName();
  readonly pool: Pool;
  readonly bus: NotifyBus;
  readonly limits: SharedRateLimits;
  readonly session: ProcessSession;
  readonly jobs: JobWorker | null;
  /** The local fast path: runs accepted here, run here at once (null for role `web`). */
  readonly local: LocalRuns | null;
  private readonly slots: Semaphore;
  /** Local runs are taken only between start (the pool id recorded) and stopJobs. */
  private localOpen = false;
  private sweeper: NodeJS.Timeout | null = null;

  constructor(private readonly opts: ClusterOptions) {
    // graphile-worker claims and completes jobs through this pool (the runs write through the store's):
    // a query at a time per job at most, far fewer in practice; PostgreSQL's 100 connections are shared by every process.
    this.pool = createPool(opts.databaseUrl, { max: Math.min(20, opts.concurrency + 4), name: `flow ${opts.role}` });
    this.bus = new NotifyBus({ connectionString: opts.databaseUrl, pool: this.pool, origin: this.id, logger: opts.logger });
    this.limits = new SharedRateLimits(opts.databaseUrl);
    const run = opts.runExecution;
    this.slots = new Semaphore(opts.concurrency);
    this.jobs = opts.role === 'web' || !run ? null : new JobWorker({
      pool: this.pool, concurrency: opts.concurrency, logger: opts.logger, slots: this.slots,
      run: async (executionId, signal) => {
        // This process's pool id is on its row before its first run starts (a crash is then recoverable).
        await this.session.recordPool();
        return run(executionId, signal);
      },
    });
    // Local jobs are completed through the limits' pool (synchronous_commit off): a completion lost in a
    // database crash leaves a finished run's job locked by this process, deleted when it leaves.
    this.local = this.jobs && new LocalRuns({ pool: this.limits.pool, slots: this.slots, poolId: () => this.jobs?.poolId ?? null, logger: opts.logger });
    this.session = new ProcessSession({
      connectionString: opts.databaseUrl, pool: this.pool, id: this.id, role: opts.role,
      wantsTriggers: opts.role !== 'worker', workerPoolId: () => this.jobs?.poolId ?? null,
      beatMs: opts.beatMs, deadAfterMs: opts.deadAfterMs, logger: opts.logger,
      onLeader: opts.onLeader, onFollower: opts.onFollower, onFenced: opts.onFenced,
      onDead: async (client, dead) => {
        if (dead.workerPoolId) await this.recoverPool(client, dead.workerPoolId);
      },
    });
  }

  /** Creates the cluster tables and graphile-worker's schema (idempotent), then joins. */
  async start(): Promise<void> {
    await ensureClusterSchema(this.pool);
    await this.bus.start();
    await this.session.start();
    await this.jobs?.start();
    if (this.jobs) {
      await this.session.recordPool();
      this.localOpen = true;
    }
    this.sweeper = setInterval(() => void this.sweepOrphans(), 5_000);
    this.sweeper.unref();
  }

  /**
   * A run slot for an execution this process is accepting, to run it here at once (its job locked to
   * this process in the execution's transaction). Null, and the job goes to the queue, for a `web`
   * process, when every slot is taken, while starting or stopping, and for `queue` workflows: their
   * order across processes is graphile-worker's named-queue lock, taken by its claim only.
   */
  takeLocal(policy: string): LocalSlot | null {
    if (!this.localOpen || !this.local || policy === 'queue') return null;
    return this.local.take();
  }

  /** Stops taking jobs, claimed or local; resolves when those running have ended and their jobs are completed. */
  async stopJobs(): Promise<void> {
    this.localOpen = false;
    await Promise.all([this.jobs?.stop(), this.local?.drain()]);
  }

  /** Stops taking jobs (running ones end first: the caller has shut its service down), leaves, closes. */
  async stop(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    await this.stopJobs();
    await this.session.stop();
    await this.bus.stop();
    await this.limits.close();
    await this.pool.end();
  }

  private async recoverPool(client: pg.PoolClient, poolId: string): Promise<void> {
    const jobs = await releaseDeadPool(client, poolId);
    if (jobs.length > 0) await this.opts.recover(client, jobs);
  }

  private async sweepOrphans(): Promise<void> {
    try {
      const pools = await orphanPools(this.pool, ORPHAN_AFTER_MS);
      for (const poolId of pools) {
        await transaction(this.pool, (client) => this.recoverPool(client, poolId));
        this.opts.logger?.warn({ pool: poolId }, 'jobs of a vanished Flow process released: its runs are recovered as after a crash');
      }
    } catch (e) {
      this.opts.logger?.warn({ err: (e as Error).message }, 'orphan job sweep failed');
    }
  }
}
