// When a run fails (n8n's error workflow): the default for every workflow, and each workflow's own
// setting that replaces it: run another workflow with the failed run as its payload, and/or send a
// Telegram alert. GET/PUT /api/settings/on-failure and /api/workflows/:id/on-failure.

import { useCallback, useEffect, useState } from 'react';
import { api } from '../api';
import { useToast } from '../components/Toast';
import { Link } from '../router';
import type { OnFailure, WorkflowListItem } from '../types';

/** What a row's controls hold: `inherit` follows the default. */
interface Draft { inherit: boolean; workflowId: string; telegram: boolean }

const toDraft = (s: OnFailure | null, inheritable: boolean): Draft =>
  s ? { inherit: false, workflowId: s.workflowId ?? '', telegram: s.telegram } : { inherit: inheritable, workflowId: '', telegram: false };
const fromDraft = (d: Draft): OnFailure | null => (d.inherit ? null : { workflowId: d.workflowId || null, telegram: d.telegram });
const same = (a: Draft, b: Draft) => a.inherit === b.inherit && (a.inherit || (a.workflowId === b.workflowId && a.telegram === b.telegram));

function describe(s: OnFailure | null, names: Map<string, string>): string {
  if (!s || (!s.workflowId && !s.telegram)) return 'nothing';
  return [s.workflowId && `run ${names.get(s.workflowId) ?? s.workflowId}`, s.telegram && 'Telegram alert'].filter(Boolean).join(' and ');
}

function Controls({ draft, set, workflows, self, inheritable, testId }: {
  draft: Draft; set: (d: Draft) => void; workflows: WorkflowListItem[]; self?: string; inheritable: boolean; testId: string;
}) {
  return (
    <div className="row" data-testid={testId}>
      {inheritable && (
        <select value={draft.inherit ? 'inherit' : 'own'} onChange={(e) => set({ ...draft, inherit: e.target.value === 'inherit' })} aria-label="Use the default" data-testid="mode">
          <option value="inherit">the default</option>
          <option value="own">its own:</option>
        </select>
      )}
      {!draft.inherit && (
        <>
          <select value={draft.workflowId} onChange={(e) => set({ ...draft, workflowId: e.target.value })} aria-label="Alert workflow" data-testid="workflow">
            <option value="">no workflow</option>
            {workflows.filter((w) => w.id !== self).map((w) => (
              <option key={w.id} value={w.id}>run {w.name}{w.active ? '' : ' (inactive: will not run)'}</option>
            ))}
          </select>
          <label className="row nowrap"><input type="checkbox" checked={draft.telegram} onChange={(e) => set({ ...draft, telegram: e.target.checked })} data-testid="telegram" /> Telegram alert</label>
        </>
      )}
    </div>
  );
}

export function AlertsPage() {
  const [workflows, setWorkflows] = useState<WorkflowListItem[]>([]);
  const [saved, setSaved] = useState<{ fallback: Draft; own: Record<string, Draft> } | null>(null);
  const [fallback, setFallback] = useState<Draft>(toDraft(null, false));
  const [own, setOwn] = useState<Record<string, Draft>>({});
  const [error, setError] = useState<string | null>(null);
  const notify = useToast();

  const load = useCallback(async () => {
    try {
      const list = await api.listWorkflows();
      const [def, ...each] = await Promise.all([api.onFailureDefault(), ...list.map((w) => api.onFailure(w.id))]);
      const next = { fallback: toDraft(def.onFailure, false), own: Object.fromEntries(list.map((w, i) => [w.id, toDraft(each[i].onFailure, true)])) };
      setWorkflows(list);
      setSaved(next);
      setFallback(next.fallback);
      setOwn(next.own);
    } catch (e) {
      setError((e as Error).message);
    }
  }, []);
  useEffect(() => {
    load();
  }, [load]);

  const names = new Map(workflows.map((w) => [w.id, w.name]));
  const save = async (id: string | null) => {
    try {
      if (id === null) await api.setOnFailureDefault(fromDraft(fallback));
      else await api.setOnFailure(id, fromDraft(own[id]));
      notify(id === null ? 'Default saved' : `Saved for ${names.get(id) ?? id}`, 'ok');
      await load();
    } catch (e) {
      notify((e as Error).message, 'error');
    }
  };
  const defaultSetting = saved ? fromDraft(saved.fallback) : null;

  return (
    <div className="page alerts-page" data-testid="alerts-page">
      <div className="page-head">
        <h1 className="grow">When a run fails</h1>
      </div>
      <p className="muted" style={{ maxWidth: 820 }}>
        A failed run can start another workflow (it must be active; it runs with trigger <span className="mono">error</span> and the failed run
        as its payload: <span className="mono">{'{{webhook.workflowName}}'}</span>, <span className="mono">{'{{webhook.error}}'}</span>,{' '}
        <span className="mono">{'{{webhook.nodeId}}'}</span>, <span className="mono">{'{{webhook.url}}'}</span>, …) and send a Telegram alert
        (OPENALGO_USERNAME, or TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID). At most one alert per workflow every 10 seconds; the failure of an
        alert run starts nothing.
      </p>
      {error && <div className="run-error">{error}</div>}
      <div className="section card">
        <h2>Default, for every workflow</h2>
        <div className="row">
          <Controls draft={fallback} set={setFallback} workflows={workflows} inheritable={false} testId="default-on-failure" />
          <span className="grow" />
          <button className="primary small" disabled={!saved || same(fallback, saved.fallback)} onClick={() => save(null)} data-testid="save-default">Save</button>
        </div>
      </div>
      <div className="section">
        <h2>Each workflow</h2>
        {workflows.length === 0 ? <div className="empty">No workflow yet.</div> : (
          <table className="grid" data-testid="on-failure-table">
            <thead><tr><th>Workflow</th><th>On failure</th><th>Now</th><th /></tr></thead>
            <tbody>
              {workflows.map((w) => {
                const d = own[w.id] ?? toDraft(null, true);
                const applies = saved?.own[w.id] && !saved.own[w.id].inherit ? fromDraft(saved.own[w.id]) : defaultSetting;
                return (
                  <tr key={w.id} data-testid="on-failure-row" data-id={w.id}>
                    <td><Link to={{ page: 'editor', id: w.id }}>{w.name}</Link>{w.active ? '' : <span className="faint"> · inactive</span>}</td>
                    <td><Controls draft={d} set={(v) => setOwn((o) => ({ ...o, [w.id]: v }))} workflows={workflows} self={w.id} inheritable testId="row-controls" /></td>
                    <td className="muted" data-testid="applies">{describe(applies, names)}</td>
                    <td className="num"><button className="small" disabled={!saved?.own[w.id] || same(d, saved.own[w.id])} onClick={() => save(w.id)} data-testid="save-row">Save</button></td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </div>
    </div>
  );
}
