// The canvas's graph state and every edit a trader makes to it, each one undoable.

import {
  addEdge, applyEdgeChanges, applyNodeChanges, useReactFlow,
  type Connection, type Edge, type EdgeChange, type Node, type NodeChange,
} from '@xyflow/react';
import { useCallback, useMemo, useReducer, useRef, useState, type RefObject } from 'react';
import type { WfEdge, WfNode } from '../types';
import { defaultData, type Catalogue } from './catalogue';
import { cleanEdge, cleanNode, copySelection, insertOnEdge, newEdgeId, nextNodeId, pasteClip, type Clip } from './graph';
import { History } from './history';
import { autoLayout } from './layout';
import { avoidRects, inflate, overlayRects } from './overlays';

interface Snapshot {
  nodes: WfNode[];
  edges: WfEdge[];
}

const CLIPBOARD_KEY = 'flow.clipboard';
const HALF_NODE = { x: 115, y: 40 };
/** A new node's size on the canvas before it is measured (at zoom 1). */
const NEW_NODE = { width: 230, height: 100 };

export const toWfNode = (n: Node): WfNode => cleanNode({ id: n.id, type: n.type ?? 'unknown', position: n.position, data: n.data });
export const toWfEdge = (e: Edge): WfEdge => cleanEdge({ id: e.id, source: e.source, target: e.target, sourceHandle: e.sourceHandle, targetHandle: e.targetHandle });
export const toFlowEdge = (e: WfEdge): Edge => ({ id: e.id, source: e.source, target: e.target, sourceHandle: e.sourceHandle ?? null, targetHandle: e.targetHandle ?? null });

