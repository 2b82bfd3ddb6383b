// Bad input is a 4xx in the {error} shape (issue 10, items 5, 6, 7, 13): query garbage, deep
// nesting, Fastify's and Node's own refusals, invalid drafts run by hand, and big workflows.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { chain, isErrorShape, node, rawRequest, startTestFlow, type TestFlow } from './helpers.js';

// Hundreds of real requests each: generous under a loaded machine (each test is ~1 s when idle).
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

let flow: TestFlow;
let wfId: string;
beforeAll(async () => {
  flow = await startTestFlow();
  const created = await flow.api('POST', '/api/workflows', { name: 'manual', nodes: [node('s', 'start'), node('say', 'log', { message: 'hi' }, 100)], edges: chain('s', 'say') });
  wfId = created.body.id;
});
afterAll(async () => flow.stop());

const auth = () => ({ authorization: `Bearer ${flow.apiToken}` });
const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const expect4xx = (r: { status: number; body?: unknown; json?: unknown }, what: string) => {
  expect(r.status, what).toBeGreaterThanOrEqual(400);
  expect(r.status, what).toBeLessThan(500);
  expect(isErrorShape(r.body ?? r.json), `${what}: ${JSON.stringify(r.body ?? r.json)}`).toBe(true);
};

/** Sends bytes on a raw socket (for requests no HTTP client would form) and reads the answer. */
function rawSocket(port: number, bytes: string, end = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    s.on('data', (d) => (got += d));
    s.on('end', () => resolve(got));
    s.on('close', () => resolve(got));
    s.on('error', reject);
    s.setTimeout(5_000, () => s.destroy());
    if (end) s.end(bytes);
    else s.write(bytes);
  });
}

