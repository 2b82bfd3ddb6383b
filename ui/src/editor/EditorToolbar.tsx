// The editor's top bar: back, name, state (active, unpublished, unsaved, valid), edit actions,
// save, activate/publish/deactivate, run now and the runs page.

import { downloadJson, fileNameFor } from '../download';
import { Link, navigate } from '../router';
import type { Graph } from './useGraph';
import type { WorkflowDoc } from './useWorkflowDoc';

export type EditorDialog = null | 'activate' | 'run' | 'webhook' | 'keys';

export function EditorToolbar({ doc, graph, onDialog, onDeactivate, logsOpen, onLogs }: {
  doc: WorkflowDoc;
  graph: Graph;
  onDialog: (d: EditorDialog) => void;
  onDeactivate: () => void;
  logsOpen: boolean;
  onLogs: () => void;
}) {
  const { id, wf, name, dirty, unpublished, busy, fresh } = doc;
  if (!wf) return null;
  const errors = doc.problems.filter((p) => p.severity === 'error');
  return (
    <div className="toolbar">
      <Link to={{ page: 'workflows' }} className="btn ghost" title="All workflows">←</Link>
      <input className="title-input" value={name} onChange={(e) => doc.setName(e.target.value)} aria-label="Workflow name" style={{ width: `min(${Math.max(12, name.length + 3)}ch, 480px)` }} />
      {wf.active ? <span className="pill active">active · v{wf.version}</span> : <span className="pill">draft</span>}
      {wf.active && unpublished && !dirty && <span className="pill" style={{ color: '#fcd34d' }} title="The active version keeps running until you activate again">saved draft not live</span>}
      {dirty && <span className="pill" data-testid="unsaved">unsaved</span>}
      <span className="grow" />
      <span className={`status ${errors.length ? 'st-failed' : 'st-completed'}`} data-testid="validity" title={fresh ? 'checked by the server' : 'checking…'}>
        <span className="dot" />{errors.length ? `${errors.length} problem${errors.length === 1 ? '' : 's'}` : 'valid'}
      </span>
      <span className="sep" />
      <button className="ghost" onClick={graph.undo} disabled={!graph.canUndo} title="Undo (Ctrl+Z)">↶</button>
      <button className="ghost" onClick={graph.redo} disabled={!graph.canRedo} title="Redo (Ctrl+Shift+Z)">↷</button>
      <button className="ghost" onClick={graph.layout} title="Arrange the graph top to bottom">Auto-layout</button>
      <button className="ghost" onClick={() => downloadJson(JSON.parse(doc.key), fileNameFor(name))} title="Download as OpenAlgo JSON">Export</button>
      <button className={logsOpen ? '' : 'ghost'} onClick={onLogs} aria-pressed={logsOpen} title="The latest run's steps and logs, live while it runs" data-testid="logs-toggle">Logs</button>
      <button className="ghost" onClick={() => onDialog('keys')} title="Keyboard shortcuts (?)" aria-label="Keyboard shortcuts" data-testid="shortcuts-open">?</button>
      <span className="sep" />
      <button onClick={doc.save} disabled={busy || !dirty} data-testid="save" title="Save (Ctrl+S)">Save</button>
      {wf.active
        ? <>
            {(unpublished || dirty) && <button className="success" onClick={() => onDialog('activate')} disabled={busy}>Publish</button>}
            <button onClick={onDeactivate} data-testid="deactivate">Deactivate</button>
          </>
        : <button className="success" onClick={() => onDialog('activate')} disabled={busy} data-testid="activate">Activate</button>}
      <button onClick={() => onDialog('run')} data-testid="run-now">Run now</button>
      <button className="primary" onClick={() => navigate({ page: 'runs', id })} data-testid="open-runs">Runs</button>
    </div>
  );
}
