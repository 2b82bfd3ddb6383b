// Webhook deliveries: one small row per request received, whatever its answer.

import type Database from 'better-sqlite3';
import type { Delivery, MiscStore } from '../types.js';
import type { Sync } from './sync.js';

type DB = Database.Database;

export function deliveryStore(db: DB): Sync<Pick<MiscStore, 'insertDelivery' | 'listDeliveries'>> {
  const q = {
    insert: db.prepare(`INSERT INTO webhook_deliveries (workflow_id, received_at, http_status, execution_id,
      idempotency_key, remote, error) VALUES (?, ?, ?, ?, ?, ?, ?)`),
    list: db.prepare<[string, number], Delivery>(`SELECT id, workflow_id AS workflowId, received_at AS receivedAt,
      http_status AS httpStatus, execution_id AS executionId, idempotency_key AS idempotencyKey, remote, error
      FROM webhook_deliveries WHERE workflow_id = ? ORDER BY id DESC LIMIT ?`),
  };
  return {
    insertDelivery(d) {
      q.insert.run(d.workflowId, d.receivedAt ?? Date.now(), d.httpStatus, d.executionId ?? null, d.idempotencyKey ?? null,
        d.remote ?? null, d.error ?? null);
    },
    listDeliveries: (workflowId, limit = 50) => q.list.all(workflowId, limit),
  };
}
