// `flow rehearse` as a trader runs it: a real child process, its exit codes, the same JSON twice.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { flow } from '../helpers/processes.js';

const tmp = mkdtempSync(join(tmpdir(), 'flow-rehearse-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const env = { FLOW_BROKER: '', OPENALGO_HOST: '', FLOW_DATA_DIR: tmp };

describe('flow rehearse', () => {
  it('prints the same JSON report twice, with runs, trades, P&L, drawdown and assumptions; exit 0', async () => {
    const alerts = join(tmp, 'alerts.jsonl');
    writeFileSync(alerts, '{"time":"2026-10-05T10:30:00+05:30","payload":{"symbol":"SBIN","action":"BUY"}}\n');
    const args = ['rehearse', 'examples/ema-webhook.json', '--from', '2026-10-05', '--to', '2026-10-06', '--alerts', alerts, '--json'];
    const [a, b] = await Promise.all([flow(args, { env }), flow(args, { env })]);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const report = JSON.parse(a.stdout);
    expect(report).toMatchObject({ rehearsal: true, source: 'paper' });
    for (const key of ['runs', 'trades', 'pnl', 'maxDrawdown', 'assumptions', 'notModelled']) expect(report).toHaveProperty(key);
    expect(report.trades).toHaveLength(1);
  }, 60_000);

  it('reads as text, and answers 2 for bad dates or an unreadable alerts file', async () => {
    const [text, bad, missing] = await Promise.all([
      flow(['rehearse', 'examples/scheduled-entry.json', '--from', '2026-10-05', '--to', '2026-10-05'], { env }),
      flow(['rehearse', 'examples/scheduled-entry.json', '--from', '2026-10-06', '--to', '2026-10-05'], { env }),
      flow(['rehearse', 'examples/ema-webhook.json', '--from', '2026-10-05', '--to', '2026-10-05', '--alerts', join(tmp, 'nope.csv')], { env }),
    ]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/Rehearsal of "09:20 RELIANCE entry", 2026-10-05 to 2026-10-05/);
    expect(text.stdout).toMatch(/Not modelled:\n  - queue position/);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/before from/);
    expect(missing.code).toBe(2);
  }, 60_000);
});
