// Workflow life cycle: activation freezes a version, mints the webhook token and secret and
// registers the triggers; deactivation unregisters them. Trigger events become execution requests.

import { randomBytes } from 'node:crypto';
import { FlowError, notFound } from '../errors.js';
import type { TriggerInfo } from '../engine/types.js';
import type { Registry } from '../nodes/registry.js';
import type { ConcurrencyPolicy, RiskLimits, Store, WebhookAuthType, WorkflowInfo } from '../store/types.js';
import { validateWorkflow } from '../workflow/validate.js';
import type { WorkflowNode } from '../workflow/schema.js';
import type { Accepted, ExecutionService } from './service.js';

/** Where schedules, price alerts and order watches are registered (src/triggers). */
export interface TriggerRegistry {
  /** Registers the trigger nodes of an activated version; answers problems instead of registering. */
  register(workflowId: string, nodes: readonly WorkflowNode[], opts: { lastRunAt?: number | null }): Promise<Array<{ nodeId: string; field: string; message: string }>>;
  unregister(workflowId: string): Promise<void>;
}

export interface ActivateOptions {
  authType?: WebhookAuthType;
  concurrency?: ConcurrencyPolicy;
  limits?: RiskLimits;
  brokerApiKey?: string | null;
}

/** A webhook change that does not re-activate (OpenAlgo's webhook management). */
export interface WebhookManagement {
  enabled?: boolean;
  authType?: WebhookAuthType;
  regenerateToken?: boolean;
  regenerateSecret?: boolean;
}

export interface WebhookAnswer {
  url: string;
  token: string;
  secret: string;
  authType: WebhookAuthType;
  enabled: boolean;
}

export interface ActivationAnswer {
  id: string;
  active: true;
  version: number;
  /** null when the workflow has no webhookTrigger node: nothing can be posted to it. */
  webhook: { url: string; token: string; secret: string; authType: WebhookAuthType } | null;
}

/** What a webhook delivery needs to know of its workflow, cached in memory. */
export interface WebhookRoute {
  workflowId: string;
  active: boolean;
  /** The webhook was turned off: deliveries answer 403 though the workflow is active. */
  enabled: boolean;
  version: number | null;
  authType: WebhookAuthType;
  secret: string | null;
  concurrency: ConcurrencyPolicy;
  limits: RiskLimits;
  /** webhookTrigger `symbol` filters (upper-case); empty accepts every symbol. */
  symbols: string[];
}

interface ActiveSettings {
  version: number;
  concurrency: ConcurrencyPolicy;
  limits: RiskLimits;
}

export class WorkflowManager {
  private readonly routes = new Map<string, WebhookRoute | null>();
  private readonly active = new Map<string, ActiveSettings>();

  constructor(
    private readonly deps: {
      store: Store;
      service: ExecutionService;
      registry: Registry;
      triggers: TriggerRegistry;
      /** Base URL for webhook links, e.g. http://127.0.0.1:5000 */
      publicUrl: () => string;
      /** One line per activation and deactivation (names and ids only: no secret, no URL token). */
      logger?: { info(obj: unknown, msg?: string): void };
      /** A workflow changed here (several processes: the others reload it). */
      onChange?: (workflowId: string) => void;
    },
  ) {}

