// The Fastify application, as encapsulated plugins: /api (bearer token on the matched route,
// JSON only), the webhooks (their own parsers and small body limit, no hooks), and the open
// routes outside both (health, metrics, the UI). One error shape for every failure.

import fs from 'node:fs';
import path from 'node:path';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { apiPlugin, healthRoute, type ApiDeps } from './api.js';
import { clientErrorHandler, errorBody, frameworkErrors, installErrorHandler } from './http-errors.js';
import type { Metrics } from './metrics.js';
import { registerUi, spaFallback } from './static.js';
import { webhookPlugin } from './webhook.js';

export interface RouteInfo {
  method: string;
  url: string;
  /** The route takes the API token from the query string (only the live event stream). */
  tokenInQuery: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered, as Fastify registered it (the auth test walks this). */
    routeTable: RouteInfo[];
  }
}

export interface AppDeps extends Omit<ApiDeps, 'streams'> {
  metrics: Metrics;
  webhookRateLimit: number;
  /** Body limit of webhooks and of the /api routes other than workflow uploads. */
  bodyLimit?: number;
  logger?: FastifyBaseLogger;
  /** Directory of the built UI (served at /), when present. */
  uiDir?: string;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const bodyLimit = deps.bodyLimit ?? 64 * 1024;
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    bodyLimit,
    // One log line per request would dominate the webhook hot path; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    // On close, idle keep-alive connections go at once; requests in flight get their answer.
    forceCloseConnections: 'idle',
    // Order keys (execution.node.n) can outgrow Fastify's default of 100 characters.
    routerOptions: { maxParamLength: 300 },
    frameworkErrors,
    clientErrorHandler,
  });

  const routes: RouteInfo[] = [];
  app.decorate('routeTable', routes);
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) routes.push({ method, url: r.url, tokenInQuery: r.config?.tokenInQuery === true });
  });

  // Nothing is parsed outside the plugins that declare their own parsers.
  app.removeAllContentTypeParsers();
  installErrorHandler(app, (req, status) => {
    if (req.routeOptions.config?.webhook) deps.metrics.webhookAnswered(status);
  });

  const streams = new Set<() => void>();
  const api: ApiDeps = { ...deps, streams };
  // Live event streams never end on their own; end them so closing waits only for real requests.
  app.addHook('preClose', async () => {
    for (const close of [...streams]) close();
  });

  healthRoute(app, api);
  await app.register(apiPlugin, { ...api, prefix: '/api' });
  await app.register(webhookPlugin, {
    store: deps.store, service: deps.service, workflows: deps.workflows, metrics: deps.metrics, webhookRateLimit: deps.webhookRateLimit, bodyLimit,
    tokenLimit: deps.cluster?.tokenLimit,
  });

  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });

  const ui = deps.uiDir && fs.existsSync(path.join(deps.uiDir, 'index.html')) ? deps.uiDir : null;
  if (ui) await registerUi(app, ui);
  else app.get('/', async () => ({ name: 'Flow', api: '/api/health', docs: 'see README.md; the web UI is served here once built (npm run build:ui)' }));

  app.setNotFoundHandler((req, reply) => {
    if (ui && spaFallback(req, reply)) return;
    return reply.code(404).send(errorBody('not_found', `${req.method} ${req.url.split('?')[0].slice(0, 200)} is not a route`));
  });

  return app;
}
