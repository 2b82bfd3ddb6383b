// The front door (issue 10, items 1 and 2): every /api route in Fastify's own route table refuses
// a request without the right token however the path is spelled, only the live-events route reads
// ?token=, /api takes JSON only, and the UI's static files never leave their folder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { isErrorShape, rawRequest, startTestFlow, type TestFlow } from './helpers.js';

// Hundreds of real requests each: generous under a loaded machine (each test is ~1 s when idle).
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

let flow: TestFlow;
const site = fs.mkdtempSync(path.join(os.tmpdir(), 'flow-site-'));
const SECRET = 'top-secret-sibling-file-4f1c';

beforeAll(async () => {
  // The UI folder, and next to it a folder whose name starts with the UI folder's name.
  fs.mkdirSync(path.join(site, 'dist/assets'), { recursive: true });
  fs.mkdirSync(path.join(site, 'dist-private'));
  fs.writeFileSync(path.join(site, 'dist/index.html'), '<!doctype html><title>Flow UI</title>');
  fs.writeFileSync(path.join(site, 'dist/assets/app-1234.js'), 'console.log("ui")');
  fs.writeFileSync(path.join(site, 'dist-private/secret.txt'), SECRET);
  fs.writeFileSync(path.join(site, 'secret.txt'), SECRET);
  flow = await startTestFlow({}, { uiDir: path.join(site, 'dist') });
});
afterAll(async () => {
  await flow.stop();
  fs.rmSync(site, { recursive: true, force: true });
});

const isProtected = (url: string) => url.startsWith('/api/') && url !== '/api/health';
/** A concrete path for a route pattern. */
const concrete = (url: string) => url.replace(/:version/g, '1').replace(/:key/g, 'k.n.1').replace(/:[a-zA-Z]+/g, 'wf_x').replace(/\*$/, '');

/** Spellings of a protected path that must never reach its handler without the token. */
function spellings(p: string): string[] {
  const rest = p.slice('/api'.length); // "/workflows/wf_x"
  const inner = rest.slice(1);
  return [
    p,
    `/%61pi${rest}`,
    `/%61%70%69${rest}`,
    `/%2561pi${rest}`,
    `/api%2F${inner}`,
    `/api%2f${inner}`,
    `/API${rest}`,
    `/Api${rest}`,
    `//api${rest}`,
    `//api//${inner}`,
    `/api/${inner.replace(/\//g, '//')}`,
    `/x/..${p}`,
    `/./api${rest}`,
    `/api/.${rest}`,
    `/api/x/..${rest}`,
    `${p}/`,
    `${p}?token=${encodeURIComponent('x')}`,
  ];
}

