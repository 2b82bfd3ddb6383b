// Store rows → the API's answer shapes (DESIGN.md §8). Times are ISO strings.

import type { ExecutionDetail, ExecutionSummary, OrderIntent, Workflow, WorkflowInfo, WorkflowListItem } from '../store/types.js';

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

export function presentWorkflowInfo(w: WorkflowInfo, publicUrl: string) {
  return {
    id: w.id,
    name: w.name,
    description: w.description,
    active: w.active,
    version: w.activeVersion,
    concurrency: w.concurrency,
    limits: w.limits,
    triggers: w.triggerKinds,
    webhook: w.webhookToken ? { url: `${publicUrl}/flow/webhook/${w.webhookToken}`, token: w.webhookToken, authType: w.authType ?? 'payload', enabled: w.webhookEnabled } : null,
    createdAt: iso(w.createdAt),
    updatedAt: iso(w.updatedAt),
  };
}

export function presentWorkflow(w: Workflow, publicUrl: string) {
  return { ...presentWorkflowInfo(w, publicUrl), definition: w.definition, nodes: w.definition.nodes, edges: w.definition.edges };
}

export function presentListItem(w: WorkflowListItem, publicUrl: string) {
  return {
    ...presentWorkflowInfo(w, publicUrl),
    lastExecution: w.lastExecution
      ? { id: w.lastExecution.id, status: w.lastExecution.status, createdAt: iso(w.lastExecution.createdAt), finishedAt: iso(w.lastExecution.finishedAt) }
      : null,
  };
}

export function presentOrder(i: OrderIntent) {
  return {
    // DESIGN.md §8 names an order in flight `sent`; the store calls it waiting (for its rate-limit slot) or pending until answered.
    key: i.key, nodeId: i.nodeId, method: i.method, request: i.request, status: i.status === 'pending' || i.status === 'waiting' ? 'sent' : i.status, answer: i.answer,
    orderIds: i.orderIds, error: i.error, createdAt: iso(i.createdAt), answeredAt: iso(i.resolvedAt),
    executionId: i.executionId, workflowId: i.workflowId,
  };
}

export function presentSummary(e: ExecutionSummary) {
  return {
    executionId: e.id, id: e.id, workflowId: e.workflowId, version: e.version, trigger: e.trigger, status: e.status,
    idempotencyKey: e.idempotencyKey, createdAt: iso(e.createdAt), startedAt: iso(e.startedAt), finishedAt: iso(e.finishedAt),
    currentNodeId: e.currentNodeId, error: e.error,
  };
}

/** The run result (as `flow run --json` prints it) plus workflowId, version, trigger, times. */
export function presentExecution(e: ExecutionDetail) {
  return {
    ...presentSummary(e),
    input: e.input,
    steps: e.steps.map((s) => ({
      seq: s.seq, nodeId: s.nodeId, type: s.nodeType, status: s.status, input: s.input ?? undefined, output: s.output ?? undefined,
      error: s.error ?? undefined, notes: s.notes ?? undefined, startedAt: iso(s.startedAt), finishedAt: iso(s.finishedAt), durationMs: s.finishedAt - s.startedAt,
    })),
    logs: e.logs.map((l) => ({ time: iso(l.time), level: l.level, message: l.message, nodeId: l.nodeId ?? undefined })),
    variables: e.variables ?? {},
    orders: e.intents.map(presentOrder),
    notifications: e.notifications.map((n) => ({ ...n, createdAt: iso(n.createdAt) })),
  };
}
