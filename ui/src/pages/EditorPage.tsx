// The workflow editor: palette, canvas, side panel; live validation from the server, undo/redo,
// copy/paste, auto-layout, save, activate (with the webhook to copy) and run now.

import { Background, BackgroundVariant, ReactFlow, ReactFlowProvider, useReactFlow } from '@xyflow/react';
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import { ApiError, api } from '../api';
import { Modal } from '../components/Modal';
import { RunNowDialog } from '../components/RunNowDialog';
import { useToast } from '../components/Toast';
import { downloadJson, fileNameFor } from '../download';
import { ActivateDialog, type ActivateOptions } from '../editor/ActivateDialog';
import { CanvasChrome, fitOptions, useKeepNodesClear, useMinimap } from '../editor/CanvasChrome';
import { useCatalogue } from '../editor/catalogue';
import { EdgeInsertContext, InsertableEdge, NodePicker } from '../editor/InsertEdge';
import { ShortcutsDialog } from '../editor/ShortcutsDialog';
import { nodeTypesFor } from '../editor/FlowNode';
import { DRAG_TYPE, Palette } from '../editor/Palette';
import { SidePanel } from '../editor/SidePanel';
import { templateSuggestions } from '../editor/suggestions';
import { toWfEdge, toWfNode, useGraph } from '../editor/useGraph';
import { edgeLook, NodeViewContext, problemsByNode } from '../editor/view';
import { WebhookPanel } from '../editor/WebhookPanel';
import { VersionsSection } from '../editor/VersionsSection';
import { WorkflowPanel } from '../editor/WorkflowPanel';
import { Link, navigate } from '../router';
import type { Problem, WebhookInfo, WfEdge, WfNode, WorkflowDetail, WorkflowJson } from '../types';

const CATEGORY_COLOURS: Record<string, string> = { trigger: '#a78bfa', order: '#fb923c', condition: '#22d3ee', data: '#f472b6', utility: '#94a3b8' };

const EDGE_TYPES = { insertable: InsertableEdge };

