// Runs of every workflow (n8n's executions page), newest first, filtered by status, trigger,
// workflow and day; each row opens the run on its workflow's runs page. The filters live in the
// URL's query, so a link (from the today page, say) carries them and a reload keeps them.

import { useCallback, useEffect, useMemo, useState } from 'react';
import { api } from '../api';
import { Status } from '../components/Status';
import { duration, runTime, shortId, timeAgo, clock } from '../format';
import { Link, navigate } from '../router';
import type { ExecutionSummary, WorkflowListItem } from '../types';

const PAGE = 50;
const STATUSES = ['completed', 'failed', 'running', 'queued', 'canceled', 'crashed', 'skipped'];
const TRIGGERS: Array<[string, string]> = [['manual', 'manual'], ['schedule', 'schedule'], ['webhook', 'webhook'], ['price', 'price alert'], ['orderUpdate', 'order update'], ['error', 'failure alert']];

/** The page's filters as the URL carries them; days are YYYY-MM-DD in the browser's zone, both inclusive. */
export interface Filters { workflowId: string; status: string; trigger: string; from: string; to: string }
const KEYS: Array<keyof Filters> = ['workflowId', 'status', 'trigger', 'from', 'to'];

export function parseFilters(search = ''): Filters {
  const q = new URLSearchParams(search);
  const f = { workflowId: '', status: '', trigger: '', from: '', to: '' };
  for (const k of KEYS) f[k] = q.get(k) ?? '';
  return f;
}

export function filtersSearch(f: Filters): string {
  const q = new URLSearchParams();
  for (const k of KEYS) if (f[k]) q.set(k, f[k]);
  return q.toString();
}

const dayStart = (day: string): number | undefined => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  return m ? new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])).getTime() : undefined;
};

/** The API's query: a day's start for `from`, the next day's start for `to` (the API's `to` is exclusive). */
export function apiQuery(f: Filters) {
  const from = dayStart(f.from);
  const to = dayStart(f.to);
  return {
    workflowId: f.workflowId || undefined, status: f.status || undefined, trigger: f.trigger || undefined,
    from: from === undefined ? undefined : String(from),
    to: to === undefined ? undefined : String(new Date(to).setDate(new Date(to).getDate() + 1)),
  };
}

export const localDay = (d = new Date()) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

export function ExecutionsPage({ search }: { search?: string }) {
  const filters = useMemo(() => parseFilters(search), [search]);
  const [workflows, setWorkflows] = useState<WorkflowListItem[]>([]);
  const [list, setList] = useState<ExecutionSummary[] | null>(null);
  const [offset, setOffset] = useState(0);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api.listWorkflows().then(setWorkflows, () => {});
  }, []);
  useEffect(() => setOffset(0), [search]);

  const load = useCallback(() => api.allExecutions({ ...apiQuery(filters), limit: PAGE, offset }).then((l) => {
    setList(l);
    setError(null);
  }, (e: Error) => setError(e.message)), [filters, offset]);
  useEffect(() => {
    load();
    const t = setInterval(load, 5000);
    return () => clearInterval(t);
  }, [load]);

  const set = (change: Partial<Filters>) => navigate({ page: 'executions', search: filtersSearch({ ...filters, ...change }) || undefined }, true);
  const names = useMemo(() => new Map(workflows.map((w) => [w.id, w.name])), [workflows]);
  const today = localDay();
  const any = KEYS.some((k) => filters[k]);

  return (
    <div className="page">
      <div className="page-head">
        <h1 className="grow">Executions</h1>
        <span className="muted">runs of every workflow, newest first</span>
      </div>
      <div className="filters" data-testid="executions-filters">
        <select value={filters.workflowId} onChange={(e) => set({ workflowId: e.target.value })} aria-label="Workflow" data-testid="filter-workflow">
          <option value="">All workflows</option>
          {workflows.map((w) => <option key={w.id} value={w.id}>{w.name}</option>)}
          {filters.workflowId && !names.has(filters.workflowId) && <option value={filters.workflowId}>{filters.workflowId}</option>}
        </select>
        <select value={filters.status} onChange={(e) => set({ status: e.target.value })} aria-label="Status" data-testid="filter-status">
          <option value="">All statuses</option>
          {STATUSES.map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
        <select value={filters.trigger} onChange={(e) => set({ trigger: e.target.value })} aria-label="Trigger" data-testid="filter-trigger">
          <option value="">All triggers</option>
          {TRIGGERS.map(([v, label]) => <option key={v} value={v}>{label}</option>)}
        </select>
        <label className="row muted">from <input type="date" value={filters.from} max={filters.to || undefined} onChange={(e) => set({ from: e.target.value })} data-testid="filter-from" /></label>
        <label className="row muted">to <input type="date" value={filters.to} min={filters.from || undefined} onChange={(e) => set({ to: e.target.value })} data-testid="filter-to" /></label>
        <button className="small" onClick={() => set({ from: today, to: today })} data-testid="filter-today">Today</button>
        {any && <button className="small ghost" onClick={() => navigate({ page: 'executions' }, true)} data-testid="filter-clear">Clear</button>}
      </div>
      {error && <div className="run-error">{error}</div>}
      {list && list.length === 0 && <div className="empty" data-testid="executions-empty">No runs{any ? ' match these filters' : ' yet'}.</div>}
      {list && list.length > 0 && (
        <table className="grid clickable" data-testid="executions-table">
          <thead>
            <tr><th>Started</th><th>Workflow</th><th>Trigger</th><th>Status</th><th className="num">Took</th><th>Run</th><th>Error</th></tr>
          </thead>
          <tbody>
            {list.map((e) => {
              const to = { page: 'runs' as const, id: e.workflowId, executionId: e.executionId };
              return (
                <tr key={e.executionId} onClick={(ev) => { if (!(ev.target as HTMLElement).closest('a')) navigate(to); }} data-testid="execution-row" data-id={e.executionId}>
                  <td className="nowrap" title={clock(e.createdAt)}><Link to={to}>{runTime(e.createdAt)}</Link> <span className="faint">{timeAgo(e.createdAt)}</span></td>
                  <td className="truncate" style={{ maxWidth: 260 }}>{names.get(e.workflowId) ?? <span className="faint" title="deleted or not listed">{e.workflowId}</span>}</td>
                  <td className="nowrap">{e.trigger.kind}{e.version ? ` · v${e.version}` : ' · draft'}</td>
                  <td><Status status={e.status} /></td>
                  <td className="num nowrap">{duration(e.startedAt, e.finishedAt)}</td>
                  <td className="mono faint" title={e.executionId}>{shortId(e.executionId)}</td>
                  <td className="truncate neg" style={{ maxWidth: 360 }} title={e.error ?? ''}>{e.error ?? ''}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <div className="pager">
        <button className="small" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>Newer</button>
        <span className="muted">{list && list.length ? `${offset + 1}–${offset + list.length}` : ''}</span>
        <button className="small" disabled={!list || list.length < PAGE} onClick={() => setOffset(offset + PAGE)}>Older</button>
      </div>
    </div>
  );
}
