// The store's public shape: row types and the asynchronous repository interface the runtime and
// server use (DESIGN.md §9). SQLite (embedded, the default) and PostgreSQL implement it; one contract
// suite (test/store/contract) runs against both. Times are milliseconds since the epoch; JSON columns
// come back parsed.

import type { Workflow as WorkflowJson } from '../workflow/schema.js';

export type ExecutionStatus = 'queued' | 'running' | 'completed' | 'failed' | 'canceled' | 'crashed' | 'skipped';
export const EXECUTION_STATUSES: readonly ExecutionStatus[] = [
  'queued', 'running', 'completed', 'failed', 'canceled', 'crashed', 'skipped',
];

/** What started a run (same vocabulary as the engine's TriggerKind). */
export type TriggerKind = 'manual' | 'schedule' | 'webhook' | 'price' | 'orderUpdate' | 'error';
export const TRIGGER_KINDS: readonly TriggerKind[] = ['manual', 'schedule', 'webhook', 'price', 'orderUpdate', 'error'];
export type WebhookAuthType = 'payload' | 'url' | 'hmac';
export type ConcurrencyPolicy = 'queue' | 'parallel' | 'skip';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type StepStatus = 'completed' | 'failed' | 'skipped';

/**
 * waiting: recorded while it waits for the broker's rate-limit slot; its request has not left Flow
 * (becomes `not_sent` after a crash);
 * pending: its request may reach the broker from now on, no answer yet (becomes `unknown` after a crash);
 * sent: the broker took the request, final state not known yet; accepted / rejected: answered;
 * unknown: the request may have reached the broker but its outcome cannot be known: never re-sent, never pruned;
 * not_sent: its request never left Flow (cancelled or stopped while waiting, no connection). Never re-sent.
 */
export type IntentStatus = 'waiting' | 'pending' | 'sent' | 'accepted' | 'rejected' | 'unknown' | 'not_sent';

/** A workflow in OpenAlgo's format (workflow/'s type); validated by `workflow/` before it reaches the store. */
export type WorkflowDefinition = WorkflowJson;

export interface RiskLimits {
  maxQuantityPerOrder?: number;
  maxOrdersPerRun?: number;
  maxOrdersPerDay?: number;
}

// ---------- workflows ----------

/** A workflow without its definition (cheap to read: listing, webhook look-up). */
export interface WorkflowInfo {
  id: string;
  name: string;
  description: string;
  createdAt: number;
  updatedAt: number;
  active: boolean;
  /** The frozen version that runs while active. */
  activeVersion: number | null;
  webhookToken: string | null;
  authType: WebhookAuthType | null;
  concurrency: ConcurrencyPolicy;
  limits: RiskLimits;
  hasWebhookSecret: boolean;
  hasBrokerApiKey: boolean;
  /** False when the webhook was turned off (deliveries answer 403) while the workflow stays active. */
  webhookEnabled: boolean;
  /** Trigger kinds present in the current draft's nodes. */
  triggerKinds: TriggerKind[];
}

export interface Workflow extends WorkflowInfo {
  definition: WorkflowDefinition;
}

export interface WorkflowListItem extends WorkflowInfo {
  lastExecution: { id: string; status: ExecutionStatus; createdAt: number; finishedAt: number | null } | null;
}

export interface NewWorkflow {
  /** Defaults to a fresh 'wf_' id. */
  id?: string;
  /** Defaults to definition.name. */
  name?: string;
  description?: string;
  definition: WorkflowDefinition;
  createdAt?: number;
}

export interface WorkflowUpdate {
  name?: string;
  description?: string;
  definition?: WorkflowDefinition;
  updatedAt?: number;
}

export interface Activation {
  workflowId: string;
  version: number;
  /** null: the workflow has no webhookTrigger, so no URL reaches it. */
  webhookToken: string | null;
  /** Stored encrypted; read back only through getByWebhookToken / getWorkflowSecrets. */
  webhookSecret: string | null;
  authType: WebhookAuthType;
  concurrency: ConcurrencyPolicy;
  limits: RiskLimits;
  /** Stored encrypted. undefined keeps the stored key, null removes it. */
  brokerApiKey?: string | null;
}

export interface WebhookTarget {
  workflow: WorkflowInfo;
  webhookSecret: string | null;
}

export interface WorkflowSecrets {
  webhookSecret: string | null;
  brokerApiKey: string | null;
}

export interface WorkflowVersion {
  workflowId: string;
  version: number;
  definition: WorkflowDefinition;
  createdAt: number;
}

