// Workflows (drafts, activation, webhook look-up) and their frozen versions.

import type Database from 'better-sqlite3';
import { StoreError } from '../errors.js';
import { newWorkflowId } from '../ids.js';
import { decrypt, encrypt } from '../secrets.js';
import type {
  Activation, ExecutionStatus, RiskLimits, TriggerKind, WebhookTarget, Workflow, WorkflowDefinition,
  WorkflowInfo, WorkflowListItem, WorkflowSecrets, WorkflowStore, WorkflowVersion,
} from '../types.js';
import { asStoreError } from './errors.js';
import { fromJson } from './json.js';
import type { Sync } from './sync.js';

type DB = Database.Database;

// Trigger node types by the kind of event that fires them (DESIGN.md §3, §7).
const TRIGGER_KINDS: Record<string, TriggerKind> = {
  start: 'schedule',
  webhookTrigger: 'webhook',
  priceAlert: 'price',
  orderUpdateTrigger: 'orderUpdate',
};

export function triggerKindsOf(definition: WorkflowDefinition): string {
  const kinds = new Set<TriggerKind>();
  for (const node of definition.nodes) {
    const type = (node as { type?: unknown } | null)?.type;
    if (typeof type === 'string' && TRIGGER_KINDS[type]) kinds.add(TRIGGER_KINDS[type]);
  }
  return [...kinds].join(',');
}

// The context binds a ciphertext to its row and column, so one cannot be swapped into another.
export const secretContext = (workflowId: string, column: string) => `${workflowId}:${column}`;

const INFO = (w: string) => `${w}.id, ${w}.name, ${w}.description, ${w}.trigger_kinds AS triggerKinds,
  ${w}.created_at AS createdAt, ${w}.updated_at AS updatedAt, ${w}.active, ${w}.active_version AS activeVersion,
  ${w}.webhook_token AS webhookToken, ${w}.auth_type AS authType, ${w}.concurrency, ${w}.limits,
  ${w}.webhook_secret IS NOT NULL AS hasWebhookSecret, ${w}.broker_api_key IS NOT NULL AS hasBrokerApiKey,
  ${w}.webhook_enabled AS webhookEnabled`;

interface InfoRow {
  id: string; name: string; description: string; triggerKinds: string; createdAt: number; updatedAt: number;
  active: number; activeVersion: number | null; webhookToken: string | null; authType: WorkflowInfo['authType'];
  concurrency: WorkflowInfo['concurrency']; limits: string; hasWebhookSecret: number; hasBrokerApiKey: number;
  webhookEnabled: number;
}

function toInfo(r: InfoRow): WorkflowInfo {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    active: r.active === 1,
    activeVersion: r.activeVersion,
    webhookToken: r.webhookToken,
    authType: r.authType,
    concurrency: r.concurrency,
    limits: JSON.parse(r.limits) as RiskLimits,
    hasWebhookSecret: r.hasWebhookSecret === 1,
    hasBrokerApiKey: r.hasBrokerApiKey === 1,
    webhookEnabled: r.webhookEnabled === 1,
    triggerKinds: r.triggerKinds ? (r.triggerKinds.split(',') as TriggerKind[]) : [],
  };
}

