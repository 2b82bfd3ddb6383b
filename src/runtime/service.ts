// The execution service: stores every execution request before anyone is told it exists, applies
// the workflow's concurrency policy, runs the engine, and persists each step and order intent as
// the run goes (DESIGN.md §6).

import { EventEmitter } from 'node:events';
import type { Broker } from '../broker/types.js';
import { compileWorkflow, type CompiledWorkflow } from '../engine/compile.js';
import { redact, secretScrubber, withoutSecret, type Scrub } from '../engine/redact.js';
import { runWorkflow } from '../engine/run.js';
import type { LogEntry, OrderRecord, RunEvent, RunResult, Step, TriggerInfo } from '../engine/types.js';
import { defaultRegistry, type Registry } from '../nodes/registry.js';
import type { NodeSettings, Notifier } from '../nodes/types.js';
import { newExecutionId } from '../store/ids.js';
import type { ConcurrencyPolicy, RiskLimits, Store, WorkflowDefinition } from '../store/types.js';
import type { Workflow } from '../workflow/schema.js';
import { createGuard } from './guard.js';
import { GroupCommit } from './group-commit.js';
import { Lanes, Semaphore } from './queue.js';
import { scrubbedWrites, type RunWrites } from './recorder.js';
import { trace } from './trace.js';

export interface ExecutionServiceOptions {
  store: Store;
  broker: Broker;
  /** The broker for one workflow (its own OpenAlgo API key, stored at activation); default `broker`. */
  brokerFor?: (workflowId: string) => Broker;
  notifier: Notifier;
  registry?: Registry;
  timezone: string;
  now?: () => Date;
  /** Executions running at once across `parallel` workflows. */
  maxParallel?: number;
  killSwitch?: () => boolean;
  settings?: Partial<NodeSettings>;
  /** Queued executions older than this at start-up are not run (a late order is worse than none). */
  resumeMaxAgeMs?: number;
  logger?: { info(obj: unknown, msg?: string): void; warn(obj: unknown, msg?: string): void; error(obj: unknown, msg?: string): void };
  /**
   * Secret values known to Flow (OpenAlgo API key, Telegram bot token, the API token, the secret
   * key): scrubbed, with each workflow's webhook secret and broker API key, from everything a run stores.
   */
  secrets?: ReadonlyArray<string | null | undefined>;
}

export interface ExecutionRequest {
  workflowId: string;
  /** The frozen version to run; null runs the current draft (manual runs of an inactive workflow). */
  version: number | null;
  trigger: TriggerInfo;
  idempotencyKey?: string | null;
  concurrency?: ConcurrencyPolicy;
  limits?: RiskLimits;
}

export interface Accepted {
  executionId: string;
  status: 'queued' | 'skipped';
  /** The idempotency key was seen before: this is the first execution, nothing new was started. */
  duplicate: boolean;
}

export class ServiceClosed extends Error {
  constructor() {
    super('Flow is shutting down and takes no new executions');
  }
}

interface Job {
  executionId: string;
  workflowId: string;
  version: number | null;
  trigger: TriggerInfo;
  limits: RiskLimits;
  policy: ConcurrencyPolicy;
}

const DAY_MS = 86_400_000;

export class ExecutionService {
  /** Every engine event, tagged with its workflow: live viewers and metrics listen here. */
  readonly events = new EventEmitter();
  private readonly registry: Registry;
  private readonly now: () => Date;
  private readonly lanes: Lanes<Job>;
  private readonly pool: Semaphore;
  private readonly running = new Map<string, { controller: AbortController; job: Job; done: Promise<RunResult | null> }>();
  private readonly commits: GroupCommit;
  private readonly waiters = new Map<string, Array<(r: RunResult | null) => void>>();
  private readonly compiled = new Map<string, CompiledWorkflow>();
  private readonly brokers = new Map<string, Broker>();
  /** Per workflow: its run-data writes, scrubbed of the known secrets and its own. */
  private readonly recorders = new Map<string, { scrub: Scrub; writes: RunWrites }>();
  /** Idempotency keys of executions being committed (workflow + key → execution id). */
  private readonly pendingKeys = new Map<string, string>();
  /** Queued executions canceled before their turn: skipped when it comes. */
  private readonly canceledQueued = new Set<string>();
  private inFlight = 0;
  /** Executions waiting or running, per workflow (the `skip` policy asks this). */
  private readonly perWorkflow = new Map<string, number>();
  private closed = false;

