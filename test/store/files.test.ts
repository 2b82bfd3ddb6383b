// The data directory is private (issue 10): real files, real mode bits.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dataDirWarning, openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { startTestFlow } from '../server/helpers.js';

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function parent(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'flow-files-'));
  dirs.push(d);
  return d;
}
const mode = (p: string) => fs.statSync(p).mode & 0o777;

/** Runs fn with a umask that lets every permission through, so nothing below is umask luck. */
function openUmask<T>(fn: () => T): T {
  const before = process.umask(0);
  try {
    return fn();
  } finally {
    process.umask(before);
  }
}

describe('files in the data directory', () => {
  it('a data directory Flow creates is 0700, and flow.db, its -wal and -shm and secret.key are 0600, whatever the umask', async () => {
    const dataDir = path.join(parent(), 'nested', 'data');
    const store = await openUmask(() => openStore({ dataDir, env: {} }));
    stores.push(store);
    await store.insertExecution({ id: 'ex_1', workflowId: 'wf_1', version: null, trigger: { kind: 'manual' }, status: 'queued' });
    expect(mode(dataDir)).toBe(0o700);
    for (const f of ['flow.db', 'flow.db-wal', 'flow.db-shm', 'secret.key']) expect([f, mode(path.join(dataDir, f))]).toEqual([f, 0o600]);
    expect(dataDirWarning(dataDir)).toBeNull();
  });

  it('an existing data directory readable by others is warned about, and database files left loose are narrowed to 0600', async () => {
    const dataDir = parent();
    fs.chmodSync(dataDir, 0o755);
    const first = await openStore({ dataDir, env: {} });
    await first.close();
    fs.chmodSync(path.join(dataDir, 'flow.db'), 0o644);
    fs.writeFileSync(path.join(dataDir, 'flow.db-wal'), '');
    fs.chmodSync(path.join(dataDir, 'flow.db-wal'), 0o666);
    const store = await openStore({ dataDir, env: {} });
    stores.push(store);
    expect(mode(path.join(dataDir, 'flow.db'))).toBe(0o600);
    expect(mode(path.join(dataDir, 'flow.db-wal'))).toBe(0o600);
    expect(mode(dataDir)).toBe(0o755); // the directory is the owner's to change: Flow says so
    expect(dataDirWarning(dataDir)).toMatch(/accessible to other users \(mode 0755\).*chmod 700/);
    fs.chmodSync(dataDir, 0o750);
    expect(dataDirWarning(dataDir)).toMatch(/mode 0750/);
  });

  it('flow serve creates its data directory 0700 and the API token file 0600', async () => {
    const dataDir = path.join(parent(), 'data');
    const flow = await openUmask(() => startTestFlow({}, { dataDir }));
    try {
      expect(mode(dataDir)).toBe(0o700);
      expect(mode(path.join(dataDir, 'api-token'))).toBe(0o600);
      expect(mode(path.join(dataDir, 'flow.db'))).toBe(0o600);
    } finally {
      await flow.stop();
    }
    // A token file someone loosened is narrowed again at the next start.
    fs.chmodSync(path.join(dataDir, 'api-token'), 0o644);
    const again = await startTestFlow({}, { dataDir });
    await again.stop();
    expect(mode(path.join(dataDir, 'api-token'))).toBe(0o600);
  });
});
