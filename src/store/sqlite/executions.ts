// Executions, their steps and their logs. These sit on the hot path of every run:
// statements are prepared once, each call is one small write.

import type Database from 'better-sqlite3';
import type {
  Execution, ExecutionDetail, ExecutionStatus, ExecutionStore, ExecutionSummary, LogEntry, OrderIntent, Step,
  StoredNotification, TriggerKind,
} from '../types.js';
import { EXECUTION_STATUSES } from '../types.js';
import type { Sync } from './sync.js';
import { asStoreError } from './errors.js';
import { fromJson, toJson } from './json.js';

type DB = Database.Database;

export const SUMMARY = `id, workflow_id AS workflowId, version, status, trigger_kind AS triggerKind,
  trigger_node AS triggerNode, idempotency_key AS idempotencyKey, created_at AS createdAt, started_at AS startedAt,
  finished_at AS finishedAt, current_node AS currentNodeId, current_node_type AS currentNodeType, error`;

interface SummaryRow {
  id: string; workflowId: string; version: number | null; status: ExecutionStatus; triggerKind: TriggerKind;
  triggerNode: string | null; idempotencyKey: string | null; createdAt: number; startedAt: number | null;
  finishedAt: number | null; currentNodeId: string | null; currentNodeType: string | null; error: string | null;
}
type FullRow = SummaryRow & { input: string | null; variables: string | null };

export function toSummary(r: SummaryRow): ExecutionSummary {
  const { triggerKind, triggerNode, ...rest } = r;
  return { ...rest, trigger: triggerNode === null ? { kind: triggerKind } : { kind: triggerKind, nodeId: triggerNode } };
}

export function toExecution(r: FullRow): Execution {
  const { input, variables, ...summary } = r;
  return {
    ...toSummary(summary),
    input: fromJson(input),
    variables: fromJson(variables) as Record<string, unknown> | null,
  };
}

export interface ExecutionDeps {
  listIntents(executionId: string): OrderIntent[];
  listNotifications(executionId: string): StoredNotification[];
  recoverAfterCrash: Sync<ExecutionStore>['recoverAfterCrash'];
}

