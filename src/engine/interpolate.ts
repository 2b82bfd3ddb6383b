// `{{path}}` interpolation (DESIGN.md §4). Templates are parsed once and cached; resolution walks
// dotted keys and [n] indexes. Nothing is ever evaluated as code.

import { redact } from './redact.js';
import { builtins } from '../market/clock.js';

type Segment = string | number;
type Part = { text: string } | { path: Segment[]; raw: string };

interface Template {
  parts: Part[];
  /** The whole string is exactly one `{{...}}`: the resolved value keeps its type. */
  single: boolean;
}

const TOKEN = /\{\{\s*([^{}]*?)\s*\}\}/g;
const cache = new Map<string, Template | null>();
const CACHE_LIMIT = 20_000;

/** Parses `a.b[0].c` into ['a', 'b', 0, 'c']; null when the path is malformed. */
export function parsePath(path: string): Segment[] | null {
  const out: Segment[] = [];
  const re = /([^.[\]]+)|\[(\d+)\]|(\.)/g;
  let m: RegExpExecArray | null;
  let last = 0;
  let expectKey = true;
  while ((m = re.exec(path)) !== null) {
    if (m.index !== last) return null;
    last = re.lastIndex;
    if (m[1] !== undefined) {
      if (!expectKey) return null;
      out.push(m[1].trim());
      expectKey = false;
    } else if (m[2] !== undefined) {
      if (out.length === 0) return null;
      out.push(Number(m[2]));
    } else {
      if (expectKey) return null;
      expectKey = true;
    }
  }
  if (last !== path.length || out.length === 0 || expectKey) return null;
  return out;
}

function compile(text: string): Template | null {
  const hit = cache.get(text);
  if (hit !== undefined) return hit;
  let template: Template | null = null;
  if (text.includes('{{')) {
    const parts: Part[] = [];
    let last = 0;
    for (const m of text.matchAll(TOKEN)) {
      const index = m.index ?? 0;
      if (index > last) parts.push({ text: text.slice(last, index) });
      const path = parsePath(m[1]);
      parts.push(path ? { path, raw: m[0] } : { text: m[0] });
      last = index + m[0].length;
    }
    if (last < text.length) parts.push({ text: text.slice(last) });
    if (parts.some((p) => 'path' in p)) {
      template = { parts, single: parts.length === 1 && 'path' in parts[0] };
    }
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(text, template);
  return template;
}

export interface Scope {
  variables: Record<string, unknown>;
  webhook: Record<string, unknown>;
  now: Date;
  timezone: string;
}

const MISSING = Symbol('missing');

function walk(value: unknown, path: Segment[], from: number): unknown {
  let cur = value;
  for (let i = from; i < path.length; i++) {
    const seg = path[i];
    if (cur === null || cur === undefined) return MISSING;
    if (typeof seg === 'number') {
      if (!Array.isArray(cur) || seg >= cur.length) return MISSING;
      cur = cur[seg];
    } else if (typeof cur === 'object' && Object.prototype.hasOwnProperty.call(cur, seg)) {
      cur = (cur as Record<string, unknown>)[seg];
    } else {
      return MISSING;
    }
  }
  return cur === undefined || cur === null ? MISSING : cur;
}

// As OpenAlgo's WorkflowContext.interpolate: a built-in name wins over a variable of the same name,
// and a path that ends at null is unresolved (an order field holding it fails).
function resolve(path: Segment[], scope: Scope): unknown {
  const root = path[0] as string;
  if (path.length === 1) {
    const b = builtins(scope.now, scope.timezone) as Record<string, unknown>;
    if (Object.prototype.hasOwnProperty.call(b, root)) return b[root];
  }
  if (root === 'webhook') return path.length === 1 ? scope.webhook : walk(scope.webhook, path, 1);
  if (Object.prototype.hasOwnProperty.call(scope.variables, root)) return walk(scope.variables[root], path, 1);
  return MISSING;
}

/** Text of a value inside a longer string: objects as JSON (OpenAlgo shows Python's repr; see docs/openalgo-compatibility.md). */
function stringify(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null) return 'null';
  // An object rendered into text (`payload: {{webhook}}`) keeps no secret-named key's value.
  if (typeof value === 'object') return JSON.stringify(redact(value));
  return String(value);
}

export interface Interpolated<T = unknown> {
  value: T;
  /** Paths that did not resolve, as written (`webhook.qty`). */
  unresolved: string[];
}

/** Interpolates one string. Unresolved references stay literal and are reported. */
export function interpolateString(text: string, scope: Scope, unresolved: string[]): unknown {
  const t = compile(text);
  if (!t) return text;
  if (t.single) {
    const part = t.parts[0] as { path: Segment[]; raw: string };
    const v = resolve(part.path, scope);
    if (v === MISSING) {
      unresolved.push(part.raw.slice(2, -2).trim());
      return text;
    }
    return v;
  }
  let out = '';
  for (const p of t.parts) {
    if ('text' in p) {
      out += p.text;
      continue;
    }
    const v = resolve(p.path, scope);
    if (v === MISSING) {
      unresolved.push(p.raw.slice(2, -2).trim());
      out += p.raw;
    } else {
      out += stringify(v);
    }
  }
  return out;
}

/** Interpolates strings anywhere inside a value (objects and arrays are copied, never mutated). */
export function interpolateDeep(value: unknown, scope: Scope, unresolved: string[]): unknown {
  if (typeof value === 'string') return interpolateString(value, scope, unresolved);
  if (Array.isArray(value)) return value.map((v) => interpolateDeep(v, scope, unresolved));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = interpolateDeep(v, scope, unresolved);
    return out;
  }
  return value;
}

/** True when a value holds a `{{...}}` reference anywhere (checked at run time, not at validation). */
export function hasTemplate(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('{{') && compile(value) !== null;
  if (Array.isArray(value)) return value.some(hasTemplate);
  if (value !== null && typeof value === 'object') return Object.values(value).some(hasTemplate);
  return false;
}
