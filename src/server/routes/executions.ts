// Runs: a manual execute (validated first, as activation is), a re-run of a stored run, the runs
// of every workflow or of one, one run, cancel, and the live event stream, the one /api route
// that takes its token from the query.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FlowError, notFound } from '../../errors.js';
import type { RunEvent, TriggerInfo } from '../../engine/types.js';
import type { ExecutionStatus, TriggerKind, Workflow } from '../../store/types.js';
import { EXECUTION_STATUSES, TRIGGER_KINDS } from '../../store/types.js';
import { validateWorkflow } from '../../workflow/index.js';
import type { ApiDeps } from '../api.js';
import { presentExecution, presentSummary } from '../present.js';
import { accepted, executionDetail, executionList, idParams, rerunAccepted, runAnswer } from './schemas.js';

type IdReq = FastifyRequest<{ Params: { id: string } }>;

/** An ISO date or milliseconds since the epoch; anything else is the client's mistake (400). */
function timeParam(field: string, text: string): number {
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(ms) || ms < 0 || ms > 8.64e15) throw new FlowError('invalid_request', `querystring ${field} is not a date: give an ISO date (2026-01-31 or 2026-01-31T09:15:00Z) or milliseconds`, 400, { field });
  return ms;
}

export async function executionRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const { store, service, workflows, registry } = deps;
  const headerKey = (req: FastifyRequest) => {
    const h = req.headers['idempotency-key'];
    return typeof h === 'string' ? h : '';
  };

  /** Submits a run of what the workflow runs now; 202 {executionId, status}, or with wait the result. */
  const start = async (wf: Workflow, trigger: TriggerInfo, idempotencyKey: string | null, wait: string | undefined, reply: FastifyReply) => {
    // An active workflow runs the version validated at activation; a draft is checked here, the same way.
    if (!wf.active) {
      const v = validateWorkflow(wf.definition, registry);
      if (!v.valid) {
        const errors = v.problems.filter((p) => p.severity === 'error');
        throw new FlowError('invalid_workflow', `workflow ${wf.id} cannot run: ${errors.slice(0, 3).map((p) => p.message).join('; ')}${errors.length > 3 ? ` (and ${errors.length - 3} more)` : ''}`, 422, { problems: v.problems });
      }
    }
    const settings = (await workflows.settings(wf.id))!;
    // An active workflow runs its frozen version; an inactive one runs its draft.
    const version = wf.active ? wf.activeVersion : null;
    const done = await service.request({ workflowId: wf.id, version, trigger, idempotencyKey, concurrency: settings.concurrency, limits: settings.limits });
    if (wait === 'true' || wait === '1') {
      const result = done.duplicate ? null : await service.wait(done.executionId);
      if (result) return { ...result, workflowId: wf.id, version };
      const detail = await store.getExecution(done.executionId);
      return detail ? presentExecution(detail) : { executionId: done.executionId, status: done.status };
    }
    reply.code(202);
    return { executionId: done.executionId, status: done.status, ...(done.duplicate ? { duplicate: true } : {}) };
  };

  // Runs of every workflow, newest first; times are ISO dates (or ms), `from` inclusive, `to` exclusive.
  app.get('/executions', {
    schema: {
      querystring: {
        type: 'object',
        properties: {
          workflowId: { type: 'string', minLength: 1, maxLength: 100 },
          status: { type: 'string', enum: [...EXECUTION_STATUSES] },
          trigger: { type: 'string', enum: [...TRIGGER_KINDS] },
          from: { type: 'string', minLength: 1, maxLength: 40 },
          to: { type: 'string', minLength: 1, maxLength: 40 },
          limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
          offset: { type: 'integer', minimum: 0, maximum: 1e9, default: 0 },
        },
      },
      response: { 200: executionList },
    },
  }, async (req: FastifyRequest<{ Querystring: { workflowId?: string; status?: ExecutionStatus; trigger?: TriggerKind; from?: string; to?: string; limit: number; offset: number } }>) => {
    const { workflowId, status, trigger, limit, offset } = req.query;
    const from = req.query.from === undefined ? undefined : timeParam('from', req.query.from);
    const to = req.query.to === undefined ? undefined : timeParam('to', req.query.to);
    if (from !== undefined && to !== undefined && from > to) throw new FlowError('invalid_request', `querystring from (${req.query.from}) is after to (${req.query.to})`, 400, { field: 'from' });
    const items = await store.searchExecutions({ workflowId, status, trigger, from, to, limit, offset });
    return { executions: items.map(presentSummary), limit, offset };
  });


  app.post('/workflows/:id/execute', {
    schema: {
      params: idParams,
      querystring: { type: 'object', properties: { wait: { type: 'string' } } },
      body: { type: ['object', 'null'], properties: { webhookData: { type: 'object' }, idempotencyKey: { type: 'string', maxLength: 200 } } },
      response: { 200: runAnswer, 202: accepted },
    },
  }, async (req: FastifyRequest<{ Params: { id: string }; Querystring: { wait?: string }; Body: { webhookData?: Record<string, unknown>; idempotencyKey?: string } | null }>, reply) => {
    const wf = await store.getWorkflow(req.params.id);
    if (!wf) throw notFound('workflow', req.params.id);
    const body = req.body ?? {};
    const trigger: TriggerInfo = body.webhookData ? { kind: 'webhook', payload: body.webhookData } : { kind: 'manual', payload: {} };
    return start(wf, trigger, headerKey(req) || body.idempotencyKey || null, req.query.wait, reply);
  });

  // The same trigger input again, as a new run of what the workflow runs now (its active version,
  // else its draft). The stored input never held the webhook secret, and a re-run needs none.
  app.post('/executions/:id/rerun', {
    schema: {
      params: idParams,
      querystring: { type: 'object', properties: { wait: { type: 'string' } } },
      body: { type: ['object', 'null'], additionalProperties: false, properties: { broker: { type: 'string', enum: ['paper', 'live'] } } },
      response: { 200: runAnswer, 202: rerunAccepted },
    },
  }, async (req: FastifyRequest<{ Params: { id: string }; Querystring: { wait?: string }; Body: { broker?: 'paper' | 'live' } | null }>, reply) => {
    const e = await store.getExecution(req.params.id);
    if (!e) throw notFound('execution', req.params.id);
    const wf = await store.getWorkflow(e.workflowId);
    if (!wf) throw new FlowError('not_found', `execution ${e.id} belongs to workflow ${e.workflowId}, which was deleted`, 404);
    // Runs take the server's broker; there is no per-run switch. So "paper" is honoured only where the
    // broker is paper, and a server trading live re-runs only when asked for live in so many words.
    if (deps.broker.kind !== 'paper' && req.body?.broker !== 'live') {
      throw new FlowError('paper_unavailable', `this server trades on ${deps.broker.kind}, not on paper: send {"broker": "live"} to re-run execution ${e.id} on it, or re-run on a paper server (FLOW_BROKER=paper)`, 409);
    }
    const payload = e.input !== null && typeof e.input === 'object' && !Array.isArray(e.input) ? e.input as Record<string, unknown> : {};
    const trigger: TriggerInfo = { kind: e.trigger.kind, ...(e.trigger.nodeId ? { nodeId: e.trigger.nodeId } : {}), payload };
    const answer = await start(wf, trigger, headerKey(req) || null, req.query.wait, reply);
    return reply.statusCode === 202 ? { ...answer, rerunOf: e.id } : answer;
  });

  app.get('/workflows/:id/executions', {
    schema: {
      params: idParams,
      querystring: {
        type: 'object',
        properties: {
          limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
          offset: { type: 'integer', minimum: 0, maximum: 1e9, default: 0 },
          status: { type: 'string', enum: [...EXECUTION_STATUSES] },
        },
      },
      response: { 200: executionList },
    },
  }, async (req: FastifyRequest<{ Params: { id: string }; Querystring: { limit: number; offset: number; status?: ExecutionStatus } }>) => {
    if (!(await store.getWorkflow(req.params.id))) throw notFound('workflow', req.params.id);
    const { limit, offset, status } = req.query;
    const items = await store.listExecutions(req.params.id, { limit, offset, status });
    return { executions: items.map(presentSummary), limit, offset };
  });

  app.get('/executions/:id', { schema: { params: idParams, response: { 200: executionDetail } } }, async (req: IdReq) => {
    const e = await store.getExecution(req.params.id);
    if (!e) throw notFound('execution', req.params.id);
    return presentExecution(e);
  });

  app.post('/executions/:id/cancel', { schema: { params: idParams, response: { 200: accepted } } }, async (req: IdReq) => {
    const e = await store.getExecution(req.params.id);
    if (!e) throw notFound('execution', req.params.id);
    if (!(await service.cancel(e.id))) throw new FlowError('not_cancelable', `execution ${e.id} is ${e.status}; only queued or running executions can be canceled`, 409);
    if (e.status === 'running') await Promise.race([service.wait(e.id), new Promise((r) => setTimeout(r, 2_000))]);
    const after = (await store.getExecution(e.id))!;
    return { executionId: e.id, status: after.status };
  });

  // Live run events (server-sent events): the stored state first, then every engine event until the run ends.
  // EventSource cannot send headers, so this route (and only this one) reads ?token=.
  app.get('/executions/:id/events', { config: { tokenInQuery: true }, schema: { params: idParams } }, async (req: IdReq, reply) => {
    const { id } = req.params;
    const stored = await store.getExecution(id);
    if (!stored) throw notFound('execution', id);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const send = (type: string, data: unknown) => res.write(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
    send('snapshot', presentExecution(stored));
    if (!['queued', 'running'].includes(stored.status)) {
      send('end', { status: stored.status });
      return res.end();
    }
    const listener = (_workflowId: string, e: RunEvent) => {
      if (e.executionId !== id) return;
      send(e.type, e.type === 'run_finished' ? { status: e.result.status, error: e.result.error } : e);
      if (e.type === 'run_finished') close();
    };
    const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
    const unwatch = deps.cluster?.watch(id);
    const close = () => {
      clearInterval(ping);
      unwatch?.();
      service.events.off('event', listener);
      deps.streams.delete(close);
      res.end();
    };
    service.events.on('event', listener);
    deps.streams.add(close);
    req.raw.on('close', close);
  });
}
