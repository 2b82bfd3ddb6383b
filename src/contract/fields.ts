// Field specs: one declaration per node field that is at once the run-time coercion, the
// static validation, the TypeScript type of a node's params and the editor's form (GET /api/nodes).
// The editor rebuilds a field from its description (fieldFromDescription) to check values with the
// same parsers and words as the server.

import { parseNumber } from './number.js';
import { redact } from './redact.js';

export class FieldError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FieldError';
  }
}

export type FieldKind =
  | 'string' | 'text' | 'number' | 'integer' | 'boolean' | 'enum' | 'time' | 'date' | 'datetime' | 'json' | 'list';

export interface FieldSpec<T = unknown> {
  kind: FieldKind;
  label?: string;
  description?: string;
  default?: T;
  required?: boolean;
  options?: readonly string[];
  min?: number;
  max?: number;
  /** The value must be greater than this (a "positive" number has exclusiveMin 0). */
  exclusiveMin?: number;
  /** An enum's other accepted spellings (lower case), each to its option (`lt` → `<`). */
  aliases?: Readonly<Record<string, string>>;
  /** Converts a raw (already interpolated) value; throws FieldError with a message a trader can act on. */
  parse(raw: unknown): T;
  /** A fraction is truncated toward zero (quantities), rather than refused. */
  truncates?: boolean;
  /** A note on how the value was coerced (a fraction truncated), which the run records on the step. */
  notice?(raw: unknown, value: T): string | undefined;
  /**
   * Order-defining (symbol, quantity, price, …): a `{{...}}` in it that does not resolve fails the
   * node before any broker call, where elsewhere it is used as written.
   */
  order?: boolean;
}

export type Fields = Record<string, FieldSpec<any>>;
export type ParamsOf<F extends Fields> = { [K in keyof F]: F[K] extends FieldSpec<infer T> ? T : never };

export interface Common<T> {
  label?: string;
  description?: string;
  default?: T;
  required?: boolean;
}

const isBlank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
const show = (v: unknown) => (typeof v === 'string' ? `'${v}'` : JSON.stringify(redact(v)));

/** A FieldSpec from a converter, with the DSL's blank/default/required rules. */
export function customField<T>(kind: FieldKind, opts: Common<T> & { options?: readonly string[]; min?: number; max?: number }, convert: (v: unknown) => T): FieldSpec<T> {
  return {
    kind,
    ...opts,
    parse(raw) {
      if (isBlank(raw)) {
        if (opts.default !== undefined) return opts.default;
        if (opts.required) throw new FieldError('is required');
        return undefined as T;
      }
      return convert(raw);
    },
  };
}

/** parseNumber for a field: a value that is not a number is the trader's mistake, said in words. */
function toNumber(v: unknown): number {
  const n = parseNumber(v);
  if (n === null) throw new FieldError(`${show(v)} is not a number`);
  return n;
}

const fractional = (v: unknown) => {
  try {
    return !Number.isInteger(toNumber(v));
  } catch {
    return false;
  }
};

function bounded(n: number, min?: number, max?: number, exclusiveMin?: boolean): number {
  if (min !== undefined && (exclusiveMin ? n <= min : n < min)) {
    throw new FieldError(exclusiveMin ? `must be greater than ${min} (got ${n})` : `must be at least ${min} (got ${n})`);
  }
  if (max !== undefined && n > max) throw new FieldError(`must be at most ${max} (got ${n})`);
  return n;
}