export interface WorkflowStore {
  createWorkflow(input: NewWorkflow): Promise<Workflow>;
  getWorkflow(id: string): Promise<Workflow | null>;
  listWorkflows(): Promise<WorkflowListItem[]>;
  /** Saves a new draft; the active frozen version keeps running until reactivation. */
  updateWorkflow(id: string, update: WorkflowUpdate): Promise<Workflow | null>;
  /** Soft delete: the workflow disappears, its token stops resolving, its runs stay for history. */
  deleteWorkflow(id: string): Promise<boolean>;
  setActive(activation: Activation): Promise<WorkflowInfo>;
  /** Keeps the token so a delivery answers 403 inactive rather than 404. */
  setInactive(workflowId: string): Promise<boolean>;
  /** Active or not (the caller answers 403 for inactive); null for an unknown token. */
  getByWebhookToken(token: string): Promise<WebhookTarget | null>;
  getWorkflowSecrets(workflowId: string): Promise<WorkflowSecrets | null>;
  /** Freezes a definition as the next version; an unchanged definition reuses the latest version. */
  freezeVersion(workflowId: string, definition: WorkflowDefinition, createdAt?: number): Promise<number>;
  getVersion(workflowId: string, version: number): Promise<WorkflowVersion | null>;
  listVersions(workflowId: string): Promise<Array<{ version: number; createdAt: number }>>;
  /** Changes the webhook without re-activating: a new token or secret replaces the old at once. */
  updateWebhook(workflowId: string, change: WebhookChange): Promise<WorkflowInfo>;
  /** freezeVersion + setActive in one transaction: the version activated is the one just frozen. */
  activateDefinition(definition: WorkflowDefinition, activation: Omit<Activation, 'version'>): Promise<{ version: number; workflow: WorkflowInfo }>;
}

export interface WebhookChange {
  token?: string;
  /** Stored encrypted. */
  secret?: string;
  authType?: WebhookAuthType;
  enabled?: boolean;
}

// ---------- executions ----------

export interface ExecutionTrigger {
  kind: TriggerKind;
  nodeId?: string;
}

export interface NewExecution {
  id: string;
  workflowId: string;
  /** The frozen version it runs; null for a run of an unsaved draft. */
  version: number | null;
  trigger: ExecutionTrigger;
  /** Already redacted: no secret ever reaches this call. */
  input?: unknown;
  idempotencyKey?: string | null;
  status: 'queued' | 'skipped';
  /** Why a run was skipped. */
  error?: string | null;
  createdAt?: number;
}

export interface ExecutionSummary {
  id: string;
  workflowId: string;
  version: number | null;
  trigger: ExecutionTrigger;
  status: ExecutionStatus;
  idempotencyKey: string | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  currentNodeId: string | null;
  currentNodeType: string | null;
  error: string | null;
}

export interface Execution extends ExecutionSummary {
  input: unknown;
  variables: Record<string, unknown> | null;
}

export interface ExecutionDetail extends Execution {
  steps: Step[];
  logs: LogEntry[];
  intents: OrderIntent[];
  notifications: StoredNotification[];
}

export interface ExecutionFinish {
  status: 'completed' | 'failed' | 'canceled';
  error?: string | null;
  variables?: Record<string, unknown>;
  finishedAt?: number;
  /** Also records the node it ended at (as setCurrentNode would), in the same statement. */
  currentNode?: CurrentNode;
}

/** The node in flight (or, at the finish, the last that ran); null id when none did. */
export interface CurrentNode {
  id: string | null;
  type: string | null;
}

export interface ListExecutionsOptions {
  /** Default 50. */
  limit?: number;
  offset?: number;
  status?: ExecutionStatus;
  /** Cursor: only runs created before this execution id (the last one of the previous page). */
  before?: string;
}

/** GET /api/executions: runs of every workflow. Times in ms, `from` inclusive, `to` exclusive. */
export interface ExecutionSearch {
  workflowId?: string;
  status?: ExecutionStatus;
  trigger?: TriggerKind;
  from?: number;
  to?: number;
  limit?: number;
  offset?: number;
}

export interface NewStep {
  executionId: string;
  seq: number;
  nodeId: string;
  nodeType: string;
  status: StepStatus;
  /** Input after interpolation (redacted by the caller). */
  input?: unknown;
  output?: unknown;
  error?: string | null;
  startedAt: number;
  finishedAt: number;
  /** Warnings on the step (e.g. a reference in a text field that did not resolve). */
  notes?: readonly string[] | null;
}

export interface Step {
  seq: number;
  nodeId: string;
  nodeType: string;
  status: StepStatus;
  input: unknown;
  output: unknown;
  error: string | null;
  startedAt: number;
  finishedAt: number;
  notes: string[] | null;
}

export interface LogEntry {
  seq?: number | null;
  time: number;
  level: LogLevel;
  message: string;
  nodeId?: string | null;
}

