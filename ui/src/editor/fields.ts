// Instant checks of one field against its catalogue spec, worded exactly as the server words them
// (src/nodes/fields.ts), plus the conversion between a form input's text and the stored value.

import type { FieldDef } from '../types';

const TEMPLATE = /\{\{[^{}]*\}\}/;

/** True when the value holds a `{{…}}` reference; such values are only checked at run time. */
export function hasTemplate(value: unknown): boolean {
  if (typeof value === 'string') return TEMPLATE.test(value);
  if (Array.isArray(value)) return value.some(hasTemplate);
  if (value !== null && typeof value === 'object') return Object.values(value).some(hasTemplate);
  return false;
}

const isBlank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
const show = (v: unknown) => (typeof v === 'string' ? `'${v}'` : JSON.stringify(v));
const NUMBER = /^\s*[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?\s*$/i;

function toNumber(v: unknown): number | string {
  if (typeof v === 'number') return Number.isFinite(v) ? v : `${show(v)} is not a number`;
  if (typeof v === 'string' && NUMBER.test(v)) return Number(v);
  return `${show(v)} is not a number`;
}

function bounds(n: number, min?: number, max?: number): string | null {
  if (min !== undefined && n < min) return `must be at least ${min} (got ${n})`;
  if (max !== undefined && n > max) return `must be at most ${max} (got ${n})`;
  return null;
}

/** The problem with a field's value, or null. Mirrors the server's parse so both say the same thing. */
export function checkField(def: FieldDef, raw: unknown): string | null {
  if (hasTemplate(raw)) return null;
  if (isBlank(raw)) return def.default === undefined && def.required ? 'is required' : null;
  switch (def.kind) {
    case 'string':
    case 'text':
      // Text fields may have their own rules (symbols, expiries) that only the server knows; its live validation words those.
      return null;
    case 'number': {
      const n = toNumber(raw);
      return typeof n === 'string' ? n : bounds(n, def.min, def.max);
    }
    case 'integer': {
      const n = toNumber(raw);
      if (typeof n === 'string') return n;
      if (!Number.isInteger(n)) return `${show(raw)} is not a whole number`;
      return bounds(n, def.min, def.max);
    }
    case 'boolean':
      return [true, false, 1, 0, 'true', 'false', '1', '0', 'yes', 'no'].includes(raw as never) ? null : `${show(raw)} is not true or false`;
    case 'enum': {
      const options = def.options ?? [];
      const ok = (typeof raw === 'string' || typeof raw === 'number') && options.some((o) => o.toLowerCase() === String(raw).trim().toLowerCase());
      return ok ? null : `${show(raw)} is not one of ${options.join(', ')}`;
    }
    case 'time': {
      const m = typeof raw === 'string' ? /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(raw.trim()) : null;
      return !m || Number(m[1]) > 23 || Number(m[2]) > 59 ? `${show(raw)} is not a time (HH:MM)` : null;
    }
    case 'date': {
      const m = typeof raw === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(raw.trim()) : null;
      return !m || Number(m[2]) < 1 || Number(m[2]) > 12 || Number(m[3]) < 1 || Number(m[3]) > 31 ? `${show(raw)} is not a date (YYYY-MM-DD)` : null;
    }
    case 'json':
      // JSON fields have shapes of their own (legs, params); the server's live validation words those.
      return null;
    case 'list': {
      // Day lists take names as well as numbers (the form offers only valid days); the server checks them.
      if (def.options) return null;
      const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',').map((s) => s.trim()).filter(Boolean) : null;
      if (!items) return `${show(raw)} is not a list`;
      for (const x of items) {
        const n = toNumber(x);
        if (typeof n === 'string') return n;
        if (!Number.isInteger(n)) return `${show(x)} is not a whole number`;
        const b = bounds(n, def.min, def.max);
        if (b) return b;
      }
      return null;
    }
    default:
      return null;
  }
}

/** The text a form input shows for a stored value. */
export function toInput(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'number')) return value.join(', ');
  return JSON.stringify(value, null, 2);
}

/** The value stored for a form input's text: numbers as numbers, JSON parsed, blank removed (undefined). */
export function fromInput(def: FieldDef, text: string): unknown {
  if (text.trim() === '') return undefined;
  switch (def.kind) {
    case 'number':
    case 'integer':
      return NUMBER.test(text) ? Number(text) : text;
    case 'json': {
      const s = text.trim();
      if (/^([{["\d-]|true$|false$|null$)/.test(s)) {
        try {
          return JSON.parse(s);
        } catch {
          return text;
        }
      }
      return text;
    }
    case 'list': {
      const parts = text.split(',').map((s) => s.trim()).filter(Boolean);
      return parts.every((p) => NUMBER.test(p)) ? parts.map(Number) : text;
    }
    default:
      return text;
  }
}

/** The server's message for a field, without its "node_3 placeOrder: quantity " prefix. */
export function fieldMessage(message: string, nodeId: string, type: string, field: string): string {
  const prefix = `${nodeId} ${type}: ${field} `;
  return message.startsWith(prefix) ? message.slice(prefix.length) : message;
}
