// The start-up banner speaks the log's language: plain lines on a terminal, and otherwise one JSON
// record like the warnings before it (no token in it), which still says "listening on URL".
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startFlow, type RunningFlow } from '../../src/server/index.js';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function start(pretty: boolean): Promise<{ flow: RunningFlow; lines: string[] }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flow-banner-'));
  fs.chmodSync(dataDir, 0o755); // a data directory others can read: a start-up warning
  cleanup.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const lines: string[] = [];
  const sink = { write: (l: string) => lines.push(...l.split('\n').filter(Boolean)) };
  const config = loadConfig({ FLOW_DATA_DIR: dataDir, FLOW_PAPER_ALWAYS_OPEN: '1' }, { port: 0 });
  const flow = await startFlow(config, { logLevel: 'warn', logSink: sink, logPretty: pretty });
  cleanup.push(() => flow.close(1_000));
  return { flow, lines };
}

describe('the start-up banner', () => {
  it('is one JSON record among the JSON warnings when the output is not a terminal, without the token', async () => {
    const { flow, lines } = await start(false);
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.some((r) => r.level === 40 && /accessible to other users/.test(String(r.msg)))).toBe(true);
    const banner = records.find((r) => String(r.msg).includes('listening on'))!;
    expect(banner).toMatchObject({ level: 30, url: flow.url, broker: 'paper', workflowsActive: 0, apiTokenCreated: true });
    expect(/listening on (http:\/\/\S+)/.exec(String(banner.msg))?.[1]).toBe(flow.url);
    expect(lines.join('\n')).not.toContain(flow.apiToken);
  });

  it('is plain lines, with the new token shown once, on a terminal', async () => {
    const { flow, lines } = await start(true);
    expect(lines.some((l) => l.startsWith('{'))).toBe(false);
    expect(lines.find((l) => /WARN .*accessible to other users/.test(l))).toBeTruthy();
    expect(lines).toContain(`Flow 0.1.0 listening on ${flow.url}`);
    expect(lines.some((l) => l.includes('API token (shown once') && l.endsWith(flow.apiToken))).toBe(true);
  });
});