export function useGraph(catalogue: Catalogue | null, canvas: RefObject<HTMLDivElement | null>) {
  const rf = useReactFlow();
  const [nodes, setNodes] = useState<Node[]>([]);
  const [edges, setEdges] = useState<Edge[]>([]);
  const history = useRef(new History<Snapshot>());
  const [, rerender] = useReducer((x: number) => x + 1, 0);
  const latest = useRef({ nodes, edges });
  latest.current = { nodes, edges };

  const wfNodes = useMemo(() => nodes.map(toWfNode), [nodes]);
  const wfEdges = useMemo(() => edges.map(toWfEdge), [edges]);

  const snapshot = (): Snapshot => ({ nodes: latest.current.nodes.map(toWfNode), edges: latest.current.edges.map(toWfEdge) });
  /** Remembers the graph before a change; keystrokes in one field share one step (coalesceKey). */
  const record = useCallback((coalesceKey: string | null = null) => {
    history.current.record(snapshot(), coalesceKey);
    rerender();
  }, []);
  const restore = (s: Snapshot | null) => {
    if (!s) return;
    setNodes(s.nodes.map((n) => ({ ...n })));
    setEdges(s.edges.map(toFlowEdge));
    rerender();
  };

  const load = useCallback((ns: WfNode[], es: WfEdge[]) => {
    setNodes(ns.map((n) => ({ id: n.id, type: n.type, position: n.position, data: n.data ?? {} })));
    setEdges(es.map(toFlowEdge));
    history.current.clear();
  }, []);

  const onNodesChange = useCallback((changes: NodeChange[]) => setNodes((nds) => applyNodeChanges(changes, nds)), []);
  const onEdgesChange = useCallback((changes: EdgeChange[]) => setEdges((eds) => applyEdgeChanges(changes, eds)), []);
  const onConnect = useCallback((c: Connection) => {
    record();
    setEdges((eds) => addEdge({ ...c, id: newEdgeId(eds) }, eds));
  }, [record]);
  const isValidConnection = useCallback((c: Connection | Edge) => c.source !== c.target
    && !latest.current.edges.some((e) => e.source === c.source && e.target === c.target
      && (e.sourceHandle ?? null) === (c.sourceHandle ?? null) && (e.targetHandle ?? null) === (c.targetHandle ?? null)), []);

  /** Adds a node of `type` at a canvas point (a drop), or in the middle of the view; never under the zoom buttons or minimap. */
  const addNode = useCallback((type: string, screen?: { x: number; y: number }) => {
    const def = catalogue?.get(type);
    if (!def) return;
    const box = canvas.current?.getBoundingClientRect();
    const shift = (latest.current.nodes.length % 5) * 12;
    const point = screen ?? { x: (box?.left ?? 0) + (box?.width ?? 600) / 2 + shift, y: (box?.top ?? 0) + (box?.height ?? 400) / 2 + shift };
    const zoom = rf.getZoom();
    const w = NEW_NODE.width * zoom;
    const h = NEW_NODE.height * zoom;
    let corner = { x: point.x - w / 2, y: point.y - h / 4 };
    if (box) {
      const bounds = inflate({ x: box.left, y: box.top, width: box.width, height: box.height }, -8);
      corner = avoidRects({ ...corner, width: w, height: h }, overlayRects(canvas.current).map((r) => inflate(r, 8)), bounds);
    }
    const at = rf.screenToFlowPosition(corner);
    record();
    const id = nextNodeId(latest.current.nodes);
    setNodes((nds) => [
      ...nds.map((n) => (n.selected ? { ...n, selected: false } : n)),
      { id, type, position: at, data: defaultData(def), selected: true },
    ]);
  }, [catalogue, canvas, rf, record]);

  /** Puts a new node of `type` on an edge, between its two ends (OpenAlgo's "insert on edge"). */
  const insertNode = useCallback((edgeId: string, type: string): boolean => {
    const def = catalogue?.get(type);
    if (!def) return false;
    const id = nextNodeId(latest.current.nodes);
    const out = insertOnEdge(latest.current.nodes.map(toWfNode), latest.current.edges.map(toWfEdge), edgeId, { id, type, data: defaultData(def) });
    if (!out) return false;
    record();
    const moved = new Map(out.nodes.map((n) => [n.id, n.position]));
    setNodes((nds) => [
      ...nds.map((n) => ({ ...n, position: moved.get(n.id) ?? n.position, selected: false })),
      { ...out.nodes[out.nodes.length - 1], selected: true },
    ]);
    setEdges(out.edges.map(toFlowEdge));
    return true;
  }, [catalogue, record]);

  /** Sets one field of a node's data (undefined removes it, so the default applies); older alias keys go. */
  const updateData = useCallback((nodeId: string, field: string, value: unknown) => {
    record(`${nodeId}.${field}`);
    setNodes((nds) => nds.map((n) => {
      if (n.id !== nodeId) return n;
      const data = { ...n.data };
      for (const [alias, to] of Object.entries(catalogue?.get(n.type ?? '')?.aliases ?? {})) if (to === field) delete data[alias];
      if (value === undefined) delete data[field];
      else data[field] = value;
      return { ...n, data };
    }));
  }, [catalogue, record]);

  const deleteNodes = useCallback((ids: string[]) => {
    record();
    const gone = new Set(ids);
    setNodes((nds) => nds.filter((n) => !gone.has(n.id)));
    setEdges((eds) => eds.filter((e) => !gone.has(e.source) && !gone.has(e.target)));
  }, [record]);

  const selectNode = useCallback((nodeId: string) => {
    setNodes((nds) => nds.map((n) => ({ ...n, selected: n.id === nodeId })));
    const n = latest.current.nodes.find((x) => x.id === nodeId);
    if (n) rf.setCenter(n.position.x + HALF_NODE.x, n.position.y + HALF_NODE.y, { zoom: Math.max(rf.getZoom(), 1), duration: 250 });
  }, [rf]);

  const deselect = useCallback(() => {
    setNodes((nds) => (nds.some((n) => n.selected) ? nds.map((n) => (n.selected ? { ...n, selected: false } : n)) : nds));
    setEdges((eds) => (eds.some((e) => e.selected) ? eds.map((e) => (e.selected ? { ...e, selected: false } : e)) : eds));
  }, []);

  const layout = useCallback(() => {
    record();
    const positions = autoLayout(latest.current.nodes.map(toWfNode), latest.current.edges.map(toWfEdge), { origin: { x: 250, y: 40 } });
    setNodes((nds) => nds.map((n) => ({ ...n, position: positions.get(n.id) ?? n.position })));
    setTimeout(() => rf.fitView({ padding: 0.2, duration: 250 }), 30);
  }, [rf, record]);

  /** Copies the selected nodes (and the edges between them); the count copied. */
  const copy = useCallback((): number => {
    const selected = new Set(latest.current.nodes.filter((n) => n.selected).map((n) => n.id));
    if (!selected.size) return 0;
    const clip = copySelection(latest.current.nodes.map(toWfNode), latest.current.edges.map(toWfEdge), selected);
    // Local storage, so a copy can be pasted into another workflow in this browser.
    localStorage.setItem(CLIPBOARD_KEY, JSON.stringify(clip));
    return clip.nodes.length;
  }, []);

  const paste = useCallback(() => {
    let clip: Clip | null = null;
    try {
      clip = JSON.parse(localStorage.getItem(CLIPBOARD_KEY) ?? 'null') as Clip | null;
    } catch {
      return;
    }
    if (!clip?.nodes?.length) return;
    record();
    const out = pasteClip(clip, latest.current.nodes.map(toWfNode), latest.current.edges.map(toWfEdge));
    setNodes((nds) => [...nds.map((n) => ({ ...n, selected: false })), ...out.nodes.map((n) => ({ ...n, selected: true }))]);
    setEdges((eds) => [...eds, ...out.edges.map(toFlowEdge)]);
  }, [record]);

  return {
    nodes, edges, wfNodes, wfEdges, load,
    onNodesChange, onEdgesChange, onConnect, isValidConnection,
    onNodeDragStart: () => record(),
    onBeforeDelete: async () => {
      record();
      return true;
    },
    addNode, insertNode, updateData, deleteNodes, selectNode, deselect, layout, copy, paste,
    undo: () => restore(history.current.undo(snapshot())),
    redo: () => restore(history.current.redo(snapshot())),
    canUndo: history.current.canUndo,
    canRedo: history.current.canRedo,
  };
}

export type Graph = ReturnType<typeof useGraph>;
