// Starts a real Flow server on a loopback port with a temporary data directory.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.js';
import { startFlow, type RunningFlow, type StartOptions } from '../../src/server/index.js';

export interface TestFlow extends RunningFlow {
  dataDir: string;
  api<T = any>(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: T; headers: Headers }>;
  stop(): Promise<void>;
}

export async function startTestFlow(env: Record<string, string> = {}, opts: StartOptions & { dataDir?: string } = {}): Promise<TestFlow> {
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'flow-server-'));
  // The paper market stays open: tests place MIS orders at whatever hour they run (a test of sandbox hours passes '0').
  const config = loadConfig({ FLOW_DATA_DIR: dataDir, FLOW_LOG_LEVEL: 'silent', FLOW_PAPER_ALWAYS_OPEN: '1', ...env }, { port: 0 });
  const flow = await startFlow(config, { banner: false, logLevel: 'silent', ...opts });
  const api = async (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${flow.url}${url}`, {
      method,
      headers: { authorization: `Bearer ${flow.apiToken}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON (metrics)
    }
    return { status: res.status, body: parsed as any, headers: res.headers };
  };
  return {
    ...flow, dataDir, api,
    async stop() {
      await flow.close(1_000);
      if (!opts.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const node = (id: string, type: string, data: Record<string, unknown> = {}, y = 0) => ({ id, type, position: { x: 0, y }, data });
export const chain = (...ids: string[]) => ids.slice(1).map((id, i) => ({ id: `e${i + 1}`, source: ids[i], target: id }));

export const buyOnWebhook = (extra: Array<ReturnType<typeof node>> = [], name = 'webhook buy') => ({
  name,
  nodes: [
    node('hook', 'webhookTrigger', { label: 'TV' }),
    node('buy', 'placeOrder', { symbol: '{{webhook.symbol}}', exchange: 'NSE', action: '{{webhook.action}}', quantity: '{{webhook.qty}}', priceType: 'MARKET', product: 'MIS', outputVariable: 'order' }, 100),
    node('say', 'log', { message: 'order {{order.orderid}} for {{webhook.symbol}}' }, 200),
    ...extra,
  ],
  edges: chain('hook', 'buy', 'say'),
});

export async function until<T>(fn: () => Promise<T | undefined | null | false> | T | undefined | null | false, ms = 5_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v as T;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface RawAnswer {
  status: number;
  text: string;
  headers: http.IncomingHttpHeaders;
  /** The body as JSON, or undefined when it is not JSON. */
  json: any;
}

const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 8 });

/** One HTTP request with the path sent exactly as given (fetch would normalise `..`, `//` and escapes). */
export function rawRequest(port: number, method: string, rawPath: string, opts: { headers?: Record<string, string | number>; body?: string | Buffer; agent?: http.Agent | false } = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const headers = { ...(opts.body !== undefined ? { 'content-length': Buffer.byteLength(opts.body) } : {}), ...opts.headers };
    const req = http.request({ host: '127.0.0.1', port, method, path: rawPath, headers, agent: opts.agent ?? keepAlive }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, text, headers: res.headers, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`${method} ${rawPath}: no answer in 10 s`)));
    req.end(opts.body);
  });
}

/** True when a body is the API's error shape {error: {code, message}}. */
export const isErrorShape = (body: unknown): boolean => {
  const e = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  return typeof e === 'object' && e !== null && typeof e.code === 'string' && typeof e.message === 'string';
};
