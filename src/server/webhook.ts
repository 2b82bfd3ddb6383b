// POST /flow/webhook/:token[/:symbol] (DESIGN.md §7): authenticate in constant time, store the
// execution, answer 202 with its id well inside TradingView's 3 s. Secrets never reach the run.

import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ExecutionService } from '../runtime/service.js';
import type { WebhookRoute, WorkflowManager } from '../runtime/workflows.js';
import type { Store } from '../store/types.js';
import { presentExecution } from './present.js';
import type { Metrics } from './metrics.js';
import { SlidingWindowLimiter } from './rate-limit.js';

export interface WebhookDeps {
  store: Store;
  service: ExecutionService;
  workflows: WorkflowManager;
  metrics: Metrics;
  webhookRateLimit: number;
}

/** Constant-time equality of two strings of any length. */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

function authenticate(route: WebhookRoute, req: FastifyRequest, body: Record<string, unknown>, raw: string): boolean {
  const secret = route.secret;
  if (!secret) return false;
  switch (route.authType) {
    case 'payload':
      return typeof body.secret === 'string' && safeEqual(body.secret, secret);
    case 'url': {
      const given = (req.query as Record<string, unknown>).secret;
      return typeof given === 'string' && safeEqual(given, secret);
    }
    case 'hmac': {
      const header = req.headers['x-flow-signature'];
      if (typeof header !== 'string' || !header.startsWith('sha256=')) return false;
      const expected = createHmac('sha256', secret).update(raw).digest('hex');
      return safeEqual(header.slice(7).trim().toLowerCase(), expected);
    }
    default:
      return false;
  }
}

export function registerWebhooks(app: FastifyInstance, deps: WebhookDeps): void {
  const limiter = new SlidingWindowLimiter(deps.webhookRateLimit);
  const { store, service, workflows, metrics } = deps;

  const answer = (reply: FastifyReply, route: WebhookRoute | null, req: FastifyRequest, code: number, body: unknown, extra: { executionId?: string; idempotencyKey?: string | null; error?: string; recorded?: boolean } = {}) => {
    metrics.webhookAnswered(code);
    if (!extra.recorded) store.insertDelivery({
      workflowId: route?.workflowId ?? null, httpStatus: code, executionId: extra.executionId ?? null,
      idempotencyKey: extra.idempotencyKey ?? null, remote: req.ip, error: extra.error ?? null,
    });
    return reply.code(code).send(body);
  };
  const fail = (code: number, errCode: string, message: string) => ({ error: { code: errCode, message } });

  const handler = async (req: FastifyRequest<{ Params: { token: string; symbol?: string }; Querystring: { wait?: string } }>, reply: FastifyReply) => {
    const { token, symbol } = req.params;
    const route = workflows.webhookRoute(token);
    if (!route) return answer(reply, null, req, 404, fail(404, 'unknown_webhook', 'no workflow has this webhook token'));
    if (!route.active) return answer(reply, route, req, 403, fail(403, 'inactive', 'the workflow is not active'), { error: 'inactive' });
    if (!limiter.take(token)) {
      reply.header('retry-after', String(limiter.retryAfter(token)));
      return answer(reply, route, req, 429, fail(429, 'rate_limited', 'too many webhooks for this workflow; slow down'), { error: 'rate limited' });
    }
    const raw = ((req as FastifyRequest & { rawBody?: string }).rawBody ?? '');
    let body: Record<string, unknown>;
    if (req.body !== null && typeof req.body === 'object' && !Array.isArray(req.body)) body = req.body as Record<string, unknown>;
    else if (typeof req.body === 'string') body = { text: req.body };
    else body = req.body === undefined || req.body === null ? {} : { data: req.body };
    if (!authenticate(route, req, body, raw)) {
      return answer(reply, route, req, 401, fail(401, 'bad_secret', 'the webhook secret is missing or wrong'), { error: 'bad secret' });
    }
    const { secret: _secret, ...payload } = body;
    if (symbol && payload.symbol === undefined) payload.symbol = symbol;
    if (route.symbols.length) {
      const given = [symbol, payload.symbol].filter((s): s is string => typeof s === 'string').map((s) => s.toUpperCase());
      if (!given.some((s) => route.symbols.includes(s))) {
        return answer(reply, route, req, 200, { status: 'ignored', message: `symbol filter: this workflow only accepts ${route.symbols.join(', ')}` }, { error: 'symbol filtered' });
      }
    }
    const header = req.headers['idempotency-key'];
    const idempotencyKey = (typeof header === 'string' && header) || (typeof payload.idempotencyKey === 'string' ? payload.idempotencyKey : null);
    const waiting = req.query.wait === 'true' || req.query.wait === '1';
    let accepted;
    try {
      // The execution and its delivery record in one (group) commit; the run starts after it.
      accepted = await service.submit({
        workflowId: route.workflowId, version: route.version, trigger: { kind: 'webhook', payload },
        idempotencyKey, concurrency: route.concurrency, limits: route.limits,
      }, (a) => store.insertDelivery({ workflowId: route.workflowId, httpStatus: waiting ? 200 : 202, executionId: a.executionId, idempotencyKey, remote: req.ip }));
    } catch (e) {
      return answer(reply, route, req, 503, fail(503, 'unavailable', (e as Error).message), { error: (e as Error).message });
    }
    if (accepted.duplicate) store.insertDelivery({ workflowId: route.workflowId, httpStatus: waiting ? 200 : 202, executionId: accepted.executionId, idempotencyKey, remote: req.ip });
    if (waiting) {
      const result = accepted.duplicate ? null : await service.wait(accepted.executionId);
      const detail = result ? null : store.getExecution(accepted.executionId);
      const shown = result ? { ...result, workflowId: route.workflowId, version: route.version } : detail ? presentExecution(detail) : null;
      return answer(reply, route, req, 200, shown, { recorded: true });
    }
    return answer(reply, route, req, 202, { executionId: accepted.executionId, status: accepted.status, ...(accepted.duplicate ? { duplicate: true } : {}) }, { recorded: true });
  };

  const schema = {
    params: { type: 'object', properties: { token: { type: 'string', minLength: 1, maxLength: 200 }, symbol: { type: 'string', maxLength: 64 } }, required: ['token'] },
    querystring: { type: 'object', properties: { wait: { type: 'string' }, secret: { type: 'string' } } },
  };
  app.post('/flow/webhook/:token', { schema }, handler);
  app.post('/flow/webhook/:token/:symbol', { schema }, handler);
}