export const f = {
  string(opts: Common<string> = {}): FieldSpec<string> {
    return customField('string', opts, (v) => {
      if (typeof v === 'string') return v;
      if (typeof v === 'number' || typeof v === 'boolean') return String(v);
      throw new FieldError(`${show(v)} is not text`);
    });
  },
  text(opts: Common<string> = {}): FieldSpec<string> {
    return { ...f.string(opts), kind: 'text' };
  },
  number(opts: Common<number> & { min?: number; max?: number; positive?: boolean } = {}): FieldSpec<number> {
    const { positive, ...rest } = opts;
    const field = customField('number', rest, (v) => bounded(toNumber(v), positive ? 0 : opts.min, opts.max, positive));
    return positive ? { ...field, exclusiveMin: 0 } : field;
  },
  integer(opts: Common<number> & { min?: number; max?: number } = {}): FieldSpec<number> {
    return customField('integer', opts, (v) => {
      const n = toNumber(v);
      if (!Number.isInteger(n)) throw new FieldError(`${show(v)} is not a whole number`);
      return bounded(n, opts.min, opts.max);
    });
  },
  /**
   * A whole count of shares, lots or units. A fraction is truncated toward zero as OpenAlgo's
   * int(float(x)) does (12.7 → 12), with a notice; the bounds apply to the truncated value.
   */
  quantity(opts: Common<number> & { min?: number; max?: number } = {}): FieldSpec<number> {
    return {
      // Described as a number: the editor accepts 12.7 as the run does (and truncates it).
      ...customField('number', opts, (v) => {
        const n = toNumber(v);
        const whole = Math.trunc(n) || 0; // -0 → 0
        if (whole !== n && opts.min !== undefined && whole < opts.min) {
          throw new FieldError(`must be at least ${opts.min} (got ${n}, which truncates to ${whole})`);
        }
        return bounded(whole, opts.min, opts.max);
      }),
      truncates: true,
      notice: (raw, value) => (typeof value === 'number' && !isBlank(raw) && fractional(raw) ? `${show(raw)} truncated to ${value} (a whole quantity, as OpenAlgo)` : undefined),
    };
  },
  boolean(opts: Common<boolean> = {}): FieldSpec<boolean> {
    return customField('boolean', opts, (v) => {
      if (typeof v === 'boolean') return v;
      if (v === 1 || v === 'true' || v === '1' || v === 'yes') return true;
      if (v === 0 || v === 'false' || v === '0' || v === 'no') return false;
      throw new FieldError(`${show(v)} is not true or false`);
    });
  },
  /** An enumerated constant, matched case-insensitively and returned in its canonical spelling. */
  /** One of `options`, any case; `aliases` are older or other spellings taken for an option. */
  enum<const O extends readonly string[]>(options: O, opts: Common<O[number]> & { aliases?: Readonly<Record<string, O[number]>> } = {}): FieldSpec<O[number]> {
    const byKey = new Map<string, O[number]>(options.map((o) => [o.toLowerCase(), o]));
    const aliases: Record<string, O[number]> = {};
    for (const [k, v] of Object.entries(opts.aliases ?? {})) {
      aliases[k.toLowerCase()] = v;
      byKey.set(k.toLowerCase(), v);
    }
    return customField('enum', { ...opts, options, ...(opts.aliases ? { aliases } : {}) }, (v) => {
      const hit = typeof v === 'string' || typeof v === 'number' ? byKey.get(String(v).trim().toLowerCase()) : undefined;
      if (hit === undefined) throw new FieldError(`${show(v)} is not one of ${options.join(', ')}`);
      return hit;
    });
  },
  /** HH:MM; with `seconds`, HH:MM:SS is kept whole (OpenAlgo's timeCondition and waitUntil honour seconds). */
  time(opts: Common<string> & { seconds?: boolean } = {}): FieldSpec<string> {
    const { seconds, ...rest } = opts;
    return customField('time', rest, (v) => {
      const m = typeof v === 'string' ? /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(v.trim()) : null;
      if (!m || Number(m[1]) > 23 || Number(m[2]) > 59 || Number(m[3] ?? 0) > 59) throw new FieldError(`${show(v)} is not a time (HH:MM)`);
      const hhmm = `${m[1].padStart(2, '0')}:${m[2]}`;
      return seconds && m[3] !== undefined ? `${hhmm}:${m[3]}` : hhmm;
    });
  },
  date(opts: Common<string> = {}): FieldSpec<string> {
    return customField('date', opts, (v) => {
      const s = typeof v === 'string' ? v.trim() : '';
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
      if (!m || Number(m[2]) < 1 || Number(m[2]) > 12 || Number(m[3]) < 1 || Number(m[3]) > 31) {
        throw new FieldError(`${show(v)} is not a date (YYYY-MM-DD)`);
      }
      return s;
    });
  },
  /** Any JSON value; a string that looks like JSON ({…} or […]) is parsed. */
  json<T = unknown>(opts: Common<T> = {}): FieldSpec<T> {
    return customField('json', opts, (v) => {
      if (typeof v === 'string') {
        const s = v.trim();
        if (s.startsWith('{') || s.startsWith('[')) {
          try {
            return JSON.parse(s) as T;
          } catch {
            throw new FieldError(`is not valid JSON`);
          }
        }
      }
      return v as T;
    });
  },
  /** A list of numbers (e.g. schedule days); accepts an array or "0,1,2". */
  numberList(opts: Common<number[]> & { min?: number; max?: number } = {}): FieldSpec<number[]> {
    return customField('list', opts, (v) => {
      const items = Array.isArray(v) ? v : typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : null;
      if (!items) throw new FieldError(`${show(v)} is not a list`);
      return items.map((x) => {
        const n = toNumber(x);
        if (!Number.isInteger(n)) throw new FieldError(`${show(x)} is not a whole number`);
        return bounded(n, opts.min, opts.max);
      });
    });
  },
};

