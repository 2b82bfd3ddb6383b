// Webhooks under attack (issue 10, items 3, 4, 12; issue 11): wrong secrets and unknown tokens
// cannot silence a real alert or fill the database, a deep payload cannot poison an idempotency
// key, an oversized alert is answered 413 to a client that is still sending, and the URL's
// symbol wins over the body's.
import http from 'node:http';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FAILED_PER_MINUTE, UNKNOWN_PER_MINUTE } from '../../src/server/webhook.js';
import { chain, isErrorShape, node, startTestFlow, type TestFlow } from './helpers.js';

// Hundreds of real requests each: generous under a loaded machine (each test is ~1 s when idle).
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

let flows: TestFlow[] = [];
afterEach(async () => {
  await Promise.all(flows.map((f) => f.stop()));
  flows = [];
});
async function server(env: Record<string, string> = {}) {
  const f = await startTestFlow(env);
  flows.push(f);
  return f;
}

const logSymbol = {
  name: 'say the symbol',
  nodes: [node('hook', 'webhookTrigger'), node('say', 'log', { message: 'symbol {{webhook.symbol}}' }, 100)],
  edges: chain('hook', 'say'),
};

async function activated(flow: TestFlow, definition: unknown = logSymbol) {
  const created = await flow.api('POST', '/api/workflows/import', definition);
  expect(created.status).toBe(201);
  const act = await flow.api('POST', `/api/workflows/${created.body.id}/activate`, {});
  expect(act.status).toBe(200);
  return { id: created.body.id as string, webhook: act.body.webhook as { url: string; token: string; secret: string } };
}
/** The answer body, as JSON of any shape (the assertions check it). */
const json = (r: Response): Promise<any> => r.json();
const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
const deliveryRows = (flow: TestFlow) => {
  const db = new Database(path.join(flow.dataDir, 'flow.db'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM webhook_deliveries').get() as { n: number }).n;
  } finally {
    db.close();
  }
};
const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

describe('the webhook rate limits', () => {
  it('the real alert still gets through after 70 wrong-secret posts; failures are limited per address and not all recorded', async () => {
    const flow = await server();
    const { webhook } = await activated(flow);
    const before = deliveryRows(flow);
    const codes: number[] = [];
    for (let i = 0; i < 70; i++) codes.push((await post(webhook.url, { symbol: 'SBIN', secret: `wrong-${i}` })).status);
    expect(codes.slice(0, FAILED_PER_MINUTE).every((c) => c === 401)).toBe(true);
    expect(codes.slice(FAILED_PER_MINUTE).every((c) => c === 429)).toBe(true);
    expect(deliveryRows(flow) - before).toBe(FAILED_PER_MINUTE);
    for (let i = 0; i < 5; i++) expect((await post(webhook.url, { symbol: 'SBIN', secret: webhook.secret })).status).toBe(202);
  });

  it('only authenticated deliveries count against the token: 5 real alerts pass after 40 wrong ones, the 6th is 429', async () => {
    const flow = await server({ FLOW_WEBHOOK_RATE_LIMIT: '5' });
    const { webhook } = await activated(flow);
    for (let i = 0; i < 40; i++) expect([401, 429]).toContain((await post(webhook.url, { secret: 'nope' })).status);
    const real: number[] = [];
    for (let i = 0; i < 6; i++) real.push((await post(webhook.url, { symbol: 'SBIN', secret: webhook.secret })).status);
    expect(real).toEqual([202, 202, 202, 202, 202, 429]);
  });

  it('unknown tokens are limited per address and leave no delivery row each', async () => {
    const flow = await server();
    const before = deliveryRows(flow);
    const codes: number[] = [];
    for (let i = 0; i < 80; i++) codes.push((await post(`${flow.url}/flow/webhook/guess-${i}`, { secret: 'x' })).status);
    expect(codes.slice(0, UNKNOWN_PER_MINUTE).every((c) => c === 404)).toBe(true);
    expect(codes.slice(UNKNOWN_PER_MINUTE).every((c) => c === 429)).toBe(true);
    expect(deliveryRows(flow)).toBe(before);
    // A known token from the same address is not affected.
    const { webhook } = await activated(flow);
    expect((await post(webhook.url, { symbol: 'SBIN', secret: webhook.secret })).status).toBe(202);
  });
});

describe('deep payloads', () => {
  it('a deep payload is refused with 400 and releases its idempotency key', async () => {
    const flow = await server();
    const { webhook } = await activated(flow);
    const deep = `{"secret":"${webhook.secret}","symbol":"SBIN","idempotencyKey":"alert-1","x":${nested(5_000)}}`;
    const refused = await post(webhook.url, deep, { 'idempotency-key': 'alert-1' });
    expect(refused.status).toBe(400);
    expect(isErrorShape(await json(refused))).toBe(true);
    const good = await post(`${webhook.url}?wait=true`, { secret: webhook.secret, symbol: 'SBIN' }, { 'idempotency-key': 'alert-1' });
    expect(good.status).toBe(200);
    const result = await json(good);
    expect(result.status).toBe('completed');
    expect(result.duplicate).toBeUndefined();
    expect(result.logs.map((l: { message: string }) => l.message)).toContain('symbol SBIN');
  });

  it('the same through the API: a deep webhookData is 400 and its key then runs a good payload', async () => {
    const flow = await server();
    const { id } = await activated(flow);
    const refused = await flow.api('POST', `/api/workflows/${id}/execute`, `{"webhookData":${nested(10_000)},"idempotencyKey":"k1"}`);
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('too_deep');
    const good = await flow.api('POST', `/api/workflows/${id}/execute?wait=true`, { webhookData: { symbol: 'INFY' }, idempotencyKey: 'k1' });
    expect(good.status).toBe(200);
    expect(good.body.status).toBe('completed');
  });
});

describe('oversized alerts', () => {
  /** Posts `size` bytes the way a Node client does (writing as fast as the socket takes them). */
  function postLarge(url: string, size: number, chunked: boolean, atOnce = false): Promise<{ status: number; body: string } | { error: string }> {
    return new Promise((resolve) => {
      const u = new URL(url);
      const req = http.request({
        host: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent: false,
        headers: { 'content-type': 'application/json', ...(chunked ? {} : { 'content-length': size }) },
      }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', (e) => resolve({ error: (e as NodeJS.ErrnoException).code ?? e.message }));
      const chunk = Buffer.alloc(64 * 1024, 'a');
      let sent = 0;
      const write = () => {
        while (sent < size) {
          const piece = chunk.subarray(0, Math.min(chunk.length, size - sent));
          sent += piece.length;
          // A client on a real network sends over time: pause a little every 512 KB.
          if (!req.write(piece)) return void req.once('drain', write);
          if (sent % (512 * 1024) === 0) return void setTimeout(write, 20);
        }
        req.end();
      };
      if (atOnce) req.end(Buffer.alloc(size, 'a'));
      else write();
    });
  }

  it('a Node client posting 5 MB (paced, chunked, or in one write) reads the 413 in the error shape', async () => {
    const flow = await server();
    const { webhook } = await activated(flow);
    for (let i = 0; i < 3; i++) {
      const r = await postLarge(webhook.url, 5 * 1024 * 1024, i % 3 === 1, i % 3 === 2);
      expect(r, JSON.stringify(r)).toMatchObject({ status: 413 });
      expect(isErrorShape(JSON.parse((r as { body: string }).body))).toBe(true);
    }
    // The server is still there.
    expect((await post(webhook.url, { symbol: 'SBIN', secret: webhook.secret })).status).toBe(202);
  });
});

describe('the symbol in the URL', () => {
  it("replaces the body's symbol, as OpenAlgo does", async () => {
    const flow = await server();
    const { webhook } = await activated(flow);
    const r = await post(`${webhook.url}/NIFTY?wait=true`, { symbol: 'SBIN', secret: webhook.secret });
    expect(r.status).toBe(200);
    const result = await json(r);
    expect(result.logs.map((l: { message: string }) => l.message)).toContain('symbol NIFTY');
    const plain = await post(`${webhook.url}?wait=true`, { symbol: 'SBIN', secret: webhook.secret });
    expect((await json(plain)).logs.map((l: { message: string }) => l.message)).toContain('symbol SBIN');
  });
});

describe('FLOW_PUBLIC_URL', () => {
  it('webhook URLs are built from it (the address behind the TLS proxy), while the server listens on loopback', async () => {
    const flow = await server({ FLOW_PUBLIC_URL: 'https://flow.example.com/' });
    expect(flow.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const { webhook } = await activated(flow);
    expect(webhook.url).toBe(`https://flow.example.com/flow/webhook/${webhook.token}`);
  });
});
