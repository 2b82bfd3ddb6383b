// The execution service: stores every execution request before anyone is told it exists, applies
// the workflow's concurrency policy, runs the engine, and persists each step and order intent as
// the run goes (DESIGN.md §6).

import { EventEmitter } from 'node:events';
import type { Broker } from '../broker/types.js';
import { compileWorkflow, type CompiledWorkflow } from '../engine/compile.js';
import { redact, secretScrubber, withoutSecret, type Scrub } from '../engine/redact.js';
import { runWorkflow } from '../engine/run.js';
import type { RunResult, TriggerInfo } from '../engine/types.js';
import { defaultRegistry, type Registry } from '../nodes/registry.js';
import type { NodeSettings, Notifier } from '../nodes/types.js';
import { newExecutionId } from '../store/ids.js';
import type { ConcurrencyPolicy, RiskLimits, Store, WorkflowDefinition, WriteBatch } from '../store/types.js';
import { createGuard } from './guard.js';
import { GroupCommit, type Committer, type OpenCommit } from './group-commit.js';
import { Lanes, Semaphore } from './queue.js';
import { RunRecorder, scrubbedBatch } from './recorder.js';
import { trace } from './trace.js';

export interface ExecutionServiceOptions {
  store: Store;
  broker: Broker;
  /** The broker for one workflow (its own OpenAlgo API key, stored at activation); default `broker`. */
  brokerFor?: (workflowId: string) => Promise<Broker>;
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
  /**
   * Several processes on PostgreSQL (DESIGN.md §9): runs are jobs. `enqueue` records, in the
   * execution's transaction, its job, deciding `skip` and the idempotency key across processes
   * (rejects with code 23505 for a key already used); a process runs a job it takes with
   * runStored. Nothing is scheduled in memory, and start-up recovery is the cluster's, per process.
   */
  jobs?: RunJobs;
}

export interface RunJobs {
  /**
   * `runHere`: runs the execution in this process (once committed) without its job being claimed
   * through the queue — the jobs may take it (a free run slot: its job added locked by this process),
   * or leave it to the queue.
   */
  enqueue(w: WriteBatch, e: {
    executionId: string; workflowId: string; policy: ConcurrencyPolicy; idempotencyKey: string | null; createdAt: number;
    runHere?: () => Promise<boolean>;
  }): Promise<'queued' | 'skipped'>;
  /** Asks the process running this execution, wherever it is, to cancel it. */
  cancelElsewhere(executionId: string): void;
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
  /** Started before its execution was durable: its writes go through this gate (see request()). */
  commits?: Committer;
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
  /** Boxed: a promise must never adopt a broker (a proxy that answers every property looks like a thenable). */
  private readonly brokers = new Map<string, Promise<{ broker: Broker }>>();
  /** Per workflow: the scrubber of its run data (the known secrets and its own), read once until invalidate. */
  private readonly scrubbers = new Map<string, Promise<Scrub>>();
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
   * Records an execution as `queued` (or `skipped`) and schedules it; resolves once the execution
   * is committed and may be announced. The execution (and `also`, e.g. the webhook delivery) is
   * written in the next group commit. A run that may start at once starts before it and commits its
   * first durable point in that same commit (startNow); any other run starts only after it.
   */
  async request(req: ExecutionRequest, also?: (w: WriteBatch, accepted: Accepted) => void): Promise<Accepted> {
    const p = await this.prepare(req);
    if (p.accepted.duplicate) return p.accepted;
    const write = (w: WriteBatch) => {
      p.write(w);
      also?.(w, p.accepted);
    };
    const open = p.job && this.startNow(p.job, write);
    if (open) {
      // Started before its execution is durable: its first durable point (the running mark, its
      // steps, an order intent) joins the execution's commit. Nothing it does reaches the world
      // before that commit (every node that does commits first), and the answer waits for it.
      try {
        await open.done;
      } finally {
        if (p.pendingKey) this.pendingKeys.delete(p.pendingKey);
      }
      return p.accepted;
    }
    try {
      await this.commits.commit(write);
    } catch (e) {
      this.release(p);
      // Another process stored this key first (decided in the transaction): that execution is the answer.
      const key = req.idempotencyKey?.trim();
      if (key && (e as { code?: string }).code === '23505') {
        const first = await this.opts.store.findByIdempotencyKey(req.workflowId, key, this.now().getTime() - DAY_MS);
        if (first) return { executionId: first, status: 'queued', duplicate: true };
      }
      throw e;
    }
    this.launch(p);
    return p.accepted;
  }

