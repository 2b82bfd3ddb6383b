// The workflow graph as the editor edits it: ids, handles, copy/paste, and clean OpenAlgo JSON out.

import type { NodeType, WfEdge, WfNode } from '../types';

/** The next free `node_N` id. */
export function nextNodeId(nodes: ReadonlyArray<{ id: string }>, taken: ReadonlySet<string> = new Set()): string {
  let max = 0;
  for (const n of nodes) {
    const m = /^node_(\d+)$/.exec(n.id);
    if (m) max = Math.max(max, Number(m[1]));
  }
  let i = max + 1;
  const ids = new Set([...nodes.map((n) => n.id), ...taken]);
  while (ids.has(`node_${i}`)) i++;
  return `node_${i}`;
}

/** A fresh edge id. */
export function newEdgeId(edges: ReadonlyArray<{ id: string }>): string {
  const ids = new Set(edges.map((e) => e.id));
  let i = edges.length + 1;
  while (ids.has(`e${i}`)) i++;
  return `e${i}`;
}

/** Output handles of a node: its branches (true/false, yes/no), plus `error` when onError is branch. */
export function sourceHandles(def: NodeType | undefined, data: Record<string, unknown>): Array<string | null> {
  const handles: Array<string | null> = def && def.handles.length ? [...def.handles] : [null];
  if (data.onError === 'branch') handles.push('error');
  return handles;
}

/** Input handles: none on triggers, numbered slots on gates (input-0 …), one plain input otherwise. */
export function targetHandles(def: NodeType | undefined, data: Record<string, unknown>): Array<string | null> {
  if (def?.trigger) return [];
  if (def?.gate) {
    const declared = def.fields.find((f) => f.name === 'inputCount');
    const raw = Number(data.inputCount ?? declared?.default ?? 1);
    const count = declared ? Math.min(Math.max(Number.isInteger(raw) ? raw : 2, 1), 5) : 1;
    return Array.from({ length: count }, (_, i) => `input-${i}`);
  }
  return [null];
}

/** Strips the canvas's own fields (selected, measured, dragging …) so only OpenAlgo's format is saved. */
export function cleanNode(n: WfNode): WfNode {
  return { id: n.id, type: n.type, position: { x: Math.round(n.position.x), y: Math.round(n.position.y) }, data: n.data };
}

export function cleanEdge(e: WfEdge): WfEdge {
  const out: WfEdge = { id: e.id, source: e.source, target: e.target };
  if (e.sourceHandle) out.sourceHandle = e.sourceHandle;
  if (e.targetHandle) out.targetHandle = e.targetHandle;
  return out;
}

/** Every node upstream of `nodeId` (its ancestors), nearest first. */
export function ancestors(nodeId: string, edges: ReadonlyArray<WfEdge>): string[] {
  const parents = new Map<string, string[]>();
  for (const e of edges) (parents.get(e.target) ?? parents.set(e.target, []).get(e.target)!).push(e.source);
  const seen = new Set<string>([nodeId]);
  const out: string[] = [];
  let frontier = [nodeId];
  while (frontier.length) {
    const next: string[] = [];
    for (const id of frontier) {
      for (const p of parents.get(id) ?? []) {
        if (seen.has(p)) continue;
        seen.add(p);
        out.push(p);
        next.push(p);
      }
    }
    frontier = next;
  }
  return out;
}

export interface Clip {
  nodes: WfNode[];
  edges: WfEdge[];
}

/** The selected nodes and the edges between them. */
export function copySelection(nodes: ReadonlyArray<WfNode>, edges: ReadonlyArray<WfEdge>, selected: ReadonlySet<string>): Clip {
  return {
    nodes: nodes.filter((n) => selected.has(n.id)).map((n) => structuredClone(cleanNode(n))),
    edges: edges.filter((e) => selected.has(e.source) && selected.has(e.target)).map((e) => cleanEdge(e)),
  };
}

/** A copy of the clip with fresh ids that do not clash with the graph, shifted by `offset`. */
export function pasteClip(clip: Clip, nodes: ReadonlyArray<WfNode>, edges: ReadonlyArray<WfEdge>, offset = 40): Clip {
  const ids = new Map<string, string>();
  const taken = new Set<string>();
  const all = [...nodes];
  for (const n of clip.nodes) {
    const id = nextNodeId(all, taken);
    taken.add(id);
    ids.set(n.id, id);
  }
  const outNodes = clip.nodes.map((n) => ({
    id: ids.get(n.id)!, type: n.type, position: { x: n.position.x + offset, y: n.position.y + offset }, data: structuredClone(n.data),
  }));
  const allEdges = [...edges];
  const outEdges = clip.edges.map((e) => {
    const edge = { ...e, id: newEdgeId(allEdges), source: ids.get(e.source)!, target: ids.get(e.target)! };
    allEdges.push(edge);
    return edge;
  });
  return { nodes: outNodes, edges: outEdges };
}

const ROOM = 150; // vertical room a node takes in a top-to-bottom graph (auto-layout's yGap)

/**
 * Puts `node` on edge `edgeId`: source → node (keeping the branch handle it left from) and
 * node → target (keeping the gate slot it entered). When the two ends are too close for a node
 * between them, the target and everything below it move down to make room.
 */
export function insertOnEdge(nodes: ReadonlyArray<WfNode>, edges: ReadonlyArray<WfEdge>, edgeId: string, node: Omit<WfNode, 'position'>): { nodes: WfNode[]; edges: WfEdge[] } | null {
  const edge = edges.find((e) => e.id === edgeId);
  const source = nodes.find((n) => n.id === edge?.source);
  const target = nodes.find((n) => n.id === edge?.target);
  if (!edge || !source || !target) return null;
  const gap = target.position.y - source.position.y;
  const shift = gap < 2 * ROOM ? 2 * ROOM - gap : 0;
  const below = new Set(shift ? [target.id, ...descendants(target.id, edges)] : []);
  below.delete(source.id); // never move the node the edge leaves (a cycle would otherwise drag it along)
  const placed: WfNode = { ...node, position: { x: Math.round((source.position.x + target.position.x) / 2), y: source.position.y + ROOM } } as WfNode;
  const rest = edges.filter((e) => e.id !== edgeId);
  const first = cleanEdge({ id: newEdgeId(rest), source: edge.source, target: placed.id, sourceHandle: edge.sourceHandle });
  const second = cleanEdge({ id: newEdgeId([...rest, first]), source: placed.id, target: edge.target, targetHandle: edge.targetHandle });
  return {
    nodes: [...nodes.map((n) => (below.has(n.id) ? { ...n, position: { x: n.position.x, y: n.position.y + shift } } : n)), placed],
    edges: [...rest, first, second],
  };
}

/** Every node downstream of `nodeId`. */
export function descendants(nodeId: string, edges: ReadonlyArray<WfEdge>): string[] {
  return ancestors(nodeId, edges.map((e) => ({ ...e, source: e.target, target: e.source })));
}
