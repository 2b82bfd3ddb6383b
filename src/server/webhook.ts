// POST /flow/webhook/:token[/:symbol] (DESIGN.md §7): authenticate in constant time, store the
// execution, answer 202 with its id well inside TradingView's 3 s. Secrets never reach the run.

import { createHmac, hash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ExecutionService } from '../runtime/service.js';
import type { WebhookRoute, WorkflowManager } from '../runtime/workflows.js';
import type { NewDelivery, Store } from '../store/types.js';
import { jsonTooDeep, tooDeep } from './body.js';
import { presentExecution } from './present.js';
import type { Metrics } from './metrics.js';
import { SlidingWindowLimiter } from './rate-limit.js';
import { trace } from '../runtime/trace.js';

export interface WebhookDeps {
  store: Store;
  service: ExecutionService;
  workflows: WorkflowManager;
  metrics: Metrics;
  webhookRateLimit: number;
  /** Several processes: the token's limit is counted in PostgreSQL (instead of in this process). */
  tokenLimit?: (token: string) => Promise<{ ok: true } | { ok: false; retryAfterMs: number }>;
}

/** Constant-time equality of two strings of any length. */
export function safeEqual(a: string, b: string): boolean {
  // One-shot hash(): a createHash() object per string was ~2 % of the CPU under a webhook load.
  const ha = hash('sha256', a, 'buffer');
  const hb = hash('sha256', b, 'buffer');
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

/** Failed secrets per client address per minute, and unknown tokens per address per minute. */
export const FAILED_PER_MINUTE = 30;
export const UNKNOWN_PER_MINUTE = 30;

export interface WebhookPluginOptions extends WebhookDeps {
  bodyLimit: number;
}

/**
 * The webhook routes as one plugin with its own body parsers (JSON, or any text as
 * {{webhook.text}}) and its own small body limit. No hooks: this is the hot path.
 */
export async function webhookPlugin(app: FastifyInstance, deps: WebhookPluginOptions): Promise<void> {
  // Only authenticated deliveries count against a token's limit; failures are limited per address.
  const limiter = new SlidingWindowLimiter(deps.webhookRateLimit);
  const failures = new SlidingWindowLimiter(FAILED_PER_MINUTE);
  const unknown = new SlidingWindowLimiter(UNKNOWN_PER_MINUTE);
  const { store, service, workflows, metrics } = deps;

  app.removeAllContentTypeParsers();
  // JSON when it parses; TradingView sends plain text with a JSON content type when the alert is not JSON.
  const parse = (jsonOnly: boolean) => (req: FastifyRequest, body: string | Buffer, done: (err: Error | null, body?: unknown) => void) => {
    trace?.('parsed');
    const text = body as string;
    (req as RawReq).rawBody = text;
    const trimmed = text.trim();
    if (trimmed === '') return done(null, null);
    if (!jsonOnly && !/^[{[]/.test(trimmed)) return done(null, text);
    if (jsonTooDeep(trimmed)) return done(tooDeep());
    try {
      done(null, JSON.parse(trimmed));
    } catch {
      done(null, text);
    }
  };
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: deps.bodyLimit }, parse(true));
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: deps.bodyLimit }, parse(false));

  type DeliveryFacts = { executionId?: string; idempotencyKey?: string | null; error?: string };
  /** The one record of a delivery to a known token, whatever its answer. */
  const delivery = (route: WebhookRoute, req: FastifyRequest, code: number, facts: DeliveryFacts): NewDelivery => ({
    workflowId: route.workflowId, httpStatus: code, executionId: facts.executionId ?? null,
    idempotencyKey: facts.idempotencyKey ?? null, remote: req.ip, error: facts.error ?? null,
  });
  /** Answers a delivery to a known token, recording it first unless it was recorded with its execution. */
  const answer = async (reply: FastifyReply, route: WebhookRoute, req: FastifyRequest, code: number, body: unknown, facts: DeliveryFacts & { recorded?: boolean } = {}) => {
    metrics.webhookAnswered(code);
    if (!facts.recorded) {
      // The answer does not depend on the record: a store that cannot write it is logged, not turned into a 5xx.
      await store.insertDelivery(delivery(route, req, code, facts)).catch((e: Error) => req.log.error({ err: e.message }, 'webhook delivery not recorded'));
    }
    return reply.code(code).send(body);
  };
  const fail = (errCode: string, message: string) => ({ error: { code: errCode, message } });
  const refuse = (reply: FastifyReply, code: number, body: unknown) => {
    metrics.webhookAnswered(code);
    return reply.code(code).send(body);
  };

  const handler = async (req: FastifyRequest<{ Params: { token: string; symbol?: string }; Querystring: { wait?: string } }>, reply: FastifyReply) => {
    const { token, symbol } = req.params;
    const route = await workflows.webhookRoute(token);
    if (!route) {
      // No delivery row per unknown token (a scan would fill the table); scans are limited per address.
      if (!unknown.take(req.ip)) {
        reply.header('retry-after', String(unknown.retryAfter(req.ip)));
        return refuse(reply, 429, fail('rate_limited', 'too many requests for unknown webhooks from this address; slow down'));
      }
      return refuse(reply, 404, fail('unknown_webhook', 'no workflow has this webhook token'));
    }
    if (!route.enabled) return answer(reply, route, req, 403, fail('webhook_disabled', 'the webhook of this workflow is disabled'), { error: 'webhook disabled' });
    if (!route.active) return answer(reply, route, req, 403, fail('inactive', 'the workflow is not active'), { error: 'inactive' });
    const raw = (req as RawReq).rawBody ?? '';
    let body: Record<string, unknown>;
    if (req.body !== null && typeof req.body === 'object' && !Array.isArray(req.body)) body = req.body as Record<string, unknown>;
    else if (typeof req.body === 'string') body = { text: req.body };
    else body = req.body === undefined || req.body === null ? {} : { data: req.body };
    if (!authenticate(route, req, body, raw)) {
      // A wrong secret never uses up the token's limit (it would silence the real alert); past the
      // per-address limit, failures are answered 429 and not recorded one by one.
      if (!failures.take(req.ip)) {
        reply.header('retry-after', String(failures.retryAfter(req.ip)));
        return refuse(reply, 429, fail('rate_limited', 'too many failed webhook attempts from this address; slow down'));
      }
      return answer(reply, route, req, 401, fail('bad_secret', 'the webhook secret is missing or wrong'), { error: 'bad secret' });
    }
    trace?.('authenticated');
    const limited = deps.tokenLimit && deps.webhookRateLimit > 0
      ? await deps.tokenLimit(token).then((r) => (r.ok ? null : Math.ceil(r.retryAfterMs / 1000)))
      : limiter.take(token) ? null : limiter.retryAfter(token);
    if (limited !== null) {
      reply.header('retry-after', String(limited));
      return answer(reply, route, req, 429, fail('rate_limited', 'too many webhooks for this workflow; slow down'), { error: 'rate limited' });
    }
    const { secret: _secret, ...payload } = body;
    // The URL's symbol wins over the body's, as in OpenAlgo (one alert message serves many symbols).
    if (symbol) payload.symbol = symbol;
    if (route.symbols.length) {
      const given = typeof payload.symbol === 'string' ? payload.symbol.toUpperCase() : '';
      if (!route.symbols.includes(given)) {
        return answer(reply, route, req, 200, { status: 'ignored', message: `symbol filter: this workflow only accepts ${route.symbols.join(', ')}` }, { error: 'symbol filtered' });
      }
    }
    const header = req.headers['idempotency-key'];
    const idempotencyKey = (typeof header === 'string' && header) || (typeof payload.idempotencyKey === 'string' ? payload.idempotencyKey : null);
    const waiting = req.query.wait === 'true' || req.query.wait === '1';
    const code = waiting ? 200 : 202;
    let accepted;
    try {
      // A new execution and its delivery record are one (group) commit; the run starts after it.
      // A duplicate (the idempotency key seen before) starts nothing and is recorded with its answer.
      accepted = await service.request({
        workflowId: route.workflowId, version: route.version, trigger: { kind: 'webhook', payload },
        idempotencyKey, concurrency: route.concurrency, limits: route.limits,
      }, (w, a) => w.insertDelivery(delivery(route, req, code, { executionId: a.executionId, idempotencyKey })));
    } catch (e) {
      return answer(reply, route, req, 503, fail('unavailable', (e as Error).message), { error: (e as Error).message });
    }
    trace?.('stored');
    const facts = { executionId: accepted.executionId, idempotencyKey, recorded: !accepted.duplicate };
    if (waiting) {
      const result = accepted.duplicate ? null : await service.wait(accepted.executionId);
      const detail = result ? null : await store.getExecution(accepted.executionId);
      const shown = result ? { ...result, workflowId: route.workflowId, version: route.version } : detail ? presentExecution(detail) : null;
      return answer(reply, route, req, code, shown, facts);
    }
    // The order first, then the answer (the order is what the alert is for; the answer only has to
    // follow the execution's commit). The run starts in the microtasks after that commit; an order
    // node's intent commits in the same turn when nothing else is in flight, and undici writes onto
    // its idle keep-alive socket one turn later (it first checks the broker has not closed it).
    // Answering two turns on lets that order leave first; a run that waits on anything else is not
    // waited for. Only when this run is the one in flight: under load each turn is long, and holding
    // every answer two of them halved what 16 closed-loop senders got through on the yardstick.
    if (!accepted.duplicate && service.depth <= 1) await nextTurns(2);
    const sent = answer(reply, route, req, code, { executionId: accepted.executionId, status: accepted.status, ...(accepted.duplicate ? { duplicate: true } : {}) }, facts);
    trace?.('answered');
    return sent;
  };

  const schema = {
    params: { type: 'object', properties: { token: { type: 'string', minLength: 1, maxLength: 200 }, symbol: { type: 'string', maxLength: 64 } }, required: ['token'] },
    querystring: { type: 'object', properties: { wait: { type: 'string' }, secret: { type: 'string' } } },
  };
  const config = { webhook: true };
  app.post('/flow/webhook/:token', { schema, config }, handler);
  app.post('/flow/webhook/:token/:symbol', { schema, config }, handler);
}

type RawReq = FastifyRequest & { rawBody?: string };

async function nextTurns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