describe('query garbage and over-long ids', () => {
  it('offset=1e308 and other query garbage answer 400, never a database error', async () => {
    for (const q of ['offset=1e308', 'limit=1e308', 'offset=-1', 'offset=1.5', 'limit=abc', 'limit=0', 'status=nope', 'offset=9007199254740993', 'offset=&limit=', 'limit=1&limit=2']) {
      expect4xx(await flow.api('GET', `/api/workflows/${wfId}/executions?${q}`), q);
    }
    expect4xx(await flow.api('GET', `/api/workflows/${wfId}/versions/1e308`), 'version 1e308');
    expect((await flow.api('GET', `/api/workflows/${wfId}/executions?offset=0&limit=5`)).status).toBe(200);
  });

  it("ids over 100 characters, and Fastify's router refusals, answer in our shape", async () => {
    expect4xx(await flow.api('GET', `/api/workflows/${'a'.repeat(101)}`), '101 chars');
    const huge = await flow.api('GET', `/api/workflows/${'a'.repeat(400)}`);
    expect(huge.status).toBe(414);
    expect(huge.body.error.code).toBe('too_long');
    const bad = await rawRequest(flow.port, 'GET', '/api/workflows/%E0%A4%A', { headers: auth() });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('bad_url');
  });

  it("Node's own refusals (bad content-length, oversized headers) answer in our shape", async () => {
    for (const head of ['Content-Length: abc', 'Content-Length: -1', 'Content-Length: 1\r\nContent-Length: 2', 'Transfer-Encoding: chunked\r\nContent-Length: 3']) {
      const answer = await rawSocket(flow.port, `POST /api/workflows HTTP/1.1\r\nHost: x\r\n${head}\r\n\r\n{}`);
      expect(answer, head).toMatch(/^HTTP\/1\.1 4\d\d /);
      expect(isErrorShape(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))), answer).toBe(true);
    }
    const big = await rawSocket(flow.port, `GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(big).toMatch(/^HTTP\/1\.1 431 /);
    // A body shorter than its Content-Length, then the end of the stream.
    const short = await rawSocket(flow.port, `POST /api/workflows HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${flow.apiToken}\r\nContent-Type: application/json\r\nContent-Length: 10\r\nConnection: close\r\n\r\n{}`, true).catch(() => '');
    expect(short).not.toMatch(/^HTTP\/1\.1 5/);
  });

  it('an empty, invalid or non-object JSON body is a 400', async () => {
    for (const body of ['', '{"name": ', 'null', '[]', '"x"', '123', '\u0000']) {
      const r = await rawRequest(flow.port, 'POST', '/api/workflows', { headers: { ...auth(), 'content-type': 'application/json' }, body });
      expect4xx(r, JSON.stringify(body));
    }
  });
});

describe('deep nesting', () => {
  it('arrays nested 10,000 deep in node data or webhookData answer 400 on create, import, validate, save and execute', async () => {
    const wf = `{"name":"deep","nodes":[{"id":"s","type":"start","position":{"x":0,"y":0},"data":{"x":${nested(10_000)}}}],"edges":[]}`;
    for (const [method, url] of [['POST', '/api/workflows'], ['POST', '/api/workflows/import'], ['POST', '/api/workflows/validate'], ['PUT', `/api/workflows/${wfId}`]]) {
      const r = await flow.api(method, url, wf);
      expect4xx(r, `${method} ${url}`);
      expect(r.body.error.code).toBe('too_deep');
    }
    const exec = await flow.api('POST', `/api/workflows/${wfId}/execute`, `{"webhookData":{"x":${nested(10_000)}}}`);
    expect(exec.status).toBe(400);
    expect(exec.body.error.code).toBe('too_deep');
    // 64 levels still pass (the limit is not a nuisance for real payloads).
    const ok = await flow.api('POST', `/api/workflows/${wfId}/execute?wait=true`, `{"webhookData":{"x":${nested(60)}}}`);
    expect(ok.status).toBe(200);
  });
});

describe('manual runs', () => {
  it('a cyclic, trigger-less or empty draft run by hand answers 422 with its problems and stores no execution', async () => {
    const drafts = {
      cyclic: { name: 'cyclic', nodes: [node('s', 'start'), node('a', 'log', { message: 'a' }, 100), node('b', 'log', { message: 'b' }, 200)], edges: [...chain('s', 'a', 'b'), { id: 'back', source: 'b', target: 'a' }] },
      noTrigger: { name: 'no trigger', nodes: [node('a', 'log', { message: 'a' })], edges: [] },
      empty: { name: 'empty', nodes: [], edges: [] },
    };
    for (const [what, def] of Object.entries(drafts)) {
      const created = await flow.api('POST', '/api/workflows', def);
      expect(created.status, what).toBe(201);
      for (const q of ['', '?wait=true']) {
        const r = await flow.api('POST', `/api/workflows/${created.body.id}/execute${q}`);
        expect(r.status, `${what}${q}`).toBe(422);
        expect(r.body.error.code).toBe('invalid_workflow');
        expect(r.body.error.details.problems.length, what).toBeGreaterThan(0);
      }
      expect((await flow.api('GET', `/api/workflows/${created.body.id}/executions`)).body.executions).toEqual([]);
    }
  });

  it('a draft that fails before it starts still answers ?wait=true (the waiter sees a run that already ended)', async () => {
    // Stored behind validation's back: an unknown node type fails when the run compiles it.
    const wf = await flow.store.createWorkflow({
      name: 'broken', description: '',
      definition: { name: 'broken', nodes: [node('s', 'start'), node('x', 'noSuchNode', {}, 100)], edges: chain('s', 'x') } as never,
    });
    for (let i = 0; i < 3; i++) {
      const accepted = await flow.service.request({ workflowId: wf.id, version: null, trigger: { kind: 'manual', payload: {} } });
      await Promise.resolve(); // let the run start (and fail) before anyone waits
      const waited = await Promise.race([flow.service.wait(accepted.executionId).then(() => 'answered'), new Promise((r) => setTimeout(() => r('hung'), 2_000))]);
      expect(waited).toBe('answered');
      expect((await flow.store.getExecution(accepted.executionId))!.status).toBe('failed');
    }
  });
});

describe('workflow size', () => {
  it('a ~1 MB import of 500 nodes is taken; the webhook keeps its small limit', async () => {
    const nodes = [node('s', 'start'), ...Array.from({ length: 499 }, (_, i) => node(`n${i}`, 'log', { message: `${i} ${'x'.repeat(2_000)}` }, i))];
    const def = { name: 'big', nodes, edges: chain(...nodes.map((n) => n.id)) };
    const body = JSON.stringify(def);
    expect(body.length).toBeGreaterThan(1_000_000);
    const r = await flow.api('POST', '/api/workflows/import', body);
    expect(r.status, JSON.stringify(r.body).slice(0, 300)).toBe(201);
    expect(r.body.nodes).toHaveLength(500);
    const v = await flow.api('POST', '/api/workflows/validate', body);
    expect(v.status).toBe(200);
    // Other /api routes keep the small limit.
    const kill = await flow.api('POST', '/api/kill-switch', `{"enabled":false,"pad":"${'x'.repeat(200_000)}"}`);
    expect(kill.status).toBe(413);
    expect(kill.body.error.code).toBe('too_large');
  });
});
