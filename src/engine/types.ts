// The run result and the events a run emits (DESIGN.md §4, §8).

import type { LogLevel, TriggerKind } from '../nodes/types.js';
import type { OrderMethod } from '../broker/types.js';

export type RunStatus = 'completed' | 'failed' | 'canceled';
export type StepStatus = 'completed' | 'failed' | 'skipped';

export interface Step {
  /** Position in the run, from 1, in execution order. */
  seq: number;
  nodeId: string;
  type: string;
  status: StepStatus;
  /** The node's params after interpolation and parsing (secret-looking keys redacted). */
  input?: Record<string, unknown>;
  output?: unknown;
  /** How the engine coerced an input (a fractional quantity truncated); also logged as a warning. */
  notes?: string[];
  error?: string;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
}

export interface LogEntry {
  time: string;
  level: LogLevel;
  message: string;
  nodeId?: string;
}

/**
 * sent: recorded, its answer not known yet; accepted / rejected: answered; unknown: the request may
 * have reached the broker but no answer came (never re-sent); not_sent: it never left Flow.
 */
export type OrderStatus = 'sent' | 'accepted' | 'rejected' | 'unknown' | 'not_sent';

/** What is known of an intent when it is recorded: waiting for a rate-limit slot, or about to be sent. */
export type IntentStage = 'waiting' | 'sending';

/** An order intent: recorded before the broker call, completed with its answer. */
export interface OrderRecord {
  /** The client order key: unique per intent, sent to brokers that de-duplicate on it. */
  key: string;
  nodeId: string;
  method: OrderMethod;
  request: Record<string, unknown>;
  status: OrderStatus;
  answer?: unknown;
  error?: string;
  orderIds: string[];
  createdAt: string;
  answeredAt?: string;
}

export interface RunResult {
  executionId: string;
  status: RunStatus;
  steps: Step[];
  logs: LogEntry[];
  variables: Record<string, unknown>;
  orders: OrderRecord[];
  error: string | null;
  /** The node the run failed in, when it failed. */
  failedNodeId?: string;
  startedAt: string;
  finishedAt: string;
}

export interface TriggerInfo {
  kind: TriggerKind;
  /** The trigger node that fired, when known (a schedule's start node, a price alert). */
  nodeId?: string;
  payload?: Record<string, unknown>;
}

export type RunEvent =
  | { type: 'run_started'; executionId: string; at: string }
  | { type: 'step_started'; executionId: string; nodeId: string; nodeType: string; at: string }
  | { type: 'step_finished'; executionId: string; step: Step }
  | { type: 'log'; executionId: string; entry: LogEntry }
  | { type: 'order'; executionId: string; order: OrderRecord }
  | { type: 'run_finished'; executionId: string; result: RunResult };

/**
 * Hooks that let a caller persist a run as it goes. A hook may return a promise; the engine
 * waits for it, so "written before the broker call" holds for `orderIntent`.
 */
export interface RunHooks {
  /** Called for every event (live viewers, metrics). Must not throw. */
  onEvent?(event: RunEvent): void;
  /** Called before a node runs (e.g. to make the run's progress durable first); awaited, and a throw ends the run. */
  beforeNode?(nodeId: string, nodeType: string): void | Promise<void>;
  /** Durable record of a step as it finishes. */
  stepFinished?(step: Step): void | Promise<void>;
  /**
   * Durable record of an order intent BEFORE its request can reach the broker; throwing refuses the
   * order. `waiting`: it waits for the broker's rate-limit slot (orderSending follows before it is sent);
   * `sending`: it may be sent as soon as this is durable.
   */
  orderIntent?(order: OrderRecord, stage: IntentStage): void | Promise<void>;
  /** Durable mark that an intent recorded as `waiting` got its slot and is about to be sent; throwing refuses it. */
  orderSending?(order: OrderRecord): void | Promise<void>;
  /** Durable record of the broker's answer (or the unknown outcome). */
  orderResolved?(order: OrderRecord): void | Promise<void>;
}

/** Risk checks before an order intent is recorded. Returns a refusal reason, or null to allow. */
export type OrderGuard = (order: { method: OrderMethod; request: Record<string, unknown>; nodeId: string; ordersThisRun: number }) => string | null | Promise<string | null>;