  constructor(private readonly opts: ExecutionServiceOptions) {
    this.registry = opts.registry ?? defaultRegistry;
    this.now = opts.now ?? (() => new Date());
    this.pool = new Semaphore(opts.maxParallel ?? 64);
    this.lanes = new Lanes((job) => this.execute(job));
    // With one execution in flight nothing can share its commit: commit without waiting a turn.
    this.commits = new GroupCommit((fn) => opts.store.tx(fn), () => this.inFlight <= 1);
    this.events.setMaxListeners(0);
  }

  /**
   * Records an execution as `queued` (or `skipped`) and schedules it. Synchronous: when this
   * returns, the execution is committed and may be announced.
   */
  request(req: ExecutionRequest): Accepted {
    const p = this.prepare(req);
    if (!p.accepted.duplicate) {
      try {
        this.opts.store.tx(p.write);
      } catch (e) {
        this.release(p);
        throw e;
      }
    }
    this.launch(p);
    return p.accepted;
  }

  /**
   * The same as request(), with the execution (and `also`, e.g. the webhook delivery) written in
   * the next group commit; resolves once committed, so the answer can announce it. The run starts
   * only after that.
   */
  async submit(req: ExecutionRequest, also?: (accepted: Accepted) => void): Promise<Accepted> {
    const p = this.prepare(req);
    if (p.accepted.duplicate) return p.accepted;
    try {
      await this.commits.commit(() => {
        p.write();
        also?.(p.accepted);
      });
    } catch (e) {
      this.release(p);
      throw e;
    }
    this.launch(p);
    return p.accepted;
  }

  /** Checks a request and builds its write; in-memory state (keys, counts) is claimed at once. */
  private prepare(req: ExecutionRequest): { accepted: Accepted; write: () => void; job?: Job; pendingKey?: string } {
    if (this.closed) throw new ServiceClosed();
    const { store } = this.opts;
    const key = req.idempotencyKey?.trim() || null;
    const nowMs = this.now().getTime();
    const pendingKey = key ? `${req.workflowId}\u0000${key}` : undefined;
    if (key) {
      const first = this.pendingKeys.get(pendingKey!) ?? store.findByIdempotencyKey(req.workflowId, key, nowMs - DAY_MS);
      if (first) return { accepted: { executionId: first, status: 'queued', duplicate: true }, write: () => {} };
    }
    const policy = req.concurrency ?? 'queue';
    // Time-ordered ids keep every index on executions append-only.
    const executionId = newExecutionId(nowMs);
    const trigger: TriggerInfo = { ...req.trigger, payload: withoutSecret(req.trigger.payload ?? {}) };
    const base = {
      id: executionId, workflowId: req.workflowId, version: req.version,
      trigger: { kind: trigger.kind, nodeId: trigger.nodeId }, input: redact(trigger.payload), idempotencyKey: key, createdAt: nowMs,
    };
    // Claimed only after everything that can throw on the payload: a failure here must not keep the key.
    if (pendingKey) this.pendingKeys.set(pendingKey, executionId);
    if (policy === 'skip' && this.isBusy(req.workflowId)) {
      return {
        accepted: { executionId, status: 'skipped', duplicate: false }, pendingKey,
        write: () => this.recorder(req.workflowId).writes.insertExecution({ ...base, status: 'skipped', error: 'skipped: a run of this workflow is already in progress (concurrency: skip)' }),
      };
    }
    const job: Job = { executionId, workflowId: req.workflowId, version: req.version, trigger, limits: req.limits ?? {}, policy };
    this.claim(job);
    return { accepted: { executionId, status: 'queued', duplicate: false }, job, pendingKey, write: () => this.recorder(req.workflowId).writes.insertExecution({ ...base, status: 'queued' }) };
  }

  /** After the execution is committed: its idempotency key is in the database, its job may start. */
  private launch(p: { job?: Job; pendingKey?: string }): void {
    if (p.pendingKey) this.pendingKeys.delete(p.pendingKey);
    if (p.job) this.schedule(p.job);
  }

