// Orders whose outcome is unknown, and an operator's resolution of one after checking the broker.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FlowError, notFound } from '../../errors.js';
import type { ApiDeps } from '../api.js';
import { presentOrder } from '../present.js';

export async function orderRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const { store } = deps;

  app.get('/orders/unknown', async () => ({ orders: (await store.listUnknownIntents()).map(presentOrder) }));

  app.post('/orders/:key/resolve', {
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
    const intent = await store.getIntent(req.params.key);
    if (!intent) throw notFound('order', req.params.key);
    if (intent.status !== 'unknown') throw new FlowError('not_unknown', `order ${intent.key} is ${intent.status}; only an unknown outcome can be resolved by hand`, 409);
    const { status, orderId, note } = req.body;
    await store.resolveIntent(intent.key, {
      status, orderIds: orderId ? [orderId] : [], resolvedAt: Date.now(),
      answer: { resolvedBy: 'operator', previous: intent.answer ?? null },
      error: note ? `resolved by an operator: ${note}` : 'resolved by an operator',
    });
    return presentOrder((await store.getIntent(intent.key))!);
  });
}
