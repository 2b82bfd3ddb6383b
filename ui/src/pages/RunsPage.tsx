// The run viewer: a workflow's executions (newest first, paged, filtered by status) beside the
// selected execution (run/ExecutionView).

import { useCallback, useEffect, useState } from 'react';
import { api } from '../api';
import { RunNowDialog } from '../components/RunNowDialog';
import { Status } from '../components/Status';
import { useToast } from '../components/Toast';
import { clock, duration, runTime, shortId, timeAgo } from '../format';
import { Link, navigate } from '../router';
import { ExecutionView } from '../run/ExecutionView';
import type { ExecutionSummary, WorkflowDetail } from '../types';

const PAGE = 25;
const STATUSES = ['completed', 'failed', 'running', 'queued', 'canceled', 'crashed', 'skipped', 'expired'];

export function RunsPage({ id, executionId }: { id: string; executionId?: string }) {
  const [wf, setWf] = useState<WorkflowDetail | null>(null);
  const [list, setList] = useState<ExecutionSummary[] | null>(null);
  const [status, setStatus] = useState('');
  const [offset, setOffset] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const notify = useToast();

  useEffect(() => {
    api.getWorkflow(id).then(setWf, (e: Error) => setError(e.message));
  }, [id]);

  const load = useCallback(() => api.executions(id, { limit: PAGE, offset, status: status || undefined }).then(setList, (e: Error) => setError(e.message)), [id, offset, status]);
  useEffect(() => {
    load();
    const t = setInterval(load, 2500);
    return () => clearInterval(t);
  }, [load]);

  // With nothing chosen, show the newest run.
  useEffect(() => {
    if (!executionId && list && list.length && offset === 0) navigate({ page: 'runs', id, executionId: list[0].executionId }, true);
  }, [executionId, list, offset, id]);

  const runNow = async (payload?: Record<string, unknown>) => {
    setRunning(false);
    try {
      const r = await api.execute(id, payload);
      await load();
      navigate({ page: 'runs', id, executionId: r.executionId });
    } catch (e) {
      notify((e as Error).message, 'error');
    }
  };

  // The same trigger input again, as a new run of what the workflow runs now (paper on a paper server).
  const rerun = async () => {
    if (!executionId) return;
    try {
      const r = await api.rerun(executionId);
      await load();
      navigate({ page: 'runs', id, executionId: r.executionId });
    } catch (e) {
      notify((e as Error).message, 'error');
    }
  };

  return (
    <>
      <div className="toolbar">
        <Link to={{ page: 'workflows' }} className="btn ghost" title="All workflows">←</Link>
        <h1 style={{ fontSize: 15 }}>{wf?.name ?? '…'}</h1>
        <span className="muted">runs</span>
        {wf && (wf.active ? <span className="pill active">active · v{wf.version}</span> : <span className="pill">draft</span>)}
        <span className="grow" />
        <button onClick={() => navigate({ page: 'editor', id })}>Edit workflow</button>
        {executionId && <button onClick={rerun} title="This run's trigger input again, as a new run" data-testid="rerun">Re-run</button>}
        <button className="primary" onClick={() => setRunning(true)} data-testid="run-now">Run now</button>
      </div>
      {error && <div className="run-error">{error}</div>}
      <div className="runs">
        <div className="run-list">
          <div className="run-list-head">
            <select value={status} onChange={(e) => { setStatus(e.target.value); setOffset(0); }} aria-label="Filter by status" data-testid="status-filter">
              <option value="">All statuses</option>
              {STATUSES.map((s) => <option key={s} value={s}>{s}</option>)}
            </select>
          </div>
          <div className="run-items" data-testid="run-list">
            {list && list.length === 0 && <div className="muted" style={{ padding: 14 }}>No runs{status ? ` with status ${status}` : ' yet'}.</div>}
            {list?.map((e) => (
              <Link key={e.executionId} to={{ page: 'runs', id, executionId: e.executionId }} className={`run-item ${e.executionId === executionId ? 'on' : ''}`}>
                <div className="row">
                  <Status status={e.status} />
                  <span className="grow" />
                  <span className="run-time" data-testid="run-time">{runTime(e.createdAt)}</span>
                  <span className="mono faint" title={e.executionId} data-testid="run-id">{shortId(e.executionId)}</span>
                </div>
                <div className="meta">
                  <span>{e.trigger.kind}{e.version ? ` · v${e.version}` : ' · draft'}</span>
                  <span title={clock(e.createdAt)}>{timeAgo(e.createdAt)} · {duration(e.startedAt, e.finishedAt)}</span>
                </div>
              </Link>
            ))}
          </div>
          <div className="pager">
            <button className="small" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>Newer</button>
            <span className="muted">{list && list.length ? `${offset + 1}–${offset + list.length}` : ''}</span>
            <button className="small" disabled={!list || list.length < PAGE} onClick={() => setOffset(offset + PAGE)}>Older</button>
          </div>
        </div>
        {executionId ? <ExecutionView key={executionId} workflowId={id} executionId={executionId} draft={wf?.definition ?? null} /> : <div className="page"><div className="empty">No run selected.</div></div>}
      </div>
      {running && <RunNowDialog hasWebhook={!!wf?.nodes.some((n) => n.type === 'webhookTrigger')} onClose={() => setRunning(false)} onRun={runNow}
        note={wf?.active ? `Runs the active version v${wf.version}.` : 'Runs the saved draft.'} />}
    </>
  );
}