  /** The write failed: give back what prepare() claimed. */
  private release(p: { job?: Job; pendingKey?: string }): void {
    if (p.pendingKey) this.pendingKeys.delete(p.pendingKey);
    if (p.job) this.unclaim(p.job);
  }

  /**
   * Resolves with the run result when the execution ends (null if it never ran: canceled while
   * queued), scrubbed of known secrets as the stored run is.
   */
  wait(executionId: string): Promise<RunResult | null> {
    const running = this.running.get(executionId);
    if (running) {
      const { scrub } = this.recorder(running.job.workflowId);
      return running.done.then((r) => r && scrub(r));
    }
    // It may already have ended (a draft that failed to compile ends in the microtask after submit).
    const stored = this.opts.store.getExecution(executionId);
    if (stored && stored.status !== 'queued' && stored.status !== 'running') return Promise.resolve(null);
    return new Promise((resolve) => {
      const list = this.waiters.get(executionId) ?? [];
      list.push(resolve);
      this.waiters.set(executionId, list);
    });
  }

  /** Cancels a queued or running execution; false when it is neither. */
  cancel(executionId: string): boolean {
    const running = this.running.get(executionId);
    if (running) {
      running.controller.abort(new Error('canceled'));
      return true;
    }
    const finished = this.opts.store.finishExecution(executionId, {
      status: 'canceled', error: 'canceled before it started', finishedAt: this.now().getTime(),
    });
    if (finished) {
      this.canceledQueued.add(executionId);
      this.settleWaiters(executionId, null);
    }
    return finished;
  }

  /** Executions waiting or running. */
  get depth(): number {
    return this.inFlight;
  }

  get runningCount(): number {
    return this.running.size;
  }

  /** Forgets compiled versions of a workflow (after an update or deactivation). */
  invalidate(workflowId: string): void {
    for (const key of this.compiled.keys()) if (key.startsWith(`${workflowId}@`)) this.compiled.delete(key);
    this.brokers.delete(workflowId);
    this.recorders.delete(workflowId);
  }

  /** The scrubbed run-data writes of a workflow's runs (its secrets are read once, until invalidate). */
  private recorder(workflowId: string): { scrub: Scrub; writes: RunWrites } {
    let r = this.recorders.get(workflowId);
    if (!r) {
      let own: Array<string | null> = [];
      try {
        const secrets = this.opts.store.getWorkflowSecrets(workflowId);
        own = [secrets?.webhookSecret ?? null, secrets?.brokerApiKey ?? null];
      } catch (e) {
        // Unreadable secrets (a changed secret key) cannot be used by this run either; scrub the known ones.
        this.opts.logger?.warn({ workflowId, err: (e as Error).message }, 'workflow secrets unreadable');
      }
      const scrub = secretScrubber([...(this.opts.secrets ?? []), ...own]);
      r = { scrub, writes: scrubbedWrites(this.opts.store, scrub) };
      this.recorders.set(workflowId, r);
    }
    return r;
  }

  private brokerOf(workflowId: string): Broker {
    if (!this.opts.brokerFor) return this.opts.broker;
    let broker = this.brokers.get(workflowId);
    if (!broker) {
      broker = this.opts.brokerFor(workflowId);
      this.brokers.set(workflowId, broker);
    }
    return broker;
  }

