// Order intents: written before the broker call, updated with its answer. After a crash an intent
// with no answer becomes `unknown` (never re-sent nor pruned), one still waiting for its slot `not_sent`.

import type Database from 'better-sqlite3';
import type { IntentStatus, IntentStore, OrderIntent } from '../types.js';
import type { Sync } from './sync.js';
import { asStoreError } from './errors.js';
import { fromJson, toJson } from './json.js';

type DB = Database.Database;

export const INTENT = `key, workflow_id AS workflowId, execution_id AS executionId, node_id AS nodeId, method, status,
  created_at AS createdAt, resolved_at AS resolvedAt, order_ids AS orderIds, error, request, answer`;

export interface IntentRow {
  key: string; workflowId: string; executionId: string; nodeId: string; method: string; status: IntentStatus;
  createdAt: number; resolvedAt: number | null; orderIds: string | null; error: string | null; request: string;
  answer: string | null;
}

export function toIntent(r: IntentRow): OrderIntent {
  return {
    ...r,
    orderIds: r.orderIds ? (JSON.parse(r.orderIds) as string[]) : [],
    request: fromJson(r.request),
    answer: fromJson(r.answer),
  };
}

export function intentStore(db: DB): Sync<IntentStore> {
  const q = {
    insert: db.prepare(`INSERT INTO order_intents (key, workflow_id, execution_id, node_id, method, status, created_at, request)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
    sending: db.prepare(`UPDATE order_intents SET status = 'pending' WHERE key = ? AND status = 'waiting'`),
    resolve: db.prepare(`UPDATE order_intents SET status = ?, answer = ?, order_ids = ?, error = ?, resolved_at = ?
      WHERE key = ?`),
    get: db.prepare<[string], IntentRow>(`SELECT ${INTENT} FROM order_intents WHERE key = ?`),
    byExecution: db.prepare<[string], IntentRow>(`SELECT ${INTENT} FROM order_intents WHERE execution_id = ? ORDER BY id`),
    unknown: db.prepare<[], IntentRow>(`SELECT ${INTENT} FROM order_intents WHERE status = 'unknown' ORDER BY id`),
    countSince: db.prepare<[string, number], { n: number }>(`SELECT count(*) AS n FROM order_intents
      WHERE workflow_id = ? AND created_at >= ? AND status NOT IN ('rejected', 'not_sent')`),
  };

  return {
    insertIntent(i) {
      try {
        q.insert.run(i.key, i.workflowId, i.executionId, i.nodeId, i.method, i.status ?? 'pending', i.createdAt ?? Date.now(),
          toJson(i.request) ?? 'null');
      } catch (e) {
        throw asStoreError(e, `order intent ${i.key}`);
      }
    },

    markIntentSending: (key) => q.sending.run(key).changes > 0,

    resolveIntent: (key, r) => q.resolve.run(r.status, toJson(r.answer), r.orderIds?.length ? JSON.stringify(r.orderIds) : null,
      r.error ?? null, r.resolvedAt ?? Date.now(), key).changes > 0,

    getIntent(key) {
      const r = q.get.get(key);
      return r ? toIntent(r) : null;
    },

    listIntents: (executionId) => q.byExecution.all(executionId).map(toIntent),
    listUnknownIntents: () => q.unknown.all().map(toIntent),
    countOrdersForWorkflowSince: (workflowId, sinceMs) => q.countSince.get(workflowId, sinceMs)?.n ?? 0,
  };
}