  async activate(workflowId: string, opts: ActivateOptions = {}): Promise<ActivationAnswer> {
    const { store, registry, triggers } = this.deps;
    const wf = await store.getWorkflow(workflowId);
    if (!wf) throw notFound('workflow', workflowId);
    const validation = validateWorkflow(wf.definition, registry);
    if (!validation.valid) {
      throw new FlowError('invalid_workflow', `workflow ${workflowId} cannot be activated: ${validation.problems.filter((p) => p.severity === 'error').length} problem(s)`, 400, { problems: validation.problems });
    }
    const nodes = validation.workflow!.nodes;
    // Check trigger configuration before anything is written.
    await triggers.unregister(workflowId);
    const problems = await triggers.register(workflowId, nodes, { lastRunAt: null });
    if (problems.length) {
      await triggers.unregister(workflowId);
      // A workflow that was active keeps running its frozen version with its old triggers.
      if (wf.active && wf.activeVersion !== null) await this.registerVersion(workflowId, wf.activeVersion);
      throw new FlowError('invalid_trigger', `workflow ${workflowId} cannot be activated: its trigger is misconfigured`, 400, {
        problems: problems.map((p) => ({ code: 'invalid_field', severity: 'error', nodeId: p.nodeId, field: p.field, message: `${p.nodeId}: ${p.field} ${p.message}` })),
      });
    }
    const previous = await store.getWorkflowSecrets(workflowId);
    // Only a workflow with a webhookTrigger gets a URL; without one an old token stops reaching it.
    const hasWebhook = nodes.some((n) => n.type === 'webhookTrigger');
    const token = hasWebhook ? wf.webhookToken ?? randomBytes(32).toString('base64url') : null;
    const secret = hasWebhook ? previous?.webhookSecret ?? randomBytes(24).toString('base64url') : null;
    const authType = opts.authType ?? wf.authType ?? 'payload';
    const concurrency = opts.concurrency ?? wf.concurrency ?? 'queue';
    const limits = opts.limits ?? wf.limits ?? {};
    let version: number;
    try {
      ({ version } = await store.activateDefinition(validation.workflow!, {
        workflowId, webhookToken: token, webhookSecret: secret, authType, concurrency, limits, brokerApiKey: opts.brokerApiKey,
      }));
    } catch (e) {
      await triggers.unregister(workflowId);
      if (wf.active && wf.activeVersion !== null) await this.registerVersion(workflowId, wf.activeVersion);
      throw e;
    }
    this.deps.service.invalidate(workflowId);
    this.active.set(workflowId, { version, concurrency, limits });
    if (wf.webhookToken) this.routes.delete(wf.webhookToken);
    if (token) this.routes.delete(token);
    this.deps.logger?.info({ workflow: wf.name, workflowId, version, triggers: [...new Set(nodes.filter((n) => registry.get(n.type)?.trigger).map((n) => n.type))] }, 'workflow activated');
    this.deps.onChange?.(workflowId);
    return {
      id: workflowId, active: true, version,
      webhook: token && secret ? { url: `${this.deps.publicUrl()}/flow/webhook/${token}`, token, secret, authType } : null,
    };
  }

  async deactivate(workflowId: string): Promise<WorkflowInfo> {
    const { store, triggers } = this.deps;
    const wf = await store.getWorkflow(workflowId);
    if (!wf) throw notFound('workflow', workflowId);
    await triggers.unregister(workflowId);
    await store.setInactive(workflowId);
    this.active.delete(workflowId);
    if (wf.webhookToken) this.routes.delete(wf.webhookToken);
    this.deps.service.invalidate(workflowId);
    if (wf.active) this.deps.logger?.info({ workflow: wf.name, workflowId }, 'workflow deactivated');
    this.deps.onChange?.(workflowId);
    return (await store.getWorkflow(workflowId))!;
  }

  /**
   * Turns the webhook on or off, changes its auth type, or replaces its token or secret, without
   * re-activating. A workflow never activated gets its token and secret minted here (as OpenAlgo does).
   * The old token stops resolving and the old secret stops authenticating at once; runs started
   * from now on scrub the new secret (the service's per-workflow cache is dropped).
   */
  async manageWebhook(workflowId: string, m: WebhookManagement): Promise<WebhookAnswer> {
    const { store } = this.deps;
    const wf = await store.getWorkflow(workflowId);
    if (!wf) throw notFound('workflow', workflowId);
    const oldToken = wf.webhookToken;
    const hasSecret = (await store.getWorkflowSecrets(workflowId))?.webhookSecret;
    const info = await store.updateWebhook(workflowId, {
      token: m.regenerateToken || !oldToken ? randomBytes(32).toString('base64url') : undefined,
      secret: m.regenerateSecret || !hasSecret ? randomBytes(24).toString('base64url') : undefined,
      authType: m.authType ?? (wf.authType ? undefined : 'payload'),
      enabled: m.enabled,
    });
    if (oldToken) this.routes.delete(oldToken);
    this.routes.delete(info.webhookToken!);
    this.deps.service.invalidate(workflowId);
    const secret = (await store.getWorkflowSecrets(workflowId))!.webhookSecret!;
    this.deps.onChange?.(workflowId);
    return { url: `${this.deps.publicUrl()}/flow/webhook/${info.webhookToken}`, token: info.webhookToken!, secret, authType: info.authType ?? 'payload', enabled: info.webhookEnabled };
  }

  /** Forgets cached state of a workflow (after it was deleted or edited). */
  forget(workflowId: string, token?: string | null): void {
    this.active.delete(workflowId);
    if (token) this.routes.delete(token);
    this.deps.service.invalidate(workflowId);
    this.deps.onChange?.(workflowId);
  }

