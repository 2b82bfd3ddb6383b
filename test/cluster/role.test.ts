// `flow serve --role` (DESIGN.md §9): all, web or worker; with SQLite (no FLOW_DATABASE_URL) one
// process does everything, so web and worker are refused with exit code 2 and a reason.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { flow } from '../helpers/processes.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flow-role-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

describe('flow serve --role', () => {
  it('refuses web and worker without PostgreSQL, and an unknown role', async () => {
    for (const role of ['web', 'worker']) {
      const r = await flow(['serve', '--port', '0', '--data-dir', dataDir, '--role', role], { env: { FLOW_DATABASE_URL: '' } });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`--role ${role} needs FLOW_DATABASE_URL`));
    }
    const bad = await flow(['serve', '--port', '0', '--data-dir', dataDir, '--role', 'main'], { env: { FLOW_DATABASE_URL: '' } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/expected all, web or worker/);
  }, 60_000);
});
