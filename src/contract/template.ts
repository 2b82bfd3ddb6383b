// The `{{path}}` template grammar (DESIGN.md §4), shared by the engine (which resolves templates),
// workflow validation (which leaves them to run time) and the editor. Templates are parsed once
// and cached; nothing in a template is ever evaluated as code.

export type Segment = string | number;
export type Part = { text: string } | { path: Segment[]; raw: string };

export interface Template {
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

/** A string's template, or null when it holds no well-formed `{{path}}` (then it is plain text). */
export function compileTemplate(text: string): Template | null {
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

/** True when a value holds a `{{...}}` reference anywhere (checked at run time, not at validation). */
export function hasTemplate(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('{{') && compileTemplate(value) !== null;
  if (Array.isArray(value)) return value.some(hasTemplate);
  if (value !== null && typeof value === 'object') return Object.values(value).some(hasTemplate);
  return false;
}
