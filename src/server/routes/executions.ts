// Runs: a manual execute (validated first, as activation is), the runs of a workflow, one run,
// cancel, and the live event stream, the one /api route that takes its token from the query.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FlowError, notFound } from '../../errors.js';
import type { RunEvent } from '../../engine/types.js';
import type { ExecutionStatus } from '../../store/types.js';
import { EXECUTION_STATUSES } from '../../store/types.js';
import { validateWorkflow } from '../../workflow/index.js';
import type { ApiDeps } from '../api.js';
import { presentExecution, presentSummary } from '../present.js';
import { accepted, idParams, looseObject } from './schemas.js';

type IdReq = FastifyRequest<{ Params: { id: string } }>;

export async function executionRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const { store, service, workflows, registry } = deps;

  app.post('/workflows/:id/execute', {
    schema: {
      params: idParams,
      querystring: { type: 'object', properties: { wait: { type: 'string' } } },
      body: { type: ['object', 'null'], properties: { webhookData: { type: 'object' }, idempotencyKey: { type: 'string', maxLength: 200 } } },
      response: { 200: looseObject, 202: accepted },
    },
  }, async (req: FastifyRequest<{ Params: { id: string }; Querystring: { wait?: string }; Body: { webhookData?: Record<string, unknown>; idempotencyKey?: string } | null }>, reply) => {
    const wf = store.getWorkflow(req.params.id);
    if (!wf) throw notFound('workflow', req.params.id);
    // An active workflow runs the version validated at activation; a draft is checked here, the same way.
    if (!wf.active) {
      const v = validateWorkflow(wf.definition, registry);
      if (!v.valid) {
        const errors = v.problems.filter((p) => p.severity === 'error');
        throw new FlowError('invalid_workflow', `workflow ${wf.id} cannot run: ${errors.slice(0, 3).map((p) => p.message).join('; ')}${errors.length > 3 ? ` (and ${errors.length - 3} more)` : ''}`, 422, { problems: v.problems });
      }
    }
    const body = req.body ?? {};
    const headerKey = req.headers['idempotency-key'];
    const settings = workflows.settings(wf.id)!;
    const done = await service.submit({
      workflowId: wf.id,
      // An active workflow runs its frozen version; an inactive one runs its draft.
      version: wf.active ? wf.activeVersion : null,
      trigger: body.webhookData ? { kind: 'webhook', payload: body.webhookData } : { kind: 'manual', payload: {} },
      idempotencyKey: (typeof headerKey === 'string' && headerKey) || body.idempotencyKey || null,
      concurrency: settings.concurrency, limits: settings.limits,
    });
    if (req.query.wait === 'true' || req.query.wait === '1') {
      const result = done.duplicate ? null : await service.wait(done.executionId);
      if (result) return { ...result, workflowId: wf.id, version: wf.active ? wf.activeVersion : null };
      const detail = store.getExecution(done.executionId);
      return detail ? presentExecution(detail) : { executionId: done.executionId, status: done.status };
    }
    reply.code(202);
    return { executionId: done.executionId, status: done.status, ...(done.duplicate ? { duplicate: true } : {}) };
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
    },
  }, async (req: FastifyRequest<{ Params: { id: string }; Querystring: { limit: number; offset: number; status?: ExecutionStatus } }>) => {
    if (!store.getWorkflow(req.params.id)) throw notFound('workflow', req.params.id);
    const { limit, offset, status } = req.query;
    const items = store.listExecutions(req.params.id, { limit, offset, status });
    return { executions: items.map(presentSummary), limit, offset };
  });

  app.get('/executions/:id', { schema: { params: idParams } }, async (req: IdReq) => {
    const e = store.getExecution(req.params.id);
    if (!e) throw notFound('execution', req.params.id);
    return presentExecution(e);
  });

  app.post('/executions/:id/cancel', { schema: { params: idParams, response: { 200: accepted } } }, async (req: IdReq) => {
    const e = store.getExecution(req.params.id);
    if (!e) throw notFound('execution', req.params.id);
    if (!service.cancel(e.id)) throw new FlowError('not_cancelable', `execution ${e.id} is ${e.status}; only queued or running executions can be canceled`, 409);
    if (e.status === 'running') await Promise.race([service.wait(e.id), new Promise((r) => setTimeout(r, 2_000))]);
    const after = store.getExecution(e.id)!;
    return { executionId: e.id, status: after.status };
  });

  // Live run events (server-sent events): the stored state first, then every engine event until the run ends.
  // EventSource cannot send headers, so this route (and only this one) reads ?token=.
  app.get('/executions/:id/events', { config: { tokenInQuery: true }, schema: { params: idParams } }, async (req: IdReq, reply) => {
    const { id } = req.params;
    const stored = store.getExecution(id);
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
    const close = () => {
      clearInterval(ping);
      service.events.off('event', listener);
      deps.streams.delete(close);
      res.end();
    };
    service.events.on('event', listener);
    deps.streams.add(close);
    req.raw.on('close', close);
  });
}
