// The `flow` command as a newcomer runs it: real child processes, exit codes, the examples.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenAlgoBroker } from '../../src/broker/openalgo/index.js';
import { OpenAlgoStream } from '../../src/stream/client.js';
import type { StreamOrderUpdate } from '../../src/stream/types.js';

const root = path.resolve(__dirname, '../..');
const bin = path.join(root, 'bin/flow.js');
const examples = fs.readdirSync(path.join(root, 'examples')).filter((f) => f.endsWith('.json')).map((f) => path.join('examples', f));

function flow(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: root, env: { ...process.env, FLOW_BROKER: '', OPENALGO_HOST: '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'flow-cli-'));
afterAll(async () => fs.rmSync(tmp, { recursive: true, force: true }));
const write = (name: string, content: string) => {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, content);
  return file;
};

describe('flow run and flow validate', () => {
  it('has at least five examples, all valid', async () => {
    expect(examples.length).toBeGreaterThanOrEqual(5);
    const results = await Promise.all(examples.map((f) => flow(['validate', f])));
    for (const r of results) expect(r.code, r.stdout + r.stderr).toBe(0);
  });

  it('runs every example green against the in-process paper broker', async () => {
    const results = await Promise.all(examples.map((f) => flow(['run', f, '--json', '--webhook', '{"symbol":"SBIN","action":"BUY"}'])));
    results.forEach((r, i) => {
      expect(r.code, `${examples[i]}\n${r.stdout}\n${r.stderr}`).toBe(0);
      expect(JSON.parse(r.stdout).status).toBe('completed');
      // The server's id scheme (time-ordered ex_ ids), not UUIDs.
      expect(JSON.parse(r.stdout).executionId).toMatch(/^ex_[0-9a-z]{9}[A-Za-z0-9_-]{10}$/);
    });
  }, 60_000);

  it('paper-broker --help states each default once', async () => {
    const help = await flow(['paper-broker', '--help']);
    expect(help.code).toBe(0);
    const port = help.stdout.split('\n').find((l) => l.includes('--port <port>'))!;
    expect(port.match(/default/g)).toHaveLength(1);
    expect(port).toContain('"5001"');
  });

  it('exits 2 with one line naming the file when the file is not JSON or not a workflow', async () => {
    const notJson = await flow(['run', write('broken.json', '{"name": "x", nodes: [')]);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr.trim().split('\n')).toHaveLength(1);
    expect(notJson.stderr).toContain('broken.json: not valid JSON');
    const missing = await flow(['run', path.join(tmp, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.json: cannot read \(ENOENT\)/);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 2 on an invalid workflow, printing every problem with its node id', async () => {
    const wf = {
      name: 'bad', nodes: [
        { id: 'n1', type: 'webhookTrigger', position: { x: 0, y: 0 }, data: {} },
        { id: 'n2', type: 'placeOrder', position: { x: 0, y: 1 }, data: { symbol: 'SBIN', exchange: 'NYSE', quantity: 0 } },
      ], edges: [{ id: 'e1', source: 'n1', target: 'n2' }, { id: 'e2', source: 'n2', target: 'n1' }],
    };
    const r = await flow(['validate', write('bad.json', JSON.stringify(wf))]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/n2 placeOrder: exchange 'NYSE' is not one of/);
    expect(r.stdout).toMatch(/n2 placeOrder: quantity must be at least 1/);
    expect(r.stdout).toMatch(/cycle/);
  });

  it('exits 1 when the run fails, naming the node and field', async () => {
    const wf = {
      name: 'needs qty', nodes: [
        { id: 'n1', type: 'webhookTrigger', position: { x: 0, y: 0 }, data: {} },
        { id: 'n2', type: 'placeOrder', position: { x: 0, y: 1 }, data: { symbol: 'SBIN', exchange: 'NSE', action: 'BUY', quantity: '{{webhook.qty}}' } },
      ], edges: [{ id: 'e1', source: 'n1', target: 'n2' }],
    };
    const r = await flow(['run', write('qty.json', JSON.stringify(wf)), '--webhook', '{"symbol":"SBIN"}']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("n2 placeOrder: quantity '{{webhook.qty}}' did not resolve");
  });
});

describe('flow run --data-dir', () => {
  it('records the run, and the paper account carries over to the next run', async () => {
    const dataDir = path.join(tmp, 'recorded');
    const args = ['run', 'examples/ema-webhook.json', '--data-dir', dataDir, '--json', '--webhook', '{"symbol":"SBIN","action":"BUY"}'];
    const first = JSON.parse((await flow(args)).stdout);
    const second = JSON.parse((await flow(args)).stdout);
    expect(first.orders).toHaveLength(1);
    expect(second.orders).toHaveLength(0); // the position from the first run exists now
    const { openStore } = await import('../../src/store/index.js');
    const store = await openStore({ dataDir });
    try {
      const [wf] = await store.listWorkflows();
      expect(wf.name).toBe('TradingView EMA crossover entry');
      const stored = (await store.getExecution(first.executionId))!;
      expect(stored.status).toBe('completed');
      expect(stored.intents.map((i) => i.status)).toEqual(['accepted']);
      expect(await store.listExecutions(wf.id)).toHaveLength(2);
    } finally {
      await store.close();
    }
  });
});

describe('against flow paper-broker through the OpenAlgo client', () => {
  let server: ReturnType<typeof spawn>;
  let host = '';
  let wsUrl = '';
  beforeAll(async () => {
    server = spawn(process.execPath, [bin, 'paper-broker', '--port', '0', '--ws-port', '0', '--apikey', 'test-key-123'], { cwd: root });
    host = await new Promise<string>((resolve, reject) => {
      let out = '';
      server.stdout!.on('data', (d) => {
        out += d;
        const m = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        const w = /on (ws:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m && w) {
          wsUrl = w[1];
          resolve(m[1]);
        }
      });
      server.once('exit', (code) => reject(new Error(`paper-broker exited ${code}`)));
    });
  }, 20_000);
  afterAll(async () => {
    server?.kill('SIGTERM');
  });

  it('runs every example green with --broker openalgo, and the API key never shows', async () => {
    const env = { OPENALGO_HOST: host, OPENALGO_API_KEY: 'test-key-123' };
    const results = await Promise.all(examples.map((f) => flow(['run', f, '--broker', 'openalgo', '--json', '--webhook', '{"symbol":"SBIN","action":"BUY"}'], env)));
    results.forEach((r, i) => {
      expect(r.code, `${examples[i]}\n${r.stdout}\n${r.stderr}`).toBe(0);
      expect(r.stdout + r.stderr).not.toContain('test-key-123');
    });
  }, 60_000);

  it('--ws-port streams ticks and pushes the order update of an order placed over REST', async () => {
    const stream = new OpenAlgoStream({ url: wsUrl, apiKey: 'test-key-123' });
    try {
      const ticks: number[] = [];
      const updates: StreamOrderUpdate[] = [];
      stream.subscribe({ symbol: 'SBIN', exchange: 'NSE' }, 'LTP', (t) => ticks.push(t.ltp));
      stream.onOrderUpdate((u) => updates.push(u));
      await waitFor(() => ticks.length > 0 && stream.state === 'live');
      await new Promise((r) => setTimeout(r, 50)); // subscribe_orders reaches the server
      const rest = new OpenAlgoBroker({ host, apiKey: 'test-key-123' });
      const placed = await rest.placeOrder({ strategy: 'cli', symbol: 'SBIN', exchange: 'NSE', action: 'BUY', quantity: 1, pricetype: 'MARKET', product: 'MIS' } as never);
      expect(placed.status).toBe('success');
      await waitFor(() => updates.some((u) => u.orderid === String(placed.orderid) && u.order_status === 'complete'));
      expect(ticks[0]).toBeGreaterThan(0);
    } finally {
      stream.close();
    }
  }, 20_000);
});

async function waitFor(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
