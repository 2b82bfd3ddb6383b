// The HTTP API's answer shapes (DESIGN.md §8), defined once: the server's response schemas are
// generated from these (see responseSchema) and the UI's API types are inferred from them.
// An object whose keys the server lists itself is closed; one that carries stored or user data
// (a trigger, a notification, a workflow's nodes) is loose, so the answer keeps every key it has.

import { z } from 'zod';
import { edgeSchema, nodeSchema, workflowSchema } from './workflow.js';

const iso = z.string();
const isoOrNull = z.string().nullable();

export const EXECUTION_STATUSES = ['queued', 'running', 'completed', 'failed', 'canceled', 'crashed', 'skipped'] as const;
export const executionStatus = z.enum(EXECUTION_STATUSES);
export const authType = z.enum(['payload', 'url', 'hmac']);
export const concurrency = z.enum(['queue', 'parallel', 'skip']);

// ---- workflows ------------------------------------------------------------------

export const problem = z.looseObject({
  code: z.string(),
  severity: z.enum(['error', 'warning']),
  message: z.string(),
  nodeId: z.string().optional(),
  edgeId: z.string().optional(),
  field: z.string().optional(),
});

export const limits = z.looseObject({
  maxQuantityPerOrder: z.number().optional(),
  maxOrdersPerRun: z.number().optional(),
  maxOrdersPerDay: z.number().optional(),
});

export const workflowInfo = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  active: z.boolean(),
  version: z.number().nullable(),
  concurrency,
  limits,
  triggers: z.array(z.string()),
  /** The URL to post alerts to; `enabled` is false while the webhook is turned off. */
  webhook: z.object({ url: z.string(), token: z.string(), authType, enabled: z.boolean().optional() }).nullable(),
  createdAt: iso,
  updatedAt: iso,
});

export const workflowListItem = workflowInfo.extend({
  lastExecution: z.object({ id: z.string(), status: executionStatus, createdAt: iso, finishedAt: isoOrNull }).nullable(),
});

/** One workflow with its draft; create, save, import and restore answer this too. */
export const workflowDetail = workflowInfo.extend({
  definition: workflowSchema,
  nodes: z.array(nodeSchema),
  edges: z.array(edgeSchema),
  problems: z.array(problem),
  /** Import: what Flow changed (a name already taken). */
  warnings: z.array(z.string()).optional(),
  /** Restore: the version the draft now holds. */
  restoredFrom: z.number().optional(),
});

export const workflowList = z.object({ workflows: z.array(workflowListItem) });
export const validation = z.object({ valid: z.boolean(), problems: z.array(problem) });

export const webhookInfo = z.object({
  url: z.string(),
  token: z.string(),
  secret: z.string().nullable(),
  authType,
  /** False while the webhook is turned off (deliveries answer 403). */
  enabled: z.boolean().optional(),
});

export const activation = z.object({ id: z.string(), active: z.boolean(), version: z.number(), webhook: webhookInfo.nullable() });
export const deactivation = z.object({ id: z.string(), active: z.boolean() });

/** A version frozen at an activation (GET /api/workflows/:id/versions). */
export const versionInfo = z.object({
  version: z.number(), createdAt: iso, activatedAt: iso, nodes: z.number(), edges: z.number(), active: z.boolean(),
});
export const versionList = z.object({ activeVersion: z.number().nullable(), versions: z.array(versionInfo) });
export const versionDiff = z.object({
  added: z.array(z.string()), removed: z.array(z.string()), changed: z.array(z.string()),
  edges: z.object({ added: z.array(z.string()), removed: z.array(z.string()) }),
});
export const version = z.object({ id: z.string(), version: z.number(), definition: workflowSchema, createdAt: iso, diff: versionDiff.optional() });

// ---- executions ------------------------------------------------------------------

export const stepStatus = z.enum(['completed', 'failed', 'skipped']);

export const step = z.object({
  /** Position in the run, from 1, in execution order. */
  seq: z.number(),
  nodeId: z.string(),
  type: z.string(),
  status: stepStatus,
  /** The node's params after interpolation and parsing (secret-looking keys redacted). */
  input: z.record(z.string(), z.unknown()).optional(),
  output: z.unknown().optional(),
  error: z.string().optional(),
  /** Warnings (a fraction truncated, a reference in a text field that did not resolve). */
  notes: z.array(z.string()).optional(),
  startedAt: isoOrNull.optional(),
  finishedAt: isoOrNull.optional(),
  durationMs: z.number().optional(),
});

export const logEntry = z.object({ time: iso, level: z.string(), message: z.string(), nodeId: z.string().optional() });

export const orderRecord = z.object({
  key: z.string(),
  nodeId: z.string(),
  method: z.string(),
  request: z.record(z.string(), z.unknown()),
  /** sent, accepted, rejected, unknown (never re-sent) or not_sent. */
  status: z.string(),
  answer: z.unknown().optional(),
  orderIds: z.array(z.string()).optional(),
  error: z.string().nullable().optional(),
  createdAt: isoOrNull.optional(),
  answeredAt: isoOrNull.optional(),
  executionId: z.string().optional(),
  workflowId: z.string().optional(),
});

export const executionSummary = z.object({
  executionId: z.string(),
  id: z.string(),
  workflowId: z.string(),
  version: z.number().nullable(),
  trigger: z.looseObject({ kind: z.string(), nodeId: z.string().optional() }),
  status: executionStatus,
  idempotencyKey: z.string().nullable().optional(),
  createdAt: iso,
  startedAt: isoOrNull,
  finishedAt: isoOrNull,
  currentNodeId: z.string().nullable().optional(),
  error: z.string().nullable(),
});