const docKey = (name: string, description: string, nodes: WfNode[], edges: WfEdge[]) => JSON.stringify({ name, description, nodes, edges });
const isTyping = (t: EventTarget | null) => t instanceof HTMLElement && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName));

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
  const { nodes, edges, wfNodes, wfEdges } = graph;

  const [wf, setWf] = useState<WorkflowDetail | null>(null);
  // Bumped to load the workflow again from the server (after a version is restored as the draft).
  const [loads, setLoads] = useState(0);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [savedKey, setSavedKey] = useState('');
  const [problems, setProblems] = useState<Problem[]>([]);
  const [validatedKey, setValidatedKey] = useState('');
  const [webhook, setWebhook] = useState<WebhookInfo | null>(null);
  const [unpublished, setUnpublished] = useState(false);
  const [dialog, setDialog] = useState<null | 'activate' | 'run' | 'webhook' | 'keys'>(null);
  const [lastOutputs, setLastOutputs] = useState<ReadonlyMap<string, unknown>>(new Map());
  const [picker, setPicker] = useState<{ edgeId: string; left: number; top: number } | null>(null);
  const [busy, setBusy] = useState(false);
  const [mapShown, setMapShown] = useMinimap();
  const fit = useMemo(() => fitOptions(mapShown), [mapShown]);
  useKeepNodesClear(canvasRef, fit, mapShown);

  const key = useMemo(() => docKey(name, description, wfNodes, wfEdges), [name, description, wfNodes, wfEdges]);
  const dirty = wf !== null && key !== savedKey;
  const fresh = key === validatedKey;

  // ---- load ----
  useEffect(() => {
    let live = true;
    api.getWorkflow(id).then((w) => {
      if (!live) return;
      setWf(w);
      setName(w.name);
      setDescription(w.description ?? '');
      graph.load(w.nodes, w.edges);
      const loadedKey = docKey(w.name, w.description ?? '', w.nodes.map((n) => toWfNode({ ...n, data: n.data ?? {} })), w.edges.map((e) => toWfEdge({ ...e, sourceHandle: e.sourceHandle ?? null, targetHandle: e.targetHandle ?? null })));
      setSavedKey(loadedKey);
      setProblems(w.problems);
      setValidatedKey(loadedKey);
      if (w.active) {
        api.webhook(id).then((h) => live && setWebhook(h), () => {});
        // Is the saved draft the version that runs? If not, say so next to the Publish button.
        if (w.version) {
          api.getVersion(id, w.version).then((v) => {
            const same = JSON.stringify([v.definition.nodes, v.definition.edges]) === JSON.stringify([w.definition.nodes, w.definition.edges]);
            if (live) setUnpublished(!same);
          }, () => {});
        }
      }
    }, (e: Error) => live && setLoadError(e.message));
    // What each node returned in its latest runs: the fields {{…}} suggestions offer beyond the catalogue's.
    api.executions(id, { limit: 3, offset: 0 })
      .then((list) => Promise.all(list.map((x) => api.execution(x.executionId))))
      .then((runs) => {
        const seen = new Map<string, unknown>();
        for (const run of runs) for (const step of run.steps) if (step.status === 'completed' && step.output !== undefined && !seen.has(step.nodeId)) seen.set(step.nodeId, step.output);
        if (live) setLastOutputs(seen);
      }, () => {});
    return () => {
      live = false;
    };
    // graph.load is stable; the workflow is loaded once per id, and again after a restore.
  }, [id, loads]);

  // ---- live validation: the server's own rules, a moment after each change ----
  const validation = useRef(0);
  useEffect(() => {
    if (!wf) return;
    const ticket = ++validation.current;
    const t = setTimeout(() => {
      api.validate(JSON.parse(key) as WorkflowJson).then((r) => {
        if (ticket !== validation.current) return;
        setProblems(r.problems);
        setValidatedKey(key);
      }, () => {});
    }, 300);
    return () => clearTimeout(t);
  }, [key, wf]);

  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  const onDrop = (e: DragEvent) => {
    const type = e.dataTransfer.getData(DRAG_TYPE);
    if (!type) return;
    e.preventDefault();
    // Dropped onto an edge: inserted between its two ends (a trigger cannot sit in the middle).
    const onEdge = document.elementsFromPoint(e.clientX, e.clientY).map((el) => el.closest('.react-flow__edge')).find(Boolean)?.getAttribute('data-id');
    if (onEdge && !catalogue?.get(type)?.trigger && graph.insertNode(onEdge, type)) return;
    graph.addNode(type, { x: e.clientX, y: e.clientY });
  };

  const askInsert = useCallback((edgeId: string, at: { x: number; y: number }) => {
    const box = canvasRef.current?.getBoundingClientRect();
    if (!box) return;
    // Beside the "+", kept inside the canvas.
    setPicker({ edgeId, left: Math.max(8, Math.min(at.x - box.left + 14, box.width - 240)), top: Math.max(8, Math.min(at.y - box.top - 20, box.height - 320)) });
  }, []);

  // ---- save, activate, run ----
  const save = async (): Promise<WorkflowDetail | null> => {
    setBusy(true);
    try {
      const saved = await api.saveWorkflow(id, { ...(JSON.parse(key) as WorkflowJson), viewport: rf.getViewport() });
      setWf(saved);
      setSavedKey(key);
      setProblems(saved.problems);
      setValidatedKey(key);
      if (saved.active) setUnpublished(true);
      notify(saved.problems.some((p) => p.severity === 'error') ? 'Saved as a draft with problems: fix them before activating' : 'Saved', 'ok');
      return saved;
    } catch (e) {
      notify(`Not saved: ${(e as Error).message}`, 'error');
      return null;
    } finally {
      setBusy(false);
    }
  };

  const activate = async (opts: ActivateOptions) => {
    setDialog(null);
    if (dirty && !(await save())) return;
    setBusy(true);
    try {
      const r = await api.activate(id, opts);
      setWf((w) => w && { ...w, active: true, version: r.version, concurrency: opts.concurrency, limits: opts.limits, webhook: r.webhook && { url: r.webhook.url, token: r.webhook.token, authType: r.webhook.authType } });
      setUnpublished(false);
      notify(`Active: version ${r.version}`, 'ok');
      if (r.webhook) {
        setWebhook(r.webhook);
        if (wfNodes.some((n) => n.type === 'webhookTrigger')) setDialog('webhook');
      }
    } catch (e) {
      if (e instanceof ApiError && e.problems.length) {
        setProblems(e.problems);
        notify(`Cannot activate: ${e.problems.length} problem(s), shown on the nodes`, 'error');
      } else notify((e as Error).message, 'error');
    } finally {
      setBusy(false);
    }
  };

  const restore = async (version: number) => {
    if (dirty && !window.confirm(`Restore v${version} as the draft? Your unsaved changes will be lost.`)) return;
    try {
      await api.restoreVersion(id, version);
      setLoads((n) => n + 1);
      notify(`Draft restored from v${version}${wf?.active ? ': activate to run it' : ''}`, 'ok');
    } catch (e) {
      notify((e as Error).message, 'error');
    }
  };

  const deactivate = async () => {
    try {
      await api.deactivate(id);
      setWf((w) => w && { ...w, active: false });
      notify('Deactivated: triggers stopped', 'ok');
    } catch (e) {
      notify((e as Error).message, 'error');
    }
  };

  const runNow = async (payload?: Record<string, unknown>) => {
    setDialog(null);
    if (dirty && !wf?.active && !(await save())) return;
    try {
      const r = await api.execute(id, payload);
      navigate({ page: 'runs', id, executionId: r.executionId });
    } catch (e) {
      notify((e as Error).message, 'error');
    }
  };

  // ---- keyboard ----
  const copy = () => {
    const n = graph.copy();
    if (n) notify(`Copied ${n} node${n === 1 ? '' : 's'}`);
  };
  const duplicate = () => {
    if (graph.copy()) graph.paste();
  };
  const actions = { undo: graph.undo, redo: graph.redo, copy, paste: graph.paste, duplicate, save, layout: graph.layout, fit: () => rf.fitView({ ...fit, duration: 200 }), deselect: graph.deselect, help: () => setDialog((d) => (d === 'keys' ? null : d ?? 'keys')) };
  const keys = useRef(actions);
  keys.current = actions;
  useEffect(() => {
    // Every shortcut here is listed in editor/ShortcutsDialog.
    const onKey = (e: KeyboardEvent) => {
      const k = e.key.toLowerCase();
      if ((e.ctrlKey || e.metaKey) && k === 's') {
        e.preventDefault();
        keys.current.save();
        return;
      }
      if (isTyping(e.target)) return;
      if (e.ctrlKey || e.metaKey) {
        if (k === 'z' && !e.shiftKey) keys.current.undo();
        else if ((k === 'z' && e.shiftKey) || k === 'y') keys.current.redo();
        else if (k === 'c') keys.current.copy();
        else if (k === 'v') keys.current.paste();
        else if (k === 'd') keys.current.duplicate();
        else return;
      } else if (e.altKey) return;
      else if (e.key === '?') keys.current.help();
      else if (e.key === 'L' && e.shiftKey) keys.current.layout();
      else if (k === 'f' && !e.shiftKey) keys.current.fit();
      else if (e.key === 'Escape') keys.current.deselect();
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  // ---- view ----
  const typesKey = [...new Set(nodes.map((n) => n.type ?? ''))].sort().join(',');
  const nodeTypes = useMemo(() => nodeTypesFor([...(catalogue?.keys() ?? []), ...typesKey.split(',')]), [catalogue, typesKey]);
  const view = useMemo(() => ({ catalogue: catalogue ?? new Map(), problems: problemsByNode(problems) }), [catalogue, problems]);
  const brokenEdges = useMemo(() => new Set(problems.filter((p) => p.edgeId && p.severity === 'error').map((p) => p.edgeId)), [problems]);
  const shownEdges = useMemo(() => edges.map((e) => ({ ...e, type: 'insertable', ...edgeLook(e.sourceHandle, brokenEdges.has(e.id)) })), [edges, brokenEdges]);
  const selected = nodes.filter((n) => n.selected);
  const one = selected.length === 1 ? toWfNode(selected[0]) : null;
  const suggestions = useMemo(() => (one && catalogue ? templateSuggestions(one.id, wfNodes, wfEdges, catalogue, lastOutputs) : []), [one?.id, wfNodes, wfEdges, catalogue, lastOutputs]);
  const errors = problems.filter((p) => p.severity === 'error');
  const hasWebhook = wfNodes.some((n) => n.type === 'webhookTrigger');
  const nodeLabel = (nodeId: string) => {
    const n = wfNodes.find((x) => x.id === nodeId);
    return n ? `${String(n.data.label || catalogue?.get(n.type)?.label || n.type)} (${nodeId})` : nodeId;
  };

  if (loadError) return <div className="page"><div className="empty">{loadError} <Link to={{ page: 'workflows' }}>Back to workflows</Link></div></div>;
  if (catalogueError) return <div className="page"><div className="empty">Could not load the node catalogue: {catalogueError}</div></div>;
  if (!wf || !catalogue) return <div className="page muted">Loading…</div>;

  return (
    <>
      <div className="toolbar">
        <Link to={{ page: 'workflows' }} className="btn ghost" title="All workflows">←</Link>
        <input className="title-input" value={name} onChange={(e) => setName(e.target.value)} aria-label="Workflow name" style={{ width: `min(${Math.max(12, name.length + 3)}ch, 480px)` }} />
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
        <button className="ghost" onClick={() => downloadJson(JSON.parse(key), fileNameFor(name))} title="Download as OpenAlgo JSON">Export</button>
        <button className="ghost" onClick={() => setDialog('keys')} title="Keyboard shortcuts (?)" aria-label="Keyboard shortcuts" data-testid="shortcuts-open">?</button>
        <span className="sep" />
        <button onClick={save} disabled={busy || !dirty} data-testid="save" title="Save (Ctrl+S)">Save</button>
        {wf.active
          ? <>
              {(unpublished || dirty) && <button className="success" onClick={() => setDialog('activate')} disabled={busy}>Publish</button>}
              <button onClick={deactivate} data-testid="deactivate">Deactivate</button>
            </>
          : <button className="success" onClick={() => setDialog('activate')} disabled={busy} data-testid="activate">Activate</button>}
        <button onClick={() => setDialog('run')} data-testid="run-now">Run now</button>
        <button onClick={() => navigate({ page: 'rehearse', id })} data-testid="open-rehearse" title="Replay the draft on past market days">Rehearse</button>
        <button className="primary" onClick={() => navigate({ page: 'runs', id })} data-testid="open-runs">Runs</button>
      </div>
      <div className="editor">
        <Palette catalogue={catalogue} onAdd={(t) => graph.addNode(t)} />
        <div className="canvas" ref={canvasRef} onDragOver={(e) => { e.preventDefault(); e.dataTransfer.dropEffect = 'move'; }} onDrop={onDrop} data-testid="canvas">
          <NodeViewContext.Provider value={view}>
            <EdgeInsertContext.Provider value={askInsert}>
            <ReactFlow
              nodes={nodes}
              edges={shownEdges}
              nodeTypes={nodeTypes}
              edgeTypes={EDGE_TYPES}
              onNodesChange={graph.onNodesChange}
              onEdgesChange={graph.onEdgesChange}
              onConnect={graph.onConnect}
              isValidConnection={graph.isValidConnection}
              onNodeDragStart={graph.onNodeDragStart}
              onBeforeDelete={graph.onBeforeDelete}
              deleteKeyCode={['Backspace', 'Delete']}
              defaultViewport={wf.definition.viewport ?? { x: 0, y: 0, zoom: 1 }}
              fitView={!wf.definition.viewport && wf.nodes.length > 0}
              fitViewOptions={fit}
              defaultEdgeOptions={{ type: 'insertable' }}
              onMoveStart={() => setPicker(null)}
              snapToGrid
              snapGrid={[10, 10]}
              minZoom={0.2}
              colorMode="dark"
              proOptions={{ hideAttribution: true }}
            >
              <Background variant={BackgroundVariant.Dots} gap={20} size={1} color="#2a3140" />
              <CanvasChrome mapShown={mapShown} onMap={setMapShown} colour={(n) => CATEGORY_COLOURS[catalogue.get(n.type ?? '')?.category ?? ''] ?? '#ef4444'} />
            </ReactFlow>
            </EdgeInsertContext.Provider>
          </NodeViewContext.Provider>
          {picker && (
            <NodePicker catalogue={catalogue} at={{ left: picker.left, top: picker.top }} onClose={() => setPicker(null)}
              onPick={(type) => {
                graph.insertNode(picker.edgeId, type);
                setPicker(null);
              }} />
          )}
          {nodes.length === 0 && (
            <div className="empty" style={{ position: 'absolute', top: '30%', left: '50%', transform: 'translateX(-50%)', pointerEvents: 'none' }}>
              Drag a trigger from the palette to start (Webhook for TradingView alerts, Schedule for timed entries).
            </div>
          )}
        </div>
        {one ? (
          <SidePanel
            node={one}
            def={catalogue.get(one.type)}
            problems={problems.filter((p) => p.nodeId === one.id)}
            fresh={fresh}
            suggestions={suggestions}
            onChange={(field, value) => graph.updateData(one.id, field, value)}
            onDelete={() => graph.deleteNodes([one.id])}
          />
        ) : (
          <WorkflowPanel description={description} onDescription={setDescription} problems={problems} selectedCount={selected.length}
            nodes={wfNodes} webhook={wf.active ? webhook : null} nodeLabel={nodeLabel} onPick={graph.selectNode}
            versions={<VersionsSection workflowId={id} refresh={`${wf.version}:${loads}`} onRestore={restore} />}
            manage={{ workflowId: id, onChange: setWebhook }} />
        )}
      </div>
      {dialog === 'keys' && <ShortcutsDialog onClose={() => setDialog(null)} />}
      {dialog === 'activate' && <ActivateDialog wf={wf} dirty={dirty} onClose={() => setDialog(null)} onActivate={activate} />}
      {dialog === 'run' && (
        <RunNowDialog
          hasWebhook={hasWebhook}
          note={wf.active ? `Runs the active version v${wf.version}${dirty || unpublished ? ' (not your newer draft: publish it first to run it)' : ''}.` : dirty ? 'Saves your changes, then runs the draft.' : 'Runs the saved draft.'}
          onClose={() => setDialog(null)}
          onRun={runNow}
        />
      )}
      {dialog === 'webhook' && webhook && (
        <Modal title="Active: paste this into TradingView" onClose={() => setDialog(null)} footer={<button className="primary" onClick={() => setDialog(null)}>Done</button>}>
          <div className="muted">Create an alert in TradingView, tick <b>Webhook URL</b>, paste the URL, and use this message. The secret is shown here and in the side panel while the workflow is active.</div>
          <WebhookPanel webhook={webhook} nodes={wfNodes} />
        </Modal>
      )}
    </>
  );
}
