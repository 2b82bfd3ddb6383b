// The built web UI, served by @fastify/static (which confines every path to its root), with the
// single-page fallback: index.html for the UI's own paths, never for /api, /flow or odd spellings.

import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The UI's history-API paths: plain segments, no escapes, no dot segments, not the API's prefixes. */
export function isUiPath(url: string): boolean {
  const pathname = url.split('?')[0];
  if (!/^(\/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)*\/?$/.test(pathname)) return false;
  return !/^\/(api|flow|metrics)(\/|$)/i.test(pathname);
}

export async function registerUi(app: FastifyInstance, dir: string): Promise<void> {
  await app.register(fastifyStatic, {
    root: path.resolve(dir),
    serveDotFiles: false,
    // One route per built file (read at start), not a catch-all: a catch-all would take over the
    // router's own refusals (an over-long /api parameter would become a 404 instead of a 414).
    wildcard: false,
    cacheControl: false, // ours, below
    // Hashed asset names never change; index.html must be re-read after an upgrade.
    setHeaders: (res, file) => res.setHeader('cache-control', file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache'),
  });
}

/** For the not-found handler: answers index.html for a UI path; false when the caller should 404. */
export function spaFallback(req: FastifyRequest, reply: FastifyReply): boolean {
  if ((req.method !== 'GET' && req.method !== 'HEAD') || !isUiPath(req.url)) return false;
  void reply.header('cache-control', 'no-cache').sendFile('index.html');
  return true;
}
