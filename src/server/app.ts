// The Fastify application: parsers that keep the raw body (HMAC), bearer auth on /api, one error
// shape for every failure, metrics, live run events, webhooks, and the UI's static files.

import fs from 'node:fs';
import path from 'node:path';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import { FlowError } from '../errors.js';
import type { RunEvent } from '../engine/types.js';
import { registerApi, type ApiDeps } from './api.js';
import type { Metrics } from './metrics.js';
import { presentExecution } from './present.js';
import { registerWebhooks, safeEqual } from './webhook.js';

export interface AppDeps extends ApiDeps {
  metrics: Metrics;
  apiToken: string;
  webhookRateLimit: number;
  bodyLimit?: number;
  logger?: FastifyBaseLogger;
  /** Directory of the built UI (served at /), when present. */
  uiDir?: string;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    bodyLimit: deps.bodyLimit ?? 64 * 1024,
    // One log line per request would dominate the webhook hot path; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    // The API's own errors carry codes; Fastify's default 404 gets the same shape below.
    return503OnClosing: true,
    // Live event streams are long-lived; closing must not wait for them.
    forceCloseConnections: true,
  });

  // JSON bodies are parsed here so the raw text stays available for the webhook HMAC.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/json'], { parseAs: 'string' }, (req, body, done) => {
    (req as typeof req & { rawBody?: string }).rawBody = body as string;
    const text = (body as string).trim();
    if (text === '') return done(null, null);
    try {
      done(null, JSON.parse(text));
    } catch (e) {
      // TradingView sends plain text with a JSON content type when the alert is not valid JSON.
      if (req.url.startsWith('/flow/webhook/')) return done(null, body);
      const err = new FlowError('invalid_json', `the body is not valid JSON (${(e as Error).message})`, 400);
      done(err, undefined);
    }
  });
  app.addContentTypeParser('*', { parseAs: 'string' }, (req, body, done) => {
    (req as typeof req & { rawBody?: string }).rawBody = body as string;
    const text = body as string;
    // A JSON object without a JSON content type (curl's default) is still JSON to us.
    if (/^\s*[{[]/.test(text)) {
      try {
        return done(null, JSON.parse(text));
      } catch {
        // fall through: plain text
      }
    }
    done(null, text);
  });

  app.setErrorHandler((err: FastifyError | FlowError, req, reply) => {
    if (err instanceof FlowError) {
      return reply.code(err.status).send({ error: { code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) } });
    }
    const e = err as FastifyError;
    if (e.validation) {
      const first = e.validation[0];
      const field = (first?.instancePath || '').replace(/^\//, '').replace(/\//g, '.') || (first?.params as { missingProperty?: string })?.missingProperty || '';
      return reply.code(400).send({
        error: {
          code: 'invalid_request',
          message: `${e.validationContext ?? 'request'}${field ? ` ${field}` : ''} ${first?.message ?? 'is invalid'}`,
          details: { field, problems: e.validation.map((v) => ({ path: v.instancePath, message: v.message, params: v.params })) },
        },
      });
    }
    if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      if (req.url.startsWith('/flow/webhook/')) deps.metrics.webhookAnswered(413);
      return reply.code(413).send({ error: { code: 'too_large', message: `the body is larger than ${deps.bodyLimit ?? 65536} bytes` } });
    }
    const status = e.statusCode && e.statusCode >= 400 && e.statusCode < 500 ? e.statusCode : 500;
    if (status === 500) req.log.error({ err: e.message }, 'internal error');
    return reply.code(status).send({ error: { code: status === 500 ? 'internal' : (e.code ?? 'bad_request'), message: status === 500 ? 'internal error' : e.message } });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: { code: 'not_found', message: `${req.method} ${req.url.split('?')[0]} is not a route` } }));

  // Bearer auth for /api (health is open); EventSource cannot send headers, so the live stream takes ?token=.
  app.addHook('onRequest', async (req, reply) => {
    if (!req.url.startsWith('/api/') || req.url === '/api/health' || req.url.startsWith('/api/health?')) return;
    const header = req.headers.authorization;
    let given = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    if (!given && req.url.includes('/events')) given = String((req.query as Record<string, unknown>)?.token ?? '');
    if (!given || !safeEqual(given, deps.apiToken)) {
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error: { code: 'unauthorized', message: 'missing or wrong API token (Authorization: Bearer $FLOW_API_TOKEN)' } });
    }
  });

  registerApi(app, deps);
  registerWebhooks(app, { store: deps.store, service: deps.service, workflows: deps.workflows, metrics: deps.metrics, webhookRateLimit: deps.webhookRateLimit });

  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });

  // Live run events (server-sent events): the stored state first, then every engine event until the run ends.
  app.get('/api/executions/:id/events', async (req, reply) => {
    const { id } = req.params as { id: string };
    const stored = deps.store.getExecution(id);
    if (!stored) throw new FlowError('not_found', `execution ${id} not found`, 404);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const send = (type: string, data: unknown) => res.write(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
    send('snapshot', presentExecution(stored));
    if (!['queued', 'running'].includes(stored.status)) {
      send('end', { status: stored.status });
      return res.end();
    }
    const listener = (_workflowId: string, e: RunEvent) => {
      if (e.executionId !== id) return;
      send(e.type, e.type === 'run_finished' ? { status: e.result.status, error: e.result.error } : e);
      if (e.type === 'run_finished') close();
    };
    const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
    const close = () => {
      clearInterval(ping);
      deps.service.events.off('event', listener);
      res.end();
    };
    deps.service.events.on('event', listener);
    req.raw.on('close', close);
  });

  if (deps.uiDir && fs.existsSync(path.join(deps.uiDir, 'index.html'))) registerStatic(app, deps.uiDir);
  else app.get('/', async () => ({ name: 'Flow', api: '/api/health', docs: 'see README.md; the web UI is served here once built (npm run build:ui)' }));

  return app;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json', '.ico': 'image/x-icon', '.woff2': 'font/woff2',
};

/** Serves the built single-page UI: files by path, index.html for everything else outside /api and /flow. */
function registerStatic(app: FastifyInstance, dir: string): void {
  const root = path.resolve(dir);
  app.get('/*', async (req, reply) => {
    const rel = decodeURIComponent((req.params as { '*': string })['*'] ?? '');
    let file = path.resolve(root, rel);
    if (!file.startsWith(root) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) file = path.join(root, 'index.html');
    reply.header('content-type', MIME[path.extname(file)] ?? 'application/octet-stream');
    if (file.includes(`${path.sep}assets${path.sep}`)) reply.header('cache-control', 'public, max-age=31536000, immutable');
    return reply.send(fs.createReadStream(file));
  });
}
