import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isNonPublicAddress } from '../../src/nodes/netguard.js';
import { nodes, redactUrl } from '../../src/nodes/utility.js';
import type { Notification } from '../../src/nodes/types.js';
import { makeContext, parseParams, prepare, runNode } from './context.js';

const def = (type: string) => nodes.find((n) => n.type === type)!;

describe('variable', () => {
  const variable = def('variable');

  it('sets (parsing JSON-shaped text), gets, and stores under variableName', async () => {
    const ctx = makeContext();
    await runNode(variable, { variableName: 'qty', value: '10' }, ctx);
    expect(ctx.variables.get('qty')).toBe('10');
    await runNode(variable, { variableName: 'cfg', value: '{"sl": 1.5}' }, ctx);
    expect(ctx.variables.get('cfg')).toEqual({ sl: 1.5 });
    const got = await runNode(variable, { variableName: 'cfg', operation: 'get' }, ctx);
    expect(got.result).toMatchObject({ status: 'success', value: { sl: 1.5 } });
  });

  it('does arithmetic on the variable itself, or on the seed’s sourceVariable', async () => {
    const ctx = makeContext({ variables: { price: '200', count: 3 } });
    await runNode(variable, { variableName: 'count', operation: 'add', value: '2' }, ctx);
    expect(ctx.variables.get('count')).toBe(5);
    await runNode(variable, { variableName: 'half', operation: 'divide', sourceVariable: 'price', value: 2 }, ctx);
    expect(ctx.variables.get('half')).toBe(100);
    await runNode(variable, { variableName: 'n', operation: 'increment' }, ctx);
    await runNode(variable, { variableName: 'n', operation: 'increment' }, ctx);
    await runNode(variable, { variableName: 'n', operation: 'decrement' }, ctx);
    expect(ctx.variables.get('n')).toBe(1);
    await runNode(variable, { variableName: 'n', operation: 'multiply', value: '2.5' }, ctx);
    expect(ctx.variables.get('n')).toBe(2.5);
  });

  it('errors on division by zero instead of yielding 0, and leaves the variable alone', async () => {
    const ctx = makeContext({ variables: { x: 10 } });
    const { result } = await runNode(variable, { variableName: 'x', operation: 'divide', value: 0 }, ctx);
    expect(result).toMatchObject({ status: 'error', message: expect.stringMatching(/divide .* by zero/) });
    expect(ctx.variables.get('x')).toBe(10);
  });

  it('errors on non-numeric operands and on a missing sourceVariable', async () => {
    const ctx = makeContext({ variables: { s: 'abc' } });
    expect((await runNode(variable, { variableName: 's', operation: 'add', value: 1 }, ctx)).result.status).toBe('error');
    expect((await runNode(variable, { variableName: 'y', operation: 'add', value: 'x' }, ctx)).result.status).toBe('error');
    expect((await runNode(variable, { variableName: 'y', operation: 'add', sourceVariable: 'nope', value: 1 }, ctx)).result).toMatchObject({ status: 'error', message: "sourceVariable 'nope' is not set" });
  });

  it('appends, parses and stringifies', async () => {
    const ctx = makeContext();
    await runNode(variable, { variableName: 'list', operation: 'append', value: 'a' }, ctx);
    await runNode(variable, { variableName: 'list', operation: 'append', value: 'b' }, ctx);
    expect(ctx.variables.get('list')).toEqual(['a', 'b']);
    await runNode(variable, { variableName: 'txt', operation: 'stringify', value: { a: 1 } }, ctx);
    expect(ctx.variables.get('txt')).toBe('{"a":1}');
    await runNode(variable, { variableName: 'obj', operation: 'parse_json', value: '42' }, ctx);
    expect(ctx.variables.get('obj')).toBe(42);
    expect((await runNode(variable, { variableName: 'obj', operation: 'parse_json', value: '{bad' }, ctx)).result.status).toBe('error');
  });

  it('refuses the reserved name webhook', () => {
    expect(() => prepare(variable, { variableName: 'webhook', value: 1 })).toThrow(/reserved/);
  });
});

