// The HTTP API's answer shapes, as the UI reads them: defined once in src/contract/ (the server's
// response schemas are generated from the same definitions).

import type { WorkflowEdge, WorkflowNode, Workflow } from '../../src/contract/workflow';

export type {
  AuthType, Category, Concurrency, ExecutionDetail, ExecutionStatus, ExecutionSummary, FieldDef, FieldKind, Health, Limits, LogEntry,
  NodeType, OrderRecord, Problem, Step, StepStatus, VersionInfo, WebhookInfo, WorkflowDetail, WorkflowInfo, WorkflowListItem,
} from '../../src/contract/api';

/** A node as OpenAlgo's format stores it. */
export type WfNode = WorkflowNode;
export type WfEdge = WorkflowEdge;
export type WorkflowJson = Workflow;

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
