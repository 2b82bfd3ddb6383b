// The latest run of the workflow being edited, below the canvas (OpenAlgo's log panel): its steps
// and log lines, live while it runs. A newer run (an alert, a schedule, Run now) takes its place.

import { useEffect, useState } from 'react';
import { api } from '../api';
import { Status } from '../components/Status';
import { clock, duration, shortId } from '../format';
import { Link } from '../router';
import { Logs } from '../run/RunTables';
import { useExecution } from '../run/useExecution';
import type { ExecutionSummary } from '../types';

const POLL_MS = 2000;

export function RunLogPanel({ workflowId, onPick, onClose }: { workflowId: string; onPick: (nodeId: string) => void; onClose: () => void }) {
  const [latest, setLatest] = useState<ExecutionSummary | null | undefined>(undefined);
  useEffect(() => {
    let live = true;
    const load = () => api.executions(workflowId, { limit: 1, offset: 0 }).then((list) => live && setLatest(list[0] ?? null), () => {});
    load();
    const t = setInterval(load, POLL_MS);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, [workflowId]);
  const run = useExecution(latest?.executionId);
  const detail = run.detail;

  return (
    <section className="log-panel" data-testid="log-panel" aria-label="Latest run">
      <div className="log-panel-head">
        <b>Latest run</b>
        {detail && <>
          <Status status={detail.status} />
          <span className="muted mono" title={detail.executionId}>{shortId(detail.executionId)}</span>
          <span className="muted">{clock(detail.createdAt)} · {detail.trigger.kind}{detail.finishedAt ? ` · ${duration(detail.startedAt, detail.finishedAt)}` : ''}</span>
          {run.live && <span className="pill" data-testid="log-live">live</span>}
          <Link to={{ page: 'runs', id: workflowId, executionId: detail.executionId }}>Open in runs</Link>
        </>}
        <span className="grow" />
        <button className="ghost" onClick={onClose} aria-label="Close the log panel">×</button>
      </div>
      <div className="log-panel-body">
        {latest === null && <div className="muted">No runs yet: Run now, or activate and send an alert; its steps and logs show here as it runs.</div>}
        {detail && <>
          {detail.error && <div className="run-error" data-testid="log-error">{detail.error}</div>}
          <div className="chips" data-testid="log-steps">
            {detail.steps.map((s) => (
              <button key={s.seq} className={`chip st-${s.status}`} onClick={() => onPick(s.nodeId)} title={s.error ?? s.notes?.join('; ') ?? `${s.type}: ${s.status}`}>
                {s.nodeId}{s.notes?.length ? ' ⚠' : ''}
              </button>
            ))}
            {[...run.running].map((n) => <span key={n} className="chip st-running">{n} …</span>)}
          </div>
          <Logs detail={detail} onPick={onPick} />
        </>}
      </div>
    </section>
  );
}
