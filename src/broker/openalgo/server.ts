// Serves any Broker (the paper broker in practice) as an OpenAlgo REST v1 server:
// the same endpoints, shapes and error codes, so any OpenAlgo client can be tested
// against it. Order of checks, as in OpenAlgo: 404, 429, 403, 400, then the broker.

import { createHash, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import type { Broker, BrokerAnswer, BrokerMethod, CallOptions } from '../types.js';
import { ENDPOINTS } from '../types.js';
import { RateLimiter } from './limiter.js';
import type { OpenAlgoLogger } from './logger.js';
import { OPERATIONS } from './requests.js';

type Method = BrokerMethod;

export interface OpenAlgoServerOptions {
  broker: Broker;
  /** The key clients must send as `apikey`. */
  apiKey: string;
  /** Default 5001; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Per client address: placeorder, modifyorder, cancelorder, optionsorder, optionsmultiorder (default 10/s; 0 = off). */
  orderRatePerSec?: number;
  /** Per client address: placesmartorder (default: orderRatePerSec). */
  smartOrderRatePerSec?: number;
  /** Per client address: every other endpoint (default 50/s; 0 = off). */
  apiRatePerSec?: number;
  logger?: OpenAlgoLogger;
}

export interface OpenAlgoServer {
  /** Base URL, e.g. http://127.0.0.1:5001 (what OpenAlgoBroker takes as `host`). */
  url: string;
  port: number;
  close(): Promise<void>;
}

type RateClass = 'order' | 'smart' | 'api';
const ORDER_CLASS: Partial<Record<Method, RateClass>> = {
  placeOrder: 'order', modifyOrder: 'order', cancelOrder: 'order', optionsOrder: 'order', optionsMultiOrder: 'order',
  placeSmartOrder: 'smart',
};
const MAX_TRACKED_CLIENTS = 10_000;
const RATE_LIMITED = { status: 'error', message: 'Rate limit exceeded. Please try again later.' };
const BAD_KEY = { status: 'error', message: 'Invalid openalgo apikey' };

export async function startOpenAlgoServer(opts: OpenAlgoServerOptions): Promise<OpenAlgoServer> {
  const { broker, logger } = opts;
  if (!opts.apiKey) throw new TypeError('the paper OpenAlgo server needs an API key');
  const host = opts.host ?? '127.0.0.1';
  const keyDigest = digest(opts.apiKey);
  const limits = clientLimits({
    order: opts.orderRatePerSec ?? 10,
    smart: opts.smartOrderRatePerSec ?? opts.orderRatePerSec ?? 10,
    api: opts.apiRatePerSec ?? 50,
  });
  // a proxied OpenAlgo says its own mode; anything else is simulated
  const mode = (answer: BrokerAnswer) => (broker.kind === 'openalgo' ? answer.mode : 'analyze');

  const app = Fastify({ logger: false, routerOptions: { ignoreTrailingSlash: true } });

  app.addHook('onResponse', async (request, reply) => {
    const fields = { method: request.method, endpoint: request.routeOptions.url ?? pathOf(request.url), status: reply.statusCode, ms: Math.round(reply.elapsedTime) };
    if (reply.statusCode >= 500) logger?.warn(fields, 'openalgo server');
    else logger?.debug(fields, 'openalgo server');
  });

  for (const method of Object.keys(ENDPOINTS) as Method[]) {
    const operation = OPERATIONS[method];
    const rateClass = ORDER_CLASS[method] ?? 'api';
    app.post(`/api/v1/${ENDPOINTS[method]}`, async (request: FastifyRequest, reply: FastifyReply) => {
      if (!limits(request.ip, rateClass)) return reply.code(429).send(RATE_LIMITED);
      const body = isRecord(request.body) ? request.body : {};
      const { apikey, client_order_key: clientOrderKey, ...fields } = body;
      if (typeof apikey !== 'string' || !timingSafeEqual(digest(apikey), keyDigest)) {
        return reply.code(403).send(BAD_KEY);
      }
      if (clientOrderKey !== undefined && (typeof clientOrderKey !== 'string' || !clientOrderKey || clientOrderKey.length > 200)) {
        return reply.code(400).send({ status: 'error', message: 'client_order_key: Not a valid string.', mode: 'analyze' });
      }
      const checked = operation.validate(fields);
      if (!checked.ok) return reply.code(400).send({ status: 'error', message: checked.message, mode: 'analyze' });

      const callOpts: CallOptions = clientOrderKey ? { clientOrderKey } : {};
      const answer = await checked.run(broker, callOpts);
      // OpenAlgo answers a rejected order (or any failed call) with 400 and the message
      return reply.code(answer.status === 'success' ? 200 : 400).send({ ...answer, mode: mode(answer) });
    });
  }

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ status: 'error', message: `No such endpoint: ${request.method} ${pathOf(request.url)}` });
  });
  app.setErrorHandler((err: Error & { statusCode?: number }, request, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) logger?.error({ endpoint: pathOf(request.url), error: err.message }, 'openalgo server: the broker failed');
    // never echo an exception (it could carry anything) back to the client
    reply.code(status).send({ status: 'error', message: status === 500 ? 'An unexpected error occurred' : err.message });
  });

  await app.listen({ port: opts.port ?? 5001, host });
  const port = (app.server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return { url: `http://${shownHost}:${port}`, port, close: () => app.close() };
}

/** Per-address moving windows, as OpenAlgo keys its limits by remote address. */
function clientLimits(rates: Record<RateClass, number>): (ip: string, cls: RateClass) => boolean {
  const clients = new Map<string, Record<RateClass, RateLimiter>>();
  return (ip, cls) => {
    if (rates[cls] === 0) return true;
    let limiters = clients.get(ip);
    if (!limiters) {
      if (clients.size >= MAX_TRACKED_CLIENTS) clients.clear();
      limiters = { order: new RateLimiter(rates.order), smart: new RateLimiter(rates.smart), api: new RateLimiter(rates.api) };
      clients.set(ip, limiters);
    }
    return limiters[cls].tryAcquire();
  };
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The path without its query string (which could carry a key). */
function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}
