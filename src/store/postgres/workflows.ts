// Workflows (drafts, activation, webhook look-up) and their frozen versions, on PostgreSQL. The same
// contract as sqlite/workflows.ts; freezing and activating lock the workflow's row, so two processes
// activating at once number their versions one after the other.

import { StoreError } from '../errors.js';
import { newWorkflowId } from '../ids.js';
import { encrypt } from '../secrets.js';
import { secretContext, secretOpener, triggerKindsOf } from '../sqlite/workflows.js';
import type {
  Activation, RiskLimits, TriggerKind, WebhookTarget, Workflow, WorkflowDefinition, WorkflowInfo, WorkflowListItem,
  WorkflowSecrets, WorkflowStore, WorkflowVersion,
} from '../types.js';
import { asStoreError, type Db, INFO } from './rows.js';

type InfoRow = Omit<WorkflowInfo, 'limits' | 'triggerKinds'> & { limits: string; triggerKinds: string };

function toInfo(r: InfoRow): WorkflowInfo {
  return {
    id: r.id, name: r.name, description: r.description, createdAt: r.createdAt, updatedAt: r.updatedAt, active: r.active,
    activeVersion: r.activeVersion, webhookToken: r.webhookToken, authType: r.authType, concurrency: r.concurrency,
    limits: JSON.parse(r.limits) as RiskLimits, hasWebhookSecret: r.hasWebhookSecret, hasBrokerApiKey: r.hasBrokerApiKey,
    webhookEnabled: r.webhookEnabled, triggerKinds: r.triggerKinds ? (r.triggerKinds.split(',') as TriggerKind[]) : [],
  };
}


