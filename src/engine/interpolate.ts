// `{{path}}` interpolation (DESIGN.md §4). The grammar is src/contract/template.ts; resolution walks
// dotted keys and [n] indexes. Nothing is ever evaluated as code.

import { compileTemplate, type Segment } from '../contract/template.js';
import { redact } from './redact.js';
import { builtins } from '../market/clock.js';

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
  const t = compileTemplate(text);
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
