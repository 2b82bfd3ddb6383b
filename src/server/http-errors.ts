// One error shape for every failure (DESIGN.md §8): {error: {code, message, details?}}, bad input
// a 4xx, whatever raised it: our handlers, schema validation, body parsing, Fastify's router, or
// Node's HTTP parser.

import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FlowError } from '../errors.js';
import { ServiceClosed } from '../runtime/service.js';
import { drain } from './body.js';

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export const errorBody = (code: string, message: string, details?: unknown): ErrorBody => ({
  error: { code, message, ...(details !== undefined ? { details } : {}) },
});

/** Fastify's own error codes → our status and code (the message is Fastify's, or ours below). */
const FASTIFY: Record<string, { status: number; code: string; message?: string }> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'unsupported_media_type', message: 'this route takes application/json bodies only' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'too_large' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'bad_content_length', message: 'the body length does not match Content-Length' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'invalid_json', message: 'the body is empty' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'invalid_json', message: 'the body is not valid JSON' },
  FST_ERR_BAD_URL: { status: 400, code: 'bad_url', message: 'the URL is not valid (a malformed % escape?)' },
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, code: 'too_long', message: 'a path parameter is too long' },
  FST_ERR_ASYNC_CONSTRAINT: { status: 400, code: 'bad_request', message: 'the request does not match the route' },
};

/** The status and body a failure answers. */
export function describeError(err: unknown, req: FastifyRequest): { status: number; body: ErrorBody } {
  if (err instanceof FlowError) return { status: err.status, body: errorBody(err.code, err.message, err.details) };
  if (err instanceof ServiceClosed) return { status: 503, body: errorBody('unavailable', err.message) };
  const e = err as FastifyError;
  if (e.validation) {
    const first = e.validation[0];
    const field = (first?.instancePath || '').replace(/^\//, '').replace(/\//g, '.') || (first?.params as { missingProperty?: string })?.missingProperty || '';
    return {
      status: 400,
      body: errorBody('invalid_request', `${e.validationContext ?? 'request'}${field ? ` ${field}` : ''} ${first?.message ?? 'is invalid'}`, {
        field, problems: e.validation.map((v) => ({ path: v.instancePath, message: v.message, params: v.params })),
      }),
    };
  }
  const known = e.code ? FASTIFY[e.code] : undefined;
  if (known) {
    const message = e.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? `the body is larger than ${req.routeOptions?.bodyLimit ?? 'the limit of'} bytes` : (known.message ?? e.message);
    return { status: known.status, body: errorBody(known.code, message) };
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return { status: e.statusCode, body: errorBody(e.code ? e.code.replace(/^FST_ERR_/, '').toLowerCase() : 'bad_request', e.message) };
  }
  return { status: 500, body: errorBody('internal', 'internal error') };
}

/**
 * Installs the error and not-found handlers on the root (every plugin inherits them).
 * `answered` sees the status of each webhook failure (metrics).
 */
export function installErrorHandler(app: FastifyInstance, answered: (req: FastifyRequest, status: number) => void): void {
  app.setErrorHandler(async (err: FastifyError, req, reply) => {
    const { status, body } = describeError(err, req);
    if (status >= 500 && !(err instanceof ServiceClosed)) req.log.error({ err: err.message, url: req.routeOptions?.url }, 'internal error');
    answered(req, status);
    // The client may still be sending the rest of an oversized body: read it (bounded) first.
    if (status === 413) await drain(req.raw);
    return reply.code(status).send(body);
  });
}

/** Fastify's router errors (bad % escapes, over-long parameters), in our shape. */
export function frameworkErrors(err: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = describeError(err, _req);
  void reply.code(status).send(body);
}

/** Requests Node's HTTP parser refuses (bad headers, bad content-length), in our shape. */
export function clientErrorHandler(err: Error & { code?: string; rawPacket?: unknown }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const body = JSON.stringify(errorBody(status === 431 ? 'headers_too_large' : status === 408 ? 'timeout' : 'bad_request', status === 408 ? 'the request took too long to arrive' : 'the request is not valid HTTP'));
  // An answer to HEAD carries no body (a client would read the body as a second response).
  const head = Buffer.isBuffer(err.rawPacket) && err.rawPacket.subarray(0, 5).toString('latin1') === 'HEAD ';
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nconnection: close\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${head ? '' : body}`);
}
