// The workflow editor: palette, canvas, side panel; live validation from the server, undo/redo,
// copy/paste, auto-layout, save, activate (with the webhook to copy), run now, and the latest run's
// logs. The parts live in editor/: useWorkflowDoc (load, validate, save), useWorkflowActions,
// useShortcuts, EditorToolbar, EditorCanvas, RunLogPanel, EditorDialogs.

import { ReactFlowProvider, useReactFlow } from '@xyflow/react';
import { useMemo, useRef, useState } from 'react';
import { useToast } from '../components/Toast';
import { fitOptions, useKeepNodesClear, useMinimap } from '../editor/CanvasChrome';
import { useCatalogue } from '../editor/catalogue';
import { EditorCanvas } from '../editor/EditorCanvas';
import { EditorDialogs } from '../editor/EditorDialogs';
import { EditorToolbar, type EditorDialog } from '../editor/EditorToolbar';
import { Palette } from '../editor/Palette';
import { unknownOutputReferences } from '../editor/references';
import { RunLogPanel } from '../editor/RunLogPanel';
import { SidePanel } from '../editor/SidePanel';
import { templateSuggestions } from '../editor/suggestions';
import { toWfNode, useGraph } from '../editor/useGraph';
import { useShortcuts } from '../editor/useShortcuts';
import { useWorkflowActions } from '../editor/useWorkflowActions';
import { useWorkflowDoc } from '../editor/useWorkflowDoc';
import { VersionsSection } from '../editor/VersionsSection';
import { WorkflowPanel } from '../editor/WorkflowPanel';
import { Link } from '../router';

export function EditorPage({ id }: { id: string }) {
  return (
    <ReactFlowProvider>
      <Editor id={id} />
    </ReactFlowProvider>
  );
}

function Editor({ id }: { id: string }) {
  const { catalogue, error: catalogueError } = useCatalogue();
  const notify = useToast();
  const rf = useReactFlow();
  const canvasRef = useRef<HTMLDivElement>(null);
  const graph = useGraph(catalogue, canvasRef);
  const { nodes, wfNodes, wfEdges } = graph;
  const doc = useWorkflowDoc(id, graph, () => rf.getViewport());
  const { wf } = doc;
  // The server's problems, and references to outputs a node does not produce (warnings; saving is not blocked).
  const problems = useMemo(() => (catalogue ? [...doc.problems, ...unknownOutputReferences(wfNodes, catalogue)] : doc.problems), [doc.problems, wfNodes, catalogue]);
  const [dialog, setDialog] = useState<EditorDialog>(null);
  const [logsOpen, setLogsOpen] = useState(false);
  const [mapShown, setMapShown] = useMinimap();
  const fit = useMemo(() => fitOptions(mapShown), [mapShown]);
  useKeepNodesClear(canvasRef, fit, mapShown);
  const hasWebhook = wfNodes.some((n) => n.type === 'webhookTrigger');
  const actions = useWorkflowActions(doc, hasWebhook, () => setDialog('webhook'));

  useShortcuts({
    save: doc.save,
    undo: graph.undo,
    redo: graph.redo,
    copy: () => {
      const n = graph.copy();
      if (n) notify(`Copied ${n} node${n === 1 ? '' : 's'}`);
    },
    paste: graph.paste,
    duplicate: () => {
      if (graph.copy()) graph.paste();
    },
    layout: graph.layout,
    fit: () => rf.fitView({ ...fit, duration: 200 }),
    deselect: graph.deselect,
    help: () => setDialog((d) => (d === 'keys' ? null : d ?? 'keys')),
  });

  const selected = nodes.filter((n) => n.selected);
  const one = selected.length === 1 ? toWfNode(selected[0]) : null;
  const suggestions = useMemo(() => (one && catalogue ? templateSuggestions(one.id, wfNodes, wfEdges, catalogue, doc.lastOutputs) : []), [one?.id, wfNodes, wfEdges, catalogue, doc.lastOutputs]);
  const nodeLabel = (nodeId: string) => {
    const n = wfNodes.find((x) => x.id === nodeId);
    return n ? `${String(n.data.label || catalogue?.get(n.type)?.label || n.type)} (${nodeId})` : nodeId;
  };

  if (doc.loadError) return <div className="page"><div className="empty">{doc.loadError} <Link to={{ page: 'workflows' }}>Back to workflows</Link></div></div>;
  if (catalogueError) return <div className="page"><div className="empty">Could not load the node catalogue: {catalogueError}</div></div>;
  if (!wf || !catalogue) return <div className="page muted">Loading…</div>;

  return (
    <>
      <EditorToolbar doc={doc} graph={graph} onDialog={setDialog} onDeactivate={actions.deactivate} logsOpen={logsOpen} onLogs={() => setLogsOpen((o) => !o)} />
      <div className="editor">
        <Palette catalogue={catalogue} onAdd={(t) => graph.addNode(t)} />
        <div className="editor-centre">
          <EditorCanvas catalogue={catalogue} graph={graph} wf={wf} problems={problems} canvasRef={canvasRef} mapShown={mapShown} onMap={setMapShown} />
          {logsOpen && <RunLogPanel workflowId={id} onPick={graph.selectNode} onClose={() => setLogsOpen(false)} />}
        </div>
        {one ? (
          <SidePanel
            node={one}
            def={catalogue.get(one.type)}
            problems={problems.filter((p) => p.nodeId === one.id)}
            fresh={doc.fresh}
            suggestions={suggestions}
            onChange={(field, value) => graph.updateData(one.id, field, value)}
            onDelete={() => graph.deleteNodes([one.id])}
          />
        ) : (
          <WorkflowPanel description={doc.description} onDescription={doc.setDescription} problems={problems} selectedCount={selected.length}
            nodes={wfNodes} webhook={wf.active ? doc.webhook : null} nodeLabel={nodeLabel} onPick={graph.selectNode}
            versions={<VersionsSection workflowId={id} refresh={`${wf.version}:${doc.loads}`} onRestore={actions.restore} />}
            manage={{ workflowId: id, onChange: doc.setWebhook }} />
        )}
      </div>
      <EditorDialogs dialog={dialog} doc={doc} nodes={wfNodes} onClose={() => setDialog(null)}
        onActivate={(opts) => {
          setDialog(null);
          void actions.activate(opts);
        }}
        onRun={(payload) => {
          setDialog(null);
          void actions.runNow(payload);
        }} />
    </>
  );
}
