// Webhook deliveries, schedules, settings, the paper account and retention on PostgreSQL (the same
// contract as the SQLite parts: sqlite/deliveries.ts, schedules.ts, settings.ts, retention.ts).

import { fromJson, toJson } from '../sqlite/json.js';
import type { Delivery, MiscStore, NewDelivery, PruneOptions, PruneResult, Schedule } from '../types.js';
import { type Db, named } from './rows.js';

const DAY_MS = 86_400_000;

export async function insertDelivery(db: Db, d: NewDelivery): Promise<void> {
  await named(db, 'flow_insert_delivery', `INSERT INTO webhook_deliveries (workflow_id, received_at, http_status, execution_id, idempotency_key, remote, error)
    VALUES ($1, $2, $3, $4, $5, $6, $7)`,
  [d.workflowId, d.receivedAt ?? Date.now(), d.httpStatus, d.executionId ?? null, d.idempotencyKey ?? null, d.remote ?? null, d.error ?? null]);
}

const SCHEDULE = `workflow_id AS "workflowId", node_id AS "nodeId", spec, next_run_at AS "nextRunAt", last_run_at AS "lastRunAt",
  missed_count AS "missedCount", last_missed_at AS "lastMissedAt"`;

export function pgMisc(pool: Db): Omit<MiscStore, 'insertDelivery' | 'insertNotification'> {
  return {
    listDeliveries: async (workflowId, limit = 50) => (await pool.query(`SELECT id::int AS id, workflow_id AS "workflowId",
      received_at AS "receivedAt", http_status AS "httpStatus", execution_id AS "executionId", idempotency_key AS "idempotencyKey", remote, error
      FROM webhook_deliveries WHERE workflow_id = $1 ORDER BY id DESC LIMIT $2`, [workflowId, limit])).rows as Delivery[],

    async upsertSchedule(s) {
      await pool.query(`INSERT INTO schedules (workflow_id, node_id, spec, next_run_at, last_run_at) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (workflow_id, node_id) DO UPDATE SET spec = excluded.spec, next_run_at = excluded.next_run_at,
        last_run_at = CASE WHEN $6 THEN excluded.last_run_at ELSE schedules.last_run_at END`,
      [s.workflowId, s.nodeId, toJson(s.spec) ?? 'null', s.nextRunAt, s.lastRunAt ?? null, s.lastRunAt !== undefined]);
    },
    listSchedules: async (workflowId) => (await pool.query(`SELECT ${SCHEDULE} FROM schedules WHERE ($1::text IS NULL OR workflow_id = $1)
      ORDER BY workflow_id, node_id`, [workflowId ?? null])).rows.map((r): Schedule => ({ ...r, spec: fromJson(r.spec) })),
    deleteSchedulesFor: async (workflowId) => (await pool.query('DELETE FROM schedules WHERE workflow_id = $1', [workflowId])).rowCount ?? 0,
    async recordMissedRun(m) {
      await pool.query(`UPDATE schedules SET missed_count = missed_count + 1, last_missed_at = $1, next_run_at = $2
        WHERE workflow_id = $3 AND node_id = $4`, [m.scheduledFor, m.nextRunAt, m.workflowId, m.nodeId]);
    },

    async savePaperState(state) {
      await pool.query(`INSERT INTO paper_account (id, updated_at, state) VALUES (1, $1, $2)
        ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at, state = excluded.state`, [Date.now(), toJson(state) ?? 'null']);
    },
    loadPaperState: async () => fromJson((await pool.query('SELECT state FROM paper_account WHERE id = 1')).rows[0]?.state),

    getSetting: async (key) => (await pool.query('SELECT value FROM settings WHERE key = $1', [key])).rows[0]?.value ?? null,
    async setSetting(key, value) {
      if (value === null) await pool.query('DELETE FROM settings WHERE key = $1', [key]);
      else await pool.query(`INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
        ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, [key, value, Date.now()]);
    },
  };
}

/**
 * Retention (sqlite/retention.ts's rules): runs beyond the newest N of their workflow AND older than
 * D days go, in bounded batches, one transaction each; open runs and runs holding an order whose
 * outcome is waiting, pending or unknown stay whole.
 */
export function pgRetention(pool: Db, inTransaction: <T>(fn: (db: Db) => Promise<T>) => Promise<T>, isOpen: () => boolean) {
  return async (options: PruneOptions = {}): Promise<PruneResult> => {
    const keep = Math.max(0, Math.floor(options.keepPerWorkflow ?? 500));
    const cutoff = (options.now ?? Date.now()) - (options.maxAgeDays ?? 30) * DAY_MS;
    const batch = Math.max(1, Math.floor(options.batchSize ?? 200));
    const counts: PruneResult = { executions: 0, steps: 0, logs: 0, intents: 0, notifications: 0, deliveries: 0 };
    const workflows = (await pool.query('SELECT DISTINCT workflow_id AS id FROM executions ORDER BY 1')).rows as Array<{ id: string }>;
    for (const { id: workflowId } of workflows) {
      if (!isOpen()) break;
      const boundary = (await pool.query('SELECT seq FROM executions WHERE workflow_id = $1 ORDER BY seq DESC LIMIT 1 OFFSET $2', [workflowId, keep])).rows[0]?.seq as number | undefined;
      let after = 0;
      while (boundary !== undefined && isOpen()) {
        const rows = (await pool.query(`SELECT e.seq, e.id, e.status, e.created_at AS "createdAt",
            EXISTS (SELECT 1 FROM order_intents i WHERE i.execution_id = e.id AND i.status IN ('waiting', 'pending', 'unknown')) AS held
          FROM executions e WHERE e.workflow_id = $1 AND e.seq > $2 AND e.seq <= $3 ORDER BY e.seq LIMIT $4`, [workflowId, after, boundary, batch])).rows;
        if (rows.length === 0) break;
        after = rows[rows.length - 1].seq;
        const doomed = rows.filter((r) => r.createdAt < cutoff && !r.held && r.status !== 'queued' && r.status !== 'running');
        if (doomed.length === 0) continue;
        const ids = doomed.map((r) => r.id as string);
        await inTransaction(async (db) => {
          counts.steps += (await db.query('DELETE FROM steps WHERE execution_id = ANY($1)', [ids])).rowCount ?? 0;
          counts.logs += (await db.query('DELETE FROM logs WHERE execution_id = ANY($1)', [ids])).rowCount ?? 0;
          counts.intents += (await db.query(`DELETE FROM order_intents WHERE execution_id = ANY($1) AND status NOT IN ('waiting', 'pending', 'unknown')`, [ids])).rowCount ?? 0;
          counts.notifications += (await db.query('DELETE FROM notifications WHERE execution_id = ANY($1)', [ids])).rowCount ?? 0;
          // Re-checked in the transaction: a run that got an open order meanwhile stays.
          counts.executions += (await db.query(`DELETE FROM executions e WHERE e.id = ANY($1) AND e.status NOT IN ('queued', 'running')
            AND NOT EXISTS (SELECT 1 FROM order_intents i WHERE i.execution_id = e.id AND i.status IN ('waiting', 'pending', 'unknown'))`, [ids])).rowCount ?? 0;
        });
      }
    }
    if (isOpen()) counts.deliveries = (await pool.query('DELETE FROM webhook_deliveries WHERE received_at < $1', [cutoff])).rowCount ?? 0;
    return counts;
  };
}
