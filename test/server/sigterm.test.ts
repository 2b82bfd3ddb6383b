// SIGTERM (issue 10, item 9): a real `flow serve` stops accepting, answers the requests in flight
// (a ?wait=true whose run ends within the grace period), then exits 0.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flow-sigterm-'));
const TOKEN = 'sigterm-test-token';
let child: ChildProcess | undefined;
afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function serve(): Promise<{ url: string; exited: Promise<number | null>; output: () => string }> {
  const c = spawn(process.execPath, [path.join(root, 'bin/flow.js'), 'serve', '--port', '0', '--data-dir', dataDir], {
    cwd: root, env: { ...process.env, FLOW_API_TOKEN: TOKEN, FLOW_BROKER: 'paper', OPENALGO_HOST: '', FLOW_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = c;
  let out = '';
  c.stdout!.on('data', (d) => (out += d));
  c.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => c.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`flow serve did not start:\n${out}`)), 30_000);
    c.stdout!.on('data', () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], exited, output: () => out });
      }
    });
  });
}

describe('flow serve on SIGTERM', () => {
  it('answers a ?wait=true in flight whose run completes within the grace period, then exits 0', async () => {
    const flow = await serve();
    const api = (method: string, url: string, body?: unknown) => fetch(`${flow.url}${url}`, {
      method, headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined,
    });
    const created = await (await api('POST', '/api/workflows', {
      name: 'slow', edges: [{ id: 'e1', source: 's', target: 'wait' }, { id: 'e2', source: 'wait', target: 'say' }],
      nodes: [
        { id: 's', type: 'start', position: { x: 0, y: 0 }, data: {} },
        { id: 'wait', type: 'delay', position: { x: 0, y: 100 }, data: { delayValue: 1.5, delayUnit: 'seconds' } },
        { id: 'say', type: 'log', position: { x: 0, y: 200 }, data: { message: 'done' } },
      ],
    })).json() as { id: string };
    const inFlight = api('POST', `/api/workflows/${created.id}/execute?wait=true`);
    await new Promise((r) => setTimeout(r, 400));
    child!.kill('SIGTERM');
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    const result = await answer.json() as { status: string; logs: Array<{ message: string }> };
    expect(result.status).toBe('completed');
    expect(result.logs.map((l) => l.message)).toContain('done');
    // A new request after SIGTERM is refused (503 while closing, or no connection), never left hanging.
    const late = await fetch(`${flow.url}/api/health`, { signal: AbortSignal.timeout(5_000) }).then((r) => r.status, (e: Error) => e.name);
    expect([503, 'TypeError']).toContain(late);
    expect(await flow.exited, flow.output()).toBe(0);
  }, 60_000);
});
