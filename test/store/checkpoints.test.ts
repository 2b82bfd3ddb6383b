import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite/store.js';
import { tempDir, tempStore } from './helpers.js';

const size = (file: string) => (fs.existsSync(file) ? fs.statSync(file).size : 0);
/** The WAL header's salts (bytes 16–23): they change each time the log starts over. */
const salts = (file: string) => {
  const fd = fs.openSync(`${file}-wal`, 'r');
  try {
    const b = Buffer.alloc(8);
    fs.readSync(fd, b, 0, 8, 16);
    return b.toString('hex');
  } finally {
    fs.closeSync(fd);
  }
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('WAL checkpoints', () => {
  it('a worker thread copies the log into the database file; closing leaves one whole file', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'flow.db');
    const store = openSqliteStore({ path: file, secretKey: Buffer.alloc(32, 1), checkpointWorkerDelayMs: 0 });
    try {
      await new Promise((r) => setTimeout(r, 10)); // lets the worker start
      const before = size(file);
      for (let batch = 0; batch < 20; batch++) {
        await store.tx((w) => {
          for (let i = 0; i < 100; i++) {
            w.insertExecution({ id: `ex_${batch}_${i}`, workflowId: 'wf_a', version: 1, trigger: { kind: 'manual' }, input: { n: i }, status: 'queued' });
          }
        });
      }
      // The main connection does not checkpoint while the worker runs: only the worker can grow the file.
      await vi.waitFor(() => expect(size(file)).toBeGreaterThan(before), { timeout: 15_000, interval: 50 });
    } finally {
      await store.close();
    }
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    const reopened = await tempStore({ dataDir: dir });
    expect((await reopened.countByStatus()).queued).toBe(2000);
  });

  it('after a quiet spell the worker starts the log over itself, so the next commit appends without syncing a new header', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'flow.db');
    const store = openSqliteStore({ path: file, secretKey: Buffer.alloc(32, 1), checkpointWorkerDelayMs: 0 });
    try {
      const insert = (id: string) => store.tx((w) => w.insertExecution({ id, workflowId: 'wf_a', version: 1, trigger: { kind: 'manual' }, input: {}, status: 'queued' }));
      await insert('ex_1');
      const written = salts(file);
      // Nobody writes: the worker checkpoints and restarts the log (new salts) on its own.
      await vi.waitFor(() => expect(salts(file)).not.toBe(written), { timeout: 10_000, interval: 20 });
      const restarted = salts(file);
      // An idle database is then left alone: no further restarts or writes.
      const walSize = size(`${file}-wal`);
      await sleep(400);
      expect(salts(file)).toBe(restarted);
      expect(size(`${file}-wal`)).toBe(walSize);
      // The main connection's next commit appends to the restarted log: same salts.
      await insert('ex_2');
      expect(salts(file)).toBe(restarted);
      expect((await store.countByStatus()).queued).toBe(2);
    } finally {
      await store.close();
    }
  });

  it('without the worker the connection checkpoints for itself', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'flow.db');
    const store = await tempStore({ dataDir: dir, backgroundCheckpoints: false });
    const before = size(file);
    // Well past the 1000-page automatic checkpoint.
    for (let batch = 0; batch < 4; batch++) {
      await store.tx((w) => {
        for (let i = 0; i < 3000; i++) {
          w.insertExecution({ id: `ex_${batch}_${i}`, workflowId: 'wf_a', version: 1, trigger: { kind: 'manual' }, input: { n: i }, status: 'queued' });
        }
      });
    }
    expect(size(file)).toBeGreaterThan(before);
  });
});
