// The node catalogue (GET /api/nodes), fetched once per page load, and how the editor groups it.

import { useEffect, useState } from 'react';
import { api } from '../api';
import type { Category, NodeType } from '../types';

export const CATEGORIES: Array<{ id: Category; label: string }> = [
  { id: 'trigger', label: 'Triggers' },
  { id: 'order', label: 'Orders' },
  { id: 'condition', label: 'Conditions' },
  { id: 'data', label: 'Data' },
  { id: 'utility', label: 'Utility' },
];

/** Fields every node has; the side panel shows them apart from the node's own. */
export const COMMON_FIELDS = new Set(['label', 'outputVariable', 'onError']);

export type Catalogue = ReadonlyMap<string, NodeType>;

let loading: Promise<Catalogue> | null = null;

export function loadCatalogue(): Promise<Catalogue> {
  loading ??= api.nodes().then((nodes) => new Map(nodes.map((n) => [n.type, n])));
  loading.catch(() => {
    loading = null;
  });
  return loading;
}

export function useCatalogue(): { catalogue: Catalogue | null; error: string | null } {
  const [catalogue, setCatalogue] = useState<Catalogue | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    loadCatalogue().then((c) => live && setCatalogue(c), (e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, []);
  return { catalogue, error };
}

/** The data a new node starts with: its own fields' defaults, so the form shows what will run. */
export function defaultData(def: NodeType): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const field of def.fields) {
    if (COMMON_FIELDS.has(field.name) || field.default === undefined) continue;
    data[field.name] = Array.isArray(field.default) ? [...field.default] : field.default;
  }
  return data;
}

/** Groups the catalogue by category, in palette order, optionally filtered by a search text. */
export function groupByCategory(catalogue: Catalogue, search = ''): Array<{ id: Category; label: string; nodes: NodeType[] }> {
  const q = search.trim().toLowerCase();
  const match = (n: NodeType) => !q || n.label.toLowerCase().includes(q) || n.type.toLowerCase().includes(q) || n.description.toLowerCase().includes(q);
  return CATEGORIES.map((c) => ({ ...c, nodes: [...catalogue.values()].filter((n) => n.category === c.id && match(n)) }))
    .filter((g) => g.nodes.length > 0);
}
