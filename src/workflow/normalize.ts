// Accepts the seed's older field names (DESIGN.md §3) by mapping them to the editor's names.

import type { NodeDefinition } from '../nodes/types.js';

/** Returns `data` with aliased keys renamed; the current name wins when both are present. */
export function normalizeData(def: NodeDefinition, data: Record<string, unknown>): Record<string, unknown> {
  if (!def.aliases) return data;
  let out: Record<string, unknown> | null = null;
  for (const [oldName, newName] of Object.entries(def.aliases)) {
    if (data[oldName] === undefined) continue;
    out ??= { ...data };
    if (out[newName] === undefined || out[newName] === '') out[newName] = data[oldName];
  }
  return out ?? data;
}
