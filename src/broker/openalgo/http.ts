// One HTTP attempt against OpenAlgo, classified: an answer (status and text) or a
// failure that says whether the request can have reached the server.

import { Agent, request } from 'undici';

export type Attempt =
  | { kind: 'answer'; status: number; text: string }
  | { kind: 'timeout' }
  | { kind: 'aborted' }
  /** `sent: false` when the connection was never made (refused, DNS, TLS): nothing reached OpenAlgo. */
  | { kind: 'network'; code: string; sent: boolean };

// Errors raised while connecting, before a byte of the request was written.
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);

export function createAgent(timeoutMs: number): Agent {
  return new Agent({
    connect: { timeout: timeoutMs },
    // Shorter than common servers' idle timeouts (gunicorn: 2 s), so an order is not
    // written onto a socket the server is closing (its outcome would be unknown).
    keepAliveTimeout: 1_000,
    keepAliveMaxTimeout: 1_000,
  });
}

/** POSTs `body` as JSON; never throws. */
export async function post(agent: Agent, url: string, body: string, timeoutMs: number, signal?: AbortSignal): Promise<Attempt> {
  if (signal?.aborted) return { kind: 'aborted' };
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onAbort = () => controller.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const res = await request(url, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body,
      signal: controller.signal,
    });
    const text = await res.body.text();
    return { kind: 'answer', status: res.statusCode, text };
  } catch (err) {
    if (timedOut) return { kind: 'timeout' };
    if (signal?.aborted) return { kind: 'aborted' };
    const code = errorCode(err);
    return { kind: 'network', code, sent: !NOT_SENT_CODES.has(code) && !/CERT|TLS|SSL/.test(code) };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

function errorCode(err: unknown): string {
  for (let e: unknown = err, depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return err instanceof Error && err.name ? err.name : 'network error';
}
