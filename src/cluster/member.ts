// `flow serve` with FLOW_DATABASE_URL: joins the cluster and wires it into the process's parts
// (DESIGN.md §9). The server calls joinCluster once its service, workflows and triggers exist;
// everything cluster-specific is here, the server keeps one branch per concern.

import { createHash } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { CHANNELS, Cluster } from './index.js';
import { recoverExecutions } from './recovery.js';
import { EventRelay, relayKillSwitch, relayWorkflowChanges } from './relay.js';
import type { Role } from './session.js';
import type { LeaderTriggers } from './triggers.js';

type Log = { info(obj: unknown, msg?: string): void; warn(obj: unknown, msg?: string): void; error(obj: unknown, msg?: string): void };

export interface MemberDeps {
  databaseUrl: string;
  role: Role;
  /** Runs at once in this process (FLOW_MAX_PARALLEL). */
  concurrency: number;
  logger: Log;
  /** A run's job came to this process: run the stored execution to its end (false: not run, stopping). */
  runStored: (executionId: string) => Promise<boolean>;
  /** Queued runs not started within this long after their process died are closed, not run (60 s). */
  resumeMaxAgeMs?: number;
  /** The execution service's event emitter (live viewers, metrics). */
  events: EventEmitter;
  /** A run executed elsewhere ended: settle this process's waiters on it (a ?wait=true). */
  settleRemote: (executionId: string) => void;
  /** Another process asks to cancel a run: true when it runs here (and was aborted). */
  cancelLocal: (executionId: string) => boolean;
  /** Re-reads a workflow another process changed (webhook route, settings, compiled versions, triggers). */
  reloadWorkflow: (workflowId: string) => Promise<void> | void;
  /** Arms every active workflow's triggers through the registry (the server's restore). */
  restoreTriggers: () => Promise<unknown> | unknown;
  /** Kill switch: apply a value another process set; read the stored value. */
  killSwitch: { apply: (on: boolean) => void; read: () => Promise<boolean> };
}

export interface Member {
  cluster: Cluster;
  /** The registry the workflow manager registers triggers through (arms them only while this process holds the lock). */
  triggers: LeaderTriggers;
  /** Tell the others: the kill switch changed / a workflow changed / cancel this run. */
  announceKillSwitch(on: boolean): void;
  announceWorkflow(workflowId: string): void;
  cancelElsewhere(executionId: string): void;
  /** A live viewer here follows a run that may execute elsewhere. */
  watch(executionId: string): () => void;
  /** For health: this process, its role, whether it holds the triggers. */
  status(): { process: string; role: Role; triggers: boolean };
  /** What the HTTP side needs: health, live viewers of runs executed elsewhere, a token's webhook limit (per minute) shared. */
  apiHooks(webhooksPerMinute: number): {
    status(): { process: string; role: Role; triggers: boolean };
    watch(executionId: string): () => void;
    tokenLimit(token: string): Promise<{ ok: true } | { ok: false; retryAfterMs: number }>;
  };
  /** Stops taking jobs; resolves when the running ones have ended (the service ends or cancels them). */
  stopJobs(): Promise<void>;
  leave(): Promise<void>;
}

/** A batch of the store's writes that can also run a statement in its PostgreSQL transaction. */
interface QueryingBatch {
  query?(text: string, params: unknown[]): Promise<Array<Record<string, unknown>>>;
  /** Called once the transaction ended: true committed, false rolled back (the PostgreSQL store's batch). */
  settled?(fn: (committed: boolean) => void): void;
}

const DAY_MS = 86_400_000;

/**
 * The execution service's jobs in cluster mode: an execution's job (or skip, or a refused duplicate
 * key) decided by flow_enqueue_run in the execution's own transaction; cancels reach the process
 * running the execution. `member` is read when needed (the service exists before the member).
 */
export function runJobs(member: () => Member | undefined) {
  return {
    enqueue(w: unknown, e: {
      executionId: string; workflowId: string; policy: string; idempotencyKey: string | null; createdAt: number;
      runHere?: () => Promise<boolean>;
    }): Promise<'queued' | 'skipped'> {
      const batch = w as QueryingBatch;
      if (!batch.query) return Promise.reject(new Error('several Flow processes need the PostgreSQL store (FLOW_DATABASE_URL)'));
      // The local fast path: a free run slot here, and the job is added locked by this process, run once committed.
      const runHere = e.runHere;
      const slot = runHere && batch.settled ? member()?.cluster.takeLocal(e.policy) ?? null : null;
      // 'queued', 'skipped', or 'locked:<job id>' (added locked by this process: queued, to run here).
      const decided = batch.query('SELECT flow_enqueue_run($1, $2, $3, $4, $5, $6, $7) AS s',
        [e.executionId, e.workflowId, e.policy, e.idempotencyKey, e.createdAt - DAY_MS, e.createdAt, slot?.lockedBy ?? null])
        .then((rows) => {
          const s = rows[0].s as string;
          return s.startsWith('locked:') ? { status: 'queued' as const, lockedJob: s.slice('locked:'.length) } : { status: s as 'queued' | 'skipped', lockedJob: null };
        });
      if (slot) {
        let lockedJob: string | null = null;
        decided.then((d) => (lockedJob = d.lockedJob), () => {});
        // Told once per transaction, committed or not: the slot is used or given back, exactly once.
        batch.settled!((committed) => {
          if (!committed) {
            if (lockedJob) slot.abandon(lockedJob);
            else slot.release();
            return;
          }
          // Committed: every statement ran, so the decision is known (or about to be, a microtask on).
          decided.then((d) => (d.lockedJob ? slot.start(d.lockedJob, runHere!) : slot.release()), () => slot.release());
        });
      }
      return decided.then((d) => d.status);
    },
    cancelElsewhere(executionId: string): void {
      member()?.cancelElsewhere(executionId);
    },
  };
}

