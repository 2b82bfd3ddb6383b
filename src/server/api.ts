// The /api routes (DESIGN.md §8): workflows, executions, kill switch, node catalogue, paper account.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Broker } from '../broker/types.js';
import { FlowError, notFound } from '../errors.js';
import { catalogue, type Registry } from '../nodes/registry.js';
import type { ExecutionService } from '../runtime/service.js';
import type { WorkflowManager } from '../runtime/workflows.js';
import type { ExecutionStatus, Store, WorkflowDefinition } from '../store/types.js';
import { EXECUTION_STATUSES } from '../store/types.js';
import { exportWorkflow, validateWorkflow, type Workflow as WorkflowJson } from '../workflow/index.js';
import { presentExecution, presentListItem, presentOrder, presentSummary, presentWorkflow } from './present.js';

export interface ApiDeps {
  store: Store;
  service: ExecutionService;
  workflows: WorkflowManager;
  registry: Registry;
  broker: Broker;
  publicUrl: () => string;
  killSwitch: { get(): boolean; set(on: boolean): void };
  paper?: { account(): unknown; reset(): void };
  version: string;
  startedAt: number;
}

const idParams = { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 100 } }, required: ['id'] } as const;
const workflowBody = {
  type: 'object',
  required: ['name', 'nodes', 'edges'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    description: { type: 'string', maxLength: 5000 },
    nodes: { type: 'array', maxItems: 500, items: { type: 'object' } },
    edges: { type: 'array', maxItems: 2000, items: { type: 'object' } },
    viewport: { type: 'object' },
  },
} as const;
const limitsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    maxQuantityPerOrder: { type: 'integer', minimum: 1 },
    maxOrdersPerRun: { type: 'integer', minimum: 1 },
    maxOrdersPerDay: { type: 'integer', minimum: 1 },
  },
} as const;
const errorAnswer = {
  type: 'object',
  properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} }, required: ['code', 'message'] } },
} as const;
const looseObject = { type: 'object', additionalProperties: true } as const;

type IdReq = FastifyRequest<{ Params: { id: string } }>;

const accepted = {
  type: 'object', required: ['executionId', 'status'],
  properties: { executionId: { type: 'string' }, status: { type: 'string' }, duplicate: { type: 'boolean' } },
} as const;
const activation = {
  type: 'object', required: ['id', 'active', 'version', 'webhook'],
  properties: {
    id: { type: 'string' }, active: { type: 'boolean' }, version: { type: 'integer' },
    webhook: {
      type: 'object', required: ['url', 'token', 'secret', 'authType'],
      properties: { url: { type: 'string' }, token: { type: 'string' }, secret: { type: 'string' }, authType: { type: 'string', enum: ['payload', 'url', 'hmac'] } },
    },
  },
} as const;
const enabled = { type: 'object', required: ['enabled'], properties: { enabled: { type: 'boolean' } } } as const;