  /**
   * Starts a claimed job at once, before `write` (its execution) is committed, when its policy lets
   * it start now (`queue`: nothing else of its workflow in flight; otherwise a free `maxParallel` slot): the
   * execution's write is queued as an open commit and the job's writes go through a gate that joins
   * it while it is queued, and otherwise waits for it. Null (nothing done) when it must wait its turn.
   * The run (execute) owns the claim from here: if the commit fails, its own writes fail with it
   * (nothing reaches the broker: an intent is never durable) and it ends, giving the claim back.
   */
  private startNow(job: Job, write: (w: WriteBatch) => void): OpenCommit | null {
    // `queue`: only when no other run of its workflow is waiting or running, committed or not (one
    // accepted earlier and still committing must not be overtaken).
    const free = job.policy === 'queue'
      ? (this.perWorkflow.get(job.workflowId) ?? 0) <= 1 && !this.lanes.busy(job.workflowId)
      : this.pool.tryAcquire();
    if (!free) return null;
    const open = this.commits.open(write);
    job.commits = joining(open, this.commits);
    if (job.policy === 'queue') this.lanes.add(job.workflowId, job);
    else void this.execute(job).finally(() => this.pool.release());
    return open;
  }

  /** Checks a request and builds its write; in-memory state (keys, counts) is claimed before it resolves. */
  private async prepare(req: ExecutionRequest): Promise<{ accepted: Accepted; write: (w: WriteBatch) => void; job?: Job; pendingKey?: string }> {
    if (this.closed) throw new ServiceClosed();
    const key = req.idempotencyKey?.trim() || null;
    const nowMs = this.now().getTime();
    const pendingKey = key ? `${req.workflowId}\u0000${key}` : undefined;
    const duplicate = (first: string) => ({ accepted: { executionId: first, status: 'queued' as const, duplicate: true }, write: () => {} });
    if (key) {
      const first = this.pendingKeys.get(pendingKey!) ?? await this.opts.store.findByIdempotencyKey(req.workflowId, key, nowMs - DAY_MS);
      if (first) return duplicate(first);
    }
    const scrub = await this.scrubberOf(req.workflowId);
    // The reads above let other requests in: one with the same key may have claimed it meanwhile.
    const claimed = pendingKey && this.pendingKeys.get(pendingKey);
    if (claimed) return duplicate(claimed);
    if (this.closed) throw new ServiceClosed();
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
    const jobs = this.opts.jobs;
    if (jobs) {
      // Stored queued with its job; `skip` (runs anywhere) is decided in the same transaction. Run
      // here at once when the jobs take it (no read of what was just written), else by whoever claims it.
      const accepted: Accepted = { executionId, status: 'queued', duplicate: false };
      const here: Job = { executionId, workflowId: req.workflowId, version: req.version, trigger, limits: req.limits ?? {}, policy };
      return {
        accepted, pendingKey,
        write: (w) => {
          scrubbedBatch(w, scrub).insertExecution({ ...base, status: 'queued' });
          jobs.enqueue(w, { executionId, workflowId: req.workflowId, policy, idempotencyKey: key, createdAt: nowMs, runHere: () => this.runStored(executionId, here) })
            .then((status) => (accepted.status = status), () => {});
        },
      };
    }
    if (policy === 'skip' && this.isBusy(req.workflowId)) {
      return {
        accepted: { executionId, status: 'skipped', duplicate: false }, pendingKey,
        write: (w) => scrubbedBatch(w, scrub).insertExecution({ ...base, status: 'skipped', error: 'skipped: a run of this workflow is already in progress (concurrency: skip)' }),
      };
    }
    const job: Job = { executionId, workflowId: req.workflowId, version: req.version, trigger, limits: req.limits ?? {}, policy };
    this.claim(job);
    return { accepted: { executionId, status: 'queued', duplicate: false }, job, pendingKey, write: (w) => scrubbedBatch(w, scrub).insertExecution({ ...base, status: 'queued' }) };
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
  async wait(executionId: string): Promise<RunResult | null> {
    const running = this.running.get(executionId);
    if (running) {
      const scrub = await this.scrubberOf(running.job.workflowId);
      return running.done.then((r) => r && scrub(r));
    }
    // It may already have ended (a draft that failed to compile ends in the microtask after submit).
    const waiting = new Promise<RunResult | null>((resolve) => {
      const list = this.waiters.get(executionId) ?? [];
      list.push(resolve);
      this.waiters.set(executionId, list);
    });
    const stored = await this.opts.store.getExecution(executionId);
    if (stored && stored.status !== 'queued' && stored.status !== 'running') this.settleWaiters(executionId, null);
    return waiting;
  }

  /** Cancels a queued or running execution; false when it is neither. */
  async cancel(executionId: string): Promise<boolean> {
    const running = this.running.get(executionId);
    if (running) {
      running.controller.abort(new Error('canceled'));
      return true;
    }
    if (this.opts.jobs) {
      // It may be running in another process: that one aborts it. Queued, it is closed here (its job then finds it canceled).
      const stored = await this.opts.store.getExecution(executionId);
      if (stored?.status === 'running') {
        this.opts.jobs.cancelElsewhere(executionId);
        return true;
      }
    }
    // Marked before the write: a job whose turn comes meanwhile is skipped (and the store refuses to
    // mark a canceled run running in any case).
    this.canceledQueued.add(executionId);
    const finished = await this.opts.store.finishExecution(executionId, {
      status: 'canceled', error: 'canceled before it started', finishedAt: this.now().getTime(),
    });
    if (finished) this.settleWaiters(executionId, null);
    else this.canceledQueued.delete(executionId);
    return finished;
  }

  /** Cancels an execution if it runs in this process (asked by another process); true when it did. */
  cancelLocal(executionId: string): boolean {
    const running = this.running.get(executionId);
    running?.controller.abort(new Error('canceled'));
    return running !== undefined;
  }

  /** A run executed by another process ended: whoever waits on it here reads the stored run. */
  settleRemote(executionId: string): void {
    this.settleWaiters(executionId, null);
  }

  /**
   * Runs a stored execution whose job this process took (cluster mode), to its end. Answers false,
   * running nothing, when this service is shutting down (the caller queues it again) — a canceled
   * or already recovered execution is simply not run.
   */
  async runStored(executionId: string, known?: Job): Promise<boolean> {
    if (this.closed) return false;
    let job: Job;
    if (known) {
      // Accepted by this process a moment ago (the local fast path): nothing to read back. Claimed
      // before anything is awaited; a cancel in between is refused by markRunning, as for any run.
      job = known;
    } else {
      const e = await this.opts.store.getExecution(executionId);
      if (!e || e.status !== 'queued') return true;
      const wf = await this.opts.store.getWorkflow(e.workflowId);
      job = {
        executionId, workflowId: e.workflowId, version: e.version,
        trigger: { ...e.trigger, payload: (e.input ?? {}) as Record<string, unknown> },
        limits: wf?.limits ?? {}, policy: wf?.concurrency ?? 'queue',
      };
    }
    // execute() looks at `closed` before its first await: checked here again after ours.
    if (this.closed) return false;
    this.claim(job);
    await this.execute(job);
    return true;
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
    this.scrubbers.delete(workflowId);
  }

  /** The scrubber of a workflow's run data: the known secrets and its own (read once, until invalidate). */
  private scrubberOf(workflowId: string): Promise<Scrub> {
    let scrub = this.scrubbers.get(workflowId);
    if (!scrub) {
      scrub = this.opts.store.getWorkflowSecrets(workflowId).then(
        (secrets) => [secrets?.webhookSecret ?? null, secrets?.brokerApiKey ?? null],
        (e: Error) => {
          // Unreadable secrets (a changed secret key) cannot be used by this run either; scrub the known ones.
          this.opts.logger?.warn({ workflowId, err: e.message }, 'workflow secrets unreadable');
          return [];
        },
      ).then((own) => secretScrubber([...(this.opts.secrets ?? []), ...own]));
      this.scrubbers.set(workflowId, scrub);
    }
    return scrub;
  }

  private brokerOf(workflowId: string): Promise<{ broker: Broker }> {
    const brokerFor = this.opts.brokerFor;
    if (!brokerFor) return Promise.resolve({ broker: this.opts.broker });
    let broker = this.brokers.get(workflowId);
    if (!broker) {
      broker = (async () => ({ broker: await brokerFor(workflowId) }))();
      // A failed look-up is not kept: the next run asks again.
      broker.catch(() => this.brokers.delete(workflowId));
      this.brokers.set(workflowId, broker);
    }
    return broker;
  }

  /**
   * Start-up: runs left `running` by a crash become `crashed`, unanswered intents `unknown`, intents
   * still waiting for a rate-limit slot `not_sent` (nothing is re-sent); queued executions young
   * enough run again, older ones are closed.
   */
  async recover(lookup: (workflowId: string) => Promise<{ concurrency: ConcurrencyPolicy; limits: RiskLimits } | null>): Promise<{ crashed: number; unknownIntents: number; notSentIntents: number; resumed: number; expired: number }> {
    const { store } = this.opts;
    const report = await store.recoverAfterCrash(this.now().getTime());
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
    for (const e of await store.listQueued()) {
      const age = this.now().getTime() - e.createdAt;
      const settings = await lookup(e.workflowId);
      if (age > maxAge || !settings) {
        await store.finishExecution(e.id, {
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

  private async definitionFor(job: Job): Promise<CompiledWorkflow> {
    const { store } = this.opts;
    if (job.version === null) {
      const wf = await store.getWorkflow(job.workflowId);
      if (!wf) throw new Error(`workflow ${job.workflowId} not found`);
      return this.compile(`${job.workflowId}@draft:${wf.updatedAt}`, wf.definition);
    }
    const key = `${job.workflowId}@${job.version}`;
    const hit = this.compiled.get(key);
    if (hit) return hit;
    const version = await store.getVersion(job.workflowId, job.version);
    if (!version) throw new Error(`workflow ${job.workflowId} version ${job.version} not found`);
    return this.compile(key, version.definition);
  }

  private compile(key: string, definition: WorkflowDefinition): CompiledWorkflow {
    const compiled = compileWorkflow(definition, this.registry);
    this.compiled.set(key, compiled);
    return compiled;
  }

  /** One run: the policy (canceled while queued, shutting down) and the lifecycle; the recorder writes it. */
  private async execute(job: Job): Promise<void> {
    const id = job.executionId;
    let announce: ((r: RunResult | null) => void) | undefined;
    let scrub: Scrub = (v) => v;
    let recorder: RunRecorder | undefined;
    const commits = job.commits ?? this.commits;
    try {
      // After shutdown began, queued work stays queued in the store for the next start; a waiting
      // request is answered with that (queued) state rather than left open.
      if (this.closed) {
        this.settleWaiters(id, null);
        return;
      }
      if (this.canceledQueued.delete(id)) return;
      scrub = await this.scrubberOf(job.workflowId);
      trace?.('engine.start');
      const startedAt = this.now().getTime();
      const controller = new AbortController();
      // Registered before anything is awaited: a cancel from now on aborts the run.
      const finished = new Promise<RunResult | null>((resolve) => (announce = resolve));
      this.running.set(id, { controller, job, done: finished });
      let wf: CompiledWorkflow;
      let broker: Broker;
      try {
        [wf, { broker }] = await Promise.all([this.definitionFor(job), this.brokerOf(job.workflowId)]);
      } catch (e) {
        const message = (e as Error).message;
        await commits.commit((w) => scrubbedBatch(w, scrub).finishExecution(id, { status: 'failed', error: message, finishedAt: this.now().getTime() }));
        this.running.delete(id);
        this.logRun(job, scrub, { workflow: null, status: 'failed', durationMs: this.now().getTime() - startedAt, orders: 0, error: message });
        announce?.(null);
        this.settleWaiters(id, null);
        return;
      }
      recorder = new RunRecorder({
        executionId: id, workflowId: job.workflowId, workflow: wf, startedAt, commits, scrub, controller,
        emit: (e) => this.events.emit('event', job.workflowId, e),
      });
      const result = await runWorkflow(wf, {
        broker, notifier: recorder.notifier(this.opts.notifier), executionId: id, trigger: job.trigger, signal: controller.signal,
        timezone: this.opts.timezone, now: this.now, settings: this.opts.settings,
        guard: createGuard({
          killSwitch: this.opts.killSwitch ?? (() => false), limits: job.limits, now: this.now, timezone: this.opts.timezone,
          ordersSince: (since) => this.opts.store.countOrdersForWorkflowSince(job.workflowId, since),
        }),
        hooks: recorder.hooks(),
      });
      // Waiters see the run once its finish is committed.
      await recorder.finish(result);
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
        const message = `internal error: ${(e as Error).message}`;
        if (recorder) await recorder.fail(message, this.now().getTime());
        else await commits.commit((w) => scrubbedBatch(w, scrub).finishExecution(id, { status: 'failed', error: message, finishedAt: this.now().getTime() }));
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

/**
 * The writes of a run started before its execution is durable: while the execution's commit is
 * queued they join it (one transaction: both durable, or neither); after it was taken by a flush
 * they wait for it to be durable (a failed execution commit fails them, so the run stops before
 * anything reaches the world), and once it is, they go to the group commit directly.
 */
function joining(open: OpenCommit, commits: GroupCommit): Committer {
  let durable = false;
  const after = open.done.then(() => {
    durable = true;
  });
  after.catch(() => {});
  return {
    commit: (write) => {
      if (durable) return commits.commit(write);
      return open.join(write) ?? after.then(() => commits.commit(write));
    },
  };
}
