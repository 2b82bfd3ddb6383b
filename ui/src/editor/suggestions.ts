// `{{…}}` suggestions for a node's fields: outputs of upstream nodes (their outputVariable and the
// paths their catalogue descriptions name), the webhook payload, and the interpolation built-ins.

import type { NodeType, WfEdge, WfNode } from '../types';
import { ancestors } from './graph';
import { webhookKeys } from './tradingview';

export interface Suggestion {
  value: string;
  hint: string;
}

const WEBHOOK_KEYS = ['symbol', 'action', 'quantity', 'price', 'exchange'];
const BUILTINS = ['timestamp', 'date', 'time', 'session_date', 'weekday', 'hour', 'minute', 'iso_timestamp'];
const ORDER_PATHS = ['orderid'];

/** Paths a node's description mentions as `{{name.path}}`, e.g. getQuote's `data.ltp`. */
export function describedPaths(description: string): string[] {
  const out: string[] = [];
  for (const m of description.matchAll(/\{\{name((?:\.[A-Za-z0-9_]+)*)\}\}/g)) {
    if (m[1] && !out.includes(m[1].slice(1))) out.push(m[1].slice(1));
  }
  return out;
}

export function templateSuggestions(nodeId: string, nodes: ReadonlyArray<WfNode>, edges: ReadonlyArray<WfEdge>, catalogue: ReadonlyMap<string, NodeType>): Suggestion[] {
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
    const v = node.data.outputVariable;
    if (typeof v !== 'string' || !v.trim()) continue;
    add(`{{${v}}}`, `output of ${label}`);
    const paths = [...(def ? describedPaths(def.description) : []), ...(def?.category === 'order' ? ORDER_PATHS : [])];
    for (const p of paths) add(`{{${v}.${p}}}`, `${label}`);
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