export function registerApi(app: FastifyInstance, deps: ApiDeps): void {
  const { store, service, workflows, registry } = deps;
  // Every /api answer has a schema: the route's own, else a loose object; errors always {error: {code, message}}.
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/') || route.url.endsWith('/events')) return;
    const schema = (route.schema ??= {});
    const response = (schema.response ??= {}) as Record<string, unknown>;
    response['4xx'] ??= errorAnswer;
    response['5xx'] ??= errorAnswer;
    if (!Object.keys(response).some((code) => code.startsWith('2'))) response['2xx'] = looseObject;
  });
  const url = () => deps.publicUrl();
  const getWorkflow = (id: string) => {
    const wf = store.getWorkflow(id);
    if (!wf) throw notFound('workflow', id);
    return wf;
  };

  app.get('/api/health', { schema: { response: { 200: looseObject } } }, async () => ({
    status: 'ok', version: deps.version, broker: deps.broker.kind, brokerDescription: deps.broker.description,
    killSwitch: deps.killSwitch.get(), uptimeSeconds: Math.round((Date.now() - deps.startedAt) / 1000),
    queueDepth: service.depth, running: service.runningCount,
  }));

  app.get('/api/nodes', async () => ({ nodes: catalogue(registry) }));

  app.post('/api/workflows/validate', { schema: { body: looseObject } }, async (req) => {
    const v = validateWorkflow(req.body, registry);
    return { valid: v.valid, problems: v.problems };
  });

  app.get('/api/workflows', async () => ({ workflows: store.listWorkflows().map((w) => presentListItem(w, url())) }));

  const create = (body: unknown, strict: boolean) => {
    const v = validateWorkflow(body, registry);
    const shapeBroken = v.problems.some((p) => p.code === 'invalid_format');
    if (shapeBroken || (strict && !v.valid)) {
      throw new FlowError('invalid_workflow', `the workflow has ${v.problems.filter((p) => p.severity === 'error').length} problem(s)`, 400, { problems: v.problems });
    }
    const def = exportWorkflow(v.workflow!) as unknown as WorkflowDefinition;
    const wf = store.createWorkflow({ name: v.workflow!.name, description: v.workflow!.description ?? '', definition: def });
    return { ...presentWorkflow(wf, url()), problems: v.problems };
  };

  app.post('/api/workflows', { schema: { body: workflowBody, response: { 201: looseObject, 400: errorAnswer } } }, async (req, reply) => {
    reply.code(201);
    return create(req.body, false);
  });

  app.post('/api/workflows/import', { schema: { body: workflowBody, response: { 201: looseObject, 400: errorAnswer } } }, async (req, reply) => {
    reply.code(201);
    return create(req.body, true);
  });

  app.get('/api/workflows/:id', { schema: { params: idParams } }, async (req: IdReq) => {
    const wf = getWorkflow(req.params.id);
    return { ...presentWorkflow(wf, url()), problems: validateWorkflow(wf.definition, registry).problems };
  });

  app.get('/api/workflows/:id/export', { schema: { params: idParams } }, async (req: IdReq) => exportWorkflow(getWorkflow(req.params.id).definition as unknown as WorkflowJson));

  // The frozen definition a run ran (the run viewer draws this, not the newer draft).
  app.get('/api/workflows/:id/versions/:version', {
    schema: { params: { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 100 }, version: { type: 'integer', minimum: 1 } }, required: ['id', 'version'] } },
  }, async (req: FastifyRequest<{ Params: { id: string; version: number } }>) => {
    getWorkflow(req.params.id);
    const v = store.getVersion(req.params.id, req.params.version);
    if (!v) throw new FlowError('not_found', `workflow ${req.params.id} has no version ${req.params.version}`, 404);
    return { id: v.workflowId, version: v.version, definition: v.definition, createdAt: new Date(v.createdAt).toISOString() };
  });

  app.get('/api/workflows/:id/webhook', { schema: { params: idParams } }, async (req: IdReq) => {
    const wf = getWorkflow(req.params.id);
    const secrets = store.getWorkflowSecrets(wf.id);
    if (!wf.webhookToken) throw new FlowError('not_activated', `workflow ${wf.id} has no webhook yet: activate it first`, 409);
    return { url: `${url()}/flow/webhook/${wf.webhookToken}`, token: wf.webhookToken, secret: secrets?.webhookSecret ?? null, authType: wf.authType ?? 'payload' };
  });

  app.put('/api/workflows/:id', { schema: { params: idParams, body: workflowBody } }, async (req: FastifyRequest<{ Params: { id: string }; Body: WorkflowJson }>) => {
    getWorkflow(req.params.id);
    const v = validateWorkflow(req.body, registry);
    if (v.problems.some((p) => p.code === 'invalid_format')) throw new FlowError('invalid_workflow', 'the workflow is not in OpenAlgo format', 400, { problems: v.problems });
    const def = exportWorkflow(v.workflow!) as unknown as WorkflowDefinition;
    const wf = store.updateWorkflow(req.params.id, { name: v.workflow!.name, description: v.workflow!.description ?? '', definition: def })!;
    workflows.forget(wf.id);
    return { ...presentWorkflow(wf, url()), problems: v.problems };
  });

  app.delete('/api/workflows/:id', { schema: { params: idParams } }, async (req: IdReq, reply: FastifyReply) => {
    const wf = getWorkflow(req.params.id);
    if (wf.active) throw new FlowError('active', `workflow ${wf.id} is active: deactivate it before deleting`, 409);
    store.deleteWorkflow(wf.id);
    workflows.forget(wf.id, wf.webhookToken);
    return reply.code(204).send();
  });

  app.post('/api/workflows/:id/activate', {
    schema: {
      params: idParams,
      response: { 200: activation },
      body: {
        type: ['object', 'null'],
        additionalProperties: false,
        properties: {
          authType: { type: 'string', enum: ['payload', 'url', 'hmac'] },
          concurrency: { type: 'string', enum: ['queue', 'parallel', 'skip'] },
          limits: limitsSchema,
          brokerApiKey: { type: 'string', minLength: 1, maxLength: 500 },
        },
      },
    },
  }, async (req: FastifyRequest<{ Params: { id: string }; Body: { authType?: 'payload' | 'url' | 'hmac'; concurrency?: 'queue' | 'parallel' | 'skip'; limits?: Record<string, number>; brokerApiKey?: string } | null }>) => {
    const body = req.body ?? {};
    return workflows.activate(req.params.id, { authType: body.authType, concurrency: body.concurrency, limits: body.limits, brokerApiKey: body.brokerApiKey });
  });

  app.post('/api/workflows/:id/deactivate', {
    schema: { params: idParams, response: { 200: { type: 'object', required: ['id', 'active'], properties: { id: { type: 'string' }, active: { type: 'boolean' } } } } },
  }, async (req: IdReq) => {
    const info = workflows.deactivate(req.params.id);
    return { id: info.id, active: false };
  });

  app.post('/api/workflows/:id/execute', {
    schema: {
      params: idParams,
      querystring: { type: 'object', properties: { wait: { type: 'string' } } },
      body: { type: ['object', 'null'], properties: { webhookData: { type: 'object' }, idempotencyKey: { type: 'string', maxLength: 200 } } },
      response: { 200: looseObject, 202: accepted },
    },
  }, async (req: FastifyRequest<{ Params: { id: string }; Querystring: { wait?: string }; Body: { webhookData?: Record<string, unknown>; idempotencyKey?: string } | null }>, reply) => {
    const wf = getWorkflow(req.params.id);
    const body = req.body ?? {};
    const headerKey = req.headers['idempotency-key'];
    const settings = workflows.settings(wf.id)!;
    const accepted = await service.submit({
      workflowId: wf.id,
      // An active workflow runs its frozen version; an inactive one runs its draft.
      version: wf.active ? wf.activeVersion : null,
      trigger: body.webhookData ? { kind: 'webhook', payload: body.webhookData } : { kind: 'manual', payload: {} },
      idempotencyKey: (typeof headerKey === 'string' && headerKey) || body.idempotencyKey || null,
      concurrency: settings.concurrency, limits: settings.limits,
    });
    if (req.query.wait === 'true' || req.query.wait === '1') {
      const result = accepted.duplicate ? null : await service.wait(accepted.executionId);
      if (result) return { ...result, workflowId: wf.id, version: wf.active ? wf.activeVersion : null };
      const detail = store.getExecution(accepted.executionId);
      return detail ? presentExecution(detail) : { executionId: accepted.executionId, status: accepted.status };
    }
    reply.code(202);
    return { executionId: accepted.executionId, status: accepted.status, ...(accepted.duplicate ? { duplicate: true } : {}) };
  });

  app.get('/api/workflows/:id/executions', {
    schema: {
      params: idParams,
      querystring: {
        type: 'object',
        properties: {
          limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
          offset: { type: 'integer', minimum: 0, default: 0 },
          status: { type: 'string', enum: [...EXECUTION_STATUSES] },
        },
      },
    },
  }, async (req: FastifyRequest<{ Params: { id: string }; Querystring: { limit: number; offset: number; status?: ExecutionStatus } }>) => {
    getWorkflow(req.params.id);
    const { limit, offset, status } = req.query;
    const items = store.listExecutions(req.params.id, { limit, offset, status });
    return { executions: items.map(presentSummary), limit, offset };
  });

  app.get('/api/executions/:id', { schema: { params: idParams } }, async (req: IdReq) => {
    const e = store.getExecution(req.params.id);
    if (!e) throw notFound('execution', req.params.id);
    return presentExecution(e);
  });

  app.post('/api/executions/:id/cancel', { schema: { params: idParams, response: { 200: accepted } } }, async (req: IdReq) => {
    const e = store.getExecution(req.params.id);
    if (!e) throw notFound('execution', req.params.id);
    if (!service.cancel(e.id)) throw new FlowError('not_cancelable', `execution ${e.id} is ${e.status}; only queued or running executions can be canceled`, 409);
    if (e.status === 'running') await Promise.race([service.wait(e.id), new Promise((r) => setTimeout(r, 2_000))]);
    const after = store.getExecution(e.id)!;
    return { executionId: e.id, status: after.status };
  });

  app.get('/api/orders/unknown', async () => ({ orders: store.listUnknownIntents().map(presentOrder) }));

  // After checking the broker's order book, an operator records what became of an unknown order.
  app.post('/api/orders/:key/resolve', {
    schema: {
      params: { type: 'object', properties: { key: { type: 'string', minLength: 1, maxLength: 300 } }, required: ['key'] },
      body: {
        type: 'object', required: ['status'], additionalProperties: false,
        properties: {
          status: { type: 'string', enum: ['accepted', 'rejected'] },
          orderId: { type: 'string', minLength: 1, maxLength: 100 },
          note: { type: 'string', maxLength: 1000 },
        },
      },
    },
  }, async (req: FastifyRequest<{ Params: { key: string }; Body: { status: 'accepted' | 'rejected'; orderId?: string; note?: string } }>) => {
    const intent = store.getIntent(req.params.key);
    if (!intent) throw notFound('order', req.params.key);
    if (intent.status !== 'unknown') throw new FlowError('not_unknown', `order ${intent.key} is ${intent.status}; only an unknown outcome can be resolved by hand`, 409);
    const { status, orderId, note } = req.body;
    store.resolveIntent(intent.key, {
      status, orderIds: orderId ? [orderId] : [], resolvedAt: Date.now(),
      answer: { resolvedBy: 'operator', previous: intent.answer ?? null },
      error: note ? `resolved by an operator: ${note}` : 'resolved by an operator',
    });
    return presentOrder(store.getIntent(intent.key)!);
  });

  app.get('/api/kill-switch', { schema: { response: { 200: enabled } } }, async () => ({ enabled: deps.killSwitch.get() }));
  app.post('/api/kill-switch', {
    schema: { body: { type: 'object', required: ['enabled'], additionalProperties: false, properties: { enabled: { type: 'boolean' } } }, response: { 200: enabled } },
  }, async (req: FastifyRequest<{ Body: { enabled: boolean } }>) => {
    deps.killSwitch.set(req.body.enabled);
    return { enabled: deps.killSwitch.get() };
  });

  app.get('/api/paper/account', async () => {
    if (!deps.paper) throw new FlowError('not_paper', 'the broker is not the paper broker', 409);
    return deps.paper.account();
  });
  app.post('/api/paper/reset', async () => {
    if (!deps.paper) throw new FlowError('not_paper', 'the broker is not the paper broker', 409);
    deps.paper.reset();
    return deps.paper.account();
  });
}