describe('delay and waitUntil', () => {
  it('delay converts units, accepts the seed’s seconds, and waits through ctx.sleep', async () => {
    const ctx = makeContext();
    await runNode(def('delay'), { delayValue: 2, delayUnit: 'minutes' }, ctx);
    await runNode(def('delay'), { seconds: 5 }, ctx);
    expect(ctx.sleeps).toEqual([120_000, 5_000]);
    expect(def('delay').timeoutMs).toBeNull();
    expect(() => prepare(def('delay'), { delayValue: 25, delayUnit: 'hours' })).toThrow(/24 hours/);
  });

  it('delay is cancelled with the run', async () => {
    const ac = new AbortController();
    const ctx = makeContext({ signal: ac.signal, realSleep: true });
    const running = runNode(def('delay'), { delayValue: 30 }, ctx);
    ac.abort();
    await expect(running).rejects.toThrow(/canceled/);
  });

  it('waitUntil waits for the IST time, or returns at once when it has passed', async () => {
    const now = new Date('2025-01-15T04:30:00Z'); // 10:00 IST
    const later = await runNode(def('waitUntil'), { targetTime: '15:15' }, { now });
    expect(later.result).toMatchObject({ waited: true, waited_ms: (5 * 60 + 15) * 60_000 });
    expect(later.ctx.sleeps).toEqual([(5 * 60 + 15) * 60_000]);
    const past = await runNode(def('waitUntil'), { targetTime: '09:30' }, { now });
    expect(past.result).toMatchObject({ waited: false });
    expect(past.ctx.sleeps).toEqual([]);
  });

  it('waitUntil honours seconds: 10:00:00 until 10:00:45 waits 45 s (OpenAlgo execute_wait_until)', async () => {
    const now = new Date('2025-01-15T04:30:00Z'); // 10:00:00 IST
    const r = await runNode(def('waitUntil'), { targetTime: '10:00:45' }, { now });
    expect(r.result).toMatchObject({ waited: true, waited_ms: 45_000 });
  });
});

describe('log and alerts', () => {
  it('log writes at the level given', async () => {
    const { ctx } = await runNode(def('log'), { message: 'hello', level: 'warning' });
    expect(ctx.logs).toContainEqual({ message: 'hello', level: 'warn' });
  });

  it('telegramAlert and whatsappAlert go through the notifier', async () => {
    const sent: Notification[] = [];
    const notifier = { send: async (n: Notification) => (sent.push(n), { delivered: true, via: 'telegram' }) };
    const { result } = await runNode(def('telegramAlert'), { message: 'Bought', username: 'trader1' }, { notifier });
    expect(result).toMatchObject({ status: 'success', delivered: true, via: 'telegram' });
    await runNode(def('whatsappAlert'), { message: 'Hi', to: '919876543210' }, { notifier });
    expect(sent).toEqual([{ channel: 'telegram', message: 'Bought', username: 'trader1' }, { channel: 'whatsapp', message: 'Hi', to: '919876543210' }]);
  });

  it('a failed alert is a node error with the reason', async () => {
    const notifier = { send: async () => Promise.reject(new Error('Telegram answered 400: chat not found')) };
    const { result } = await runNode(def('telegramAlert'), { message: 'x' }, { notifier });
    expect(result).toMatchObject({ status: 'error', message: 'telegram alert not sent: Telegram answered 400: chat not found' });
  });
});

describe('mathExpression', () => {
  it('evaluates and hands the bare number to outputVariable', async () => {
    const { result } = await runNode(def('mathExpression'), { expression: '(0.05 * 1000000) / 1502.5' });
    expect(result).toMatchObject({ status: 'success', output: result.result });
    expect(result.result).toBeCloseTo(33.2779, 3);
  });

  it('errors on division by zero and on an unresolved variable', async () => {
    expect((await runNode(def('mathExpression'), { expression: '10 / 0' })).result).toMatchObject({ status: 'error', message: expect.stringMatching(/division by zero at position 4/) });
    expect((await runNode(def('mathExpression'), { expression: '{{q.data.ltp}} * 2' })).result).toMatchObject({ status: 'error', message: expect.stringMatching(/unresolved \{\{q.data.ltp\}\}/) });
  });
});