/** Parses one object (a leg, a basket line) against field specs; errors name the item ("leg 2 quantity …"). */
export function parseObject<F extends Fields>(fields: F, data: Record<string, unknown>, item: string): ParamsOf<F> {
  const out: Record<string, unknown> = {};
  for (const [name, fieldSpec] of Object.entries(fields)) {
    try {
      out[name] = fieldSpec.parse(data[name]);
    } catch (e) {
      if (e instanceof FieldError) throw new FieldError(`${item} ${name} ${e.message}`);
      throw e;
    }
  }
  return out as ParamsOf<F>;
}

/** A plain, JSON-serialisable description of a field for the editor's catalogue. */
export function describeField(name: string, s: FieldSpec): Record<string, unknown> {
  const out: Record<string, unknown> = { name, kind: s.kind, label: s.label ?? name };
  if (s.description) out.description = s.description;
  if (s.default !== undefined) out.default = s.default;
  if (s.required) out.required = true;
  if (s.options) out.options = s.options;
  if (s.min !== undefined) out.min = s.min;
  if (s.max !== undefined) out.max = s.max;
  if (s.exclusiveMin !== undefined) out.exclusiveMin = s.exclusiveMin;
  if (s.truncates) out.truncates = true;
  if (s.aliases) out.aliases = s.aliases;
  return out;
}

/** A described field (GET /api/nodes) as it appears to the editor. */
export interface FieldDescription {
  kind: FieldKind;
  default?: unknown;
  required?: boolean;
  options?: readonly string[];
  min?: number;
  max?: number;
  exclusiveMin?: number;
  truncates?: boolean;
  aliases?: Readonly<Record<string, string>>;
}

/**
 * Rebuilds a field's generic checks from its description, so the browser checks a value with the
 * server's own parsers and words. Rules a description cannot carry (symbol patterns, JSON shapes,
 * day names) are left to the server: null for those kinds.
 */
export function fieldFromDescription(d: FieldDescription): FieldSpec | null {
  const common = { default: d.default as never, required: d.required };
  switch (d.kind) {
    case 'number':
      if (d.truncates) return f.quantity({ ...common, min: d.min, max: d.max });
      return d.exclusiveMin === 0 ? f.number({ ...common, max: d.max, positive: true }) : f.number({ ...common, min: d.min, max: d.max });
    case 'integer':
      return f.integer({ ...common, min: d.min, max: d.max });
    case 'boolean':
      return f.boolean(common);
    case 'enum':
      return d.options ? f.enum(d.options, { ...common, aliases: d.aliases }) : null;
    case 'time':
      return f.time(common);
    case 'date':
      return f.date(common);
    case 'list':
      return d.options ? null : f.numberList({ ...common, min: d.min, max: d.max });
    default:
      return null;
  }
}