export function pgWorkflows(pool: Db, key: Buffer, inTransaction: <T>(fn: (db: Db) => Promise<T>) => Promise<T>): WorkflowStore {
  const getWorkflow = async (id: string): Promise<Workflow | null> => {
    const r = (await pool.query(`SELECT ${INFO('w')}, w.definition FROM workflows w WHERE w.id = $1 AND w.deleted_at IS NULL`, [id])).rows[0];
    return r ? { ...toInfo(r), definition: JSON.parse(r.definition) as WorkflowDefinition } : null;
  };
  const requireInfo = async (db: Db, id: string, lock = false): Promise<WorkflowInfo> => {
    const r = (await db.query(`SELECT ${INFO('w')} FROM workflows w WHERE w.id = $1 AND w.deleted_at IS NULL${lock ? ' FOR UPDATE' : ''}`, [id])).rows[0];
    if (!r) throw new StoreError('not_found', `workflow ${id} does not exist`);
    return toInfo(r);
  };
  const open = secretOpener(key);

  const freeze = async (db: Db, workflowId: string, definition: WorkflowDefinition, createdAt: number): Promise<number> => {
    await requireInfo(db, workflowId, true);
    const text = JSON.stringify(definition);
    const latest = (await db.query('SELECT version, definition FROM workflow_versions WHERE workflow_id = $1 ORDER BY version DESC LIMIT 1', [workflowId])).rows[0];
    if (latest && latest.definition === text) return latest.version as number;
    const version = ((latest?.version as number | undefined) ?? 0) + 1;
    await db.query('INSERT INTO workflow_versions (workflow_id, version, created_at, definition) VALUES ($1, $2, $3, $4)', [workflowId, version, createdAt, text]);
    return version;
  };

  const setActive = async (db: Db, a: Activation): Promise<WorkflowInfo> => {
    const has = await db.query('SELECT 1 FROM workflow_versions WHERE workflow_id = $1 AND version = $2', [a.workflowId, a.version]);
    if (!has.rowCount) {
      await requireInfo(db, a.workflowId);
      throw new StoreError('not_found', `workflow ${a.workflowId} has no frozen version ${a.version}`);
    }
    const setKey = a.brokerApiKey !== undefined;
    const apiKey = a.brokerApiKey ? encrypt(key, a.brokerApiKey, secretContext(a.workflowId, 'broker_api_key')) : null;
    const secret = a.webhookSecret === null ? null : encrypt(key, a.webhookSecret, secretContext(a.workflowId, 'webhook_secret'));
    try {
      await db.query(`UPDATE workflows SET active = true, active_version = $1, webhook_token = $2, webhook_secret = $3, auth_type = $4,
        concurrency = $5, limits = $6, broker_api_key = CASE WHEN $7 THEN $8 ELSE broker_api_key END
        WHERE id = $9 AND deleted_at IS NULL`,
      [a.version, a.webhookToken, secret, a.authType, a.concurrency, JSON.stringify(a.limits), setKey, apiKey, a.workflowId]);
    } catch (e) {
      throw asStoreError(e, 'a workflow with this webhook token');
    }
    return requireInfo(db, a.workflowId);
  };

  return {
    async createWorkflow(input) {
      const id = input.id ?? newWorkflowId();
      const now = input.createdAt ?? Date.now();
      const def = input.definition;
      try {
        await pool.query(`INSERT INTO workflows (id, name, description, definition, trigger_kinds, created_at, updated_at)
          VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [id, input.name ?? def.name ?? 'Untitled workflow', input.description ?? def.description ?? '', JSON.stringify(def), triggerKindsOf(def), now, now]);
      } catch (e) {
        throw asStoreError(e, `workflow ${id}`);
      }
      return (await getWorkflow(id))!;
    },

    getWorkflow,

    async listWorkflows() {
      const rows = (await pool.query(`SELECT ${INFO('w')}, e.id AS "lastId", e.status AS "lastStatus", e.created_at AS "lastCreatedAt",
          e.finished_at AS "lastFinishedAt"
        FROM workflows w
        LEFT JOIN LATERAL (SELECT id, status, created_at, finished_at FROM executions WHERE workflow_id = w.id ORDER BY seq DESC LIMIT 1) e ON true
        WHERE w.deleted_at IS NULL ORDER BY w.created_at, w.id`)).rows;
      return rows.map((r): WorkflowListItem => ({
        ...toInfo(r),
        lastExecution: r.lastId === null ? null : { id: r.lastId, status: r.lastStatus, createdAt: r.lastCreatedAt, finishedAt: r.lastFinishedAt },
      }));
    },

    async updateWorkflow(id, update) {
      const def = update.definition;
      // A draft carries its own name and description (the editor's export): they follow unless given.
      const r = await pool.query(`UPDATE workflows SET name = coalesce($1, name), description = coalesce($2, description),
        definition = coalesce($3, definition), trigger_kinds = coalesce($4, trigger_kinds), updated_at = $5
        WHERE id = $6 AND deleted_at IS NULL`,
      [update.name ?? def?.name ?? null, update.description ?? def?.description ?? null, def ? JSON.stringify(def) : null,
        def ? triggerKindsOf(def) : null, update.updatedAt ?? Date.now(), id]);
      return r.rowCount ? getWorkflow(id) : null;
    },

    deleteWorkflow: (id) => inTransaction(async (db) => {
      const r = await db.query(`UPDATE workflows SET deleted_at = $1, active = false, webhook_token = NULL, webhook_secret = NULL,
        broker_api_key = NULL WHERE id = $2 AND deleted_at IS NULL`, [Date.now(), id]);
      if (!r.rowCount) return false;
      await db.query('DELETE FROM schedules WHERE workflow_id = $1', [id]);
      return true;
    }),

    setActive: (a) => setActive(pool, a),

    setInactive: async (workflowId) =>
      ((await pool.query('UPDATE workflows SET active = false WHERE id = $1 AND deleted_at IS NULL', [workflowId])).rowCount ?? 0) > 0,

    async getByWebhookToken(token): Promise<WebhookTarget | null> {
      const r = (await pool.query(`SELECT ${INFO('w')}, w.webhook_secret AS "webhookSecretEnc" FROM workflows w
        WHERE w.webhook_token = $1 AND w.deleted_at IS NULL`, [token])).rows[0];
      if (!r) return null;
      return { workflow: toInfo(r), webhookSecret: open(r.webhookSecretEnc, r.id, 'webhook_secret') };
    },

    async getWorkflowSecrets(workflowId): Promise<WorkflowSecrets | null> {
      const r = (await pool.query(`SELECT webhook_secret AS "webhookSecret", broker_api_key AS "brokerApiKey" FROM workflows
        WHERE id = $1 AND deleted_at IS NULL`, [workflowId])).rows[0];
      if (!r) return null;
      return { webhookSecret: open(r.webhookSecret, workflowId, 'webhook_secret'), brokerApiKey: open(r.brokerApiKey, workflowId, 'broker_api_key') };
    },

    freezeVersion: (workflowId, definition, createdAt) => inTransaction((db) => freeze(db, workflowId, definition, createdAt ?? Date.now())),

    async getVersion(workflowId, version): Promise<WorkflowVersion | null> {
      const r = (await pool.query(`SELECT workflow_id AS "workflowId", version, definition, created_at AS "createdAt" FROM workflow_versions
        WHERE workflow_id = $1 AND version = $2`, [workflowId, version])).rows[0];
      return r ? { ...r, definition: JSON.parse(r.definition) as WorkflowDefinition } : null;
    },

    listVersions: async (workflowId) => (await pool.query(
      'SELECT version, created_at AS "createdAt" FROM workflow_versions WHERE workflow_id = $1 ORDER BY version', [workflowId])).rows,

    activateDefinition: (definition, a) => inTransaction(async (db) => {
      const version = await freeze(db, a.workflowId, definition, Date.now());
      return { version, workflow: await setActive(db, { ...a, version }) };
    }),

    async updateWebhook(workflowId, c) {
      await requireInfo(pool, workflowId);
      try {
        await pool.query(`UPDATE workflows SET webhook_token = coalesce($1, webhook_token), webhook_secret = coalesce($2, webhook_secret),
          auth_type = coalesce($3, auth_type), webhook_enabled = coalesce($4, webhook_enabled) WHERE id = $5 AND deleted_at IS NULL`,
        [c.token ?? null, c.secret === undefined ? null : encrypt(key, c.secret, secretContext(workflowId, 'webhook_secret')),
          c.authType ?? null, c.enabled ?? null, workflowId]);
      } catch (e) {
        throw asStoreError(e, 'a workflow with this webhook token');
      }
      return requireInfo(pool, workflowId);
    },
  };
}
