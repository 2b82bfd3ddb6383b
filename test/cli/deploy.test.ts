// docs/deploy.md as an operator follows it: the backup one-liner against a running `flow serve`, its
// check, the restore, and the service files checked by their own tools where those are installed.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exitOf, root, run, serveThenTerm } from '../helpers/processes.js';

const doc = fs.readFileSync(path.join(root, 'docs/deploy.md'), 'utf8');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'flow-deploy-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const secretKey = 'ab'.repeat(32);

/** The one `node -e '…'` script of the doc that contains `marker`; every copy of it in the doc must be the same. */
function docScript(marker: string): string {
  const scripts = [...doc.matchAll(/node_modules\/\.bin\/node -e '([^']+)'/g)].map((m) => m[1]).filter((s) => s.includes(marker));
  expect(scripts.length).toBeGreaterThan(0);
  expect(new Set(scripts).size).toBe(1);
  return scripts[0];
}

async function api(url: string, token: string, method: string, p: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${url}${p}`, {
    method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined,
  });
  expect(res.status, `${method} ${p}`).toBeLessThan(300);
  return (await res.json()) as Record<string, unknown>;
}

const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

describe('docs/deploy.md', () => {
  it('the documented backup of a running Flow restores into a fresh data directory with its workflows, runs and webhook secret', async () => {
    const live = path.join(tmp, 'live');
    const backup = path.join(tmp, 'backups', 'flow-backup.db');
    fs.mkdirSync(path.dirname(backup), { mode: 0o700 });
    const env = { FLOW_SECRET_KEY: secretKey, FLOW_API_TOKEN: 'deploy-test-token' };
    let original: { id: string; secret: unknown; executions: number } | undefined;

    const first = await serveThenTerm(live, async (url) => {
      const wf = await api(url, env.FLOW_API_TOKEN, 'POST', '/api/workflows/import', JSON.parse(fs.readFileSync(path.join(root, 'examples/ema-webhook.json'), 'utf8')));
      const activated = await api(url, env.FLOW_API_TOKEN, 'POST', `/api/workflows/${wf.id}/activate`);
      const run1 = await api(url, env.FLOW_API_TOKEN, 'POST', `/api/workflows/${wf.id}/execute?wait=true`, { webhookData: { symbol: 'SBIN', action: 'BUY' } });
      expect(run1.status).toBe('completed');
      // The backup, as documented, while this Flow runs (its WAL holds the latest writes).
      const b = await run(process.execPath, ['-e', docScript('VACUUM INTO ?'), path.join(live, 'flow.db'), backup]);
      expect(exitOf(b), b.stderr).toEqual({ code: 0, signal: null });
      original = { id: String(wf.id), secret: (activated.webhook as { secret: unknown }).secret, executions: 1 };
    }, env);
    expect(first.during).toBeUndefined();
    expect(exitOf(first), first.stderr).toEqual({ code: 0, signal: null });

    const check = await run(process.execPath, ['-e', docScript('integrity_check'), backup]);
    expect(check.stdout.trim()).toBe('ok');

    // Restore: the backup becomes flow.db of an empty data directory; Flow starts on it with the same key.
    const restored = path.join(tmp, 'restored');
    fs.mkdirSync(restored, { mode: 0o700 });
    expect(doc).toContain('sudo install -o flow -g flow -m 0600 /var/backups/flow/');
    fs.copyFileSync(backup, path.join(restored, 'flow.db'));
    fs.chmodSync(path.join(restored, 'flow.db'), 0o600);
    const second = await serveThenTerm(restored, async (url) => {
      const hook = await api(url, env.FLOW_API_TOKEN, 'GET', `/api/workflows/${original!.id}/webhook`);
      expect(hook.secret).toBe(original!.secret);
      const runs = await api(url, env.FLOW_API_TOKEN, 'GET', `/api/workflows/${original!.id}/executions`);
      const list = runs.executions as { status: string }[];
      expect(list.map((e) => e.status)).toEqual(['completed']);
    }, env);
    expect(second.during).toBeUndefined();
    expect(exitOf(second), second.stderr).toEqual({ code: 0, signal: null });
  }, 120_000);

  it.runIf(has('systemd-analyze'))('the systemd unit passes systemd-analyze verify without a warning', () => {
    const unit = fs.readFileSync(path.join(root, 'deploy/flow.service'), 'utf8');
    for (const line of ['Restart=on-failure', 'StateDirectoryMode=0700', 'UMask=0077', 'EnvironmentFile=/etc/flow/flow.env', 'ExecStart=/opt/flow/node_modules/.bin/node /opt/flow/bin/flow.js serve']) {
      expect(unit).toContain(line);
    }
    // Pointed at this checkout (the binary must exist); the environment file is not on this machine.
    const file = path.join(tmp, 'flow.service');
    fs.writeFileSync(file, unit.replaceAll('/opt/flow', root).replace('EnvironmentFile=/etc', 'EnvironmentFile=-/etc'));
    const r = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr.trim()).toBe('');
  });

  it.runIf(has('caddy'))('the Caddyfile is valid for caddy', () => {
    const r = spawnSync('caddy', ['validate', '--config', path.join(root, 'deploy/Caddyfile'), '--adapter', 'caddyfile'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status, r.stderr).toBe(0);
  });
});
