// The HTTP API's answer shapes, as the UI reads them (src/server/present.ts is the source of truth).

export type Category = 'trigger' | 'order' | 'condition' | 'data' | 'utility';
export type FieldKind = 'string' | 'text' | 'number' | 'integer' | 'boolean' | 'enum' | 'time' | 'date' | 'datetime' | 'json' | 'list';

export interface FieldDef {
  name: string;
  kind: FieldKind;
  label: string;
  description?: string;
  default?: unknown;
  required?: boolean;
  options?: string[];
  min?: number;
  max?: number;
  exclusiveMin?: number;
  /** An enum's other accepted spellings, each to its option. */
  aliases?: Record<string, string>;
}

export interface NodeType {
  type: string;
  category: Category;
  label: string;
  description: string;
  trigger: string | null;
  gate: boolean;
  handles: string[];
  aliases: Record<string, string>;
  fields: FieldDef[];
}

/** A node as OpenAlgo's format stores it. */
export interface WfNode {
  id: string;
  type: string;
  position: { x: number; y: number };
  data: Record<string, unknown>;
}

export interface WfEdge {
  id: string;
  source: string;
  target: string;
  sourceHandle?: string | null;
  targetHandle?: string | null;
}

export interface WorkflowJson {
  name: string;
  description?: string;
  nodes: WfNode[];
  edges: WfEdge[];
  viewport?: { x: number; y: number; zoom: number };
}

export interface Problem {
  code: string;
  severity: 'error' | 'warning';
  message: string;
  nodeId?: string;
  edgeId?: string;
  field?: string;
}

export type AuthType = 'payload' | 'url' | 'hmac';
export type Concurrency = 'queue' | 'parallel' | 'skip';
export interface Limits {
  maxQuantityPerOrder?: number;
  maxOrdersPerRun?: number;
  maxOrdersPerDay?: number;
}

export type ExecutionStatus = 'queued' | 'running' | 'completed' | 'failed' | 'canceled' | 'crashed' | 'skipped' | 'expired';

export interface WorkflowInfo {
  id: string;
  name: string;
  description: string;
  active: boolean;
  version: number | null;
  concurrency: Concurrency;
  limits: Limits;
  triggers: string[];
  webhook: { url: string; token: string; authType: AuthType } | null;
  createdAt: string;
  updatedAt: string;
}

export interface WorkflowListItem extends WorkflowInfo {
  lastExecution: { id: string; status: ExecutionStatus; createdAt: string; finishedAt: string | null } | null;
}

export interface WorkflowDetail extends WorkflowInfo {
  definition: WorkflowJson;
  nodes: WfNode[];
  edges: WfEdge[];
  problems: Problem[];
}

export interface WebhookInfo {
  url: string;
  token: string;
  secret: string | null;
  authType: AuthType;
  /** False while the webhook is turned off (deliveries answer 403); absent in older answers. */
  enabled?: boolean;
}

export interface ExecutionSummary {
  executionId: string;
  workflowId: string;
  version: number | null;
  trigger: { kind: string; nodeId?: string };
  status: ExecutionStatus;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  currentNodeId?: string | null;
  error: string | null;
}

export type StepStatus = 'completed' | 'failed' | 'skipped';

export interface Step {
  seq: number;
  nodeId: string;
  type: string;
  status: StepStatus;
  input?: Record<string, unknown>;
  output?: unknown;
  error?: string;
  /** Warnings (e.g. a reference in a text field that did not resolve and was used as written). */
  notes?: string[];
  startedAt?: string | null;
  finishedAt?: string | null;
  durationMs?: number;
}

export interface LogEntry {
  time: string;
  level: string;
  message: string;
  nodeId?: string;
}

export interface OrderRecord {
  key: string;
  nodeId: string;
  method: string;
  request: Record<string, unknown>;
  status: string;
  answer?: unknown;
  orderIds?: string[];
  error?: string | null;
  createdAt?: string | null;
  answeredAt?: string | null;
  executionId?: string;
  workflowId?: string;
}

export interface ExecutionDetail extends ExecutionSummary {
  input?: unknown;
  steps: Step[];
  logs: LogEntry[];
  orders: OrderRecord[];
  variables: Record<string, unknown>;
}

export interface Health {
  status: string;
  version: string;
  broker: string;
  brokerDescription?: string;
  killSwitch: boolean;
  queueDepth?: number;
  running?: number;
  /** On the paper broker: orders at any hour (FLOW_PAPER_ALWAYS_OPEN) or OpenAlgo sandbox hours. */
  paperMarket?: 'always_open' | 'sandbox_hours' | null;
  /** Where price alerts and order updates learn of the market: OpenAlgo's stream (or the paper broker's), or polling while it is down. */
  marketData?: MarketData | null;
}

export interface MarketData {
  /** The stream's state: idle, connecting, live, down, closed, or none when there is no stream. */
  stream: string;
  priceAlerts: { stream: number; poll: number; ticksHeldBack: number };
  orderUpdates: { source: string; watches: number };
}

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

/** A version frozen at an activation (GET /api/workflows/:id/versions). */
export interface VersionInfo {
  version: number;
  createdAt: string;
  activatedAt: string;
  nodes: number;
  edges: number;
  active: boolean;
}
