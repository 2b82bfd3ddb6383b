// The run recorder: the one door a run's data goes through on its way to the store (DESIGN.md §6).
// It implements the engine's hooks and owns what a run has done but not yet committed (steps, logs,
// broker answers), when that is committed (before a node that waits on the world, with an order
// intent, at the finish), the `running` mark, and the finish. Every write has the known secret
// values scrubbed from all it carries first, so no node, message or error can store one in clear.

import type { CompiledWorkflow } from '../engine/compile.js';
import { redact, type Scrub } from '../engine/redact.js';
import type { LogEntry, OrderRecord, RunHooks, RunResult, Step } from '../engine/types.js';
import type { Notifier } from '../nodes/types.js';
import type { CurrentNode, WriteBatch } from '../store/types.js';
import type { Committer } from './group-commit.js';

/** A write batch whose every write has each argument scrubbed. */
export function scrubbedBatch(w: WriteBatch, scrub: Scrub): WriteBatch {
  return new ScrubbedBatch(w, scrub);
}

// One object per use with its methods on the prototype (a closure per method per commit was ~2 % of
// the CPU under a webhook load). Execution ids and times are Flow's own; everything else is scrubbed
// (an intent's key holds its node's id, scrubbed alike wherever it is written or looked up).
class ScrubbedBatch implements WriteBatch {
  constructor(private readonly w: WriteBatch, private readonly s: Scrub) {}
  insertExecution(input: Parameters<WriteBatch['insertExecution']>[0]): void {
    this.w.insertExecution(this.s(input));
  }
  markRunning(id: string, startedAt?: number, node?: CurrentNode): Promise<boolean> {
    return this.w.markRunning(id, startedAt, node && this.s(node));
  }
  setCurrentNode(id: string, nodeId: string | null, nodeType?: string | null): void {
    this.w.setCurrentNode(id, this.s(nodeId), this.s(nodeType));
  }
  finishExecution(id: string, finish: Parameters<WriteBatch['finishExecution']>[1]): void {
    this.w.finishExecution(id, this.s(finish));
  }
  insertStep(step: Parameters<WriteBatch['insertStep']>[0]): void {
    this.w.insertStep(this.s(step));
  }
  insertLogs(executionId: string, entries: Parameters<WriteBatch['insertLogs']>[1]): void {
    this.w.insertLogs(executionId, this.s(entries));
  }
  insertIntent(intent: Parameters<WriteBatch['insertIntent']>[0]): void {
    this.w.insertIntent(this.s(intent));
  }
  markIntentSending(key: string): void {
    this.w.markIntentSending(this.s(key));
  }
  resolveIntent(key: string, resolution: Parameters<WriteBatch['resolveIntent']>[1]): void {
    this.w.resolveIntent(this.s(key), this.s(resolution));
  }
  insertNotification(notification: Parameters<WriteBatch['insertNotification']>[0]): void {
    this.w.insertNotification(this.s(notification));
  }
  insertDelivery(delivery: Parameters<WriteBatch['insertDelivery']>[0]): void {
    this.w.insertDelivery(this.s(delivery));
  }
}

export interface RecorderOptions {
  executionId: string;
  workflowId: string;
  workflow: CompiledWorkflow;
  startedAt: number;
  /** The group commit, or (a run started before its execution is durable) a gate that joins that commit first. */
  commits: Committer;
  scrub: Scrub;
  /** Aborted when the store says the run is no longer queued as it starts (canceled meanwhile). */
  controller: AbortController;
  /** Live events (viewers, metrics). */
  emit(event: Parameters<NonNullable<RunHooks['onEvent']>>[0]): void;
}

const toLog = (l: LogEntry) => ({ time: Date.parse(l.time), level: l.level, message: l.message, nodeId: l.nodeId ?? null });

export class RunRecorder {
  private pendingLogs: LogEntry[] = [];
  private pendingSteps: Step[] = [];
  private pendingAnswers: OrderRecord[] = [];
  // `running` is written with the first commit the run needs: before its first node that waits on
  // the world, with its first order intent, or with the finish. A crash before then leaves the
  // execution queued, to be resumed or expired: nothing outside Flow had happened.
  private runningWritten = false;
  private currentNode = '';

  constructor(private readonly o: RecorderOptions) {}

