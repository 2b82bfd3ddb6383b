// Webhook management without re-activating, as OpenAlgo's (DESIGN.md §8): turn it on or off,
// change how it authenticates, or replace its token (the old URL answers 404) or its secret
// (the old secret answers 401).

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebhookManagement } from '../../runtime/workflows.js';
import type { WebhookAuthType } from '../../store/types.js';
import type { ApiDeps } from '../api.js';
import { idParams, webhookAnswer } from './schemas.js';

type IdReq = FastifyRequest<{ Params: { id: string } }>;

export async function webhookRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const schema = { params: idParams, response: { 200: webhookAnswer } };
  const action = (path: string, change: WebhookManagement) =>
    app.post(`/workflows/:id/webhook/${path}`, { schema }, async (req: IdReq) => deps.workflows.manageWebhook(req.params.id, change));
  action('enable', { enabled: true });
  action('disable', { enabled: false });
  action('regenerate-token', { regenerateToken: true });
  action('regenerate-secret', { regenerateSecret: true });

  app.put('/workflows/:id/webhook', {
    schema: {
      ...schema,
      body: { type: 'object', required: ['authType'], additionalProperties: false, properties: { authType: { type: 'string', enum: ['payload', 'url', 'hmac'] } } },
    },
  }, async (req: FastifyRequest<{ Params: { id: string }; Body: { authType: WebhookAuthType } }>) =>
    deps.workflows.manageWebhook(req.params.id, { authType: req.body.authType }));
}