describe('httpRequest', () => {
  let server: Server;
  let base: string;
  const seen: Array<{ method?: string; url?: string; headers: IncomingMessage['headers']; body: string }> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, headers: req.headers, body });
        if (req.url?.startsWith('/slow')) return; // never answers
        if (req.url?.startsWith('/text')) return res.end('plain words');
        if (req.url?.startsWith('/fail')) {
          res.statusCode = 503;
          return res.end('{"error":"down"}');
        }
        res.setHeader('content-type', 'application/json');
        res.setHeader('set-cookie', 'session=secret');
        res.end(JSON.stringify({ ok: true, echo: body ? JSON.parse(body) : null }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('refuses loopback, private and link-local targets by default', async () => {
    for (const url of [`${base}/x`, 'http://localhost:1/x', 'http://[::1]:1/', 'http://169.254.169.254/latest/meta-data', 'http://10.0.0.5/', 'http://0.0.0.0:1/', 'http://[::ffff:127.0.0.1]:1/', 'http://2130706433:1/', 'http://0x7f.1:1/']) {
      const { result } = await runNode(def('httpRequest'), { url });
      expect(result, url).toMatchObject({ status: 'error', message: expect.stringMatching(/loopback, private or link-local/) });
    }
    expect(seen).toHaveLength(0);
  });

  it('only speaks http and https', async () => {
    const { result } = await runNode(def('httpRequest'), { url: 'file:///etc/passwd' });
    expect(result).toMatchObject({ status: 'error', message: expect.stringMatching(/only http and https/) });
  });

  it('calls a local server when allowed, sending JSON and parsing the answer', async () => {
    const { result, ctx } = await runNode(
      def('httpRequest'),
      { method: 'POST', url: `${base}/hook?token=abc123`, headers: '{"Authorization": "Bearer xyz"}', body: '{"symbol": "SBIN"}', timeout: 5000 },
      { allowPrivateHttp: true },
    );
    expect(result).toMatchObject({ status: 'success', statusCode: 200, data: { ok: true, echo: { symbol: 'SBIN' } } });
    expect((result.headers as Record<string, unknown>)['set-cookie']).toBeUndefined();
    const req = seen[seen.length - 1];
    expect(req).toMatchObject({ method: 'POST', url: '/hook?token=abc123' });
    expect(req.headers).toMatchObject({ authorization: 'Bearer xyz', 'content-type': 'application/json' });
    const logged = ctx.logs.map((l) => l.message).join('\n');
    expect(logged).toContain(`${base}/hook?[redacted]`);
    expect(logged).not.toContain('abc123');
  });

  it('returns text bodies as text and a non-2xx answer as an error with its status', async () => {
    const text = await runNode(def('httpRequest'), { url: `${base}/text` }, { allowPrivateHttp: true });
    expect(text.result).toMatchObject({ status: 'success', data: 'plain words' });
    const fail = await runNode(def('httpRequest'), { url: `${base}/fail` }, { allowPrivateHttp: true });
    expect(fail.result).toMatchObject({ status: 'error', statusCode: 503, data: { error: 'down' }, message: expect.stringMatching(/HTTP 503/) });
  });

  it('times out after timeout milliseconds, capped at 60000, 0 or less meaning 30000 (OpenAlgo execute_http_request)', async () => {
    const { result } = await runNode(def('httpRequest'), { url: `${base}/slow`, timeout: 200 }, { allowPrivateHttp: true });
    expect(result).toMatchObject({ status: 'error', message: expect.stringMatching(/timed out after 0.2 s/) });
    const timeout = def('httpRequest').timeoutMs as (p: unknown) => number;
    expect(timeout(parseParams(def('httpRequest'), { url: 'http://x', timeout: 30_000 }))).toBe(35_000);
    expect(timeout(parseParams(def('httpRequest'), { url: 'http://x', timeout: 600_000 }))).toBe(65_000);
    expect(timeout(parseParams(def('httpRequest'), { url: 'http://x', timeout: 0 }))).toBe(35_000);
    expect(timeout(parseParams(def('httpRequest'), { url: 'http://x' }))).toBe(35_000);
    expect(timeout(parseParams(def('httpRequest'), { url: 'http://x', timeoutMs: 1500 }))).toBe(6_500); // Flow's older name
  });

  it('classifies addresses for IPv4 and IPv6', () => {
    for (const ip of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '0.0.0.0', '100.64.0.1', '::', '::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '64:ff9b::a9fe:a9fe']) {
      expect(isNonPublicAddress(ip), ip).toBe(true);
    }
    for (const ip of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) expect(isNonPublicAddress(ip), ip).toBe(false);
  });

  it('redacts credentials and query strings from logged URLs', () => {
    expect(redactUrl('https://user:pw@example.com/a?key=1#frag')).toBe('https://example.com/a?[redacted]');
    expect(redactUrl(new URL('https://example.com/a?key=1'))).toBe('https://example.com/a?[redacted]');
  });
});
