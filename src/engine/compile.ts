// A workflow prepared once per version: indexes, resolved definitions, normalized data.
// Runs reuse it, so nothing is re-parsed or re-indexed per execution.

import type { NodeDefinition } from '../nodes/types.js';
import type { Registry } from '../nodes/registry.js';
import { normalizeData } from '../workflow/normalize.js';
import type { Workflow, WorkflowEdge, WorkflowNode } from '../workflow/schema.js';

export interface CompiledNode {
  index: number;
  id: string;
  type: string;
  def: NodeDefinition;
  /** `data` with aliases mapped to current names. */
  data: Record<string, unknown>;
  onError: 'stop' | 'continue' | 'branch';
  outputVariable?: string;
  /** Indexes into `edges`, in the workflow's edge order. */
  outgoing: number[];
  incoming: number[];
  node: WorkflowNode;
}

/**
 * How an edge fires: `always` (no handle), `true`/`false` (a branch), `error` (onError branch), or
 * `value`: an edge into a gate, which carries its source's boolean whatever handle it leaves from.
 */
export type EdgeKind = 'always' | 'true' | 'false' | 'error' | 'value';

export interface CompiledEdge {
  index: number;
  id: string;
  source: number;
  target: number;
  kind: EdgeKind;
  edge: WorkflowEdge;
}

export interface CompiledWorkflow {
  name: string;
  workflow: Workflow;
  nodes: CompiledNode[];
  edges: CompiledEdge[];
  byId: Map<string, CompiledNode>;
}

const EDGE_KINDS: Record<string, EdgeKind> = { true: 'true', yes: 'true', false: 'false', no: 'false', error: 'error' };

/** Indexes a validated workflow. Throws on an unknown node type (validate first). */
export function compileWorkflow(workflow: Workflow, registry: Registry): CompiledWorkflow {
  const byId = new Map<string, CompiledNode>();
  const nodes = workflow.nodes.map((node, index) => {
    const def = registry.get(node.type);
    if (!def) throw new Error(`${node.id}: unknown node type '${node.type}'`);
    const data = normalizeData(def, node.data);
    const onError = data.onError === 'continue' || data.onError === 'branch' ? data.onError : 'stop';
    const outputVariable = typeof data.outputVariable === 'string' && data.outputVariable.trim() ? data.outputVariable.trim() : def.defaultOutputVariable;
    const compiled: CompiledNode = { index, id: node.id, type: node.type, def, data, onError, outputVariable, outgoing: [], incoming: [], node };
    byId.set(node.id, compiled);
    return compiled;
  });
  const edges: CompiledEdge[] = [];
  for (const edge of workflow.edges) {
    const source = byId.get(edge.source);
    const target = byId.get(edge.target);
    if (!source || !target) continue; // dangling edges are validation errors; never walked
    const handle = edge.sourceHandle ?? '';
    // Handles a node cannot emit are rejected by validation; at run time an unnamed output always fires.
    const kind: EdgeKind = handle === 'error' ? 'error'
      : target.def.gate ? 'value'
      : source.def.branches ? EDGE_KINDS[handle] ?? 'always' : 'always';
    const compiled: CompiledEdge = { index: edges.length, id: edge.id, source: source.index, target: target.index, kind, edge };
    source.outgoing.push(compiled.index);
    target.incoming.push(compiled.index);
    edges.push(compiled);
  }
  return { name: workflow.name, workflow, nodes, edges, byId };
}