describe('every /api route refuses a request without the right token (route table walked via onRoute)', () => {
  it('the route table holds the API, and the only open routes are health, metrics, webhooks and the UI', () => {
    const open = flow.routes.filter((r) => !isProtected(r.url));
    expect(flow.routes.filter((r) => isProtected(r.url)).length).toBeGreaterThanOrEqual(25);
    // The UI's built files are one literal route each, never under /api or /flow and never a pattern.
    const uiFile = /^\/(?!api(\/|$)|flow(\/|$)|metrics$)[A-Za-z0-9._~/-]*$/i;
    for (const r of open) {
      const known = /^(\/api\/health|\/metrics|\/flow\/webhook\/:token(\/:symbol)?)$/.test(r.url);
      expect(known || uiFile.test(r.url), `${r.method} ${r.url} is outside the token's scope`).toBe(true);
    }
    // Only the live event stream may take the token from the query.
    expect(flow.routes.filter((r) => r.tokenInQuery).map((r) => r.url)).toEqual(expect.arrayContaining(['/api/executions/:id/events']));
    expect(new Set(flow.routes.filter((r) => r.tokenInQuery).map((r) => r.url))).toEqual(new Set(['/api/executions/:id/events']));
  });

  it('401 in the error shape with no token, a wrong token, or the right token in the query of a non-stream route', async () => {
    const checked: string[] = [];
    for (const r of flow.routes.filter((x) => isProtected(x.url))) {
      const p = concrete(r.url);
      const tries: Array<[string, Record<string, string>]> = [
        [p, {}],
        [p, { authorization: 'Bearer wrong-token' }],
        [p, { authorization: `Bearer ${flow.apiToken}x` }],
        [p, { authorization: `Basic ${flow.apiToken}` }],
        [`${p}?token=wrong`, {}],
      ];
      if (!r.tokenInQuery) tries.push([`${p}?token=${flow.apiToken}`, {}], [`${p}?x=/events&token=${flow.apiToken}`, {}]);
      for (const [url, headers] of tries) {
        const a = await rawRequest(flow.port, r.method, url, { headers });
        expect(a.status, `${r.method} ${url} ${JSON.stringify(headers)}`).toBe(401);
        if (r.method !== 'HEAD') expect(isErrorShape(a.json), `${r.method} ${url}: ${a.text}`).toBe(true);
      }
      checked.push(`${r.method} ${r.url}`);
    }
    expect(checked.length).toBeGreaterThanOrEqual(25);
  });

  it('encoded, mixed-case, double-slash and dot-segment spellings answer 401 or 404, never 2xx, 3xx or 5xx', async () => {
    let n = 0;
    for (const r of flow.routes.filter((x) => isProtected(x.url))) {
      for (const url of spellings(concrete(r.url))) {
        for (const headers of [{}, { 'content-type': 'text/plain' }] as Array<Record<string, string>>) {
          const body = r.method === 'GET' || r.method === 'HEAD' ? undefined : '{"enabled":true}';
          const a = await rawRequest(flow.port, r.method, url, { headers, body });
          expect([401, 404], `${r.method} ${url} → ${a.status} ${a.text.slice(0, 200)}`).toContain(a.status);
          if (r.method !== 'HEAD') expect(isErrorShape(a.json), `${r.method} ${url}: ${a.text.slice(0, 200)}`).toBe(true);
          n++;
        }
      }
    }
    expect(n).toBeGreaterThan(500);
  });

  it('the right token reaches every route (no 401, no 5xx), so the checks above test the token and nothing else', async () => {
    for (const r of flow.routes.filter((x) => isProtected(x.url) && x.method !== 'HEAD')) {
      if (r.url === '/api/paper/reset') continue; // it would wipe the account other tests read
      const p = concrete(r.url);
      const a = await rawRequest(flow.port, r.method, p, { headers: { authorization: `Bearer ${flow.apiToken}` } });
      expect(a.status, `${r.method} ${p}: ${a.text.slice(0, 200)}`).not.toBe(401);
      expect(a.status, `${r.method} ${p}: ${a.text.slice(0, 200)}`).toBeLessThan(500);
    }
  });

  it('only the live-events route reads ?token=', async () => {
    const run = await flow.api('POST', '/api/workflows', { name: 'x', nodes: [{ id: 's', type: 'start', position: { x: 0, y: 0 }, data: {} }], edges: [] });
    const exec = await flow.api('POST', `/api/workflows/${run.body.id}/execute?wait=true`);
    expect(exec.status).toBe(200);
    const events = await rawRequest(flow.port, 'GET', `/api/executions/${exec.body.executionId}/events?token=${flow.apiToken}`);
    expect(events.status).toBe(200);
    expect(events.text).toContain('event: snapshot');
    const detail = await rawRequest(flow.port, 'GET', `/api/executions/${exec.body.executionId}?token=${flow.apiToken}`);
    expect(detail.status).toBe(401);
  });

  it('a cross-site text/plain or form POST to the kill switch, however spelled, never flips it', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const text = { 'content-type': 'text/plain' };
    for (const url of ['/%61pi/kill-switch', '/api/kill-switch', '/API/kill-switch', '/x/../api/kill-switch']) {
      expect([401, 404]).toContain((await rawRequest(flow.port, 'POST', url, { headers: text, body: '{"enabled":true}' })).status);
      expect([401, 404]).toContain((await rawRequest(flow.port, 'POST', url, { headers: form, body: 'enabled=true' })).status);
    }
    // Even with the token, /api takes application/json only.
    const auth = { authorization: `Bearer ${flow.apiToken}` };
    const refused = await rawRequest(flow.port, 'POST', '/api/kill-switch', { headers: { ...auth, ...text }, body: '{"enabled":true}' });
    expect(refused.status).toBe(415);
    expect(refused.json.error.code).toBe('unsupported_media_type');
    expect((await rawRequest(flow.port, 'POST', '/api/kill-switch', { headers: { ...auth, ...form }, body: 'enabled=true' })).status).toBe(415);
    expect((await flow.api('GET', '/api/kill-switch')).body).toEqual({ enabled: false });
  });

  it('health needs no token, whatever the spelling', async () => {
    expect((await rawRequest(flow.port, 'GET', '/api/health')).status).toBe(200);
    expect((await rawRequest(flow.port, 'GET', '/%61pi/health')).status).toBe(200);
  });
});

describe('the UI is served from its folder only', () => {
  it('serves index.html, assets with a long cache, and index.html for UI paths', async () => {
    const root = await rawRequest(flow.port, 'GET', '/');
    expect(root.status).toBe(200);
    expect(root.text).toContain('Flow UI');
    const deep = await rawRequest(flow.port, 'GET', '/workflows/wf_1/runs/ex_2');
    expect(deep.status).toBe(200);
    expect(deep.text).toContain('Flow UI');
    const asset = await rawRequest(flow.port, 'GET', '/assets/app-1234.js');
    expect(asset.status).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
  });

  it('never serves a file outside the folder, however the path is escaped', async () => {
    const attempts = [
      '/..%252fdist-private%252fsecret.txt', '/..%2fdist-private%2fsecret.txt', '/%2e%2e/dist-private/secret.txt', '/%2e%2e%2fsecret.txt',
      '/../dist-private/secret.txt', '/../secret.txt', '/assets/..%2f..%2fdist-private%2fsecret.txt', '/assets/%2e%2e/%2e%2e/secret.txt',
      '/..%5cdist-private%5csecret.txt', '/%252e%252e/dist-private/secret.txt', '/....//dist-private/secret.txt',
    ];
    for (const url of attempts) {
      const a = await rawRequest(flow.port, 'GET', url);
      expect(a.text, url).not.toContain(SECRET);
      expect(a.status, url).toBeLessThan(500);
    }
  });

  it('answers a malformed escape with a 4xx, not a 500', async () => {
    for (const url of ['/%25', '/%', '/%zz', '/assets/%E0%A4%A', '/api/workflows/%E0%A4%A']) {
      const a = await rawRequest(flow.port, 'GET', url, { headers: { authorization: `Bearer ${flow.apiToken}` } });
      expect(a.status, url).toBeGreaterThanOrEqual(400);
      expect(a.status, url).toBeLessThan(500);
      expect(isErrorShape(a.json), `${url}: ${a.text}`).toBe(true);
    }
  });

  it('unknown /api and /flow paths are JSON 404s, not the UI', async () => {
    for (const url of ['/api/nope', '/flow/nope', '/API', '/metrics/x']) {
      const a = await rawRequest(flow.port, 'GET', url, { headers: { authorization: `Bearer ${flow.apiToken}` } });
      expect(a.status, url).toBe(404);
      expect(isErrorShape(a.json)).toBe(true);
    }
  });
});
