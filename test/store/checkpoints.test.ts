import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite/store.js';
import { tempDir, tempStore } from './helpers.js';

const size = (file: string) => (fs.existsSync(file) ? fs.statSync(file).size : 0);

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