  /**
   * Start-up: runs left `running` by a crash become `crashed`, unanswered intents `unknown`, intents
   * still waiting for a rate-limit slot `not_sent` (nothing is re-sent); queued executions young
   * enough run again, older ones are closed.
   */
  recover(lookup: (workflowId: string) => { concurrency: ConcurrencyPolicy; limits: RiskLimits } | null): { crashed: number; unknownIntents: number; notSentIntents: number; resumed: number; expired: number } {
    const { store } = this.opts;
    const report = store.recoverAfterCrash(this.now().getTime());
    for (const c of report.crashed) this.opts.logger?.warn({ executionId: c.executionId, workflowId: c.workflowId }, c.error);
    for (const i of report.unknownIntents) {
      this.opts.logger?.warn({ executionId: i.executionId, nodeId: i.nodeId, key: i.key }, 'order outcome unknown after a crash: check the broker order book; it will not be re-sent');
    }
    for (const i of report.notSentIntents) {
      this.opts.logger?.warn({ executionId: i.executionId, nodeId: i.nodeId, key: i.key }, 'order not sent: Flow stopped while it waited for a rate-limit slot; it was not placed and will not be re-sent');
    }
    let resumed = 0;
    let expired = 0;
    const maxAge = this.opts.resumeMaxAgeMs ?? 60_000;
    for (const e of store.listQueued()) {
      const age = this.now().getTime() - e.createdAt;
      const settings = lookup(e.workflowId);
      if (age > maxAge || !settings) {
        store.finishExecution(e.id, {
          status: 'canceled', finishedAt: this.now().getTime(),
          error: settings ? `not run: queued ${Math.round(age / 1000)} s before a restart; too late to act on` : 'not run: the workflow no longer exists',
        });
        expired++;
        continue;
      }
      const job: Job = {
        executionId: e.id, workflowId: e.workflowId, version: e.version,
        trigger: { ...e.trigger, payload: (e.input ?? {}) as Record<string, unknown> },
        limits: settings.limits, policy: settings.concurrency,
      };
      this.claim(job);
      this.schedule(job);
      resumed++;
    }
    return { crashed: report.crashed.length, unknownIntents: report.unknownIntents.length, notSentIntents: report.notSentIntents.length, resumed, expired };
  }

  /**
   * Stops taking work, lets running executions finish for `graceMs`, then cancels them.
   * Executions still queued stay queued in the store (resumed or expired at the next start).
   */
  async shutdown(graceMs = 10_000): Promise<void> {
    this.closed = true;
    const all = () => [...this.running.values()].map((r) => r.done);
    const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
    if ((await Promise.race([Promise.all(all()), timer])) === 'timeout') {
      for (const r of this.running.values()) r.controller.abort(new Error('shutdown'));
      await Promise.all(all());
    }
  }

  private isBusy(workflowId: string): boolean {
    return (this.perWorkflow.get(workflowId) ?? 0) > 0;
  }

  /** Counts a job as waiting or running (the `skip` policy and the queue depth read this). */
  private claim(job: Job): void {
    this.inFlight++;
    this.perWorkflow.set(job.workflowId, (this.perWorkflow.get(job.workflowId) ?? 0) + 1);
  }

  private unclaim(job: Job): void {
    this.inFlight--;
    const left = (this.perWorkflow.get(job.workflowId) ?? 1) - 1;
    if (left > 0) this.perWorkflow.set(job.workflowId, left);
    else this.perWorkflow.delete(job.workflowId);
  }

  /**
   * Starts a claimed job on the next microtask: a caller may record more in the same
   * transaction as the execution (the webhook delivery) and answer before the run begins.
   */
  private schedule(job: Job): void {
    queueMicrotask(() => {
      if (job.policy === 'queue') this.lanes.add(job.workflowId, job);
      else void this.pool.acquire().then(() => this.execute(job).finally(() => this.pool.release()));
    });
  }

  private definitionFor(job: Job): CompiledWorkflow {
    const { store } = this.opts;
    if (job.version === null) {
      const wf = store.getWorkflow(job.workflowId);
      if (!wf) throw new Error(`workflow ${job.workflowId} not found`);
      return this.compile(`${job.workflowId}@draft:${wf.updatedAt}`, wf.definition);
    }
    const key = `${job.workflowId}@${job.version}`;
    const hit = this.compiled.get(key);
    if (hit) return hit;
    const version = store.getVersion(job.workflowId, job.version);
    if (!version) throw new Error(`workflow ${job.workflowId} version ${job.version} not found`);
    return this.compile(key, version.definition);
  }

  private compile(key: string, definition: WorkflowDefinition): CompiledWorkflow {
    const compiled = compileWorkflow(definition as Workflow, this.registry);
    this.compiled.set(key, compiled);
    return compiled;
  }