/** A key's name in the shared limits: a digest, never the key itself. */
function limitKey(kind: string, secret: string): string {
  return `${kind}:${createHash('sha256').update(secret).digest('base64url').slice(0, 22)}`;
}

/**
 * The order slot of one OpenAlgo API key shared by every process: `perSecond` orders in any second
 * (plus a margin for the spread of network delays: OpenAlgo counts them on arrival).
 */
export function orderGate(member: () => Member | undefined, perSecond: number): ((apiKey: string) => (signal?: AbortSignal) => Promise<void>) | undefined {
  if (!(perSecond > 0) || !Number.isFinite(perSecond)) return undefined;
  const n = Math.max(1, Math.floor(perSecond));
  const windowMs = (n * 1000) / perSecond + ORDER_WINDOW_MARGIN_MS;
  return (apiKey) => {
    const key = limitKey('order', apiKey);
    return async (signal) => {
      const m = member();
      if (m) await m.cluster.limits.acquire(key, n, windowMs, signal);
    };
  };
}

/** Added to the order window: two processes' orders may reach OpenAlgo a few ms apart from when their slots were taken. */
const ORDER_WINDOW_MARGIN_MS = 50;

/**
 * Joins the cluster. `triggers` wraps the process's trigger hub and is the registry its workflow
 * manager registers through; the caller does not start the hub (the trigger lock decides).
 */
export async function joinCluster(triggers: LeaderTriggers, deps: MemberDeps): Promise<Member> {
  const log = deps.logger;
  let leading: Promise<void> = Promise.resolve();
  const cluster = new Cluster({
    databaseUrl: deps.databaseUrl, role: deps.role, concurrency: deps.concurrency, logger: log,
    runExecution: deps.role === 'web' ? undefined : deps.runStored,
    recover: async (client, jobs) => {
      const r = await recoverExecutions(client, jobs, { now: Date.now(), resumeMaxAgeMs: deps.resumeMaxAgeMs ?? 60_000 });
      for (const c of r.crashed) log.warn({ executionId: c.executionId, workflowId: c.workflowId }, c.error);
      for (const i of r.unknownIntents) log.warn({ executionId: i.executionId, nodeId: i.nodeId, key: i.key }, 'order outcome unknown: its Flow process stopped; check the broker order book; it will not be re-sent');
      for (const i of r.notSentIntents) log.warn({ executionId: i.executionId, nodeId: i.nodeId, key: i.key }, 'order not sent: its Flow process stopped while it waited for a rate-limit slot; it will not be re-sent');
      if (r.requeued.length || r.expired.length) log.warn({ requeued: r.requeued.length, expired: r.expired.length }, 'runs a stopped Flow process had taken but not started');
    },
    onLeader: () => {
      leading = leading.then(() => triggers.lead(deps.restoreTriggers)).catch((e: Error) => log.error({ err: e.message }, 'could not arm the triggers'));
    },
    onFollower: () => {
      leading = leading.then(() => triggers.follow());
    },
    onFenced: (reason) => {
      // Its runs are crashed and its intents unknown already: running on could place an order nobody tracks.
      log.error({ process: cluster.id }, `stopping at once: ${reason}`);
      process.exit(70);
    },
  });
  const relay = new EventRelay(cluster.bus, deps.events);
  // Every run's end reaches every process: waiters here on a run executed elsewhere settle (and read the stored run).
  deps.events.on('event', (_w: string, e: { type: string; executionId: string }, origin?: string) => {
    if (origin === 'remote' && e.type === 'run_finished') deps.settleRemote(e.executionId);
  });
  const kill = relayKillSwitch(cluster.bus, deps.killSwitch);
  const workflowsRelay = relayWorkflowChanges(cluster.bus, (workflowId) => {
    Promise.resolve(deps.reloadWorkflow(workflowId)).catch((e: Error) => log.error({ workflowId, err: e.message }, 'could not reload a workflow changed by another process'));
  });
  const offCancel = cluster.bus.subscribe(`${CHANNELS.workflows}_cancel`, (m) => void deps.cancelLocal(m as string));
  await cluster.start();
  const status = () => ({ process: cluster.id, role: deps.role, triggers: triggers.isLeader });
  return {
    cluster, triggers, status,
    announceKillSwitch: kill.announce,
    announceWorkflow: workflowsRelay.announce,
    cancelElsewhere: (executionId) => void cluster.bus.publish(`${CHANNELS.workflows}_cancel`, executionId),
    watch: (executionId) => relay.watch(executionId),
    apiHooks(perMinute) {
      return {
        status,
        watch: (executionId) => relay.watch(executionId),
        tokenLimit: (token) => cluster.limits.take(limitKey('webhook', token), perMinute, 60_000),
      };
    },
    stopJobs: () => cluster.stopJobs(),
    leave: async () => {
      triggers.follow();
      relay.stop();
      kill.stop();
      workflowsRelay.stop();
      offCancel();
      await cluster.stop();
    },
  };
}
