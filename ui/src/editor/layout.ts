// Auto-layout: top-to-bottom layers by longest path from the triggers, each layer ordered by its
// parents (a condition's true branch left of its false branch) to keep edges from crossing.

import type { WfEdge, WfNode } from '../types';

export interface LayoutOptions {
  xGap?: number;
  yGap?: number;
  origin?: { x: number; y: number };
}

const HANDLE_BIAS: Record<string, number> = { true: -0.3, yes: -0.3, false: 0.3, no: 0.3, error: 0.45 };

/** New positions for every node; nodes in a cycle fall into the layer they were reached from. */
export function autoLayout(nodes: ReadonlyArray<WfNode>, edges: ReadonlyArray<WfEdge>, opts: LayoutOptions = {}): Map<string, { x: number; y: number }> {
  const { xGap = 270, yGap = 150, origin = { x: 0, y: 0 } } = opts;
  const ids = new Set(nodes.map((n) => n.id));
  const live = edges.filter((e) => ids.has(e.source) && ids.has(e.target) && e.source !== e.target);
  const incoming = new Map<string, WfEdge[]>();
  const outgoing = new Map<string, WfEdge[]>();
  for (const e of live) {
    (incoming.get(e.target) ?? incoming.set(e.target, []).get(e.target)!).push(e);
    (outgoing.get(e.source) ?? outgoing.set(e.source, []).get(e.source)!).push(e);
  }

  // Longest-path layering in topological order (Kahn); whatever a cycle leaves is placed after.
  const layer = new Map<string, number>();
  const indegree = new Map(nodes.map((n) => [n.id, incoming.get(n.id)?.length ?? 0]));
  const queue = nodes.filter((n) => indegree.get(n.id) === 0).map((n) => n.id);
  for (const id of queue) layer.set(id, 0);
  while (queue.length) {
    const id = queue.shift()!;
    for (const e of outgoing.get(id) ?? []) {
      layer.set(e.target, Math.max(layer.get(e.target) ?? 0, layer.get(id)! + 1));
      indegree.set(e.target, indegree.get(e.target)! - 1);
      if (indegree.get(e.target) === 0) queue.push(e.target);
    }
  }
  for (const n of nodes) if (!layer.has(n.id)) layer.set(n.id, Math.max(0, ...(incoming.get(n.id) ?? []).map((e) => (layer.get(e.source) ?? 0) + 1)));

  const layers: string[][] = [];
  const byId = new Map(nodes.map((n) => [n.id, n]));
  for (const n of nodes) (layers[layer.get(n.id)!] ??= []).push(n.id);
  const order = new Map<string, number>();
  layers.forEach((ids, depth) => {
    if (!ids) return;
    const key = (id: string) => {
      const parents = (incoming.get(id) ?? []).filter((e) => order.has(e.source) && layer.get(e.source)! < depth);
      if (!parents.length) return byId.get(id)!.position.x / 10_000;
      return parents.reduce((s, e) => s + order.get(e.source)! + (HANDLE_BIAS[e.sourceHandle ?? ''] ?? 0), 0) / parents.length;
    };
    const keys = new Map(ids.map((id) => [id, key(id)]));
    ids.sort((a, b) => keys.get(a)! - keys.get(b)! || byId.get(a)!.position.x - byId.get(b)!.position.x);
    ids.forEach((id, i) => order.set(id, i - (ids.length - 1) / 2));
  });

  const out = new Map<string, { x: number; y: number }>();
  for (const n of nodes) out.set(n.id, { x: origin.x + order.get(n.id)! * xGap, y: origin.y + layer.get(n.id)! * yGap });
  return out;
}
