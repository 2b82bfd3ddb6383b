// `{{…}}` suggestions for a node's fields: the fields of upstream nodes' outputs (from the catalogue's
// output shape when it has one, the paths its descriptions name, and what the last run returned),
// then each whole output, the webhook payload, and the interpolation built-ins.

import type { NodeType, WfEdge, WfNode } from '../types';
import { ancestors } from './graph';
import { webhookKeys } from './tradingview';

export interface Suggestion {
  value: string;
  hint: string;
}

const WEBHOOK_KEYS = ['symbol', 'action', 'quantity', 'price', 'exchange'];
const BUILTINS = ['timestamp', 'date', 'time', 'session_date', 'weekday', 'hour', 'minute', 'iso_timestamp'];
const MAX_PATHS = 40;

/** Paths into a value as `{{…}}` writes them (`data.ltp`, `legs[0].symbol`), parents before children. */
export function valuePaths(value: unknown, depth = 4): Array<{ path: string; sample: unknown }> {
  const out: Array<{ path: string; sample: unknown }> = [];
  const walk = (v: unknown, path: string, d: number) => {
    if (out.length >= MAX_PATHS) return;
    if (path) out.push({ path, sample: v });
    if (d === 0 || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      if (v.length) walk(v[0], `${path}[0]`, d - 1);
      return;
    }
    for (const [k, child] of Object.entries(v)) if (/^[A-Za-z_]\w*$/.test(k)) walk(child, path ? `${path}.${k}` : k, d - 1);
  };
  walk(value, '', depth);
  return out;
}

/** The top-level keys of a node's result, where the catalogue declares them (an order's `orderid`, a quote's `data`). */
export function declaredPaths(def: NodeType | undefined): string[] {
  return def?.outputs ?? [];
}

const sampleText = (v: unknown) => {
  const t = typeof v === 'string' ? v : JSON.stringify(v);
  return t.length > 24 ? `${t.slice(0, 23)}…` : t;
};

/** Paths a node's description mentions as `{{name.path}}`, e.g. getQuote's `data.ltp`. */
export function describedPaths(description: string): string[] {
  const out: string[] = [];
  for (const m of description.matchAll(/\{\{name((?:\.[A-Za-z0-9_]+)*)\}\}/g)) {
    if (m[1] && !out.includes(m[1].slice(1))) out.push(m[1].slice(1));
  }
  return out;
}

/**
 * `lastOutputs`: each node's output in the latest run that reached it (node id → output), for the
 * fields no catalogue entry names.
 */
export function templateSuggestions(nodeId: string, nodes: ReadonlyArray<WfNode>, edges: ReadonlyArray<WfEdge>, catalogue: ReadonlyMap<string, NodeType>,
  lastOutputs: ReadonlyMap<string, unknown> = new Map()): Suggestion[] {
  const out: Suggestion[] = [];
  const add = (value: string, hint: string) => {
    if (!out.some((s) => s.value === value)) out.push({ value, hint });
  };
  const byId = new Map(nodes.map((n) => [n.id, n]));
  for (const id of ancestors(nodeId, edges)) {
    const node = byId.get(id);
    if (!node) continue;
    const def = catalogue.get(node.type);
    const label = String(node.data.label || def?.label || node.type);
    if (node.type === 'variable' && typeof node.data.variableName === 'string' && node.data.variableName) {
      add(`{{${node.data.variableName}}}`, `variable set by ${label}`);
    }
    const raw = node.data.outputVariable;
    if (typeof raw !== 'string' || !raw.trim()) continue;
    const v = raw.trim();
    // Fields first: the whole object is rarely what a message or an order field wants. A field seen
    // in the last run comes with the value it had.
    if (lastOutputs.has(id)) for (const p of valuePaths(lastOutputs.get(id))) add(`{{${v}.${p.path}}}`, `${label} · last run: ${sampleText(p.sample)}`);
    const paths = [...declaredPaths(def), ...(def ? describedPaths(def.description) : [])];
    for (const p of paths) add(`{{${v}.${p}}}`, `field of ${label}`);
    add(`{{${v}}}`, `whole output of ${label}`);
  }
  if (nodes.some((n) => n.type === 'webhookTrigger')) {
    for (const k of [...WEBHOOK_KEYS, ...webhookKeys(nodes)]) add(`{{webhook.${k}}}`, 'alert payload');
  }
  for (const b of BUILTINS) add(`{{${b}}}`, 'built-in (exchange time)');
  return out;
}

/** The `{{` being typed at the caret, if any: where it starts and what follows it. */
export function openTemplate(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const start = before.lastIndexOf('{{');
  if (start < 0 || before.slice(start).includes('}}')) return null;
  const query = before.slice(start + 2);
  return /^[\w.\s]*$/.test(query) ? { start, query: query.trim() } : null;
}

export function filterSuggestions(list: Suggestion[], query: string): Suggestion[] {
  const q = query.toLowerCase();
  if (!q) return list;
  const inner = (s: Suggestion) => s.value.slice(2, -2).toLowerCase();
  return [...list.filter((s) => inner(s).startsWith(q)), ...list.filter((s) => !inner(s).startsWith(q) && inner(s).includes(q))];
}

/** Replaces the open `{{query` (and a `}}` right after the caret) with the chosen suggestion. */
export function applySuggestion(text: string, start: number, caret: number, value: string): { text: string; caret: number } {
  const rest = text.slice(caret).startsWith('}}') ? text.slice(caret + 2) : text.slice(caret);
  const next = text.slice(0, start) + value + rest;
  return { text: next, caret: start + value.length };
}
