// The HTTP API client. The API token is entered once and kept in this tab's session storage.

import type {
  OrderRecord,
  AuthType, Concurrency, ExecutionDetail, ExecutionFilters, ExecutionStatus, ExecutionSummary, Health, Limits, NodeType, PaperAccount,
  OnFailure, Problem, Quote, SymbolResult, Today, VersionInfo, WebhookInfo, WorkflowDetail, WorkflowJson, WorkflowListItem,
} from './types';

const TOKEN_KEY = 'flow.apiToken';

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly problems: Problem[] = []) {
    super(message);
    this.name = 'ApiError';
  }
}

const tokenListeners = new Set<(token: string | null) => void>();

export function getToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function setToken(token: string | null): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
  for (const fn of tokenListeners) fn(token);
}

export function onTokenChange(fn: (token: string | null) => void): () => void {
  tokenListeners.add(fn);
  return () => tokenListeners.delete(fn);
}

async function request<T>(method: string, url: string, body?: unknown, token = getToken()): Promise<T> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new ApiError(0, 'network', `the Flow server did not answer (${(e as Error).message})`);
  }
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  if (!res.ok) {
    const err = (parsed as { error?: { code?: string; message?: string; details?: { problems?: Problem[] } } } | null)?.error;
    // A wrong token sends the trader back to the token form.
    if (res.status === 401 && token) setToken(null);
    throw new ApiError(res.status, err?.code ?? `http_${res.status}`, err?.message ?? `${method} ${url} answered ${res.status}`, err?.details?.problems ?? []);
  }
  return parsed as T;
}

const enc = encodeURIComponent;

