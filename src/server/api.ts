// The /api plugin (DESIGN.md §8): one encapsulated scope whose every route checks the bearer
// token on the route it matched, however the path was spelled, and takes application/json only.
// Health is registered outside this scope (no token).

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { PaperBroker } from '../broker/paper/index.js';
import type { Broker } from '../broker/types.js';
import { FlowError } from '../errors.js';
import type { Registry } from '../nodes/registry.js';
import type { ExecutionService } from '../runtime/service.js';
import type { WorkflowManager } from '../runtime/workflows.js';
import type { Store } from '../store/types.js';
import { parseJson } from './body.js';
import { adminRoutes } from './routes/admin.js';
import { executionRoutes } from './routes/executions.js';
import { marketRoutes } from './routes/market.js';
import { onFailureRoutes } from './routes/on-failure.js';
import { orderRoutes } from './routes/orders.js';
import { todayRoutes } from './routes/today.js';
import { rehearseRoutes } from './routes/rehearse.js';
import { errorAnswer, health, looseObject } from './routes/schemas.js';
import { versionRoutes } from './routes/versions.js';
import { webhookRoutes } from './routes/webhooks.js';
import { workflowRoutes } from './routes/workflows.js';
import { safeEqual } from './webhook.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route may take the API token from `?token=` (the live event stream: EventSource sends no headers). */
    tokenInQuery?: boolean;
    /** A webhook delivery route (its failures count in the webhook metrics). */
    webhook?: boolean;
  }
}

export interface ClusterHooks {
  status(): { process: string; role: string; triggers: boolean };
  /** A live viewer here follows a run that may execute in another process; call the result when it leaves. */
  watch(executionId: string): () => void;
  /** One webhook of this token against its limit shared by every process. */
  tokenLimit(token: string): Promise<{ ok: true } | { ok: false; retryAfterMs: number }>;
}

export interface ApiDeps {
  store: Store;
  service: ExecutionService;
  workflows: WorkflowManager;
  registry: Registry;
  broker: Broker;
  publicUrl: () => string;
  killSwitch: { get(): boolean; set(on: boolean): Promise<void> };
  paper?: { account(): unknown; reset(): void };
  version: string;
  /** The exchange's time zone (FLOW_TIMEZONE): "today" is its day. Default Asia/Kolkata. */
  timezone?: string;
  startedAt: number;
  apiToken: string;
  /** Open live event streams, ended when the server closes (they would hold it open). */
  streams: Set<() => void>;
  /** Rehearsals: where OpenAlgo history is cached, and the exchange zone (absent: paper prices, IST). */
  rehearse?: { dataDir: string; timezone: string };
  /** Where price alerts and order updates learn of the market now (DESIGN §7: health says which). */
  /** Several processes on PostgreSQL (DESIGN.md §9): this process in the cluster, viewers of runs executed elsewhere, webhook limits shared. */
  cluster?: ClusterHooks;
  marketData?: () => { stream: { state: string } | null; prices: { alerts: { stream: number; poll: number }; heldBack: number }; orders: { source: string; watches: number } };
}

const unauthorized = () => new FlowError('unauthorized', 'missing or wrong API token (Authorization: Bearer $FLOW_API_TOKEN)', 401);

/** The token a request presents: the Authorization header, or ?token= on a route that allows it. */
function presentedToken(req: FastifyRequest): string {
  const header = req.headers.authorization;
  if (typeof header === 'string' && /^bearer /i.test(header)) return header.slice(7).trim();
  if (req.routeOptions.config.tokenInQuery) {
    const q = (req.query as Record<string, unknown> | undefined)?.token;
    if (typeof q === 'string') return q;
  }
  return '';
}

/** Registered with prefix /api. */
export async function apiPlugin(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  app.addHook('onRequest', async (req, reply) => {
    const given = presentedToken(req);
    if (!given || !safeEqual(given, deps.apiToken)) {
      reply.header('www-authenticate', 'Bearer');
      throw unauthorized();
    }
  });

  // JSON only: a cross-site form or text/plain POST cannot reach a handler (415 before any handler runs).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = (body as string).trim();
    if (text === '') return done(null, null);
    try {
      done(null, parseJson(text));
    } catch (e) {
      done(e as Error, undefined);
    }
  });

  // Every /api answer has a schema: the route's own, else a loose object; errors always {error: {code, message}}.
  app.addHook('onRoute', (route) => {
    if (route.config?.tokenInQuery) return; // the event stream writes its own answer
    const schema = (route.schema ??= {});
    const response = (schema.response ??= {}) as Record<string, unknown>;
    response['4xx'] ??= errorAnswer;
    response['5xx'] ??= errorAnswer;
    if (!Object.keys(response).some((code) => code.startsWith('2'))) response['2xx'] = looseObject;
  });

  // The resource plugins take the deps without this plugin's own `prefix` (it would nest: /api/api).
  const { prefix: _prefix, ...own } = deps as ApiDeps & { prefix?: string };
  await app.register(workflowRoutes, own);
  await app.register(versionRoutes, own);
  await app.register(webhookRoutes, own);
  await app.register(executionRoutes, own);
  await app.register(orderRoutes, own);
  await app.register(adminRoutes, own);
  await app.register(todayRoutes, own);
  await app.register(marketRoutes, own);
  await app.register(onFailureRoutes, own);
  await app.register(rehearseRoutes, own);
}

/** GET /api/health: liveness for load balancers and the CLI, no token. */
/** The stream's state and how many alerts and order watches read it now, or poll while it is down. */
function marketData(deps: ApiDeps) {
  const m = deps.marketData?.();
  if (!m) return null;
  return {
    stream: m.stream?.state ?? 'none',
    priceAlerts: { stream: m.prices.alerts.stream, poll: m.prices.alerts.poll, ticksHeldBack: m.prices.heldBack },
    orderUpdates: { source: m.orders.source, watches: m.orders.watches },
  };
}

export function healthRoute(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/api/health', { schema: { response: { 200: health } } }, async () => ({
    status: 'ok', version: deps.version, broker: deps.broker.kind, brokerDescription: deps.broker.description,
    killSwitch: deps.killSwitch.get(), uptimeSeconds: Math.round((Date.now() - deps.startedAt) / 1000),
    queueDepth: deps.service.depth, running: deps.service.runningCount,
    // Which paper market is on: 'always open' (FLOW_PAPER_ALWAYS_OPEN) or OpenAlgo sandbox hours; null off paper.
    paperMarket: deps.broker instanceof PaperBroker ? (deps.broker.alwaysOpen ? 'always_open' : 'sandbox_hours') : null,
    marketData: marketData(deps),
    // With several processes: this one, its role, and whether it holds the triggers.
    ...(deps.cluster ? { cluster: deps.cluster.status() } : {}),
  }));
}
