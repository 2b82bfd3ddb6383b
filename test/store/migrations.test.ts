import Database from 'better-sqlite3';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LATEST_VERSION, MIGRATIONS, migrate, openStore } from '../../src/store/index.js';
import { tempDir, tempStore } from './helpers.js';

function schemaOf(file: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare(`SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name`).all() as
      Array<{ type: string; name: string; sql: string | null }>).map((r) => `${r.type} ${r.name}: ${r.sql}`);
  } finally {
    db.close();
  }
}

function versionOf(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } finally {
    db.close();
  }
}

describe('migrations', () => {
  it('ships at least two migrations, numbered 1, 2, … in order', async () => {
    expect(MIGRATIONS.length).toBeGreaterThanOrEqual(2);
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(LATEST_VERSION).toBe(MIGRATIONS.length);
  });

  it('an empty data directory gets every table at the latest version, in WAL mode', async () => {
    const dir = tempDir();
    const store = await tempStore({ dataDir: dir });
    expect(store.schemaVersion).toBe(LATEST_VERSION);
    expect(store.path).toBe(path.join(dir, 'flow.db'));
    await store.close();
    const db = new Database(path.join(dir, 'flow.db'), { readonly: true });
    const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).pluck().all() as string[]).sort();
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const applied = db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
    db.close();
    expect(tables).toEqual(expect.arrayContaining([
      'workflows', 'workflow_versions', 'executions', 'steps', 'logs', 'order_intents', 'webhook_deliveries',
      'schedules', 'notifications', 'paper_account', 'settings', 'schema_migrations',
    ]));
    expect(applied).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
  });

  it('reopening an up-to-date database applies nothing', async () => {
    const dir = tempDir();
    (await tempStore({ dataDir: dir })).close();
    const db = new Database(path.join(dir, 'flow.db'));
    expect(migrate(db)).toEqual({ from: LATEST_VERSION, to: LATEST_VERSION, applied: [] });
    db.close();
  });

  for (let from = 0; from < LATEST_VERSION; from++) {
    it(`upgrades from version ${from} to the same schema a fresh database has, keeping the data`, async () => {
      const freshDir = tempDir();
      (await tempStore({ dataDir: freshDir })).close();

      const dir = tempDir();
      const file = path.join(dir, 'flow.db');
      const db = new Database(file);
      expect(migrate(db, MIGRATIONS, from).to).toBe(from);
      if (from >= 1) {
        db.prepare(`INSERT INTO workflows (id, name, definition, created_at, updated_at) VALUES ('wf_old', 'Old one', '{"nodes":[],"edges":[]}', 1, 1)`).run();
        db.prepare(`INSERT INTO executions (id, workflow_id, status, trigger_kind, created_at) VALUES ('ex_old', 'wf_old', 'completed', 'manual', 1)`).run();
      }
      db.close();

      const store = await tempStore({ dataDir: dir });
      expect(store.schemaVersion).toBe(LATEST_VERSION);
      if (from >= 1) {
        expect((await store.getWorkflow('wf_old'))?.name).toBe('Old one');
        expect((await store.getExecution('ex_old'))?.status).toBe('completed');
      }
      // Features of later migrations work on the upgraded file.
      await store.insertExecution({ id: 'ex_new', workflowId: 'wf_old', version: null, trigger: { kind: 'manual' }, status: 'queued' });
      await store.insertNotification({ executionId: 'ex_new', nodeId: 'node_1', channel: 'log', message: 'hello', delivered: true });
      expect((await store.getExecution('ex_new'))?.notifications.map((n) => n.message)).toEqual(['hello']);
      await store.insertStep({ executionId: 'ex_new', seq: 1, nodeId: 'say', nodeType: 'log', status: 'completed', startedAt: 1, finishedAt: 2, notes: ['message did not resolve'] });
      expect((await store.getExecution('ex_new'))?.steps.map((s) => s.notes)).toEqual([['message did not resolve']]);
      await store.close();
      expect(schemaOf(file)).toEqual(schemaOf(path.join(freshDir, 'flow.db')));
    });
  }

  it('a failing migration leaves the database at the previous version', async () => {
    const file = path.join(tempDir(), 'flow.db');
    const db = new Database(file);
    const broken = [...MIGRATIONS, { version: LATEST_VERSION + 1, name: 'broken', up: (d: Database.Database) => {
      d.exec('CREATE TABLE half_done (x INTEGER)');
      throw new Error('boom');
    } }];
    expect(() => migrate(db, broken)).toThrow('boom');
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    expect(db.prepare(`SELECT count(*) FROM sqlite_master WHERE name = 'half_done'`).pluck().get()).toBe(0);
    db.close();
  });

  it('refuses a database written by a newer Flow', async () => {
    const dir = tempDir();
    const db = new Database(path.join(dir, 'flow.db'));
    db.pragma(`user_version = ${LATEST_VERSION + 1}`);
    db.close();
    await expect(openStore({ dataDir: dir, secretKey: Buffer.alloc(32), env: {} })).rejects.toThrow(expect.objectContaining({ code: 'schema_too_new' }));
    expect(versionOf(path.join(dir, 'flow.db'))).toBe(LATEST_VERSION + 1);
  });
});
