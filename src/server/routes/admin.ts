// The kill switch, the paper account and the node catalogue.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FlowError } from '../../errors.js';
import { catalogue } from '../../nodes/registry.js';
import type { ApiDeps } from '../api.js';
import { enabled } from './schemas.js';

export async function adminRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  app.get('/nodes', async () => ({ nodes: catalogue(deps.registry) }));

  app.get('/kill-switch', { schema: { response: { 200: enabled } } }, async () => ({ enabled: deps.killSwitch.get() }));
  app.post('/kill-switch', {
    schema: { body: { type: 'object', required: ['enabled'], additionalProperties: false, properties: { enabled: { type: 'boolean' } } }, response: { 200: enabled } },
  }, async (req: FastifyRequest<{ Body: { enabled: boolean } }>) => {
    await deps.killSwitch.set(req.body.enabled);
    return { enabled: deps.killSwitch.get() };
  });

  const paper = () => {
    if (!deps.paper) throw new FlowError('not_paper', 'the broker is not the paper broker', 409);
    return deps.paper;
  };
  app.get('/paper/account', async () => paper().account());
  app.post('/paper/reset', async () => {
    paper().reset();
    return paper().account();
  });
}