export const notification = z.looseObject({
  nodeId: z.string(), channel: z.string(), message: z.string(), delivered: z.boolean(), detail: z.string().nullable(), createdAt: isoOrNull,
});

export const executionDetail = executionSummary.extend({
  input: z.unknown().optional(),
  steps: z.array(step),
  logs: z.array(logEntry),
  variables: z.record(z.string(), z.unknown()),
  orders: z.array(orderRecord),
  notifications: z.array(notification),
});

export const executionList = z.object({ executions: z.array(executionSummary), limit: z.number(), offset: z.number() });

/** A run taken (202): its id and status; `duplicate` when an idempotency key matched an earlier run. */
export const accepted = z.object({ executionId: z.string(), status: z.string(), duplicate: z.boolean().optional() });
export const rerunAccepted = accepted.extend({ rerunOf: z.string() });
/** A run waited for (`?wait=true`): the run's result or the stored run, whichever the server has. */
export const runAnswer = z.looseObject({ executionId: z.string(), status: z.string() });

// ---- orders, catalogue, server ------------------------------------------------------

export const unknownOrders = z.object({ orders: z.array(orderRecord) });
export const enabled = z.object({ enabled: z.boolean() });

/** A node field as the catalogue describes it (describeField in fields.ts). */
export const fieldDef = z.looseObject({
  name: z.string(),
  kind: z.enum(['string', 'text', 'number', 'integer', 'boolean', 'enum', 'time', 'date', 'datetime', 'json', 'list']),
  label: z.string(),
  description: z.string().optional(),
  default: z.unknown().optional(),
  required: z.boolean().optional(),
  options: z.array(z.string()).optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  exclusiveMin: z.number().optional(),
  truncates: z.boolean().optional(),
  /** An enum's other accepted spellings, each to its option. */
  aliases: z.record(z.string(), z.string()).optional(),
});

export const nodeType = z.looseObject({
  type: z.string(),
  category: z.enum(['trigger', 'order', 'condition', 'data', 'utility']),
  label: z.string(),
  description: z.string(),
  trigger: z.string().nullable(),
  gate: z.boolean(),
  handles: z.array(z.string()),
  aliases: z.record(z.string(), z.string()),
  fields: z.array(fieldDef),
  /** The top-level keys of the node's result, where Flow knows them (`{{name.key}}`). */
  outputs: z.array(z.string()).optional(),
});
export const catalogue = z.object({ nodes: z.array(nodeType) });

export const health = z.looseObject({
  status: z.string(),
  version: z.string(),
  broker: z.string(),
  brokerDescription: z.string().optional(),
  killSwitch: z.boolean(),
  uptimeSeconds: z.number().optional(),
  queueDepth: z.number().optional(),
  running: z.number().optional(),
  /** On the paper broker: orders at any hour (FLOW_PAPER_ALWAYS_OPEN) or OpenAlgo sandbox hours. */
  paperMarket: z.enum(['always_open', 'sandbox_hours']).nullable().optional(),
  marketData: z.unknown().optional(),
});

// ---- JSON schema -----------------------------------------------------------------

/**
 * The JSON schema Fastify serializes an answer with (fast-json-stringify). It keeps the shape only:
 * no `required` (the serializer would fail an answer lacking a key, such as a node stored without a
 * position, where the answer must carry what the server has) and no `default` (it would add keys).
 * A key the schema does not know is dropped from a closed object and kept in a loose one.
 */
export function responseSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _draft, ...json } = z.toJSONSchema(schema, { target: 'draft-7', io: 'output', unrepresentable: 'any' }) as Record<string, unknown>;
  return shapeOnly(json);
}

function shapeOnly(schema: Record<string, unknown>): Record<string, unknown> {
  // `X | null` as one type list: the serializer picks a branch of an anyOf by validating each.
  const any = schema.anyOf as Array<Record<string, unknown>> | undefined;
  if (any?.length === 2 && any[1].type === 'null' && typeof any[0].type === 'string' && Object.keys(schema).length === 1) {
    return shapeOnly({ ...any[0], type: [any[0].type, 'null'] });
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'required' || k === 'default') continue;
    if (k === 'properties') out[k] = Object.fromEntries(Object.entries(v as Record<string, Record<string, unknown>>).map(([name, p]) => [name, shapeOnly(p)]));
    else if (Array.isArray(v)) out[k] = v.map((x) => (x !== null && typeof x === 'object' ? shapeOnly(x) : x));
    else if (v !== null && typeof v === 'object') out[k] = shapeOnly(v as Record<string, unknown>);
    else out[k] = v;
  }
  return out;
}

// ---- types (the UI's API types) ---------------------------------------------------

export type ExecutionStatus = z.output<typeof executionStatus>;
export type AuthType = z.output<typeof authType>;
export type Concurrency = z.output<typeof concurrency>;
export type Problem = z.output<typeof problem>;
export type Limits = z.output<typeof limits>;
export type WorkflowInfo = z.output<typeof workflowInfo>;
export type WorkflowListItem = z.output<typeof workflowListItem>;
export type WorkflowDetail = z.output<typeof workflowDetail>;
export type WebhookInfo = z.output<typeof webhookInfo>;
export type VersionInfo = z.output<typeof versionInfo>;
export type StepStatus = z.output<typeof stepStatus>;
export type Step = z.output<typeof step>;
export type LogEntry = z.output<typeof logEntry>;
export type OrderRecord = z.output<typeof orderRecord>;
export type ExecutionSummary = z.output<typeof executionSummary>;
export type ExecutionDetail = z.output<typeof executionDetail>;
export type FieldDef = z.output<typeof fieldDef>;
export type FieldKind = FieldDef['kind'];
export type NodeType = z.output<typeof nodeType>;
export type Category = NodeType['category'];
export type Health = z.output<typeof health>;