export const api = {
  /** Checks a token against a protected route before it is kept. */
  checkToken: (token: string) => request<{ enabled: boolean }>('GET', '/api/kill-switch', undefined, token),
  health: () => request<Health>('GET', '/api/health'),
  nodes: () => request<{ nodes: NodeType[] }>('GET', '/api/nodes').then((r) => r.nodes),

  listWorkflows: () => request<{ workflows: WorkflowListItem[] }>('GET', '/api/workflows').then((r) => r.workflows),
  getWorkflow: (id: string) => request<WorkflowDetail>('GET', `/api/workflows/${enc(id)}`),
  getVersion: (id: string, version: number) => request<{ version: number; definition: WorkflowJson }>('GET', `/api/workflows/${enc(id)}/versions/${version}`),
  versions: (id: string) => request<{ activeVersion: number | null; versions: VersionInfo[] }>('GET', `/api/workflows/${enc(id)}/versions`).then((r) => r.versions),
  restoreVersion: (id: string, version: number) => request<WorkflowDetail>('POST', `/api/workflows/${enc(id)}/versions/${version}/restore`, {}),
  createWorkflow: (wf: WorkflowJson) => request<WorkflowDetail>('POST', '/api/workflows', wf),
  importWorkflow: (wf: unknown) => request<WorkflowDetail>('POST', '/api/workflows/import', wf),
  saveWorkflow: (id: string, wf: WorkflowJson) => request<WorkflowDetail>('PUT', `/api/workflows/${enc(id)}`, wf),
  deleteWorkflow: (id: string) => request<null>('DELETE', `/api/workflows/${enc(id)}`),
  exportWorkflow: (id: string) => request<WorkflowJson>('GET', `/api/workflows/${enc(id)}/export`),
  validate: (wf: unknown) => request<{ valid: boolean; problems: Problem[] }>('POST', '/api/workflows/validate', wf),
  webhook: (id: string) => request<WebhookInfo>('GET', `/api/workflows/${enc(id)}/webhook`),
  /** Webhook management without re-activating (OpenAlgo's): on/off, a new token (new URL) or secret. */
  manageWebhook: (id: string, action: 'enable' | 'disable' | 'regenerate-token' | 'regenerate-secret') =>
    request<WebhookInfo>('POST', `/api/workflows/${enc(id)}/webhook/${action}`, {}),
  setWebhookAuth: (id: string, authType: AuthType) => request<WebhookInfo>('PUT', `/api/workflows/${enc(id)}/webhook`, { authType }),
  activate: (id: string, opts: { authType?: AuthType; concurrency?: Concurrency; limits?: Limits } = {}) =>
    request<{ id: string; active: true; version: number; webhook: WebhookInfo | null }>('POST', `/api/workflows/${enc(id)}/activate`, opts),
  deactivate: (id: string) => request<{ id: string; active: false }>('POST', `/api/workflows/${enc(id)}/deactivate`, {}),
  execute: (id: string, webhookData?: Record<string, unknown>) =>
    request<{ executionId: string; status: ExecutionStatus }>('POST', `/api/workflows/${enc(id)}/execute`, webhookData ? { webhookData } : {}),

  executions: (id: string, q: { limit: number; offset: number; status?: string }) => {
    const qs = new URLSearchParams({ limit: String(q.limit), offset: String(q.offset), ...(q.status ? { status: q.status } : {}) });
    return request<{ executions: ExecutionSummary[] }>('GET', `/api/workflows/${enc(id)}/executions?${qs}`).then((r) => r.executions);
  },
  /** Runs of every workflow, newest first (GET /api/executions). */
  allExecutions: (f: ExecutionFilters & { limit: number; offset: number }) => {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(f)) if (v !== undefined && v !== '') qs.set(k, String(v));
    return request<{ executions: ExecutionSummary[] }>('GET', `/api/executions?${qs}`).then((r) => r.executions);
  },
  /** The exchange's day so far: runs, orders, next fires, positions. */
  today: () => request<Today>('GET', '/api/today'),
  /** What a failed run starts: the default for every workflow, and each workflow's own (null: the default). */
  onFailureDefault: () => request<{ onFailure: OnFailure | null }>('GET', '/api/settings/on-failure'),
  setOnFailureDefault: (v: OnFailure | null) => request<{ onFailure: OnFailure | null }>('PUT', '/api/settings/on-failure', v),
  onFailure: (id: string) => request<{ onFailure: OnFailure | null; default: OnFailure | null; applies: OnFailure | null }>('GET', `/api/workflows/${enc(id)}/on-failure`),
  setOnFailure: (id: string, v: OnFailure | null) => request<{ onFailure: OnFailure | null }>('PUT', `/api/workflows/${enc(id)}/on-failure`, v),
  /** The LTP of up to 50 symbols, "NSE:SBIN,NFO:…". */
  quotes: (symbols: string) => request<{ quotes: Quote[] }>('GET', `/api/market/quotes?symbols=${enc(symbols)}`).then((r) => r.quotes),
  /** The broker's symbol search, with lot sizes and LTP. */
  searchSymbols: (query: string, exchange?: string) =>
    request<{ results: SymbolResult[] }>('GET', `/api/market/search?query=${enc(query)}${exchange ? `&exchange=${enc(exchange)}` : ''}`).then((r) => r.results),
  execution: (id: string) => request<ExecutionDetail>('GET', `/api/executions/${enc(id)}`),
  /** The same trigger input again as a new run (paper on a paper server; `live` must be asked for). */
  rerun: (id: string, broker?: 'paper' | 'live') =>
    request<{ executionId: string; status: ExecutionStatus; rerunOf: string }>('POST', `/api/executions/${enc(id)}/rerun`, broker ? { broker } : {}),
  cancel: (id: string) => request<{ executionId: string; status: ExecutionStatus }>('POST', `/api/executions/${enc(id)}/cancel`, {}),
  /** URL of the live event stream (EventSource cannot send headers, so the token rides in the query). */
  eventsUrl: (id: string) => `/api/executions/${enc(id)}/events?token=${enc(getToken() ?? '')}`,

  killSwitch: () => request<{ enabled: boolean }>('GET', '/api/kill-switch'),
  unknownOrders: () => request<{ orders: OrderRecord[] }>('GET', '/api/orders/unknown').then((r) => r.orders),
  setKillSwitch: (enabled: boolean) => request<{ enabled: boolean }>('POST', '/api/kill-switch', { enabled }),
  paperAccount: () => request<PaperAccount>('GET', '/api/paper/account'),
  rehearse: (id: string, body: { from: string; to: string; alerts?: string; capital?: number; slippageBps?: number }) =>
    request<RehearsalReport>('POST', `/api/workflows/${enc(id)}/rehearse`, body),
  paperReset: () => request<PaperAccount>('POST', '/api/paper/reset', {}),
};

/** A rehearsal's report (POST /api/workflows/:id/rehearse). */
export interface RehearsalReport {
  workflowId: string;
  workflow: string;
  from: string;
  to: string;
  source: 'paper' | 'openalgo';
  capital: number;
  runs: Array<{ executionId: string; time: string; trigger: string; status: string; error: string | null }>;
  trades: Array<{ time: string; at: number; orderid: string; executionId: string | null; nodeId: string | null; symbol: string; exchange: string; product: string; action: string; quantity: number; price: number; charges: number }>;
  pnl: { gross: number; charges: number; net: number; returnPct: number; byDay: Array<{ date: string; net: number; trades: number }> };
  maxDrawdown: { amount: number; pct: number; peakTime: string | null; troughTime: string | null };
  winRate: { roundTrips: number; wins: number; losses: number; pct: number | null };
  exposure: { timeInMarketPct: number; maxPositionValue: number };
  equity: Array<{ time: number; value: number }>;
  prices: Array<{ symbol: string; exchange: string; interval: string; candles: Array<{ timestamp: number; open: number; high: number; low: number; close: number }> }>;
  counts: { runs: number; failed: number; tradingDays: number; ticks: number };
  deactivated: { time: string; reason: string } | null;
  assumptions: string[];
  notModelled: string[];
}
