// Every workflow with its status, triggers and last run; create, import, export, activate, delete.

import { useCallback, useEffect, useState } from 'react';
import { ApiError, api } from '../api';
import { Modal } from '../components/Modal';
import { ProblemList } from '../components/ProblemList';
import { Status } from '../components/Status';
import { useToast } from '../components/Toast';
import { downloadJson, fileNameFor } from '../download';
import { timeAgo } from '../format';
import { Link, navigate } from '../router';
import type { Problem, WorkflowListItem } from '../types';
import { ImportDialog } from './ImportDialog';

const TRIGGER_LABEL: Record<string, string> = { webhook: 'webhook', schedule: 'schedule', price: 'price alert', orderUpdate: 'order update', manual: 'manual' };

export function WorkflowsPage() {
  const [list, setList] = useState<WorkflowListItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [importing, setImporting] = useState(false);
  const [creating, setCreating] = useState(false);
  const [blocked, setBlocked] = useState<{ name: string; problems: Problem[] } | null>(null);
  const notify = useToast();

  const load = useCallback(() => api.listWorkflows().then((l) => {
    setList(l);
    setError(null);
  }, (e: Error) => setError(e.message)), []);
  useEffect(() => {
    load();
    const t = setInterval(load, 4000);
    return () => clearInterval(t);
  }, [load]);

  const toggleActive = async (wf: WorkflowListItem) => {
    try {
      if (wf.active) {
        await api.deactivate(wf.id);
        notify(`${wf.name} deactivated`, 'ok');
      } else {
        const r = await api.activate(wf.id);
        notify(`${wf.name} is active (version ${r.version})`, 'ok');
      }
      load();
    } catch (e) {
      if (e instanceof ApiError && e.problems.length) setBlocked({ name: wf.name, problems: e.problems });
      else notify((e as Error).message, 'error');
    }
  };
  const remove = async (wf: WorkflowListItem) => {
    if (!confirm(`Delete “${wf.name}” and its run history?`)) return;
    try {
      await api.deleteWorkflow(wf.id);
      notify(`${wf.name} deleted`, 'ok');
      load();
    } catch (e) {
      notify((e as Error).message, 'error');
    }
  };
  const exportOne = async (wf: WorkflowListItem) => {
    try {
      downloadJson(await api.exportWorkflow(wf.id), fileNameFor(wf.name));
    } catch (e) {
      notify((e as Error).message, 'error');
    }
  };

  return (
    <div className="page">
      <div className="page-head">
        <h1 className="grow">Workflows</h1>
        <button onClick={() => setImporting(true)} data-testid="import-open">Import</button>
        <button className="primary" onClick={() => setCreating(true)}>New workflow</button>
      </div>
      {error && <div className="field-error" style={{ marginBottom: 10 }}>{error}</div>}
      {list && list.length === 0 && (
        <div className="empty">No workflows yet. Create one, or import an OpenAlgo Flow export (the <code>examples/</code> folder has five).</div>
      )}
      {list && list.length > 0 && (
        <table className="grid" data-testid="workflow-table">
          <thead>
            <tr><th>Workflow</th><th>Status</th><th>Triggers</th><th>Last run</th><th>Updated</th><th /></tr>
          </thead>
          <tbody>
            {list.map((wf) => (
              <tr key={wf.id} data-testid={`wf-row-${wf.id}`}>
                <td>
                  <Link to={{ page: 'editor', id: wf.id }} className="wf-name">{wf.name}</Link>
                  {wf.description && <div className="wf-desc truncate" title={wf.description}>{wf.description}</div>}
                </td>
                <td>{wf.active ? <span className="pill active">active · v{wf.version}</span> : <span className="pill">draft</span>}</td>
                <td><div className="row" style={{ gap: 4 }}>{wf.triggers.map((t) => <span key={t} className="pill kind">{TRIGGER_LABEL[t] ?? t}</span>)}</div></td>
                <td>
                  {wf.lastExecution ? (
                    <Link to={{ page: 'runs', id: wf.id, executionId: wf.lastExecution.id }}>
                      <Status status={wf.lastExecution.status} /> <span className="muted">{timeAgo(wf.lastExecution.createdAt)}</span>
                    </Link>
                  ) : <span className="faint">never</span>}
                </td>
                <td className="muted nowrap">{timeAgo(wf.updatedAt)}</td>
                <td>
                  <div className="actions">
                    <button className="small" onClick={() => navigate({ page: 'runs', id: wf.id })}>Runs</button>
                    <button className="small" onClick={() => exportOne(wf)}>Export</button>
                    <button className={`small ${wf.active ? '' : 'success'}`} onClick={() => toggleActive(wf)}>{wf.active ? 'Deactivate' : 'Activate'}</button>
                    <button className="small danger" onClick={() => remove(wf)} disabled={wf.active} title={wf.active ? 'Deactivate it first' : 'Delete'}>Delete</button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {importing && (
        <ImportDialog
          onClose={() => setImporting(false)}
          onImported={(wf) => {
            setImporting(false);
            notify(`Imported “${wf.name}”`, 'ok');
            navigate({ page: 'editor', id: wf.id });
          }}
        />
      )}
      {creating && <NewWorkflowDialog onClose={() => setCreating(false)} />}
      {blocked && (
        <Modal title={`“${blocked.name}” cannot be activated`} onClose={() => setBlocked(null)} footer={<button onClick={() => setBlocked(null)}>Close</button>}>
          <ProblemList problems={blocked.problems} />
        </Modal>
      )}
    </div>
  );
}

function NewWorkflowDialog({ onClose }: { onClose: () => void }) {
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const create = async () => {
    try {
      const wf = await api.createWorkflow({ name: name.trim(), nodes: [], edges: [] });
      navigate({ page: 'editor', id: wf.id });
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <Modal title="New workflow" onClose={onClose} footer={<><button onClick={onClose}>Cancel</button><button className="primary" disabled={!name.trim()} onClick={create}>Create</button></>}>
      <label className="field">
        <span className="field-label">Name</span>
        <input autoFocus value={name} onChange={(e) => setName(e.target.value)} onKeyDown={(e) => e.key === 'Enter' && name.trim() && create()} placeholder="e.g. NIFTY opening range breakout" />
      </label>
      {error && <div className="field-error">{error}</div>}
    </Modal>
  );
}
