// `flow migrate --to postgres://…`: a SQLite data directory copied into PostgreSQL reads back the
// same through the store (secrets included, with the same key), and a target holding data is refused.

import { describe, expect, it } from 'vitest';
import { copySqliteToPostgres } from '../../src/store/copy.js';
import { openStore } from '../../src/store/index.js';
import { activeWorkflow, createTestDatabase, dropDatabases, tempDir, tempStore } from './helpers.js';

const KEY = Buffer.alloc(32, 7);

describe('flow migrate --to postgres', () => {
  it('copies every table, the target reads back the same, and a second copy is refused unless told to overwrite', async () => {
    const dataDir = tempDir();
    const source = await tempStore({ dataDir });
    const { id: wf, version, token } = await activeWorkflow(source, 'tok_copy');
    await source.setActive({
      workflowId: wf, version, webhookToken: token, webhookSecret: 'whsec_test', authType: 'payload', concurrency: 'queue',
      limits: { maxOrdersPerDay: 5 }, brokerApiKey: 'broker-key-1',
    });
    await source.tx((w) => {
      w.insertExecution({ id: 'ex_1', workflowId: wf, version, trigger: { kind: 'webhook', nodeId: 'node_1' }, input: { symbol: 'SBIN' }, status: 'queued', createdAt: 1000 });
      w.insertDelivery({ workflowId: wf, receivedAt: 1000, httpStatus: 202, executionId: 'ex_1', remote: '127.0.0.1' });
    });
    await source.markRunning('ex_1', 1001);
    await source.insertStep({ executionId: 'ex_1', seq: 1, nodeId: 'node_1', nodeType: 'webhookTrigger', status: 'completed', output: { symbol: 'SBIN' }, startedAt: 1001, finishedAt: 1002 });
    await source.insertLogs('ex_1', [{ time: 1002, level: 'info', message: 'received' }]);
    await source.insertIntent({ key: 'ex_1:node_2:0', workflowId: wf, executionId: 'ex_1', nodeId: 'node_2', method: 'placeOrder', request: { quantity: 1 }, createdAt: 1003 });
    await source.resolveIntent('ex_1:node_2:0', { status: 'unknown', error: 'timed out', resolvedAt: 1004 });
    await source.insertNotification({ executionId: 'ex_1', nodeId: 'node_2', channel: 'telegram', message: 'hi', delivered: true, createdAt: 1004 });
    await source.finishExecution('ex_1', { status: 'failed', error: 'unknown outcome', variables: { a: 1 }, finishedAt: 1005 });
    await source.upsertSchedule({ workflowId: wf, nodeId: 'start', spec: { cron: '* * * * *' }, nextRunAt: 5000, lastRunAt: 4000 });
    await source.setSetting('kill_switch', 'on');
    await source.savePaperState({ funds: 100 });
    const expected = await source.getExecution('ex_1');
    await source.close();

    const url = await createTestDatabase();
    try {
      const counts = await copySqliteToPostgres({ sqliteFile: `${dataDir}/flow.db`, databaseUrl: url });
      expect(counts).toMatchObject({
        workflows: 1, workflow_versions: 1, executions: 1, steps: 1, logs: 1, order_intents: 1, notifications: 1,
        webhook_deliveries: 1, schedules: 1, settings: 1, paper_account: 1,
      });
      const target = await openStore({ databaseUrl: url, dataDir, secretKey: KEY, env: {} });
      try {
        expect(await target.getExecution('ex_1')).toEqual(expected);
        expect(await target.getWorkflowSecrets(wf)).toEqual({ webhookSecret: 'whsec_test', brokerApiKey: 'broker-key-1' });
        expect((await target.getByWebhookToken('tok_copy'))?.workflow).toMatchObject({ id: wf, active: true, activeVersion: version, limits: { maxOrdersPerDay: 5 } });
        expect((await target.listUnknownIntents()).map((i) => i.key)).toEqual(['ex_1:node_2:0']);
        expect(await target.getSetting('kill_switch')).toBe('on');
        expect(await target.loadPaperState()).toEqual({ funds: 100 });
        expect(await target.listSchedules(wf)).toMatchObject([{ nodeId: 'start', nextRunAt: 5000, lastRunAt: 4000 }]);
        // Ids continue after the copied ones.
        await target.insertExecution({ id: 'ex_2', workflowId: wf, version, trigger: { kind: 'manual' }, status: 'queued', createdAt: 2000 });
        expect((await target.listExecutions(wf)).map((e) => e.id)).toEqual(['ex_2', 'ex_1']);
      } finally {
        await target.close();
      }
      await expect(copySqliteToPostgres({ sqliteFile: `${dataDir}/flow.db`, databaseUrl: url })).rejects.toThrow(expect.objectContaining({ code: 'conflict' }));
      const again = await copySqliteToPostgres({ sqliteFile: `${dataDir}/flow.db`, databaseUrl: url, overwrite: true });
      expect(again.executions).toBe(1);
    } finally {
      await dropDatabases([new URL(url).pathname.slice(1)]);
    }
  }, 60_000);

  it('the PostgreSQL schema opens again at its version, and a newer one is refused', async () => {
    const url = await createTestDatabase();
    try {
      const first = await openStore({ databaseUrl: url, secretKey: KEY, env: {} });
      const version = first.schemaVersion;
      await first.close();
      const second = await openStore({ databaseUrl: url, secretKey: KEY, env: {} });
      expect(second.schemaVersion).toBe(version);
      await second.close();
      const pg = (await import('pg')).default;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [version + 1, 'from the future', Date.now()]);
      await client.end();
      await expect(openStore({ databaseUrl: url, secretKey: KEY, env: {} })).rejects.toThrow(expect.objectContaining({ code: 'schema_too_new' }));
    } finally {
      await dropDatabases([new URL(url).pathname.slice(1)]);
    }
  }, 60_000);
});
