// Executions, steps, logs, order intents, notifications and start-up recovery on PostgreSQL: the
// same contract as the SQLite parts (sqlite/executions.ts, intents.ts, recovery.ts), the same rows.

import { toExecution, toSummary } from '../sqlite/executions.js';
import { toIntent } from '../sqlite/intents.js';
import { fromJson, toJson } from '../sqlite/json.js';
import { crashedNode, crashError, NOT_SENT_INTENT_ERROR, UNKNOWN_INTENT_ERROR } from '../crash.js';
import type {
  CurrentNode,
  CrashReport, CrashedExecution, ExecutionFinish, ExecutionStatus, ExecutionStore, IntentResolution, IntentStore, LogEntry,
  MiscStore, NewExecution, NewNotification, NewOrderIntent, NewStep, OrderIntent,
} from '../types.js';
import { EXECUTION_STATUSES } from '../types.js';
import { asStoreError, type Db, INTENT, named, SUMMARY } from './rows.js';

/** The writes a transaction's batch may hold, each on the connection it is given. */
export const runWrites = {
  async insertExecution(db: Db, e: NewExecution): Promise<void> {
    const createdAt = e.createdAt ?? Date.now();
    try {
      await named(db, 'flow_insert_execution', `INSERT INTO executions (id, workflow_id, version, status, trigger_kind, trigger_node, idempotency_key, created_at,
        finished_at, error, input) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [e.id, e.workflowId, e.version, e.status, e.trigger.kind, e.trigger.nodeId ?? null, e.idempotencyKey ?? null, createdAt,
        e.status === 'skipped' ? createdAt : null, e.error ?? null, toJson(e.input)]);
    } catch (err) {
      throw asStoreError(err, `execution ${e.id}`);
    }
  },
  markRunning: async (db: Db, id: string, startedAt?: number, node?: CurrentNode) =>
    ((await (node
      ? named(db, 'flow_mark_running_at', `UPDATE executions SET status = 'running', started_at = $1, current_node = $3, current_node_type = $4 WHERE id = $2 AND status = 'queued'`,
        [startedAt ?? Date.now(), id, node.id, node.type ?? null])
      : named(db, 'flow_mark_running', `UPDATE executions SET status = 'running', started_at = $1 WHERE id = $2 AND status = 'queued'`, [startedAt ?? Date.now(), id]))).rowCount ?? 0) > 0,
  async setCurrentNode(db: Db, id: string, nodeId: string | null, nodeType?: string | null): Promise<void> {
    await named(db, 'flow_set_current_node', 'UPDATE executions SET current_node = $1, current_node_type = $2 WHERE id = $3', [nodeId, nodeType ?? null, id]);
  },
  finishExecution: async (db: Db, id: string, f: ExecutionFinish) =>
    ((await (f.currentNode
      ? named(db, 'flow_finish_execution_at', `UPDATE executions SET status = $1, error = $2, variables = $3, finished_at = $4, current_node = $6, current_node_type = $7
        WHERE id = $5 AND status IN ('queued', 'running')`,
      [f.status, f.error ?? null, toJson(f.variables), f.finishedAt ?? Date.now(), id, f.currentNode.id, f.currentNode.type ?? null])
      : named(db, 'flow_finish_execution', `UPDATE executions SET status = $1, error = $2, variables = $3, finished_at = $4 WHERE id = $5 AND status IN ('queued', 'running')`,
        [f.status, f.error ?? null, toJson(f.variables), f.finishedAt ?? Date.now(), id]))).rowCount ?? 0) > 0,
  async insertStep(db: Db, s: NewStep): Promise<void> {
    await named(db, 'flow_insert_step', `INSERT INTO steps (execution_id, seq, node_id, node_type, status, started_at, finished_at, error, input, output, notes)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [s.executionId, s.seq, s.nodeId, s.nodeType, s.status, s.startedAt, s.finishedAt, s.error ?? null, toJson(s.input), toJson(s.output),
      s.notes?.length ? toJson(s.notes) : null]);
  },
  async insertLogs(db: Db, executionId: string, entries: readonly LogEntry[]): Promise<void> {
    if (entries.length === 0) return;
    // One statement for the lot: a run's logs arrive in batches.
    await named(db, 'flow_insert_logs', `INSERT INTO logs (execution_id, seq, time, level, node_id, message)
      SELECT $1, l.seq, l.time, l.level, l.node_id, l.message
      FROM unnest($2::int[], $3::bigint[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS l(seq, time, level, node_id, message, n) ORDER BY l.n`,
    [executionId, entries.map((l) => l.seq ?? null), entries.map((l) => l.time), entries.map((l) => l.level), entries.map((l) => l.nodeId ?? null), entries.map((l) => l.message)]);
  },
  async insertIntent(db: Db, i: NewOrderIntent): Promise<void> {
    try {
      await named(db, 'flow_insert_intent', `INSERT INTO order_intents (key, workflow_id, execution_id, node_id, method, status, created_at, request)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [i.key, i.workflowId, i.executionId, i.nodeId, i.method, i.status ?? 'pending', i.createdAt ?? Date.now(), toJson(i.request) ?? 'null']);
    } catch (e) {
      throw asStoreError(e, `order intent ${i.key}`);
    }
  },
  markIntentSending: async (db: Db, key: string) =>
    ((await named(db, 'flow_mark_intent_sending', `UPDATE order_intents SET status = 'pending' WHERE key = $1 AND status = 'waiting'`, [key])).rowCount ?? 0) > 0,
  resolveIntent: async (db: Db, key: string, r: IntentResolution) =>
    ((await named(db, 'flow_resolve_intent', 'UPDATE order_intents SET status = $1, answer = $2, order_ids = $3, error = $4, resolved_at = $5 WHERE key = $6',
      [r.status, toJson(r.answer), r.orderIds?.length ? JSON.stringify(r.orderIds) : null, r.error ?? null, r.resolvedAt ?? Date.now(), key])).rowCount ?? 0) > 0,
  async insertNotification(db: Db, n: NewNotification): Promise<void> {
    await named(db, 'flow_insert_notification', `INSERT INTO notifications (execution_id, node_id, channel, delivered, created_at, detail, message)
      VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [n.executionId, n.nodeId, n.channel, n.delivered, n.createdAt ?? Date.now(), n.detail ?? null, n.message]);
  },
};

export function pgRuns(pool: Db, inTransaction: <T>(fn: (db: Db) => Promise<T>) => Promise<T>):
  Omit<ExecutionStore & IntentStore, 'insertExecution' | 'markRunning' | 'setCurrentNode' | 'finishExecution' | 'insertStep' | 'insertLogs' | 'insertIntent' | 'markIntentSending' | 'resolveIntent'>
  & Pick<MiscStore, never> {
  const listIntents = async (executionId: string): Promise<OrderIntent[]> =>
    (await pool.query(`SELECT ${INTENT} FROM order_intents WHERE execution_id = $1 ORDER BY id`, [executionId])).rows.map(toIntent);
  const queued = async (workflowId?: string) => (await pool.query(`SELECT ${SUMMARY}, input, variables FROM executions
    WHERE status = 'queued' AND ($1::text IS NULL OR workflow_id = $1) ORDER BY seq`, [workflowId ?? null])).rows.map(toExecution);

  return {
    async getExecution(id) {
      const r = (await pool.query(`SELECT ${SUMMARY}, input, variables FROM executions WHERE id = $1`, [id])).rows[0];
      if (!r) return null;
      const [steps, logs, intents, notifications] = await Promise.all([
        pool.query(`SELECT seq, node_id AS "nodeId", node_type AS "nodeType", status, input, output, notes, error, started_at AS "startedAt",
          finished_at AS "finishedAt" FROM steps WHERE execution_id = $1 ORDER BY seq, id`, [id]),
        pool.query(`SELECT seq, time, level, message, node_id AS "nodeId" FROM logs WHERE execution_id = $1 ORDER BY seq, id`, [id]),
        listIntents(id),
        pool.query(`SELECT node_id AS "nodeId", channel, message, delivered, detail, created_at AS "createdAt" FROM notifications
          WHERE execution_id = $1 ORDER BY id`, [id]),
      ]);
      return {
        ...toExecution(r),
        steps: steps.rows.map((s) => ({ ...s, input: fromJson(s.input), output: fromJson(s.output), notes: fromJson(s.notes) as string[] | null })),
        logs: logs.rows,
        intents,
        notifications: notifications.rows,
      };
    },

    listExecutions: async (workflowId, o = {}) => (await pool.query(`SELECT ${SUMMARY} FROM executions WHERE workflow_id = $1
      AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR seq < (SELECT seq FROM executions WHERE id = $3))
      ORDER BY seq DESC LIMIT $4 OFFSET $5`, [workflowId, o.status ?? null, o.before ?? null, o.limit ?? 50, o.offset ?? 0])).rows.map(toSummary),

    searchExecutions: async (o) => (await pool.query(`SELECT ${SUMMARY} FROM executions WHERE ($1::text IS NULL OR workflow_id = $1)
      AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR trigger_kind = $3)
      AND ($4::bigint IS NULL OR created_at >= $4) AND ($5::bigint IS NULL OR created_at < $5)
      ORDER BY seq DESC LIMIT $6 OFFSET $7`,
    [o.workflowId ?? null, o.status ?? null, o.trigger ?? null, o.from ?? null, o.to ?? null, o.limit ?? 50, o.offset ?? 0])).rows.map(toSummary),

    findByIdempotencyKey: async (workflowId, key, sinceMs) => (await pool.query(`SELECT id FROM executions WHERE workflow_id = $1
      AND idempotency_key = $2 AND created_at >= $3 ORDER BY seq LIMIT 1`, [workflowId, key, sinceMs])).rows[0]?.id ?? null,

    async countByStatus(workflowId) {
      const rows = (await pool.query(`SELECT status, count(*)::int AS n FROM executions WHERE ($1::text IS NULL OR workflow_id = $1) GROUP BY status`,
        [workflowId ?? null])).rows as Array<{ status: ExecutionStatus; n: number }>;
      const counts = Object.fromEntries(EXECUTION_STATUSES.map((s) => [s, 0])) as Record<ExecutionStatus, number>;
      for (const r of rows) counts[r.status] = r.n;
      return counts;
    },

    listQueued: queued,

    // running → crashed (naming the node in flight); pending intents → unknown, waiting ones → not_sent. Nothing is re-sent.
    recoverAfterCrash: (now = Date.now()) => inTransaction(async (db): Promise<CrashReport> => {
      const open = (await db.query(`SELECT ${INTENT} FROM order_intents WHERE status IN ('pending', 'waiting') ORDER BY id FOR UPDATE`)).rows;
      const inFlight = new Map<string, { nodeId: string; nodeType: string }>();
      const unknownIntents: OrderIntent[] = [];
      const notSentIntents: OrderIntent[] = [];
      for (const i of open) {
        const sent = i.status === 'pending';
        const status = sent ? 'unknown' : 'not_sent';
        const error = sent ? UNKNOWN_INTENT_ERROR : NOT_SENT_INTENT_ERROR;
        await db.query('UPDATE order_intents SET status = $1, error = $2, resolved_at = $3 WHERE key = $4', [status, error, now, i.key]);
        (sent ? unknownIntents : notSentIntents).push(toIntent({ ...i, status, error, resolvedAt: now }));
        inFlight.set(i.executionId, { nodeId: i.nodeId, nodeType: i.method });
      }
      const crashed: CrashedExecution[] = [];
      const running = (await db.query(`SELECT id, workflow_id AS "workflowId", current_node AS "nodeId", current_node_type AS "nodeType"
        FROM executions WHERE status = 'running' ORDER BY seq FOR UPDATE`)).rows;
      for (const r of running) {
        const node = crashedNode(inFlight.get(r.id), r);
        const last = node ? null : (await db.query('SELECT node_id AS "nodeId", node_type AS "nodeType" FROM steps WHERE execution_id = $1 ORDER BY seq DESC, id DESC LIMIT 1', [r.id])).rows[0];
        const error = crashError(node, last);
        await db.query(`UPDATE executions SET status = 'crashed', error = $1, finished_at = $2 WHERE id = $3`, [error, now, r.id]);
        crashed.push({ executionId: r.id, workflowId: r.workflowId, nodeId: node?.nodeId ?? null, nodeType: node?.nodeType ?? null, error });
      }
      return { crashed, unknownIntents, notSentIntents };
    }),

    async getIntent(key) {
      const r = (await pool.query(`SELECT ${INTENT} FROM order_intents WHERE key = $1`, [key])).rows[0];
      return r ? toIntent(r) : null;
    },
    listIntents,
    listUnknownIntents: async () => (await pool.query(`SELECT ${INTENT} FROM order_intents WHERE status = 'unknown' ORDER BY id`)).rows.map(toIntent),
    countOrdersForWorkflowSince: async (workflowId, sinceMs) => (await pool.query(`SELECT count(*)::int AS n FROM order_intents
      WHERE workflow_id = $1 AND created_at >= $2 AND status NOT IN ('rejected', 'not_sent')`, [workflowId, sinceMs])).rows[0].n,
  };
}