export function workflowStore(db: DB, key: Buffer): Sync<WorkflowStore> {
  const q = {
    insert: db.prepare(`INSERT INTO workflows (id, name, description, definition, trigger_kinds, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?)`),
    get: db.prepare<[string], InfoRow & { definition: string }>(
      `SELECT ${INFO('w')}, w.definition FROM workflows w WHERE w.id = ? AND w.deleted_at IS NULL`),
    info: db.prepare<[string], InfoRow>(`SELECT ${INFO('w')} FROM workflows w WHERE w.id = ? AND w.deleted_at IS NULL`),
    list: db.prepare<[], InfoRow & { lastId: string | null; lastStatus: ExecutionStatus; lastCreatedAt: number; lastFinishedAt: number | null }>(
      `SELECT ${INFO('w')}, e.id AS lastId, e.status AS lastStatus, e.created_at AS lastCreatedAt, e.finished_at AS lastFinishedAt
       FROM workflows w
       LEFT JOIN executions e ON e.seq = (SELECT max(seq) FROM executions WHERE workflow_id = w.id)
       WHERE w.deleted_at IS NULL ORDER BY w.created_at, w.rowid`),
    update: db.prepare(`UPDATE workflows SET name = coalesce(?, name), description = coalesce(?, description),
      definition = coalesce(?, definition), trigger_kinds = coalesce(?, trigger_kinds), updated_at = ?
      WHERE id = ? AND deleted_at IS NULL`),
    softDelete: db.prepare(`UPDATE workflows SET deleted_at = ?, active = 0, webhook_token = NULL, webhook_secret = NULL,
      broker_api_key = NULL WHERE id = ? AND deleted_at IS NULL`),
    deleteSchedules: db.prepare('DELETE FROM schedules WHERE workflow_id = ?'),
    activate: db.prepare(`UPDATE workflows SET active = 1, active_version = ?, webhook_token = ?, webhook_secret = ?,
      auth_type = ?, concurrency = ?, limits = ?, broker_api_key = CASE WHEN ? THEN ? ELSE broker_api_key END
      WHERE id = ? AND deleted_at IS NULL`),
    webhook: db.prepare(`UPDATE workflows SET webhook_token = coalesce(:token, webhook_token),
      webhook_secret = coalesce(:secret, webhook_secret), auth_type = coalesce(:authType, auth_type),
      webhook_enabled = coalesce(:enabled, webhook_enabled) WHERE id = :id AND deleted_at IS NULL`),
    deactivate: db.prepare('UPDATE workflows SET active = 0 WHERE id = ? AND deleted_at IS NULL'),
    byToken: db.prepare<[string], InfoRow & { webhookSecretEnc: string | null }>(
      `SELECT ${INFO('w')}, w.webhook_secret AS webhookSecretEnc FROM workflows w
       WHERE w.webhook_token = ? AND w.deleted_at IS NULL`),
    secrets: db.prepare<[string], { webhookSecret: string | null; brokerApiKey: string | null }>(
      `SELECT webhook_secret AS webhookSecret, broker_api_key AS brokerApiKey FROM workflows
       WHERE id = ? AND deleted_at IS NULL`),
    latestVersion: db.prepare<[string], { version: number; definition: string }>(
      'SELECT version, definition FROM workflow_versions WHERE workflow_id = ? ORDER BY version DESC LIMIT 1'),
    insertVersion: db.prepare('INSERT INTO workflow_versions (workflow_id, version, created_at, definition) VALUES (?, ?, ?, ?)'),
    getVersion: db.prepare<[string, number], { workflowId: string; version: number; definition: string; createdAt: number }>(
      `SELECT workflow_id AS workflowId, version, definition, created_at AS createdAt FROM workflow_versions
       WHERE workflow_id = ? AND version = ?`),
    hasVersion: db.prepare<[string, number], { one: number }>(
      'SELECT 1 AS one FROM workflow_versions WHERE workflow_id = ? AND version = ?'),
    listVersions: db.prepare<[string], { version: number; createdAt: number }>(
      'SELECT version, created_at AS createdAt FROM workflow_versions WHERE workflow_id = ? ORDER BY version'),
  };

  const getWorkflow = (id: string): Workflow | null => {
    const r = q.get.get(id);
    return r ? { ...toInfo(r), definition: JSON.parse(r.definition) as WorkflowDefinition } : null;
  };
  const requireInfo = (id: string): WorkflowInfo => {
    const r = q.info.get(id);
    if (!r) throw new StoreError('not_found', `workflow ${id} does not exist`);
    return toInfo(r);
  };
  const open = secretOpener(key);

  const freeze = db.transaction((workflowId: string, definition: WorkflowDefinition, createdAt: number): number => {
    requireInfo(workflowId);
    const text = JSON.stringify(definition);
    const latest = q.latestVersion.get(workflowId);
    if (latest && latest.definition === text) return latest.version;
    const version = (latest?.version ?? 0) + 1;
    q.insertVersion.run(workflowId, version, createdAt, text);
    return version;
  });

  const remove = db.transaction((id: string, now: number): boolean => {
    if (q.softDelete.run(now, id).changes === 0) return false;
    q.deleteSchedules.run(id);
    return true;
  });

  const setActive = (a: Activation): WorkflowInfo => {
    if (!q.hasVersion.get(a.workflowId, a.version)) {
      requireInfo(a.workflowId);
      throw new StoreError('not_found', `workflow ${a.workflowId} has no frozen version ${a.version}`);
    }
    const setKey = a.brokerApiKey !== undefined;
    const apiKey = a.brokerApiKey ? encrypt(key, a.brokerApiKey, secretContext(a.workflowId, 'broker_api_key')) : null;
    try {
      q.activate.run(a.version, a.webhookToken, a.webhookSecret === null ? null : encrypt(key, a.webhookSecret, secretContext(a.workflowId, 'webhook_secret')),
        a.authType, a.concurrency, JSON.stringify(a.limits), setKey ? 1 : 0, apiKey, a.workflowId);
    } catch (e) {
      throw asStoreError(e, 'a workflow with this webhook token');
    }
    return requireInfo(a.workflowId);
  };

  const activateDefinition = db.transaction((definition: WorkflowDefinition, a: Omit<Activation, 'version'>) => {
    const version = freeze(a.workflowId, definition, Date.now());
    return { version, workflow: setActive({ ...a, version }) };
  });

  return {
    createWorkflow(input) {
      const id = input.id ?? newWorkflowId();
      const now = input.createdAt ?? Date.now();
      const def = input.definition;
      try {
        q.insert.run(id, input.name ?? def.name ?? 'Untitled workflow', input.description ?? def.description ?? '',
          JSON.stringify(def), triggerKindsOf(def), now, now);
      } catch (e) {
        throw asStoreError(e, `workflow ${id}`);
      }
      return getWorkflow(id) as Workflow;
    },

    getWorkflow,

    listWorkflows() {
      return q.list.all().map((r): WorkflowListItem => ({
        ...toInfo(r),
        lastExecution: r.lastId === null ? null
          : { id: r.lastId, status: r.lastStatus, createdAt: r.lastCreatedAt, finishedAt: r.lastFinishedAt },
      }));
    },

    updateWorkflow(id, update) {
      const def = update.definition;
      // A draft carries its own name and description (the editor's export): they follow unless given.
      const changes = q.update.run(update.name ?? def?.name ?? null, update.description ?? def?.description ?? null,
        def ? JSON.stringify(def) : null, def ? triggerKindsOf(def) : null, update.updatedAt ?? Date.now(), id).changes;
      return changes ? getWorkflow(id) : null;
    },

    deleteWorkflow: (id) => remove(id, Date.now()),

    setActive,

    setInactive: (workflowId) => q.deactivate.run(workflowId).changes > 0,

    getByWebhookToken(token): WebhookTarget | null {
      const r = q.byToken.get(token);
      if (!r) return null;
      return { workflow: toInfo(r), webhookSecret: open(r.webhookSecretEnc, r.id, 'webhook_secret') };
    },

    getWorkflowSecrets(workflowId): WorkflowSecrets | null {
      const r = q.secrets.get(workflowId);
      if (!r) return null;
      return {
        webhookSecret: open(r.webhookSecret, workflowId, 'webhook_secret'),
        brokerApiKey: open(r.brokerApiKey, workflowId, 'broker_api_key'),
      };
    },

    freezeVersion: (workflowId, definition, createdAt) => freeze.immediate(workflowId, definition, createdAt ?? Date.now()),

    getVersion(workflowId, version): WorkflowVersion | null {
      const r = q.getVersion.get(workflowId, version);
      return r ? { ...r, definition: fromJson(r.definition) as WorkflowDefinition } : null;
    },

    listVersions: (workflowId) => q.listVersions.all(workflowId),

    activateDefinition: (definition, a) => activateDefinition.immediate(definition, a),

    updateWebhook(workflowId, c) {
      requireInfo(workflowId);
      try {
        q.webhook.run({
          id: workflowId, token: c.token ?? null, authType: c.authType ?? null,
          secret: c.secret === undefined ? null : encrypt(key, c.secret, secretContext(workflowId, 'webhook_secret')),
          enabled: c.enabled === undefined ? null : c.enabled ? 1 : 0,
        });
      } catch (e) {
        throw asStoreError(e, 'a workflow with this webhook token');
      }
      return requireInfo(workflowId);
    },
  };
}

/**
 * Reads a stored ciphertext of a workflow's column. Every webhook delivery reads its secret, so each
 * ciphertext is decrypted once (bounded by the number of workflows).
 */
export function secretOpener(key: Buffer): (text: string | null, workflowId: string, column: string) => string | null {
  const plain = new Map<string, string>();
  return (text, workflowId, column) => {
    if (text === null) return null;
    const context = secretContext(workflowId, column);
    const cacheKey = `${context}:${text}`;
    let value = plain.get(cacheKey);
    if (value === undefined) {
      value = decrypt(key, text, context);
      if (plain.size >= 10_000) plain.clear();
      plain.set(cacheKey, value);
    }
    return value;
  };
}
