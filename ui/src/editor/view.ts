// What the shared node renderer needs to know beyond a node's own data: the catalogue, the
// validation problems (editor) or the step statuses (run viewer).

import { createContext, useContext } from 'react';
import type { Problem } from '../types';
import type { Catalogue } from './catalogue';

export type StepState = 'completed' | 'failed' | 'skipped' | 'running';

export interface NodeView {
  catalogue: Catalogue;
  problems?: ReadonlyMap<string, Problem[]>;
  steps?: ReadonlyMap<string, StepState>;
}

export const NodeViewContext = createContext<NodeView>({ catalogue: new Map() });
export const useNodeView = () => useContext(NodeViewContext);

/** Problems grouped by node id. */
export function problemsByNode(problems: ReadonlyArray<Problem>): Map<string, Problem[]> {
  const map = new Map<string, Problem[]>();
  for (const p of problems) if (p.nodeId) (map.get(p.nodeId) ?? map.set(p.nodeId, []).get(p.nodeId)!).push(p);
  return map;
}

const EDGE_COLOURS: Record<string, string> = { true: '#22c55e', yes: '#22c55e', false: '#ef4444', no: '#ef4444', error: '#f59e0b' };

/** Edge look: branch edges coloured by their handle (the node labels the handle); edges with a problem drawn red and dashed. */
export function edgeLook(sourceHandle: string | null | undefined, broken = false): { style: Record<string, string | number> } {
  const colour = broken ? '#ef4444' : sourceHandle ? EDGE_COLOURS[sourceHandle] : undefined;
  return { style: { ...(colour ? { stroke: colour } : {}), strokeWidth: 1.6, ...(broken ? { strokeDasharray: '5 4' } : {}) } };
}