export function executionStore(db: DB, deps: ExecutionDeps): Sync<ExecutionStore> {
  const q = {
    insert: db.prepare(`INSERT INTO executions (id, workflow_id, version, status, trigger_kind, trigger_node,
      idempotency_key, created_at, finished_at, error, input) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    markRunning: db.prepare(`UPDATE executions SET status = 'running', started_at = ? WHERE id = ? AND status = 'queued'`),
    markRunningAt: db.prepare(`UPDATE executions SET status = 'running', started_at = ?, current_node = ?, current_node_type = ?
      WHERE id = ? AND status = 'queued'`),
    setCurrentNode: db.prepare('UPDATE executions SET current_node = ?, current_node_type = ? WHERE id = ?'),
    finish: db.prepare(`UPDATE executions SET status = ?, error = ?, variables = ?, finished_at = ?
      WHERE id = ? AND status IN ('queued', 'running')`),
    finishAt: db.prepare(`UPDATE executions SET status = ?, error = ?, variables = ?, finished_at = ?, current_node = ?,
      current_node_type = ? WHERE id = ? AND status IN ('queued', 'running')`),
    get: db.prepare<[string], FullRow>(`SELECT ${SUMMARY}, input, variables FROM executions WHERE id = ?`),
    list: db.prepare<{ workflowId: string; status: string | null; before: string | null; limit: number; offset: number }, SummaryRow>(
      `SELECT ${SUMMARY} FROM executions WHERE workflow_id = :workflowId AND (:status IS NULL OR status = :status)
       AND (:before IS NULL OR seq < (SELECT seq FROM executions WHERE id = :before))
       ORDER BY seq DESC LIMIT :limit OFFSET :offset`),
    search: db.prepare<{ workflowId: string | null; status: string | null; trigger: string | null; from: number | null; to: number | null; limit: number; offset: number }, SummaryRow>(
      `SELECT ${SUMMARY} FROM executions WHERE (:workflowId IS NULL OR workflow_id = :workflowId)
       AND (:status IS NULL OR status = :status) AND (:trigger IS NULL OR trigger_kind = :trigger)
       AND (:from IS NULL OR created_at >= :from) AND (:to IS NULL OR created_at < :to)
       ORDER BY seq DESC LIMIT :limit OFFSET :offset`),
    byIdempotencyKey: db.prepare<[string, string, number], { id: string }>(
      `SELECT id FROM executions WHERE workflow_id = ? AND idempotency_key = ? AND created_at >= ? ORDER BY seq LIMIT 1`),
    countAll: db.prepare<[], { status: ExecutionStatus; n: number }>('SELECT status, count(*) AS n FROM executions GROUP BY status'),
    countFor: db.prepare<[string], { status: ExecutionStatus; n: number }>(
      'SELECT status, count(*) AS n FROM executions WHERE workflow_id = ? GROUP BY status'),
    // A scan: used at start-up only.
    queuedAll: db.prepare<[], FullRow>(`SELECT ${SUMMARY}, input, variables FROM executions WHERE status = 'queued' ORDER BY seq`),
    queuedFor: db.prepare<[string], FullRow>(`SELECT ${SUMMARY}, input, variables FROM executions
      WHERE workflow_id = ? AND status = 'queued' ORDER BY seq`),
    insertStep: db.prepare(`INSERT INTO steps (execution_id, seq, node_id, node_type, status, started_at, finished_at,
      error, input, output, notes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    steps: db.prepare<[string], Omit<Step, 'input' | 'output' | 'notes'> & { input: string | null; output: string | null; notes: string | null }>(
      `SELECT seq, node_id AS nodeId, node_type AS nodeType, status, input, output, notes, error, started_at AS startedAt,
       finished_at AS finishedAt FROM steps WHERE execution_id = ? ORDER BY seq, id`),
    insertLog: db.prepare('INSERT INTO logs (execution_id, seq, time, level, node_id, message) VALUES (?, ?, ?, ?, ?, ?)'),
    logs: db.prepare<[string], LogEntry>(
      'SELECT seq, time, level, message, node_id AS nodeId FROM logs WHERE execution_id = ? ORDER BY seq, id'),
  };

  const insertLogs = db.transaction((executionId: string, entries: readonly LogEntry[]) => {
    for (const l of entries) q.insertLog.run(executionId, l.seq ?? null, l.time, l.level, l.nodeId ?? null, l.message);
  });

  const countRows = (rows: Array<{ status: ExecutionStatus; n: number }>) => {
    const counts = Object.fromEntries(EXECUTION_STATUSES.map((s) => [s, 0])) as Record<ExecutionStatus, number>;
    for (const r of rows) counts[r.status] = r.n;
    return counts;
  };

  return {
    insertExecution(e) {
      const createdAt = e.createdAt ?? Date.now();
      try {
        q.insert.run(e.id, e.workflowId, e.version, e.status, e.trigger.kind, e.trigger.nodeId ?? null,
          e.idempotencyKey ?? null, createdAt, e.status === 'skipped' ? createdAt : null, e.error ?? null, toJson(e.input));
      } catch (err) {
        throw asStoreError(err, `execution ${e.id}`);
      }
    },

    markRunning: (id, startedAt, node) => (node
      ? q.markRunningAt.run(startedAt ?? Date.now(), node.id, node.type ?? null, id)
      : q.markRunning.run(startedAt ?? Date.now(), id)).changes > 0,

    setCurrentNode(id, nodeId, nodeType) {
      q.setCurrentNode.run(nodeId, nodeType ?? null, id);
    },

    finishExecution: (id, f) => (f.currentNode
      ? q.finishAt.run(f.status, f.error ?? null, toJson(f.variables), f.finishedAt ?? Date.now(), f.currentNode.id, f.currentNode.type ?? null, id)
      : q.finish.run(f.status, f.error ?? null, toJson(f.variables), f.finishedAt ?? Date.now(), id)).changes > 0,

    getExecution(id): ExecutionDetail | null {
      const r = q.get.get(id);
      if (!r) return null;
      return {
        ...toExecution(r),
        steps: q.steps.all(id).map((s) => ({ ...s, input: fromJson(s.input), output: fromJson(s.output), notes: fromJson(s.notes) as string[] | null })),
        logs: q.logs.all(id),
        intents: deps.listIntents(id),
        notifications: deps.listNotifications(id),
      };
    },

    listExecutions: (workflowId, o = {}) =>
      q.list.all({ workflowId, status: o.status ?? null, before: o.before ?? null, limit: o.limit ?? 50, offset: o.offset ?? 0 })
        .map(toSummary),

    searchExecutions: (o) => q.search.all({
      workflowId: o.workflowId ?? null, status: o.status ?? null, trigger: o.trigger ?? null,
      from: o.from ?? null, to: o.to ?? null, limit: o.limit ?? 50, offset: o.offset ?? 0,
    }).map(toSummary),

    findByIdempotencyKey: (workflowId, key, sinceMs) => q.byIdempotencyKey.get(workflowId, key, sinceMs)?.id ?? null,

    countByStatus: (workflowId) => countRows(workflowId === undefined ? q.countAll.all() : q.countFor.all(workflowId)),

    listQueued: (workflowId) => (workflowId === undefined ? q.queuedAll.all() : q.queuedFor.all(workflowId)).map(toExecution),

    recoverAfterCrash: deps.recoverAfterCrash,

    insertStep(s) {
      q.insertStep.run(s.executionId, s.seq, s.nodeId, s.nodeType, s.status, s.startedAt, s.finishedAt, s.error ?? null,
        toJson(s.input), toJson(s.output), s.notes?.length ? toJson(s.notes) : null);
    },

    insertLogs(executionId, entries) {
      if (entries.length === 1) {
        const l = entries[0];
        q.insertLog.run(executionId, l.seq ?? null, l.time, l.level, l.nodeId ?? null, l.message);
      } else if (entries.length > 1) {
        insertLogs(executionId, entries);
      }
    },
  };
}
