// References to a node's output that the node does not produce (`{{entry.price}}` where placeOrder
// answers status and orderid), flagged as warnings before saving: saving is not blocked, and at run
// time such a reference stays as written (the step carries a note).

import { compileTemplate } from '../../../src/contract/template';
import type { NodeType, Problem, WfNode } from '../types';

interface Producers {
  keys: Set<string>;
  names: string[];
}

function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) strings(v, out);
  return out;
}

/**
 * One warning per reference `{{name.key}}` whose `name` is the output variable of nodes that all
 * declare their output keys (the catalogue's `outputs`) and none of which has `key`. A variable
 * also set by a node that declares nothing (a Variable node, an HTTP request) is not checked.
 */
export function unknownOutputReferences(nodes: ReadonlyArray<WfNode>, catalogue: ReadonlyMap<string, NodeType>): Problem[] {
  const byVariable = new Map<string, Producers | null>();
  for (const n of nodes) {
    const set = n.type === 'variable' ? n.data.variableName : n.data.outputVariable;
    const name = typeof set === 'string' ? set.trim() : '';
    if (!name) continue;
    const def = catalogue.get(n.type);
    const outputs = n.type === 'variable' ? undefined : def?.outputs;
    const seen = byVariable.get(name);
    if (!outputs || seen === null) {
      byVariable.set(name, null);
      continue;
    }
    const label = `${String(n.data.label || def?.label || n.type)} (${n.id})`;
    if (seen) {
      for (const k of outputs) seen.keys.add(k);
      seen.names.push(label);
    } else byVariable.set(name, { keys: new Set(outputs), names: [label] });
  }

  const out: Problem[] = [];
  for (const n of nodes) {
    for (const [field, value] of Object.entries(n.data)) {
      for (const text of strings(value)) {
        for (const part of compileTemplate(text)?.parts ?? []) {
          if (!('path' in part)) continue;
          const [root, key] = part.path;
          const producers = byVariable.get(String(root));
          if (!producers || typeof key !== 'string' || producers.keys.has(key)) continue;
          out.push({
            code: 'unknown_output', severity: 'warning', nodeId: n.id, field,
            message: `${part.raw} refers to '${key}', which ${producers.names.join(' / ')} does not answer (it answers ${[...producers.keys].join(', ')})`,
          });
        }
      }
    }
  }
  return out;
}
