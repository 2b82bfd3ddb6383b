// The on-failure settings (runtime/on-failure.ts): the default for every workflow, and each
// workflow's own, which replaces it. GET answers the setting and what applies; PUT sets it
// ({workflowId, telegram}) or, with null, removes it.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FlowError, notFound } from '../../errors.js';
import { readOnFailure, writeOnFailure, type OnFailure } from '../../runtime/on-failure.js';
import type { ApiDeps } from '../api.js';
import { idParams } from './schemas.js';

const body = {
  type: ['object', 'null'], additionalProperties: false, required: ['workflowId', 'telegram'],
  properties: { workflowId: { type: ['string', 'null'], minLength: 1, maxLength: 100 }, telegram: { type: 'boolean' } },
} as const;

export async function onFailureRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const { store } = deps;

  /** The alert workflow must exist, and cannot be the failing workflow itself. */
  const check = async (value: OnFailure | null, self: string | null) => {
    if (!value?.workflowId) return;
    if (value.workflowId === self) throw new FlowError('invalid_request', 'a workflow cannot be its own on-failure workflow (its failure would start itself)', 400, { field: 'workflowId' });
    if (!(await store.getWorkflow(value.workflowId))) throw new FlowError('invalid_request', `on-failure workflow ${value.workflowId} does not exist`, 400, { field: 'workflowId' });
  };
  const answer = async (workflowId: string | null) => {
    const own = await readOnFailure(store, workflowId);
    if (workflowId === null) return { onFailure: own };
    const fallback = await readOnFailure(store, null);
    return { onFailure: own, default: fallback, applies: own ?? fallback };
  };

  app.get('/settings/on-failure', async () => answer(null));
  app.put('/settings/on-failure', { schema: { body } }, async (req: FastifyRequest<{ Body: OnFailure | null }>) => {
    await check(req.body, null);
    await writeOnFailure(store, null, req.body);
    return answer(null);
  });

  app.get('/workflows/:id/on-failure', { schema: { params: idParams } }, async (req: FastifyRequest<{ Params: { id: string } }>) => {
    if (!(await store.getWorkflow(req.params.id))) throw notFound('workflow', req.params.id);
    return answer(req.params.id);
  });
  app.put('/workflows/:id/on-failure', { schema: { params: idParams, body } }, async (req: FastifyRequest<{ Params: { id: string }; Body: OnFailure | null }>) => {
    if (!(await store.getWorkflow(req.params.id))) throw notFound('workflow', req.params.id);
    await check(req.body, req.params.id);
    await writeOnFailure(store, req.params.id, req.body);
    return answer(req.params.id);
  });
}
