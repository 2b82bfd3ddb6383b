import { describe, expect, it } from 'vitest';
import { isStoreError, type WorkflowDefinition } from '../../src/store/index.js';
import { activeWorkflow, tempDir, tempStore, webhookWorkflow } from './helpers.js';

describe('workflows', () => {
  it('are created with a short URL-safe id and read back as saved', () => {
    const store = tempStore();
    const wf = store.createWorkflow({ definition: webhookWorkflow });
    expect(wf.id).toMatch(/^wf_[A-Za-z0-9_-]{10}$/);
    expect(wf).toMatchObject({
      name: 'EMA webhook', description: 'buys SBIN on an alert', active: false, activeVersion: null,
      concurrency: 'queue', triggerKinds: ['webhook'], hasWebhookSecret: false, hasBrokerApiKey: false,
    });
    expect(store.getWorkflow(wf.id)?.definition).toEqual(webhookWorkflow);
    expect(store.getWorkflow('wf_missing')).toBeNull();
  });

  it('a duplicate id is a conflict', () => {
    const store = tempStore();
    store.createWorkflow({ id: 'wf_same', definition: webhookWorkflow });
    expect(() => store.createWorkflow({ id: 'wf_same', definition: webhookWorkflow })).toThrow(expect.objectContaining({ code: 'conflict' }));
  });

  it('saving a draft changes the definition and updated_at but not the running version', () => {
    const store = tempStore();
    const { id, version } = activeWorkflow(store);
    const draft: WorkflowDefinition = { ...webhookWorkflow, nodes: [{ id: 'node_1', type: 'start', data: {} }] };
    const updated = store.updateWorkflow(id, { definition: draft, name: 'Renamed', updatedAt: Date.now() + 1000 });
    expect(updated?.name).toBe('Renamed');
    expect(updated?.definition).toEqual(draft);
    expect(updated?.triggerKinds).toEqual(['schedule']);
    expect(updated!.updatedAt).toBeGreaterThan(updated!.createdAt);
    expect(updated?.activeVersion).toBe(version);
    expect(store.getVersion(id, version)?.definition).toEqual(webhookWorkflow);
    expect(store.updateWorkflow('wf_missing', { name: 'x' })).toBeNull();
    // Without an explicit name, the draft's own name follows.
    expect(store.updateWorkflow(id, { definition: { ...draft, name: 'From the editor' } })?.name).toBe('From the editor');
  });

  it('freezing numbers versions 1, 2, … and reuses the latest for an unchanged definition', () => {
    const store = tempStore();
    const wf = store.createWorkflow({ definition: webhookWorkflow });
    expect(store.freezeVersion(wf.id, webhookWorkflow)).toBe(1);
    expect(store.freezeVersion(wf.id, webhookWorkflow)).toBe(1);
    const changed = { ...webhookWorkflow, name: 'v2' };
    expect(store.freezeVersion(wf.id, changed)).toBe(2);
    expect(store.freezeVersion(wf.id, webhookWorkflow)).toBe(3);
    expect(store.getVersion(wf.id, 2)?.definition).toEqual(changed);
    expect(store.getVersion(wf.id, 9)).toBeNull();
    expect(store.listVersions(wf.id).map((v) => v.version)).toEqual([1, 2, 3]);
    expect(() => store.freezeVersion('wf_missing', webhookWorkflow)).toThrow(expect.objectContaining({ code: 'not_found' }));
  });

  it('activation records version, policy, limits and auth type; the token resolves to the workflow and its secret', () => {
    const store = tempStore();
    const { id, version, token } = activeWorkflow(store, 'tok_1');
    const target = store.getByWebhookToken(token);
    expect(target?.webhookSecret).toBe('whsec_test');
    expect(target?.workflow).toMatchObject({
      id, active: true, activeVersion: version, webhookToken: 'tok_1', authType: 'payload', concurrency: 'queue',
      limits: { maxOrdersPerDay: 5 }, hasWebhookSecret: true, hasBrokerApiKey: false,
    });
    expect(store.getByWebhookToken('tok_unknown')).toBeNull();
  });

  it('activating an unfrozen version or with a token another workflow holds is refused', () => {
    const store = tempStore();
    const a = activeWorkflow(store, 'tok_taken');
    const wf = store.createWorkflow({ definition: webhookWorkflow });
    const base = { workflowId: wf.id, webhookSecret: 's', authType: 'url', concurrency: 'skip', limits: {} } as const;
    expect(() => store.setActive({ ...base, version: 1, webhookToken: 'tok_new' })).toThrow(expect.objectContaining({ code: 'not_found' }));
    const version = store.freezeVersion(wf.id, wf.definition);
    expect(() => store.setActive({ ...base, version, webhookToken: 'tok_taken' })).toThrow(expect.objectContaining({ code: 'conflict' }));
    expect(store.getByWebhookToken('tok_taken')?.workflow.id).toBe(a.id);
  });

  it('the broker API key is kept across reactivation unless replaced or removed', () => {
    const store = tempStore();
    const wf = store.createWorkflow({ definition: webhookWorkflow });
    const version = store.freezeVersion(wf.id, wf.definition);
    const base = { workflowId: wf.id, version, webhookToken: 't', webhookSecret: 's', authType: 'payload', concurrency: 'queue', limits: {} } as const;
    store.setActive({ ...base, brokerApiKey: 'key-1' });
    store.setActive({ ...base });
    expect(store.getWorkflowSecrets(wf.id)?.brokerApiKey).toBe('key-1');
    store.setActive({ ...base, brokerApiKey: 'key-2' });
    expect(store.getWorkflowSecrets(wf.id)?.brokerApiKey).toBe('key-2');
    expect(store.setActive({ ...base, brokerApiKey: null }).hasBrokerApiKey).toBe(false);
    expect(store.getWorkflowSecrets(wf.id)?.brokerApiKey).toBeNull();
  });

  it('deactivation keeps the token, so a delivery can be told the workflow is inactive', () => {
    const store = tempStore();
    const { id, token } = activeWorkflow(store);
    expect(store.setInactive(id)).toBe(true);
    expect(store.getByWebhookToken(token)?.workflow.active).toBe(false);
    expect(store.setInactive('wf_missing')).toBe(false);
  });

  it('deletion hides the workflow, frees its token, drops its schedules and keeps its runs', () => {
    const store = tempStore();
    const { id, token, version } = activeWorkflow(store);
    store.upsertSchedule({ workflowId: id, nodeId: 'node_1', spec: { type: 'daily' }, nextRunAt: 1 });
    store.insertExecution({ id: 'ex_1', workflowId: id, version, trigger: { kind: 'webhook' }, status: 'queued' });
    expect(store.deleteWorkflow(id)).toBe(true);
    expect(store.deleteWorkflow(id)).toBe(false);
    expect(store.getWorkflow(id)).toBeNull();
    expect(store.getByWebhookToken(token)).toBeNull();
    expect(store.listWorkflows()).toEqual([]);
    expect(store.listSchedules()).toEqual([]);
    expect(store.getExecution('ex_1')?.workflowId).toBe(id);
    expect(store.getVersion(id, version)).not.toBeNull();
  });

  it('the list shows each workflow with its trigger kinds and last run', () => {
    const store = tempStore();
    const a = activeWorkflow(store);
    const b = store.createWorkflow({ definition: { name: 'Scheduled', nodes: [{ type: 'start' }, { type: 'priceAlert' }], edges: [] } });
    store.insertExecution({ id: 'ex_1', workflowId: a.id, version: a.version, trigger: { kind: 'webhook' }, status: 'queued', createdAt: 1000 });
    store.insertExecution({ id: 'ex_2', workflowId: a.id, version: a.version, trigger: { kind: 'webhook' }, status: 'queued', createdAt: 2000 });
    store.markRunning('ex_2', 2001);
    store.finishExecution('ex_2', { status: 'failed', error: 'x', finishedAt: 2500 });
    const list = store.listWorkflows();
    expect(list.map((w) => w.id)).toEqual([a.id, b.id]);
    expect(list[0].lastExecution).toEqual({ id: 'ex_2', status: 'failed', createdAt: 2000, finishedAt: 2500 });
    expect(list[0].active).toBe(true);
    expect(list[1]).toMatchObject({ active: false, lastExecution: null, triggerKinds: ['schedule', 'price'] });
    expect('definition' in list[0]).toBe(false);
  });

  it('survive a restart', () => {
    const dir = tempDir();
    const first = tempStore({ dataDir: dir });
    const { id, token } = activeWorkflow(first);
    first.close();
    const second = tempStore({ dataDir: dir });
    expect(second.getWorkflow(id)?.definition).toEqual(webhookWorkflow);
    expect(second.getByWebhookToken(token)?.workflow.id).toBe(id);
  });

  it('errors are StoreError values with a code', () => {
    const store = tempStore();
    try {
      store.freezeVersion('wf_nope', webhookWorkflow);
      expect.unreachable();
    } catch (e) {
      expect(isStoreError(e, 'not_found')).toBe(true);
      expect((e as Error).message).toContain('wf_nope');
    }
  });
});