export interface CrashedExecution {
  executionId: string;
  workflowId: string;
  nodeId: string | null;
  nodeType: string | null;
  error: string;
}

export interface CrashReport {
  crashed: CrashedExecution[];
  /** Intents that may have been sent but had no answer, now `unknown`. */
  unknownIntents: OrderIntent[];
  /** Intents that were still waiting for a rate-limit slot, now `not_sent`. */
  notSentIntents: OrderIntent[];
}

export interface ExecutionStore {
  insertExecution(input: NewExecution): Promise<void>;
  /** queued → running (with the node in flight, when given); false when the run is not queued (canceled, unknown). */
  markRunning(id: string, startedAt?: number, currentNode?: CurrentNode): Promise<boolean>;
  /** Records the node in flight, so a crash report can name it. */
  /** The node in flight; at the finish, the last node that ran (null when none did). */
  setCurrentNode(id: string, nodeId: string | null, nodeType?: string | null): Promise<void>;
  /** queued/running → final; false when already final. */
  finishExecution(id: string, finish: ExecutionFinish): Promise<boolean>;
  getExecution(id: string): Promise<ExecutionDetail | null>;
  /** Newest first. */
  listExecutions(workflowId: string, options?: ListExecutionsOptions): Promise<ExecutionSummary[]>;
  /** Runs of every workflow (deleted ones included), newest first. */
  searchExecutions(search: ExecutionSearch): Promise<ExecutionSummary[]>;
  /** The first execution with this key created at or after sinceMs. */
  findByIdempotencyKey(workflowId: string, key: string, sinceMs: number): Promise<string | null>;
  countByStatus(workflowId?: string): Promise<Record<ExecutionStatus, number>>;
  /** Oldest first, with input, to resume after a restart. */
  listQueued(workflowId?: string): Promise<Execution[]>;
  /** running → crashed (naming the node in flight); pending intents → unknown. Nothing is re-sent. */
  recoverAfterCrash(now?: number): Promise<CrashReport>;
  insertStep(step: NewStep): Promise<void>;
  insertLogs(executionId: string, entries: readonly LogEntry[]): Promise<void>;
}

// ---------- order intents ----------

export interface NewOrderIntent {
  /** The client order key: unique per order attempt. */
  key: string;
  workflowId: string;
  executionId: string;
  nodeId: string;
  /** The broker method, e.g. 'placeOrder'. */
  method: string;
  /** The request with secrets removed. */
  request: unknown;
  createdAt?: number;
  /** `waiting` while it waits for a rate-limit slot (markIntentSending follows); default `pending`. */
  status?: 'waiting' | 'pending';
}

export interface IntentResolution {
  status: 'sent' | 'accepted' | 'rejected' | 'unknown' | 'not_sent';
  answer?: unknown;
  orderIds?: readonly string[];
  error?: string | null;
  resolvedAt?: number;
}

/** A stored intent: what was recorded before the call, with its status and the broker's answer. */
export interface OrderIntent extends Omit<NewOrderIntent, 'createdAt' | 'status'> {
  status: IntentStatus;
  answer: unknown;
  orderIds: string[];
  error: string | null;
  createdAt: number;
  resolvedAt: number | null;
}

export interface IntentStore {
  /** Written before the broker call, status `pending` (or `waiting`). */
  insertIntent(intent: NewOrderIntent): Promise<void>;
  /** A `waiting` intent got its slot: `pending` from now on (it may reach the broker). False if it was not waiting. */
  markIntentSending(key: string): Promise<boolean>;
  resolveIntent(key: string, resolution: IntentResolution): Promise<boolean>;
  getIntent(key: string): Promise<OrderIntent | null>;
  listIntents(executionId: string): Promise<OrderIntent[]>;
  listUnknownIntents(): Promise<OrderIntent[]>;
  /** Intents created since sinceMs that may have reached the market (everything but rejected and not_sent). */
  countOrdersForWorkflowSince(workflowId: string, sinceMs: number): Promise<number>;
}

// ---------- webhook deliveries, schedules, notifications, paper account, settings ----------

export interface NewDelivery {
  workflowId: string | null;
  receivedAt?: number;
  httpStatus: number;
  executionId?: string | null;
  idempotencyKey?: string | null;
  remote?: string | null;
  error?: string | null;
}

export interface Delivery {
  id: number;
  workflowId: string | null;
  receivedAt: number;
  httpStatus: number;
  executionId: string | null;
  idempotencyKey: string | null;
  remote: string | null;
  error: string | null;
}

export interface ScheduleInput {
  workflowId: string;
  nodeId: string;
  spec: unknown;
  nextRunAt: number | null;
  /** undefined keeps the stored value. */
  lastRunAt?: number | null;
}

