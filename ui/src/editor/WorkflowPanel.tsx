// The side panel when no single node is selected: the description, every problem, and the webhook.

import type { ReactNode } from 'react';
import { ProblemList } from '../components/ProblemList';
import type { Problem, WebhookInfo, WfNode } from '../types';
import { WebhookControls } from './WebhookControls';
import { WebhookPanel } from './WebhookPanel';

interface Props {
  description: string;
  onDescription: (text: string) => void;
  problems: Problem[];
  selectedCount: number;
  nodes: WfNode[];
  webhook: WebhookInfo | null;
  nodeLabel: (id: string) => string;
  onPick: (nodeId: string) => void;
  /** The versions list (the editor owns restoring). */
  versions?: ReactNode;
  /** Webhook management: the workflow and what to do with the webhook a change answers. */
  manage?: { workflowId: string; onChange: (w: WebhookInfo) => void };
}

export function WorkflowPanel({ description, onDescription, problems, selectedCount, nodes, webhook, nodeLabel, onPick, versions, manage }: Props) {
  return (
    <aside className="side" data-testid="workflow-panel">
      <h2>Workflow</h2>
      <label className="field">
        <span className="field-label">Description</span>
        <textarea rows={3} value={description} onChange={(e) => onDescription(e.target.value)} style={{ fontFamily: 'inherit', fontSize: 13 }} />
      </label>
      {selectedCount > 1 && <div className="muted">{selectedCount} nodes selected: Ctrl+C copies them, Delete removes them.</div>}
      <div className="side-section">
        <h3>Problems</h3>
        {problems.length
          ? <ProblemList problems={problems} onPick={(p) => p.nodeId && onPick(p.nodeId)} nodeLabel={nodeLabel} />
          : <div className="muted">None: the server accepts this workflow.</div>}
      </div>
      {webhook && nodes.some((n) => n.type === 'webhookTrigger') && (
        <div className="side-section">
          <h3>TradingView webhook</h3>
          <WebhookPanel webhook={webhook} nodes={nodes} />
          {manage && <WebhookControls workflowId={manage.workflowId} webhook={webhook} onChange={manage.onChange} />}
        </div>
      )}
      {versions}
      <div className="side-section hint">
        <div>Click a node to edit it. Connect a node’s bottom handle to another’s top; conditions have <b style={{ color: 'var(--ok)' }}>true</b> and <b style={{ color: 'var(--fail)' }}>false</b> outputs, gates numbered inputs.</div>
        <div><span className="kbd">Ctrl+S</span> save · <span className="kbd">Ctrl+Z</span> undo · <span className="kbd">Ctrl+Shift+Z</span> redo · <span className="kbd">Ctrl+C</span>/<span className="kbd">Ctrl+V</span> copy/paste · <span className="kbd">Del</span> delete · <span className="kbd">?</span> all shortcuts</div>
      </div>
    </aside>
  );
}
