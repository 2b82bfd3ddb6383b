// Retention: deletes runs that are both beyond the newest N of their workflow and older than D days,
// in bounded batches with the event loop free between them. Open runs and runs holding an order
// whose outcome is pending or unknown are kept whole.

import type Database from 'better-sqlite3';
import type { ExecutionStatus, PruneOptions, PruneResult } from '../types.js';

type DB = Database.Database;

const DAY_MS = 86_400_000;
const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));

interface Candidate { seq: number; id: string; status: ExecutionStatus; createdAt: number; held: number }

export function retention(db: DB): (options?: PruneOptions) => Promise<PruneResult> {
  const q = {
    // Index seeks, one per workflow: never a scan of the whole table.
    nextWorkflow: db.prepare<[string], { workflowId: string }>(
      'SELECT workflow_id AS workflowId FROM executions WHERE workflow_id > ? ORDER BY workflow_id LIMIT 1'),
    // The newest execution beyond the kept N; it and everything older are candidates.
    boundary: db.prepare<[string, number], { seq: number }>(
      'SELECT seq FROM executions WHERE workflow_id = ? ORDER BY seq DESC LIMIT 1 OFFSET ?'),
    window: db.prepare<[string, number, number, number], Candidate>(
      `SELECT e.seq, e.id, e.status, e.created_at AS createdAt,
         EXISTS (SELECT 1 FROM order_intents i WHERE i.execution_id = e.id AND i.status IN ('waiting', 'pending', 'unknown')) AS held
       FROM executions e WHERE e.workflow_id = ? AND e.seq > ? AND e.seq <= ? ORDER BY e.seq LIMIT ?`),
    steps: db.prepare('DELETE FROM steps WHERE execution_id = ?'),
    logs: db.prepare('DELETE FROM logs WHERE execution_id = ?'),
    intents: db.prepare(`DELETE FROM order_intents WHERE execution_id = ? AND status NOT IN ('waiting', 'pending', 'unknown')`),
    notifications: db.prepare('DELETE FROM notifications WHERE execution_id = ?'),
    execution: db.prepare('DELETE FROM executions WHERE seq = ?'),
    deliveries: db.prepare<[number, number], { id: number; receivedAt: number }>(
      'SELECT id, received_at AS receivedAt FROM webhook_deliveries WHERE id > ? ORDER BY id LIMIT ?'),
    deleteDeliveries: db.prepare('DELETE FROM webhook_deliveries WHERE id > ? AND id <= ? AND received_at < ?'),
  };

  const deleteRuns = db.transaction((runs: Candidate[], counts: PruneResult) => {
    for (const r of runs) {
      counts.steps += q.steps.run(r.id).changes;
      counts.logs += q.logs.run(r.id).changes;
      counts.intents += q.intents.run(r.id).changes;
      counts.notifications += q.notifications.run(r.id).changes;
      counts.executions += q.execution.run(r.seq).changes;
    }
  });

  return async (options = {}) => {
    const keep = Math.max(0, Math.floor(options.keepPerWorkflow ?? 500));
    const cutoff = (options.now ?? Date.now()) - (options.maxAgeDays ?? 30) * DAY_MS;
    const batch = Math.max(1, Math.floor(options.batchSize ?? 200));
    const counts: PruneResult = { executions: 0, steps: 0, logs: 0, intents: 0, notifications: 0, deliveries: 0 };

    let workflowId = '';
    while (db.open) {
      const next = q.nextWorkflow.get(workflowId);
      if (!next) break;
      workflowId = next.workflowId;
      const boundary = q.boundary.get(workflowId, keep)?.seq;
      let after = 0;
      while (boundary !== undefined && db.open) {
        const rows = q.window.all(workflowId, after, boundary, batch);
        if (rows.length === 0) break;
        after = rows[rows.length - 1].seq;
        const doomed = rows.filter((r) => r.createdAt < cutoff && r.held === 0 && r.status !== 'queued' && r.status !== 'running');
        if (doomed.length) deleteRuns.immediate(doomed, counts);
        await nextTick();
      }
    }

    // Deliveries go oldest first by id (ids follow arrival) until the first young one.
    let after = 0;
    while (db.open) {
      const rows = q.deliveries.all(after, batch);
      if (rows.length === 0) break;
      const old = rows.findIndex((r) => r.receivedAt >= cutoff);
      const last = old === -1 ? rows[rows.length - 1].id : old === 0 ? after : rows[old - 1].id;
      if (last > after) counts.deliveries += q.deleteDeliveries.run(after, last, cutoff).changes;
      if (old !== -1) break;
      after = last;
      await nextTick();
    }
    return counts;
  };
}