  /**
   * Another process changed this workflow: drop what is cached of it (every webhook route: its old
   * token is not known here), read its settings again, and re-arm its triggers when its active
   * version changed (only the trigger holder arms anything).
   */
  async reload(workflowId: string): Promise<void> {
    this.routes.clear();
    this.deps.service.invalidate(workflowId);
    const had = this.active.get(workflowId);
    const wf = await this.deps.store.getWorkflow(workflowId);
    if (!wf?.active || wf.activeVersion === null) {
      this.active.delete(workflowId);
      if (had) await this.deps.triggers.unregister(workflowId);
      return;
    }
    this.active.set(workflowId, { version: wf.activeVersion, concurrency: wf.concurrency, limits: wf.limits });
    if (had?.version === wf.activeVersion) return;
    await this.deps.triggers.unregister(workflowId);
    await this.registerVersion(workflowId, wf.activeVersion);
  }

  /** Registers the triggers of a frozen version; answers their problems. */
  private async registerVersion(workflowId: string, version: number, lastRunAt: number | null = null): Promise<string[]> {
    const frozen = await this.deps.store.getVersion(workflowId, version);
    if (!frozen) return [`version ${version} not found`];
    return (await this.deps.triggers.register(workflowId, frozen.definition.nodes, { lastRunAt })).map((p) => `${p.nodeId}: ${p.field} ${p.message}`);
  }

  /** Re-registers the triggers of every active workflow (start-up). */
  async restore(onProblem: (workflowId: string, message: string) => void): Promise<number> {
    const { store } = this.deps;
    let count = 0;
    const lastRuns = new Map<string, number>();
    for (const sch of await store.listSchedules()) {
      if (sch.lastRunAt !== null) lastRuns.set(sch.workflowId, Math.max(sch.lastRunAt, lastRuns.get(sch.workflowId) ?? 0));
    }
    for (const item of await store.listWorkflows()) {
      if (!item.active || item.activeVersion === null) continue;
      const lastRunAt = lastRuns.get(item.id) ?? null;
      for (const problem of await this.registerVersion(item.id, item.activeVersion, lastRunAt)) onProblem(item.id, problem);
      this.active.set(item.id, { version: item.activeVersion, concurrency: item.concurrency, limits: item.limits });
      count++;
    }
    return count;
  }

  /** Concurrency and limits of an active workflow (or its stored settings). */
  async settings(workflowId: string): Promise<{ concurrency: ConcurrencyPolicy; limits: RiskLimits } | null> {
    const hit = this.active.get(workflowId);
    if (hit) return hit;
    const wf = await this.deps.store.getWorkflow(workflowId);
    return wf ? { concurrency: wf.concurrency, limits: wf.limits } : null;
  }

  /** A trigger fired (schedule, price alert, order update): run the active version. */
  async fire(workflowId: string, trigger: TriggerInfo, idempotencyKey?: string): Promise<Accepted | null> {
    const s = this.active.get(workflowId);
    if (!s) return null;
    return this.deps.service.request({ workflowId, version: s.version, trigger, idempotencyKey, concurrency: s.concurrency, limits: s.limits });
  }

  /** Webhook routing by token, cached; null for an unknown token. */
  async webhookRoute(token: string): Promise<WebhookRoute | null> {
    if (this.routes.has(token)) return this.routes.get(token)!;
    const { store } = this.deps;
    const target = await store.getByWebhookToken(token);
    let route: WebhookRoute | null = null;
    if (target) {
      const info = target.workflow;
      const version = info.activeVersion !== null ? await store.getVersion(info.id, info.activeVersion) : null;
      const nodes = (version?.definition ?? (await store.getWorkflow(info.id))?.definition)?.nodes ?? [];
      const symbols = nodes
        .filter((n) => n.type === 'webhookTrigger' && typeof n.data.symbol === 'string' && n.data.symbol.trim() !== '')
        .map((n) => String(n.data.symbol).trim().toUpperCase());
      route = {
        workflowId: info.id, active: info.active, enabled: info.webhookEnabled, version: info.activeVersion, authType: info.authType ?? 'payload',
        secret: target.webhookSecret, concurrency: info.concurrency, limits: info.limits, symbols,
      };
    }
    if (this.routes.size > 10_000) this.routes.clear();
    this.routes.set(token, route);
    return route;
  }
}
