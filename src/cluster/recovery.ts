// Recovery of the runs a dead process held (DESIGN.md §6 and §9), exactly as after a restart but for
// those runs only, in the transaction that released its jobs: running → crashed (naming the node in
// flight), their pending intents → unknown and waiting ones → not_sent; nothing is re-sent. A run it
// had taken but not started is queued again while young enough (nothing outside Flow happened),
// else closed as too late to act on. Written against the store's PostgreSQL tables.

import type pg from 'pg';
import { crashedNode, crashError, NOT_SENT_INTENT_ERROR, UNKNOWN_INTENT_ERROR } from '../store/crash.js';
import { addRunJob } from './jobs.js';

export interface RecoveryReport {
  crashed: Array<{ executionId: string; workflowId: string; error: string }>;
  unknownIntents: Array<{ executionId: string; nodeId: string; key: string }>;
  notSentIntents: Array<{ executionId: string; nodeId: string; key: string }>;
  requeued: string[];
  expired: string[];
}

export async function recoverExecutions(
  client: pg.ClientBase,
  jobs: ReadonlyArray<{ executionId: string; queue: string | null }>,
  opts: { now: number; resumeMaxAgeMs: number },
): Promise<RecoveryReport> {
  const report: RecoveryReport = { crashed: [], unknownIntents: [], notSentIntents: [], requeued: [], expired: [] };
  const ids = jobs.map((j) => j.executionId);
  if (ids.length === 0) return report;
  const intents = await client.query<{ key: string; execution_id: string; node_id: string; method: string; status: string }>(
    `SELECT key, execution_id, node_id, method, status FROM order_intents
     WHERE execution_id = ANY($1::text[]) AND status IN ('pending', 'waiting') ORDER BY id FOR UPDATE`, [ids]);
  const inFlight = new Map<string, { nodeId: string; nodeType: string }>();
  for (const i of intents.rows) {
    const sent = i.status === 'pending';
    await client.query('UPDATE order_intents SET status = $1, error = $2, resolved_at = $3 WHERE key = $4',
      [sent ? 'unknown' : 'not_sent', sent ? UNKNOWN_INTENT_ERROR : NOT_SENT_INTENT_ERROR, opts.now, i.key]);
    (sent ? report.unknownIntents : report.notSentIntents).push({ executionId: i.execution_id, nodeId: i.node_id, key: i.key });
    inFlight.set(i.execution_id, { nodeId: i.node_id, nodeType: i.method });
  }
  const runs = await client.query<{ id: string; workflow_id: string; status: string; current_node: string | null; current_node_type: string | null; created_at: string }>(
    `SELECT id, workflow_id, status, current_node, current_node_type, created_at FROM executions
     WHERE id = ANY($1::text[]) AND status IN ('queued', 'running') FOR UPDATE`, [ids]);
  const queueOf = new Map(jobs.map((j) => [j.executionId, j.queue]));
  for (const r of runs.rows) {
    if (r.status === 'queued') {
      const age = opts.now - Number(r.created_at);
      if (age <= opts.resumeMaxAgeMs) {
        await addRunJob(client, r.id, queueOf.get(r.id) ?? null);
        report.requeued.push(r.id);
      } else {
        await client.query(`UPDATE executions SET status = 'canceled', error = $2, finished_at = $3 WHERE id = $1`,
          [r.id, `not run: queued ${Math.round(age / 1000)} s before its Flow process stopped; too late to act on`, opts.now]);
        report.expired.push(r.id);
      }
      continue;
    }
    const node = crashedNode(inFlight.get(r.id), { nodeId: r.current_node, nodeType: r.current_node_type });
    const last = node ? null : (await client.query<{ nodeId: string; nodeType: string }>(
      'SELECT node_id AS "nodeId", node_type AS "nodeType" FROM steps WHERE execution_id = $1 ORDER BY seq DESC, id DESC LIMIT 1', [r.id])).rows[0];
    const error = crashError(node, last);
    await client.query(`UPDATE executions SET status = 'crashed', error = $2, finished_at = $3 WHERE id = $1`, [r.id, error, opts.now]);
    report.crashed.push({ executionId: r.id, workflowId: r.workflow_id, error });
  }
  return report;
}
