import { describe, expect, it } from 'vitest';
import { isStoreError, type WorkflowDefinition } from '../../../src/store/index.js';
import { activeWorkflow, tempDir, tempStore as openTempStore, webhookWorkflow, BACKENDS } from '../helpers.js';

// The store contract: the same tests against every store (SQLite, and PostgreSQL on 127.0.0.1:5432).
describe.each(BACKENDS)('%s store', (backend) => {
  const tempStore = (options: Parameters<typeof openTempStore>[0] = {}) => openTempStore({ backend, ...options });

  describe('workflows', () => {
    it('are created with a short URL-safe id and read back as saved', async () => {
      const store = await tempStore();
      const wf = await store.createWorkflow({ definition: webhookWorkflow });
      expect(wf.id).toMatch(/^wf_[A-Za-z0-9_-]{10}$/);
      expect(wf).toMatchObject({
        name: 'EMA webhook', description: 'buys SBIN on an alert', active: false, activeVersion: null,
        concurrency: 'queue', triggerKinds: ['webhook'], hasWebhookSecret: false, hasBrokerApiKey: false,
      });
      expect((await store.getWorkflow(wf.id))?.definition).toEqual(webhookWorkflow);
      expect(await store.getWorkflow('wf_missing')).toBeNull();
    });

    it('a duplicate id is a conflict', async () => {
      const store = await tempStore();
      await store.createWorkflow({ id: 'wf_same', definition: webhookWorkflow });
      await expect(store.createWorkflow({ id: 'wf_same', definition: webhookWorkflow })).rejects.toThrow(expect.objectContaining({ code: 'conflict' }));
    });

    it('saving a draft changes the definition and updated_at but not the running version', async () => {
      const store = await tempStore();
      const { id, version } = await activeWorkflow(store);
      const draft: WorkflowDefinition = { ...webhookWorkflow, nodes: [{ id: 'node_1', type: 'start', position: { x: 0, y: 0 }, data: {} }] };
      const updated = await store.updateWorkflow(id, { definition: draft, name: 'Renamed', updatedAt: Date.now() + 1000 });
      expect(updated?.name).toBe('Renamed');
      expect(updated?.definition).toEqual(draft);
      expect(updated?.triggerKinds).toEqual(['schedule']);
      expect(updated!.updatedAt).toBeGreaterThan(updated!.createdAt);
      expect(updated?.activeVersion).toBe(version);
      expect((await store.getVersion(id, version))?.definition).toEqual(webhookWorkflow);
      expect(await store.updateWorkflow('wf_missing', { name: 'x' })).toBeNull();
      // Without an explicit name, the draft's own name follows.
      expect((await store.updateWorkflow(id, { definition: { ...draft, name: 'From the editor' } }))?.name).toBe('From the editor');
    });

    it('freezing numbers versions 1, 2, … and reuses the latest for an unchanged definition', async () => {
      const store = await tempStore();
      const wf = await store.createWorkflow({ definition: webhookWorkflow });
      expect(await store.freezeVersion(wf.id, webhookWorkflow)).toBe(1);
      expect(await store.freezeVersion(wf.id, webhookWorkflow)).toBe(1);
      const changed = { ...webhookWorkflow, name: 'v2' };
      expect(await store.freezeVersion(wf.id, changed)).toBe(2);
      expect(await store.freezeVersion(wf.id, webhookWorkflow)).toBe(3);
      expect((await store.getVersion(wf.id, 2))?.definition).toEqual(changed);
      expect(await store.getVersion(wf.id, 9)).toBeNull();
      expect((await store.listVersions(wf.id)).map((v) => v.version)).toEqual([1, 2, 3]);
      await expect(store.freezeVersion('wf_missing', webhookWorkflow)).rejects.toThrow(expect.objectContaining({ code: 'not_found' }));
    });

    it('activation records version, policy, limits and auth type; the token resolves to the workflow and its secret', async () => {
      const store = await tempStore();
      const { id, version, token } = await activeWorkflow(store, 'tok_1');
      const target = await store.getByWebhookToken(token);
      expect(target?.webhookSecret).toBe('whsec_test');
      expect(target?.workflow).toMatchObject({
        id, active: true, activeVersion: version, webhookToken: 'tok_1', authType: 'payload', concurrency: 'queue',
        limits: { maxOrdersPerDay: 5 }, hasWebhookSecret: true, hasBrokerApiKey: false,
      });
      expect(await store.getByWebhookToken('tok_unknown')).toBeNull();
    });

    it('activating an unfrozen version or with a token another workflow holds is refused', async () => {
      const store = await tempStore();
      const a = await activeWorkflow(store, 'tok_taken');
      const wf = await store.createWorkflow({ definition: webhookWorkflow });
      const base = { workflowId: wf.id, webhookSecret: 's', authType: 'url', concurrency: 'skip', limits: {} } as const;
      await expect(store.setActive({ ...base, version: 1, webhookToken: 'tok_new' })).rejects.toThrow(expect.objectContaining({ code: 'not_found' }));
      const version = await store.freezeVersion(wf.id, wf.definition);
      await expect(store.setActive({ ...base, version, webhookToken: 'tok_taken' })).rejects.toThrow(expect.objectContaining({ code: 'conflict' }));
      expect((await store.getByWebhookToken('tok_taken'))?.workflow.id).toBe(a.id);
    });

    it('the broker API key is kept across reactivation unless replaced or removed', async () => {
      const store = await tempStore();
      const wf = await store.createWorkflow({ definition: webhookWorkflow });
      const version = await store.freezeVersion(wf.id, wf.definition);
      const base = { workflowId: wf.id, version, webhookToken: 't', webhookSecret: 's', authType: 'payload', concurrency: 'queue', limits: {} } as const;
      await store.setActive({ ...base, brokerApiKey: 'key-1' });
      await store.setActive({ ...base });
      expect((await store.getWorkflowSecrets(wf.id))?.brokerApiKey).toBe('key-1');
      await store.setActive({ ...base, brokerApiKey: 'key-2' });
      expect((await store.getWorkflowSecrets(wf.id))?.brokerApiKey).toBe('key-2');
      expect((await store.setActive({ ...base, brokerApiKey: null })).hasBrokerApiKey).toBe(false);
      expect((await store.getWorkflowSecrets(wf.id))?.brokerApiKey).toBeNull();
    });

    it('deactivation keeps the token, so a delivery can be told the workflow is inactive', async () => {
      const store = await tempStore();
      const { id, token } = await activeWorkflow(store);
      expect(await store.setInactive(id)).toBe(true);
      expect((await store.getByWebhookToken(token))?.workflow.active).toBe(false);
      expect(await store.setInactive('wf_missing')).toBe(false);
    });

    it('deletion hides the workflow, frees its token, drops its schedules and keeps its runs', async () => {
      const store = await tempStore();
      const { id, token, version } = await activeWorkflow(store);
      await store.upsertSchedule({ workflowId: id, nodeId: 'node_1', spec: { type: 'daily' }, nextRunAt: 1 });
      await store.insertExecution({ id: 'ex_1', workflowId: id, version, trigger: { kind: 'webhook' }, status: 'queued' });
      expect(await store.deleteWorkflow(id)).toBe(true);
      expect(await store.deleteWorkflow(id)).toBe(false);
      expect(await store.getWorkflow(id)).toBeNull();
      expect(await store.getByWebhookToken(token)).toBeNull();
      expect(await store.listWorkflows()).toEqual([]);
      expect(await store.listSchedules()).toEqual([]);
      expect((await store.getExecution('ex_1'))?.workflowId).toBe(id);
      expect(await store.getVersion(id, version)).not.toBeNull();
    });

    it('the list shows each workflow with its trigger kinds and last run', async () => {
      const store = await tempStore();
      const a = await activeWorkflow(store);
      const b = await store.createWorkflow({ definition: { name: 'Scheduled', nodes: [{ id: 'n1', type: 'start', position: { x: 0, y: 0 }, data: {} }, { id: 'n2', type: 'priceAlert', position: { x: 0, y: 0 }, data: {} }], edges: [] } });
      await store.insertExecution({ id: 'ex_1', workflowId: a.id, version: a.version, trigger: { kind: 'webhook' }, status: 'queued', createdAt: 1000 });
      await store.insertExecution({ id: 'ex_2', workflowId: a.id, version: a.version, trigger: { kind: 'webhook' }, status: 'queued', createdAt: 2000 });
      await store.markRunning('ex_2', 2001);
      await store.finishExecution('ex_2', { status: 'failed', error: 'x', finishedAt: 2500 });
      const list = await store.listWorkflows();
      expect(list.map((w) => w.id)).toEqual([a.id, b.id]);
      expect(list[0].lastExecution).toEqual({ id: 'ex_2', status: 'failed', createdAt: 2000, finishedAt: 2500 });
      expect(list[0].active).toBe(true);
      expect(list[1]).toMatchObject({ active: false, lastExecution: null, triggerKinds: ['schedule', 'price'] });
      expect('definition' in list[0]).toBe(false);
    });

    it('survive a restart', async () => {
      const dir = tempDir();
      const first = await tempStore({ dataDir: dir });
      const { id, token } = await activeWorkflow(first);
      await first.close();
      const second = await tempStore({ dataDir: dir });
      expect((await second.getWorkflow(id))?.definition).toEqual(webhookWorkflow);
      expect((await second.getByWebhookToken(token))?.workflow.id).toBe(id);
    });

    it('errors are StoreError values with a code', async () => {
      const store = await tempStore();
      try {
        await store.freezeVersion('wf_nope', webhookWorkflow);
        expect.unreachable();
      } catch (e) {
        expect(isStoreError(e, 'not_found')).toBe(true);
        expect((e as Error).message).toContain('wf_nope');
      }
    });
  });
});
