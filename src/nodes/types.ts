// What a node type is: data (fields, category, handles) plus one `run` function.
// Nodes see only the Broker and Notifier interfaces, never the store or the server.

import type { Broker } from '../broker/types.js';
import type { Fields, ParamsOf } from '../contract/fields.js';

export type NodeCategory = 'trigger' | 'order' | 'condition' | 'data' | 'utility';

/** What starts a run; trigger nodes declare which kind fires them. */
export type TriggerKind = 'manual' | 'schedule' | 'webhook' | 'price' | 'orderUpdate';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** A node's answer. Whatever else it carries is stored under `outputVariable` and in the step. */
export interface NodeResult {
  status: 'success' | 'error';
  message?: string;
  /** For conditions and gates: routes `true`/`yes` and `false`/`no` edges. */
  condition?: boolean;
  /** When present, what `outputVariable` receives instead of the whole result (mathExpression: the bare number). */
  output?: unknown;
  [key: string]: unknown;
}

export interface Notification {
  channel: 'telegram' | 'whatsapp' | 'log';
  message: string;
  username?: string;
  to?: string;
}

/** Sends alerts. The default one records them in the run; others reach Telegram. */
export interface Notifier {
  send(n: Notification, signal: AbortSignal): Promise<{ delivered: boolean; via: string; detail?: string }>;
}

export interface NodeInput {
  edgeId: string;
  sourceId: string;
  targetHandle?: string | null;
  /** The edge fired (its source ran and the edge's handle matched). */
  fired: boolean;
  /** The source node's boolean; false when it did not run or produced none. */
  value: boolean;
}

export interface NodeContext {
  readonly nodeId: string;
  readonly nodeType: string;
  readonly executionId: string;
  readonly workflowName: string;
  /** The broker, wrapped so that every order call is guarded and recorded as an intent first. */
  readonly broker: Broker;
  readonly notifier: Notifier;
  readonly signal: AbortSignal;
  readonly timezone: string;
  readonly trigger: { kind: TriggerKind; nodeId?: string; payload: Record<string, unknown> };
  /** For gates: each incoming edge, in edge order. */
  readonly inputs: readonly NodeInput[];
  /** Run-wide settings a node may need (HTTP policy, …). */
  readonly settings: NodeSettings;
  now(): Date;
  getVariable(name: string): unknown;
  setVariable(name: string, value: unknown): void;
  log(message: string, level?: LogLevel): void;
  /** Waits, cancellable through the run's signal. */
  sleep(ms: number): Promise<void>;
}

export interface NodeSettings {
  /** httpRequest may call loopback and private addresses (off by default). */
  allowPrivateHttp: boolean;
}

export interface NodeDefinition<F extends Fields = Fields> {
  type: string;
  category: NodeCategory;
  label: string;
  description: string;
  fields: F;
  /** Older field names accepted on input (DESIGN.md §3): old name → current name. */
  aliases?: Record<string, string>;
  /**
   * Branch handles the node emits besides the always-firing unnamed one: conditions and AND/OR gates
   * 'true/false', timeCondition and notGate 'yes/no'. The engine treats the two vocabularies as synonyms.
   */
  branches?: 'true/false' | 'yes/no';
  /** The variable the result is stored under when `outputVariable` is blank (mathExpression: `result`, as OpenAlgo). */
  defaultOutputVariable?: string;
  /** Trigger nodes: which firing kind starts at them. */
  trigger?: TriggerKind;
  /**
   * The top-level keys of the node's result (`{{name.key}}`), where Flow knows them (a broker
   * answer's documented shape): the editor warns about a reference to any other key.
   */
  outputs?: readonly string[];
  /** Gates read their inputs' booleans and run once all inputs are settled. */
  gate?: boolean;
  /** How many incoming edges the node accepts (notGate: exactly one). */
  inputs?: { min?: number; max?: number };
  /**
   * The node does no I/O and answers at once (log, variable, gates, clock conditions): the engine
   * gives it no timer and no abort controller of its own.
   */
  instant?: boolean;
  /** Milliseconds before the node is aborted; null for none (delay, waitUntil). Default 60 s. */
  timeoutMs?: number | null | ((params: ParamsOf<F>) => number | null);
  /** Cross-field rules (e.g. a LIMIT order needs a price), run on fully resolved params. */
  check?(params: ParamsOf<F>): Array<{ field: string; message: string }>;
  run(ctx: NodeContext, params: ParamsOf<F>): Promise<NodeResult>;
}

/** Helps TypeScript infer a node's params from its fields. */
export function defineNode<F extends Fields>(def: NodeDefinition<F>): NodeDefinition<F> {
  return def;
}
