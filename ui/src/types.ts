// The HTTP API's answer shapes, as the UI reads them: defined once in src/contract/ (the server's
// response schemas are generated from the same definitions).

import type { WorkflowEdge, WorkflowNode, Workflow } from '../../src/contract/workflow';
import type { ExecutionStatus, ExecutionSummary, OrderRecord } from '../../src/contract/api';

export type {
  AuthType, Category, Concurrency, ExecutionDetail, ExecutionStatus, ExecutionSummary, FieldDef, FieldKind, Health, Limits, LogEntry, MarketData,
  NodeType, OrderRecord, Problem, Step, StepStatus, VersionInfo, WebhookInfo, WorkflowDetail, WorkflowInfo, WorkflowListItem,
} from '../../src/contract/api';

/** A node as OpenAlgo's format stores it. */
export type WfNode = WorkflowNode;
export type WfEdge = WorkflowEdge;
export type WorkflowJson = Workflow;

/** GET /api/market/quotes: one symbol's last price (null with the broker's error when it has none). */
export interface Quote {
  symbol: string;
  exchange: string;
  ltp: number | null;
  prevClose: number | null;
  error?: string;
}

/** GET /api/market/search: one instrument found by the broker's search. */
export interface SymbolResult {
  symbol: string;
  exchange: string;
  name: string;
  instrumentType: string;
  expiry: string | null;
  strike: number | null;
  lotSize: number;
  tickSize: number;
  ltp: number | null;
}

/** What a failed run starts: another (active) workflow and/or a Telegram alert. */
export interface OnFailure {
  workflowId: string | null;
  telegram: boolean;
}

/** GET /api/executions filters. */
export interface ExecutionFilters {
  workflowId?: string;
  status?: string;
  trigger?: string;
  /** ISO date-time or ms; inclusive. */
  from?: string;
  /** Exclusive. */
  to?: string;
}

/** GET /api/today: the exchange's day so far. */
export interface Today {
  date: string;
  timezone: string;
  from: string;
  runs: { total: number; byStatus: Partial<Record<ExecutionStatus, number>>; truncated: boolean; failed: ExecutionSummary[]; recent: ExecutionSummary[] };
  orders: { total: number; byStatus: Record<string, number>; recent: OrderRecord[]; attention: OrderRecord[] };
  schedules: Array<{ workflowId: string; nodeId: string; nextRunAt: string; lastRunAt: string | null; missedCount: number }>;
  positions: { status: 'success'; data: Row[] } | { status: 'error'; message: string };
}

/** OpenAlgo-shaped answers of the paper broker. */
export interface BrokerAnswer<T> {
  status: string;
  data?: T;
  message?: string;
}

export type Row = Record<string, unknown>;

export interface PaperAccount {
  funds: BrokerAnswer<Record<string, string | number>>;
  positions: BrokerAnswer<Row[]>;
  orders: BrokerAnswer<{ orders: Row[]; statistics?: Record<string, number> }>;
  trades: BrokerAnswer<Row[]>;
}