  private async execute(job: Job): Promise<void> {
    const { store } = this.opts;
    const { scrub, writes } = this.recorder(job.workflowId);
    const id = job.executionId;
    let announce: ((r: RunResult | null) => void) | undefined;
    try {
      // After shutdown began, queued work stays queued in the store for the next start; a waiting
      // request is answered with that (queued) state rather than left open.
      if (this.closed) {
        this.settleWaiters(id, null);
        return;
      }
      if (this.canceledQueued.delete(id)) return;
      trace?.('engine.start');
      const startedAt = this.now().getTime();
      let wf: CompiledWorkflow;
      try {
        wf = this.definitionFor(job);
      } catch (e) {
        writes.finishExecution(id, { status: 'failed', error: (e as Error).message, finishedAt: this.now().getTime() });
        this.logRun(job, scrub, { workflow: null, status: 'failed', durationMs: this.now().getTime() - startedAt, orders: 0, error: (e as Error).message });
        this.settleWaiters(id, null);
        return;
      }
      const controller = new AbortController();
      let currentNode = '';
      let pendingLogs: LogEntry[] = [];
      let pendingSteps: Step[] = [];
      let pendingAnswers: OrderRecord[] = [];
      // `running` is written with the first commit the run needs: before its first node that waits
      // on the world, with its first order intent, or with the finish. A crash before then leaves
      // the execution queued, to be resumed or expired: nothing outside Flow had happened.
      let runningWritten = false;
      const toLog = (l: LogEntry) => ({ time: Date.parse(l.time), level: l.level, message: l.message, nodeId: l.nodeId ?? null });
      /**
       * Commits what the run has done so far, plus `extra`, in the next group commit. The pending
       * lists are taken when asked, so a write retried alone (after another run's write failed the
       * shared transaction) writes the same rows again; on failure they are put back.
       */
      const commitProgress = async (extra: () => void) => {
        const steps = pendingSteps;
        const answers = pendingAnswers;
        const logs = pendingLogs;
        pendingSteps = [];
        pendingAnswers = [];
        pendingLogs = [];
        const markRunning = !runningWritten;
        try {
          await this.commits.commit(() => {
            if (markRunning && !store.markRunning(id, startedAt)) controller.abort(new Error('canceled'));
            for (const s of steps) {
              writes.insertStep({
                executionId: id, seq: s.seq, nodeId: s.nodeId, nodeType: s.type, status: s.status, input: s.input, output: s.output,
                error: s.error ?? null, notes: s.notes ?? null, startedAt: s.startedAt ? Date.parse(s.startedAt) : startedAt,
                finishedAt: s.finishedAt ? Date.parse(s.finishedAt) : startedAt,
              });
            }
            for (const o of answers) {
              writes.resolveIntent(o.key, { status: o.status, answer: redact(o.answer), orderIds: o.orderIds, error: o.error ?? null, resolvedAt: o.answeredAt ? Date.parse(o.answeredAt) : undefined });
            }
            if (logs.length > 0) writes.insertLogs(id, logs.map(toLog));
            extra();
          });
        } catch (e) {
          pendingSteps = steps.concat(pendingSteps);
          pendingAnswers = answers.concat(pendingAnswers);
          pendingLogs = logs.concat(pendingLogs);
          throw e;
        }
        runningWritten = true;
      };
      const emit = (e: RunEvent) => this.events.emit('event', job.workflowId, e);
      const notifier: Notifier = {
        send: async (n, signal) => {
          const nodeId = currentNode;
          const r = await this.opts.notifier.send(n, signal);
          writes.insertNotification({ executionId: id, nodeId, channel: n.channel, message: n.message, delivered: r.delivered, detail: r.detail ?? r.via });
          return r;
        },
      };
      const done = runWorkflow(wf, {
        broker: this.brokerOf(job.workflowId), notifier, executionId: id, trigger: job.trigger, signal: controller.signal,
        timezone: this.opts.timezone, now: this.now, settings: this.opts.settings,
        guard: createGuard({
          killSwitch: this.opts.killSwitch ?? (() => false), limits: job.limits, now: this.now, timezone: this.opts.timezone,
          ordersSince: (since) => store.countOrdersForWorkflowSince(job.workflowId, since),
        }),
        hooks: {
          // Before a node that waits on the world (a broker read, HTTP, a delay) runs, one commit
          // records the run as running, the steps finished so far with their logs, and the node in
          // flight. Instant nodes do nothing a crash could lose; an order node's commit is its intent's.
          beforeNode: (nodeId, nodeType) => {
            currentNode = nodeId;
            const def = wf.byId.get(nodeId)?.def;
            if (def && !def.trigger && !def.instant && def.category !== 'order') return commitProgress(() => store.setCurrentNode(id, nodeId, nodeType));
          },
          onEvent: (e) => {
            if (e.type === 'log') pendingLogs.push(e.entry);
            emit(e);
          },
          // Written with the next commit: before the next node that waits on the world, or the finish.
          stepFinished: (s) => {
            pendingSteps.push(s);
          },
          // The intent, and with it all progress so far, is durable before the broker is called; one
          // that must wait for a rate-limit slot is written `waiting`, and marked sent once it has the slot.
          orderIntent: (o, stage) =>
            commitProgress(() => {
              store.setCurrentNode(id, o.nodeId, wf.byId.get(o.nodeId)?.type ?? null);
              writes.insertIntent({
                key: o.key, workflowId: job.workflowId, executionId: id, nodeId: o.nodeId, method: o.method, request: o.request,
                createdAt: Date.parse(o.createdAt), status: stage === 'waiting' ? 'waiting' : 'pending',
              });
            }),
          orderSending: (o) => commitProgress(() => {
            store.markIntentSending(o.key);
          }),
          // The answer is written with the next commit, in the same tick (a crash in between leaves the
          // intent unknown: never re-sent, checked in the order book).
          orderResolved: (o) => {
            pendingAnswers.push(o);
          },
        },
      });
      // Waiters see the run once its finish is committed.
      const finished = new Promise<RunResult | null>((resolve) => (announce = resolve));
      this.running.set(id, { controller, job, done: finished });
      const result = await done;
      await commitProgress(() => {
        // Skipped steps are not written one by one as they happen; record them with the finish.
        const at = Date.parse(result.finishedAt);
        for (const s of result.steps) {
          if (s.status === 'skipped') writes.insertStep({ executionId: id, seq: s.seq, nodeId: s.nodeId, nodeType: s.type, status: 'skipped', startedAt: at, finishedAt: at });
        }
        // The in-flight marker is only written before nodes that wait on the world; a finished run
        // names the node it failed at, else the last that ran.
        const ran = result.steps.filter((s) => s.status !== 'skipped');
        const last = result.failedNodeId ? ran.find((s) => s.nodeId === result.failedNodeId) ?? ran.at(-1) : ran.at(-1);
        store.setCurrentNode(id, last?.nodeId ?? null, last?.type ?? null);
        writes.finishExecution(id, { status: result.status, error: result.error, variables: redact(result.variables), finishedAt: at });
      });
      trace?.('finish.committed');
      this.running.delete(id);
      this.logRun(job, scrub, {
        workflow: wf.name, status: result.status, durationMs: Date.parse(result.finishedAt) - Date.parse(result.startedAt),
        orders: result.orders.length, error: result.error ?? null,
      });
      announce?.(result);
      this.settleWaiters(id, result, scrub);
    } catch (e) {
      this.opts.logger?.error({ executionId: id, err: (e as Error).message }, 'execution could not be recorded');
      try {
        writes.finishExecution(id, { status: 'failed', error: `internal error: ${(e as Error).message}`, finishedAt: this.now().getTime() });
      } catch {
        // The store itself is failing; the run stays open and is reported as crashed at the next start.
      }
      this.running.delete(id);
      announce?.(null);
      this.settleWaiters(id, null);
    } finally {
      this.unclaim(job);
    }
  }

  /**
   * One line per run that ended: who, what started it, how it ended, how long, how many orders and the
   * first error, scrubbed as the stored run is (an error message can quote a payload or an answer).
   */
  private logRun(job: Job, scrub: Scrub, r: { workflow: string | null; status: string; durationMs: number; orders: number; error: string | null }): void {
    const log = this.opts.logger;
    if (!log) return;
    const error = r.error ? r.error.split('; ')[0] : undefined;
    const line = scrub({
      workflow: r.workflow, workflowId: job.workflowId, executionId: job.executionId, trigger: job.trigger.kind,
      status: r.status, durationMs: r.durationMs, orders: r.orders, ...(error ? { error } : {}),
    });
    if (r.status === 'completed') log.info(line, 'run completed');
    else log.warn(line, `run ${r.status}`);
  }

  private settleWaiters(executionId: string, result: RunResult | null, scrub?: Scrub): void {
    const list = this.waiters.get(executionId);
    if (!list) return;
    this.waiters.delete(executionId);
    const shown = result && scrub ? scrub(result) : result;
    for (const resolve of list) resolve(shown);
  }
}
