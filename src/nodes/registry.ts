// The node registry: type name → definition. Adding a node type touches its family file and nothing else.

import { describeField } from '../contract/fields.js';
import type { NodeDefinition } from './types.js';
import { nodes as triggers } from './triggers.js';
import { nodes as orders } from './orders.js';
import { nodes as conditions } from './conditions.js';
import { nodes as data } from './data.js';
import { nodes as utility } from './utility.js';
import { nodes as streaming } from './streaming.js';

export type Registry = ReadonlyMap<string, NodeDefinition>;

export function createRegistry(defs: Iterable<NodeDefinition<any>>): Registry {
  const map = new Map<string, NodeDefinition>();
  for (const def of defs) {
    if (map.has(def.type)) throw new Error(`node type ${def.type} is defined twice`);
    map.set(def.type, def as NodeDefinition);
  }
  return map;
}

/** Every node type Flow knows, by family. */
export const defaultRegistry: Registry = createRegistry([...triggers, ...orders, ...conditions, ...data, ...utility, ...streaming]);

/** Fields every node accepts, handled by the engine rather than by the node. */
export const COMMON_FIELDS = [
  { name: 'label', kind: 'string', label: 'Label' },
  { name: 'outputVariable', kind: 'string', label: 'Output variable' },
  { name: 'onError', kind: 'enum', label: 'On error', options: ['stop', 'continue', 'branch'], default: 'stop' },
] as const;

/** The node catalogue served to the editor (GET /api/nodes): fields, types, defaults, enums, handles. */
export function catalogue(registry: Registry = defaultRegistry): Array<Record<string, unknown>> {
  return [...registry.values()].map((def) => ({
    type: def.type,
    category: def.category,
    label: def.label,
    description: def.description,
    trigger: def.trigger ?? null,
    gate: def.gate ?? false,
    handles: def.branches ? def.branches.split('/') : [],
    aliases: def.aliases ?? {},
    fields: [...Object.entries(def.fields).map(([name, spec]) => describeField(name, spec)), ...COMMON_FIELDS],
    ...(def.outputs ? { outputs: def.outputs } : {}),
  }));
}
