// Start-up recovery: runs left `running` become `crashed` naming the node they were in; intents
// left `pending` (their request may have been sent) become `unknown`, intents left `waiting` (for a
// rate-limit slot: never sent) become `not_sent`. Nothing is re-sent. Runs once at start-up: scans are fine here.

import type Database from 'better-sqlite3';
import type { CrashReport, CrashedExecution, OrderIntent } from '../types.js';
import { crashedNode, crashError, NOT_SENT_INTENT_ERROR, UNKNOWN_INTENT_ERROR } from '../crash.js';
import { INTENT, type IntentRow, toIntent } from './intents.js';

type DB = Database.Database;


export function crashRecovery(db: DB): (now?: number) => CrashReport {
  const q = {
    running: db.prepare<[], { id: string; workflowId: string; nodeId: string | null; nodeType: string | null }>(
      `SELECT id, workflow_id AS workflowId, current_node AS nodeId, current_node_type AS nodeType FROM executions
       WHERE status = 'running' ORDER BY seq`),
    open: db.prepare<[], IntentRow>(`SELECT ${INTENT} FROM order_intents WHERE status IN ('pending', 'waiting') ORDER BY id`),
    lastStep: db.prepare<[string], { nodeId: string; nodeType: string }>(
      'SELECT node_id AS nodeId, node_type AS nodeType FROM steps WHERE execution_id = ? ORDER BY seq DESC, id DESC LIMIT 1'),
    settle: db.prepare(`UPDATE order_intents SET status = ?, error = ?, resolved_at = ? WHERE key = ?`),
    crash: db.prepare(`UPDATE executions SET status = 'crashed', error = ?, finished_at = ? WHERE id = ?`),
  };

  const recover = db.transaction((now: number): CrashReport => {
    const open = q.open.all();
    // An order in flight names the node most precisely.
    const inFlight = new Map<string, { nodeId: string; nodeType: string }>();
    const unknownIntents: OrderIntent[] = [];
    const notSentIntents: OrderIntent[] = [];
    for (const i of open) {
      const sent = i.status === 'pending';
      const status = sent ? 'unknown' : 'not_sent';
      const error = sent ? UNKNOWN_INTENT_ERROR : NOT_SENT_INTENT_ERROR;
      q.settle.run(status, error, now, i.key);
      (sent ? unknownIntents : notSentIntents).push(toIntent({ ...i, status, error, resolvedAt: now }));
      inFlight.set(i.executionId, { nodeId: i.nodeId, nodeType: i.method });
    }
    const crashed: CrashedExecution[] = [];
    for (const r of q.running.all()) {
      const node = crashedNode(inFlight.get(r.id), r);
      const error = crashError(node, node ? null : q.lastStep.get(r.id));
      q.crash.run(error, now, r.id);
      crashed.push({ executionId: r.id, workflowId: r.workflowId, nodeId: node?.nodeId ?? null, nodeType: node?.nodeType ?? null, error });
    }
    return { crashed, unknownIntents, notSentIntents };
  });

  return (now) => recover.immediate(now ?? Date.now());
}
