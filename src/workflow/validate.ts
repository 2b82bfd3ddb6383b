// Validation that reports every problem at once, each naming the node or edge and the field.
// Values holding `{{...}}` are left to run time.

import { hasTemplate } from '../contract/template.js';
import { FieldError } from '../contract/fields.js';
import type { NodeDefinition } from '../nodes/types.js';
import { normalizeData } from './normalize.js';
import { workflowSchema, type Problem, type Workflow } from './schema.js';

export type NodeLookup = ReadonlyMap<string, NodeDefinition>;

export interface ValidationResult {
  valid: boolean;
  /** The parsed workflow, when its shape was readable (even if it has problems). */
  workflow?: Workflow;
  problems: Problem[];
}

const TRUE_HANDLES = new Set(['true', 'yes']);
const FALSE_HANDLES = new Set(['false', 'no']);

/** Validates an OpenAlgo workflow JSON value against the node registry. */
export function validateWorkflow(input: unknown, registry: NodeLookup): ValidationResult {
  const parsed = workflowSchema.safeParse(input);
  if (!parsed.success) {
    const problems: Problem[] = parsed.error.issues.map((issue) => {
      const path = issue.path;
      const where = describePath(input, path);
      return { code: 'invalid_format', severity: 'error', message: `${where.label}: ${issue.message}`, ...where.ids };
    });
    return { valid: false, problems };
  }
  const wf = parsed.data;
  const problems: Problem[] = [];
  const err = (p: Omit<Problem, 'severity'>) => problems.push({ ...p, severity: 'error' });

  const nodes = new Map<string, (typeof wf.nodes)[number]>();
  for (const node of wf.nodes) {
    if (nodes.has(node.id)) err({ code: 'duplicate_node_id', nodeId: node.id, message: `node id ${node.id} is used more than once` });
    else nodes.set(node.id, node);
  }
  const edgeIds = new Set<string>();
  const incoming = new Map<string, string[]>();
  const outgoing = new Map<string, string[]>();
  for (const edge of wf.edges) {
    if (edgeIds.has(edge.id)) err({ code: 'duplicate_edge_id', edgeId: edge.id, message: `edge id ${edge.id} is used more than once` });
    edgeIds.add(edge.id);
    for (const end of ['source', 'target'] as const) {
      if (!nodes.has(edge[end])) {
        err({ code: 'dangling_edge', edgeId: edge.id, field: end, message: `edge ${edge.id} ${end} ${edge[end]} is not a node of this workflow` });
      }
    }
    if (!nodes.has(edge.source) || !nodes.has(edge.target)) continue;
    (outgoing.get(edge.source) ?? outgoing.set(edge.source, []).get(edge.source)!).push(edge.target);
    (incoming.get(edge.target) ?? incoming.set(edge.target, []).get(edge.target)!).push(edge.source);

    const def = registry.get(nodes.get(edge.source)!.type);
    const handle = edge.sourceHandle;
    if (def && handle) {
      const data = nodes.get(edge.source)!.data;
      const branching = def.branches !== undefined && (TRUE_HANDLES.has(handle) || FALSE_HANDLES.has(handle));
      const errorBranch = handle === 'error' && data.onError === 'branch';
      if (!branching && !errorBranch) {
        const allowed = [...(def.branches ? def.branches.split('/') : []), ...(data.onError === 'branch' ? ['error'] : [])];
        err({
          code: 'invalid_handle', edgeId: edge.id, nodeId: edge.source, field: 'sourceHandle',
          message: `edge ${edge.id}: ${edge.source} (${def.type}) has no '${handle}' output` +
            (allowed.length ? ` (it has ${allowed.join(', ')})` : ' (it has no branch outputs)'),
        });
      }
    }
  }

  const triggers: string[] = [];
  for (const node of nodes.values()) {
    const def = registry.get(node.type);
    if (!def) {
      err({ code: 'unknown_node_type', nodeId: node.id, field: 'type', message: `${node.id}: unknown node type '${node.type}'` });
      continue;
    }
    if (def.trigger) triggers.push(node.id);
    problems.push(...checkFields(node.id, def, node.data));
    const inputCount = incoming.get(node.id)?.length ?? 0;
    const { min = 0, max = Infinity } = def.inputs ?? {};
    if (inputCount < min || inputCount > max) {
      const want = min === max ? `exactly ${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
      err({ code: 'gate_inputs', nodeId: node.id, message: `${node.id} (${def.type}) needs ${want} input${max === 1 ? '' : 's'}, it has ${inputCount}` });
    }
  }

  if (triggers.length === 0 && wf.nodes.length > 0) {
    err({ code: 'no_trigger', message: 'the workflow has no trigger node (start, webhookTrigger, priceAlert or orderUpdateTrigger)' });
  } else if (wf.nodes.length === 0) {
    err({ code: 'no_trigger', message: 'the workflow has no nodes' });
  }

  for (const nodeId of findCycle(nodes.keys(), outgoing)) {
    err({ code: 'cycle', nodeId, message: `${nodeId} is part of a cycle; workflows must be acyclic` });
  }

  const reached = reachable(triggers, outgoing);
  for (const node of nodes.values()) {
    if (!reached.has(node.id) && node.type !== 'group' && registry.has(node.type)) {
      problems.push({ code: 'unreachable_node', severity: 'warning', nodeId: node.id, message: `${node.id} (${node.type}) is not reachable from any trigger and will never run` });
    }
  }

  return { valid: !problems.some((p) => p.severity === 'error'), workflow: wf, problems };
}

/** Parses every declared field whose value is known now; reports each failure with its field. */
export function checkFields(nodeId: string, def: NodeDefinition, rawData: Record<string, unknown>): Problem[] {
  const problems: Problem[] = [];
  const data = normalizeData(def, rawData);
  const params: Record<string, unknown> = {};
  let complete = true;
  for (const [field, spec] of Object.entries(def.fields)) {
    const raw = data[field];
    if (hasTemplate(raw)) {
      complete = false;
      continue;
    }
    try {
      params[field] = spec.parse(raw);
    } catch (e) {
      complete = false;
      if (!(e instanceof FieldError)) throw e;
      problems.push({ code: 'invalid_field', severity: 'error', nodeId, field, message: `${nodeId} ${def.type}: ${field} ${e.message}` });
    }
  }
  if (complete && def.check) {
    for (const p of def.check(params as never)) {
      problems.push({ code: 'invalid_field', severity: 'error', nodeId, field: p.field, message: `${nodeId} ${def.type}: ${p.field} ${p.message}` });
    }
  }
  return problems;
}

function reachable(starts: string[], outgoing: Map<string, string[]>): Set<string> {
  const seen = new Set(starts);
  const stack = [...starts];
  while (stack.length) {
    for (const next of outgoing.get(stack.pop()!) ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        stack.push(next);
      }
    }
  }
  return seen;
}

/** Nodes that sit on a cycle (Kahn's algorithm leaves them with unresolved in-degree). */
function findCycle(ids: Iterable<string>, outgoing: Map<string, string[]>): string[] {
  const indegree = new Map<string, number>();
  for (const id of ids) indegree.set(id, 0);
  for (const targets of outgoing.values()) for (const t of targets) indegree.set(t, (indegree.get(t) ?? 0) + 1);
  const queue = [...indegree].filter(([, d]) => d === 0).map(([id]) => id);
  while (queue.length) {
    for (const t of outgoing.get(queue.pop()!) ?? []) {
      const d = indegree.get(t)! - 1;
      indegree.set(t, d);
      if (d === 0) queue.push(t);
    }
  }
  const left = new Set([...indegree].filter(([, d]) => d > 0).map(([id]) => id));
  // Report only nodes actually on a cycle, not those merely downstream of one.
  return [...left].filter((id) => canReach(id, id, outgoing, left));
}

function canReach(from: string, to: string, outgoing: Map<string, string[]>, within: Set<string>): boolean {
  const seen = new Set<string>();
  const stack = [...(outgoing.get(from) ?? [])];
  while (stack.length) {
    const n = stack.pop()!;
    if (n === to) return true;
    if (seen.has(n) || !within.has(n)) continue;
    seen.add(n);
    stack.push(...(outgoing.get(n) ?? []));
  }
  return false;
}

function describePath(input: unknown, path: PropertyKey[]): { label: string; ids: Partial<Problem> } {
  const [top, index, ...rest] = path;
  const label = path.length ? path.map(String).join('.') : 'workflow';
  if ((top === 'nodes' || top === 'edges') && typeof index === 'number') {
    const list = (input as Record<string, unknown>)?.[top];
    const item = Array.isArray(list) ? (list[index] as Record<string, unknown> | undefined) : undefined;
    const id = typeof item?.id === 'string' ? item.id : `#${index}`;
    const field = rest.length ? rest.map(String).join('.') : undefined;
    const ids: Partial<Problem> = top === 'nodes' ? { nodeId: id, field } : { edgeId: id, field };
    return { label: `${top === 'nodes' ? 'node' : 'edge'} ${id}${field ? ` ${field}` : ''}`, ids };
  }
  return { label, ids: path.length ? { field: path.map(String).join('.') } : {} };
}
