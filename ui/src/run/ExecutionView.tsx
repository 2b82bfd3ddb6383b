// One execution drawn on the graph it ran, each node coloured by its step (ran, skipped, failed,
// running), live while it runs; click a node for its input, output and error; logs and orders below.

import { Background, BackgroundVariant, Controls, ReactFlow, ReactFlowProvider, type Edge, type Node } from '@xyflow/react';
import { useEffect, useMemo, useState } from 'react';
import { api } from '../api';
import { Json } from '../components/Json';
import { Status } from '../components/Status';
import { useToast } from '../components/Toast';
import { useCatalogue } from '../editor/catalogue';
import { nodeTypesFor } from '../editor/FlowNode';
import { edgeLook, NodeViewContext, type StepState } from '../editor/view';
import { clock, duration, shortId, timeOnly } from '../format';
import type { WorkflowJson } from '../types';
import { ReadableFit } from './ReadableFit';
import { Logs, Orders } from './RunTables';
import { useExecution } from './useExecution';

export function ExecutionView({ workflowId, executionId, draft }: { workflowId: string; executionId: string; draft: WorkflowJson | null }) {
  const { detail, running, error, live, reload } = useExecution(executionId);
  const { catalogue } = useCatalogue();
  const [graph, setGraph] = useState<WorkflowJson | null>(null);
  const [picked, setPicked] = useState<string | null>(null);
  const [tab, setTab] = useState<'logs' | 'orders' | 'variables' | 'input'>('logs');
  const notify = useToast();

  // Draw the frozen version the run ran; a draft run draws the current draft.
  const version = detail?.version ?? null;
  useEffect(() => {
    if (version) api.getVersion(workflowId, version).then((v) => setGraph(v.definition), () => setGraph(draft));
    else setGraph(draft);
  }, [workflowId, version, draft]);

  const steps = useMemo(() => {
    const m = new Map<string, StepState>();
    for (const s of detail?.steps ?? []) m.set(s.nodeId, s.status);
    for (const id of running) m.set(id, 'running');
    if (detail?.status === 'running' && detail.currentNodeId && !m.has(detail.currentNodeId)) m.set(detail.currentNodeId, 'running');
    return m;
  }, [detail, running]);

  const nodes = useMemo<Node[]>(() => (graph?.nodes ?? []).map((n) => ({ id: n.id, type: n.type, position: n.position, data: n.data, className: n.id === picked ? 'picked' : undefined })), [graph, picked]);
  const edges = useMemo<Edge[]>(() => (graph?.edges ?? []).map((e) => {
    const look = edgeLook(e.sourceHandle);
    const ran = steps.has(e.source) && steps.get(e.target) && steps.get(e.target) !== 'skipped';
    return { id: e.id, source: e.source, target: e.target, sourceHandle: e.sourceHandle ?? null, targetHandle: e.targetHandle ?? null, type: 'smoothstep', ...look, animated: ran && steps.get(e.target) === 'running', style: { ...look.style, opacity: ran ? 1 : 0.35 } };
  }), [graph, steps]);
  const nodeTypes = useMemo(() => nodeTypesFor([...(catalogue?.keys() ?? []), ...(graph?.nodes.map((n) => n.type) ?? [])]), [catalogue, graph]);
  const view = useMemo(() => ({ catalogue: catalogue ?? new Map(), steps }), [catalogue, steps]);

  const cancel = async () => {
    try {
      const r = await api.cancel(executionId);
      notify(`Run ${r.status}`, 'ok');
      reload();
    } catch (e) {
      notify((e as Error).message, 'error');
    }
  };

  if (error) return <div className="page"><div className="empty">{error}</div></div>;
  if (!detail) return <div className="page muted">Loading…</div>;
  const step = picked ? detail.steps.find((s) => s.nodeId === picked) : undefined;
  const pickedNode = graph?.nodes.find((n) => n.id === picked);

  return (
    <div className="run-main" data-testid="execution" data-status={detail.status}>
      <div className="run-head">
        <Status status={detail.status} />
        {live && <span className="pill" style={{ color: '#93c5fd' }}>live</span>}
        <div className="kv"><span>Run</span><span className="mono" title={detail.executionId} data-testid="execution-id">{shortId(detail.executionId)}</span></div>
        <div className="kv"><span>Trigger</span><span>{detail.trigger.kind}{detail.trigger.nodeId ? ` (${detail.trigger.nodeId})` : ''}</span></div>
        <div className="kv"><span>Version</span><span>{detail.version ? `v${detail.version}` : 'draft'}</span></div>
        <div className="kv"><span>Started</span><span>{clock(detail.startedAt ?? detail.createdAt)}</span></div>
        <div className="kv"><span>Took</span><span>{duration(detail.startedAt, detail.finishedAt)}</span></div>
        <div className="kv"><span>Steps</span><span>{detail.steps.filter((s) => s.status === 'completed').length} ran · {detail.steps.filter((s) => s.status === 'skipped').length} skipped · {detail.steps.filter((s) => s.status === 'failed').length} failed</span></div>
        <span className="grow" />
        {(detail.status === 'running' || detail.status === 'queued') && <button className="danger" onClick={cancel}>Cancel run</button>}
      </div>
      {detail.error && <div className="run-error">{detail.error}</div>}
      <div className="run-body">
        <div className="run-left">
          <div className="run-graph" data-testid="run-graph">
            <div className="legend">
              <span><span className="dot" style={{ background: 'var(--ok)' }} />ran</span>
              <span><span className="dot" style={{ background: 'var(--skip)' }} />skipped</span>
              <span><span className="dot" style={{ background: 'var(--fail)' }} />failed</span>
              <span><span className="dot" style={{ background: 'var(--run)' }} />running</span>
            </div>
            <ReactFlowProvider>
              <NodeViewContext.Provider value={view}>
                {graph && (
                  <ReactFlow nodes={nodes} edges={edges} nodeTypes={nodeTypes} panOnScroll
                    nodesDraggable={false} nodesConnectable={false} elementsSelectable={false} colorMode="dark" minZoom={0.2}
                    onNodeClick={(_, n) => setPicked(n.id === picked ? null : n.id)} onPaneClick={() => setPicked(null)} proOptions={{ hideAttribution: true }}>
                    <Background variant={BackgroundVariant.Dots} gap={20} size={1} color="#2a3140" />
                    <Controls showInteractive={false} />
                    <ReadableFit />
                  </ReactFlow>
                )}
              </NodeViewContext.Provider>
            </ReactFlowProvider>
          </div>
          <div className="run-bottom">
            <div className="tabs">
              <button className={tab === 'logs' ? 'on' : ''} onClick={() => setTab('logs')}>Logs ({detail.logs.length})</button>
              <button className={tab === 'orders' ? 'on' : ''} onClick={() => setTab('orders')} data-testid="tab-orders">Orders ({detail.orders.length})</button>
              <button className={tab === 'variables' ? 'on' : ''} onClick={() => setTab('variables')}>Variables</button>
              <button className={tab === 'input' ? 'on' : ''} onClick={() => setTab('input')}>Trigger input</button>
            </div>
            <div className="run-bottom-body">
              {tab === 'logs' && <Logs detail={detail} onPick={setPicked} />}
              {tab === 'orders' && <Orders detail={detail} onPick={setPicked} />}
              {tab === 'variables' && <Json value={detail.variables} maxHeight={400} />}
              {tab === 'input' && <Json value={detail.input ?? {}} maxHeight={400} />}
            </div>
          </div>
        </div>
        <aside className="inspector" data-testid="inspector">
          {!picked && <div className="muted">Click a node to see what it received, what it returned and any error.</div>}
          {picked && (
            <>
              <div>
                <h2 style={{ marginBottom: 2 }}>{String(pickedNode?.data.label || catalogue?.get(pickedNode?.type ?? '')?.label || picked)}</h2>
                <div className="mono faint">{picked} · {pickedNode?.type}</div>
              </div>
              {step ? (
                <>
                  <div className="row">
                    <Status status={running.has(picked) ? 'running' : step.status} label={step.status === 'completed' ? 'ran' : step.status} />
                    <span className="muted">#{step.seq}{step.durationMs !== undefined && step.status !== 'skipped' ? ` · ${step.durationMs} ms` : ''}{step.startedAt ? ` · ${timeOnly(step.startedAt)}` : ''}</span>
                  </div>
                  {step.notes && step.notes.length > 0 && (
                    <div><h3>Warnings</h3><ul className="problems">{step.notes.map((n) => <li key={n} className="warning">{n}</li>)}</ul></div>
                  )}
                  {step.error && <div><h3>Error</h3><div className="run-error" style={{ borderRadius: 5 }}>{step.error}</div></div>}
                  {step.status !== 'skipped' && <div><h3>Input (interpolated)</h3><Json value={step.input ?? {}} /></div>}
                  {step.output !== undefined && <div><h3>Output</h3><Json value={step.output} /></div>}
                  {step.status === 'skipped' && <div className="muted">Not run: the branch leading here was not taken.</div>}
                </>
              ) : running.has(picked) ? <Status status="running" /> : <div className="muted">This node did not run in this execution.</div>}
              {detail.logs.some((l) => l.nodeId === picked) && (
                <div><h3>Its logs</h3><Logs detail={{ ...detail, logs: detail.logs.filter((l) => l.nodeId === picked) }} /></div>
              )}
            </>
          )}
        </aside>
      </div>
    </div>
  );
}