  /** The engine's hooks for this run. */
  hooks(): RunHooks {
    const { workflow: wf, executionId: id } = this.o;
    return {
      // Before a node that waits on the world (a broker read, HTTP, a delay) runs, one commit
      // records the run as running, the steps finished so far with their logs, and the node in
      // flight. Instant nodes do nothing a crash could lose; an order node's commit is its intent's.
      beforeNode: (nodeId, nodeType) => {
        this.currentNode = nodeId;
        const def = wf.byId.get(nodeId)?.def;
        if (def && !def.trigger && !def.instant && def.category !== 'order') return this.commit(() => {}, { id: nodeId, type: nodeType });
      },
      onEvent: (e) => {
        if (e.type === 'log') this.pendingLogs.push(e.entry);
        this.o.emit(e);
      },
      // Written with the next commit: before the next node that waits on the world, or the finish.
      stepFinished: (s) => {
        this.pendingSteps.push(s);
      },
      // The intent, and with it all progress so far, is durable before the broker is called; one
      // that must wait for a rate-limit slot is written `waiting`, and marked sent once it has the slot.
      orderIntent: (o, stage) =>
        this.commit((w) => {
          w.insertIntent({
            key: o.key, workflowId: this.o.workflowId, executionId: id, nodeId: o.nodeId, method: o.method, request: o.request,
            createdAt: Date.parse(o.createdAt), status: stage === 'waiting' ? 'waiting' : 'pending',
          });
        }, { id: o.nodeId, type: wf.byId.get(o.nodeId)?.type ?? null }),
      orderSending: (o) => this.commit((w) => w.markIntentSending(o.key)),
      // The answer is written with the next commit, in the same tick (a crash in between leaves the
      // intent unknown: never re-sent, checked in the order book).
      orderResolved: (o) => {
        this.pendingAnswers.push(o);
      },
    };
  }

  /** The notifier a run uses: each alert, delivered or not, is recorded with the run. */
  notifier(inner: Notifier): Notifier {
    return {
      send: async (n, signal) => {
        const nodeId = this.currentNode;
        const r = await inner.send(n, signal);
        await this.o.commits.commit((w) => scrubbedBatch(w, this.o.scrub).insertNotification({
          executionId: this.o.executionId, nodeId, channel: n.channel, message: n.message, delivered: r.delivered, detail: r.detail ?? r.via,
        }));
        return r;
      },
    };
  }

  /** The run ended: its last steps, the skipped ones, the node it ended at and its outcome, in one commit. */
  finish(result: RunResult): Promise<void> {
    const id = this.o.executionId;
    return this.commit((w) => {
      // Skipped steps are not written one by one as they happen; record them with the finish.
      const at = Date.parse(result.finishedAt);
      for (const s of result.steps) {
        if (s.status === 'skipped') w.insertStep({ executionId: id, seq: s.seq, nodeId: s.nodeId, nodeType: s.type, status: 'skipped', startedAt: at, finishedAt: at });
      }
      // The in-flight marker is only written before nodes that wait on the world; a finished run
      // names the node it failed at, else the last that ran.
      const ran = result.steps.filter((s) => s.status !== 'skipped');
      const last = result.failedNodeId ? ran.find((s) => s.nodeId === result.failedNodeId) ?? ran.at(-1) : ran.at(-1);
      w.finishExecution(id, {
        status: result.status, error: result.error, variables: redact(result.variables), finishedAt: at,
        currentNode: { id: last?.nodeId ?? null, type: last?.type ?? null },
      });
    });
  }

  /** The run could not run or be recorded: it ends failed with this message (scrubbed). */
  fail(message: string, finishedAt: number): Promise<void> {
    return this.o.commits.commit((w) => scrubbedBatch(w, this.o.scrub).finishExecution(this.o.executionId, { status: 'failed', error: message, finishedAt }));
  }

  /**
   * Commits what the run has done so far, plus `extra`, in the next group commit, with `node` as
   * the node in flight (in the running mark's statement when this is the run's first commit). The pending
   * lists are taken when asked, so a write retried alone (after another run's write failed the
   * shared transaction) writes the same rows again; on failure they are put back.
   */
  private async commit(extra: (w: WriteBatch) => void, node?: CurrentNode): Promise<void> {
    const { executionId: id, startedAt, scrub } = this.o;
    const steps = this.pendingSteps;
    const answers = this.pendingAnswers;
    const logs = this.pendingLogs;
    this.pendingSteps = [];
    this.pendingAnswers = [];
    this.pendingLogs = [];
    const markRunning = !this.runningWritten;
    let started: Promise<boolean> | undefined;
    try {
      await this.o.commits.commit((batch) => {
        const w = scrubbedBatch(batch, scrub);
        if (markRunning) started = w.markRunning(id, startedAt, node);
        else if (node) w.setCurrentNode(id, node.id, node.type);
        for (const s of steps) {
          w.insertStep({
            executionId: id, seq: s.seq, nodeId: s.nodeId, nodeType: s.type, status: s.status, input: s.input, output: s.output,
            error: s.error ?? null, notes: s.notes ?? null, startedAt: s.startedAt ? Date.parse(s.startedAt) : startedAt,
            finishedAt: s.finishedAt ? Date.parse(s.finishedAt) : startedAt,
          });
        }
        for (const o of answers) {
          w.resolveIntent(o.key, { status: o.status, answer: redact(o.answer), orderIds: o.orderIds, error: o.error ?? null, resolvedAt: o.answeredAt ? Date.parse(o.answeredAt) : undefined });
        }
        if (logs.length > 0) w.insertLogs(id, logs.map(toLog));
        extra(w);
      });
    } catch (e) {
      this.pendingSteps = steps.concat(this.pendingSteps);
      this.pendingAnswers = answers.concat(this.pendingAnswers);
      this.pendingLogs = logs.concat(this.pendingLogs);
      throw e;
    }
    this.runningWritten = true;
    if (started && !(await started)) this.o.controller.abort(new Error('canceled'));
  }
}