export interface Schedule {
  workflowId: string;
  nodeId: string;
  spec: unknown;
  nextRunAt: number | null;
  lastRunAt: number | null;
  missedCount: number;
  lastMissedAt: number | null;
}

export interface MissedRun {
  workflowId: string;
  nodeId: string;
  /** When the missed run was due. */
  scheduledFor: number;
  nextRunAt: number | null;
}

export interface NewNotification {
  executionId: string;
  nodeId: string;
  channel: string;
  message: string;
  delivered: boolean;
  detail?: string | null;
  createdAt?: number;
}

export interface StoredNotification {
  nodeId: string;
  channel: string;
  message: string;
  delivered: boolean;
  detail: string | null;
  createdAt: number;
}

export interface MiscStore {
  insertDelivery(delivery: NewDelivery): Promise<void>;
  /** Newest first. */
  listDeliveries(workflowId: string, limit?: number): Promise<Delivery[]>;
  upsertSchedule(schedule: ScheduleInput): Promise<void>;
  listSchedules(workflowId?: string): Promise<Schedule[]>;
  deleteSchedulesFor(workflowId: string): Promise<number>;
  recordMissedRun(missed: MissedRun): Promise<void>;
  insertNotification(notification: NewNotification): Promise<void>;
  savePaperState(state: unknown): Promise<void>;
  loadPaperState(): Promise<unknown>;
  getSetting(key: string): Promise<string | null>;
  /** null removes the setting. */
  setSetting(key: string, value: string | null): Promise<void>;
}

// ---------- retention ----------

export interface PruneOptions {
  /** The newest N executions of each workflow are always kept. Default 500. */
  keepPerWorkflow?: number;
  /** Executions younger than this are always kept. Default 30. */
  maxAgeDays?: number;
  now?: number;
  /** Executions deleted per transaction; the event loop runs between batches. Default 200. */
  batchSize?: number;
}

export interface PruneResult {
  executions: number;
  steps: number;
  logs: number;
  intents: number;
  notifications: number;
  deliveries: number;
}

/**
 * The writes that may share one transaction (`Store.tx`): each call is synchronous and only records
 * (PostgreSQL) or performs (SQLite) the write; the transaction's promise says when all are durable.
 * A write whose outcome matters answers a promise that settles once the transaction ran it (before
 * the transaction's own promise resolves; never, if the transaction failed first).
 */
export interface WriteBatch {
  insertExecution(input: NewExecution): void;
  /** queued → running (with the node in flight, when given); resolves false when the run is no longer queued (canceled meanwhile). */
  markRunning(id: string, startedAt?: number, currentNode?: CurrentNode): Promise<boolean>;
  setCurrentNode(id: string, nodeId: string | null, nodeType?: string | null): void;
  finishExecution(id: string, finish: ExecutionFinish): void;
  insertStep(step: NewStep): void;
  insertLogs(executionId: string, entries: readonly LogEntry[]): void;
  insertIntent(intent: NewOrderIntent): void;
  markIntentSending(key: string): void;
  resolveIntent(key: string, resolution: IntentResolution): void;
  insertNotification(notification: NewNotification): void;
  insertDelivery(delivery: NewDelivery): void;
  /** PostgreSQL only (several processes, src/cluster): runs one statement in this transaction; resolves with its rows. */
  query?(text: string, params: unknown[]): Promise<Array<Record<string, unknown>>>;
}

export const WRITE_BATCH_METHODS = [
  'insertExecution', 'markRunning', 'setCurrentNode', 'finishExecution', 'insertStep', 'insertLogs', 'insertIntent',
  'markIntentSending', 'resolveIntent', 'insertNotification', 'insertDelivery',
] as const satisfies ReadonlyArray<keyof WriteBatch>;

export interface Store extends WorkflowStore, ExecutionStore, IntentStore, MiscStore {
  readonly kind: 'sqlite' | 'postgres';
  /** The database file (SQLite), the database URL without its password (PostgreSQL), or null in memory. */
  readonly path: string | null;
  readonly schemaVersion: number;
  /**
   * Runs the writes `fn` records in one transaction (one durable commit); resolves once committed.
   * `fn` is synchronous and only writes: a decision that needs a read in the same transaction is a
   * store method of its own (activateDefinition, recoverAfterCrash). A throw in `fn` or a failing
   * write rolls everything back and rejects.
   */
  tx(fn: (w: WriteBatch) => void): Promise<void>;
  /**
   * Deletes executions beyond the newest N of their workflow AND older than D days, with their
   * steps, logs, intents and notifications, in bounded batches. Runs that are still open or hold
   * a waiting/pending/unknown order intent are kept whole.
   */
  prune(options?: PruneOptions): Promise<PruneResult>;
  close(): Promise<void>;
}
