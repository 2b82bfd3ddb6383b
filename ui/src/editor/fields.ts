// Instant checks of one field against its catalogue spec, worded exactly as the server words them
// (the field parsers of src/contract/fields.ts), plus the conversion between a form input's text
// and the stored value. The UI imports from src/contract/ only, never from the server's modules.

import { FieldError, fieldFromDescription } from '../../../src/contract/fields';
import { NUMERIC } from '../../../src/contract/number';
import { hasTemplate } from '../../../src/contract/template';
import type { FieldDef } from '../types';

const isBlank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

/** The problem with a field's value, or null: the server's own parser says it, in its words. Values holding a `{{…}}` reference are checked at run time. */
export function checkField(def: FieldDef, raw: unknown): string | null {
  if (hasTemplate(raw)) return null;
  if (isBlank(raw)) return def.default === undefined && def.required ? 'is required' : null;
  const spec = fieldFromDescription(def);
  if (!spec) return null; // text, JSON shapes and day names: the server's live validation words those
  try {
    spec.parse(raw);
    return null;
  } catch (e) {
    if (e instanceof FieldError) return e.message;
    throw e;
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
      return NUMERIC.test(text) ? Number(text) : text;
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
      return parts.every((p) => NUMERIC.test(p)) ? parts.map(Number) : text;
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
