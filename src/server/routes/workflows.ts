// /api/workflows: list, create, import, validate, read, save a draft, delete, export, versions,
// webhook details, activate, deactivate (DESIGN.md §8).

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FlowError, notFound } from '../../errors.js';
import { exportWorkflow, validateWorkflow, type Workflow as WorkflowJson } from '../../workflow/index.js';
import { uniqueName } from '../../workflow/names.js';
import type { ApiDeps } from '../api.js';
import { presentListItem, presentWorkflow } from '../present.js';
import { activation, errorAnswer, idParams, limitsSchema, looseObject, newWorkflowBody, WORKFLOW_BODY_LIMIT, workflowBody } from './schemas.js';

type IdReq = FastifyRequest<{ Params: { id: string } }>;

export async function workflowRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const { store, workflows, registry } = deps;
  const url = () => deps.publicUrl();
  const getWorkflow = async (id: string) => {
    const wf = await store.getWorkflow(id);
    if (!wf) throw notFound('workflow', id);
    return wf;
  };
  const big = { bodyLimit: WORKFLOW_BODY_LIMIT };

  app.post('/workflows/validate', { ...big, schema: { body: looseObject } }, async (req) => {
    const v = validateWorkflow(req.body, registry);
    return { valid: v.valid, problems: v.problems };
  });

  app.get('/workflows', async () => ({ workflows: (await store.listWorkflows()).map((w) => presentListItem(w, url())) }));

  /** The definition to store; strict (import) refuses any error, otherwise only a broken shape. */
  const checked = (body: unknown, strict: boolean) => {
    const v = validateWorkflow(body, registry);
    const shapeBroken = v.problems.some((p) => p.code === 'invalid_format');
    if (shapeBroken || (strict && !v.valid)) {
      throw new FlowError('invalid_workflow', `the workflow has ${v.problems.filter((p) => p.severity === 'error').length} problem(s)`, 400, { problems: v.problems });
    }
    return { definition: exportWorkflow(v.workflow!), name: v.workflow!.name, description: v.workflow!.description ?? '', problems: v.problems };
  };

  const create = async (body: unknown, strict: boolean) => {
    const c = checked(body, strict);
    // An import of a file already imported gets a name of its own, and says so.
    const name = strict ? uniqueName(c.name, (await store.listWorkflows()).map((w) => w.name)) : c.name;
    const warnings = name === c.name ? [] : [`a workflow named '${c.name}' already exists: imported as '${name}'`];
    const wf = await store.createWorkflow({ name, description: c.description, definition: { ...c.definition, name } });
    return { ...presentWorkflow(wf, url()), problems: c.problems, ...(strict ? { warnings } : {}) };
  };

  app.post('/workflows', { ...big, schema: { body: newWorkflowBody, response: { 201: looseObject, 400: errorAnswer } } }, async (req: FastifyRequest<{ Body: Partial<WorkflowJson> & { name: string } }>, reply) => {
    reply.code(201);
    return create({ ...req.body, nodes: req.body.nodes ?? [], edges: req.body.edges ?? [] }, false);
  });

  // ?replace=ID swaps the graph of an existing workflow in place (OpenAlgo's /replace): same id,
  // webhook token and secret, held to import's rules. An active workflow keeps running its frozen
  // version until it is activated again.
  app.post('/workflows/import', {
    ...big,
    schema: { body: workflowBody, querystring: { type: 'object', properties: { replace: { type: 'string', minLength: 1, maxLength: 100 } } }, response: { 200: looseObject, 201: looseObject, 400: errorAnswer } },
  }, async (req: FastifyRequest<{ Body: WorkflowJson; Querystring: { replace?: string } }>, reply) => {
    if (req.query.replace === undefined) {
      reply.code(201);
      return create(req.body, true);
    }
    const existing = await getWorkflow(req.query.replace);
    const def = checked(req.body, true);
    const wf = (await store.updateWorkflow(existing.id, { name: def.name, description: def.description, definition: def.definition }))!;
    deps.service.invalidate(wf.id);
    return { ...presentWorkflow(wf, url()), problems: def.problems };
  });

  app.get('/workflows/:id', { schema: { params: idParams } }, async (req: IdReq) => {
    const wf = await getWorkflow(req.params.id);
    return { ...presentWorkflow(wf, url()), problems: validateWorkflow(wf.definition, registry).problems };
  });

  app.get('/workflows/:id/export', { schema: { params: idParams } }, async (req: IdReq) => exportWorkflow((await getWorkflow(req.params.id)).definition));

  app.get('/workflows/:id/webhook', { schema: { params: idParams } }, async (req: IdReq) => {
    const wf = await getWorkflow(req.params.id);
    const secrets = await store.getWorkflowSecrets(wf.id);
    if (!wf.webhookToken) throw new FlowError('not_activated', `workflow ${wf.id} has no webhook yet: activate it first`, 409);
    return { url: `${url()}/flow/webhook/${wf.webhookToken}`, token: wf.webhookToken, secret: secrets?.webhookSecret ?? null, authType: wf.authType ?? 'payload', enabled: wf.webhookEnabled };
  });

  app.put('/workflows/:id', { ...big, schema: { params: idParams, body: workflowBody } }, async (req: FastifyRequest<{ Params: { id: string }; Body: WorkflowJson }>) => {
    await getWorkflow(req.params.id);
    const v = validateWorkflow(req.body, registry);
    if (v.problems.some((p) => p.code === 'invalid_format')) throw new FlowError('invalid_workflow', 'the workflow is not in OpenAlgo format', 400, { problems: v.problems });
    const def = exportWorkflow(v.workflow!);
    const wf = (await store.updateWorkflow(req.params.id, { name: v.workflow!.name, description: v.workflow!.description ?? '', definition: def }))!;
    // Only compiled drafts go stale: an active workflow's frozen version, triggers and settings stay
    // (forgetting them stopped its schedule and price triggers from firing until a restart).
    deps.service.invalidate(wf.id);
    return { ...presentWorkflow(wf, url()), problems: v.problems };
  });

  app.delete('/workflows/:id', { schema: { params: idParams } }, async (req: IdReq, reply: FastifyReply) => {
    const wf = await getWorkflow(req.params.id);
    if (wf.active) throw new FlowError('active', `workflow ${wf.id} is active: deactivate it before deleting`, 409);
    await store.deleteWorkflow(wf.id);
    workflows.forget(wf.id, wf.webhookToken);
    return reply.code(204).send();
  });

  app.post('/workflows/:id/activate', {
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

  app.post('/workflows/:id/deactivate', {
    schema: { params: idParams, response: { 200: { type: 'object', required: ['id', 'active'], properties: { id: { type: 'string' }, active: { type: 'boolean' } } } } },
  }, async (req: IdReq) => {
    const info = await workflows.deactivate(req.params.id);
    return { id: info.id, active: false };
  });
}
