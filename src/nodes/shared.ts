// Pieces the node families share: field specs for order constants, day lists and enums with
// legacy spellings, and the one rule for turning a broker answer into a node result.

import { ACTIONS, EXCHANGES, PRICE_TYPES, PRODUCTS, type BrokerAnswer, type PriceType } from '../broker/types.js';
import { customField, f, FieldError, type Common, type FieldSpec } from '../contract/fields.js';
import type { NodeContext, NodeResult } from './types.js';

export const MAX_HISTORY_BARS = 200;

const show = (v: unknown) => (typeof v === 'string' ? `'${v}'` : JSON.stringify(v));

export { customField };

/** An enum that also accepts older spellings (e.g. the seed's `quantity_gt`), returned canonical. */
export function aliasedEnum<const O extends readonly string[]>(options: O, legacy: Record<string, O[number]>, opts: Common<O[number]> = {}): FieldSpec<O[number]> {
  return f.enum(options, { ...opts, aliases: legacy });
}

const DAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** Days of the week as numbers (0 = Monday … 6 = Sunday); accepts numbers, "0,1,2" or names ("mon", "Tuesday"). */
export function dayList(opts: Common<number[]> = {}): FieldSpec<number[]> {
  return customField('list', { ...opts, options: DAY_NAMES }, (v) => {
    const items = Array.isArray(v) ? v : typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : [v];
    const days = items.map((item) => {
      if (typeof item === 'number' || (typeof item === 'string' && /^\d+$/.test(item))) {
        const n = Number(item);
        if (!Number.isInteger(n) || n < 0 || n > 6) throw new FieldError(`day ${show(item)} is not 0 (Monday) to 6 (Sunday)`);
        return n;
      }
      const name = typeof item === 'string' ? item.trim().slice(0, 3).toLowerCase() : '';
      const n = DAY_NAMES.indexOf(name);
      if (n < 0) throw new FieldError(`${show(item)} is not a day of the week`);
      return n;
    });
    return [...new Set(days)].sort((a, b) => a - b);
  });
}

/** Any scalar or structure, kept as given (a `{{x}}` keeps x's type). */
export function anyValue(opts: Common<unknown> = {}): FieldSpec<unknown> {
  return customField('json', opts, (v) => v);
}

/** An option strike offset: ATM, ITM1..ITM50, OTM1..OTM50. */
export function offsetField(opts: Common<string> = {}): FieldSpec<string> {
  return customField('string', opts, (v) => {
    const s = typeof v === 'string' ? v.trim().toUpperCase() : '';
    const m = /^(ATM|ITM(\d{1,2})|OTM(\d{1,2}))$/.exec(s);
    const n = m ? Number(m[2] ?? m[3] ?? 1) : 0;
    if (!m || n < 1 || n > 50) throw new FieldError(`${show(v)} is not ATM, ITM1..ITM50 or OTM1..OTM50`);
    return s;
  });
}

/** An upper-cased, trimmed symbol. */
export function symbolField(opts: Common<string> = {}): FieldSpec<string> {
  return customField('string', { label: 'Symbol', ...opts }, (v) => {
    if (typeof v !== 'string' && typeof v !== 'number') throw new FieldError(`${show(v)} is not a symbol`);
    const s = String(v).trim().toUpperCase();
    if (!/^[^\s{}]+$/.test(s)) throw new FieldError(`${show(v)} is not a symbol`);
    return s;
  });
}

// ---- order constants --------------------------------------------------------

export const exchangeField = (def: (typeof EXCHANGES)[number] | undefined = 'NSE') => f.enum(EXCHANGES, { label: 'Exchange', default: def });
export const actionField = (def: (typeof ACTIONS)[number] | undefined = 'BUY') => f.enum(ACTIONS, { label: 'Action', default: def });
export const productField = (def: (typeof PRODUCTS)[number] | undefined = 'MIS') => f.enum(PRODUCTS, { label: 'Product', default: def });
export const priceTypeField = (def: PriceType | undefined = 'MARKET') => f.enum(PRICE_TYPES, { label: 'Price type', default: def });
export const quantityField = (def = 1, min = 1, label = 'Quantity') => f.quantity({ label, default: def, min });
export const priceField = () => f.number({ label: 'Price', default: 0, min: 0 });
export const triggerPriceField = () => f.number({ label: 'Trigger price', default: 0, min: 0 });
/** The strategy tag orders carry; blank means the workflow's name. */
export const strategyTagField = () => f.string({ label: 'Strategy tag', description: "Tag sent with each order; blank uses the workflow's name" });

export const strategyOf = (ctx: NodeContext, tag: string | undefined) => (tag && tag.trim()) || ctx.workflowName;

/** LIMIT/SL orders need a price, SL/SL-M a trigger price: a zero would trade at an unintended level. */
export function priceProblems(p: { priceType?: PriceType; price?: number; triggerPrice?: number }, prefix = ''): Array<{ field: string; message: string }> {
  const out: Array<{ field: string; message: string }> = [];
  if ((p.priceType === 'LIMIT' || p.priceType === 'SL') && !((p.price ?? 0) > 0)) {
    out.push({ field: `${prefix}price`, message: `must be greater than 0 for a ${p.priceType} order` });
  }
  if ((p.priceType === 'SL' || p.priceType === 'SL-M') && !((p.triggerPrice ?? 0) > 0)) {
    out.push({ field: `${prefix}triggerPrice`, message: `must be greater than 0 for a ${p.priceType} order` });
  }
  return out;
}

// ---- broker answers --------------------------------------------------------

/**
 * A broker answer as the node's result: unchanged, except that an error always carries a message.
 * `extra` adds facts the node resolved (expiry, lot size); the broker's own fields win.
 */
export function fromBroker<A extends BrokerAnswer>(answer: A, extra: Record<string, unknown> = {}): NodeResult {
  if (answer && answer.status === 'success') return { ...extra, ...answer, status: 'success' };
  const message = typeof answer?.message === 'string' && answer.message
    ? answer.message
    : answer?.status === 'error' ? 'the broker answered an error without a message' : 'the broker answered without a status';
  return { ...extra, ...answer, status: 'error', message };
}

/** What any broker answer may carry at its top level: its status, an error's message, OpenAlgo's analyzer `mode`. */
export const ANSWER_KEYS = ['status', 'message', 'mode'] as const;
/** An order answer (OpenAlgo's placeorder, placesmartorder, modifyorder, cancelorder: `{status, orderid}`). */
export const ORDER_ANSWER = [...ANSWER_KEYS, 'orderid'] as const;

/** Options for a broker call from a node: always cancellable with the run. */
export const call = (ctx: NodeContext) => ({ signal: ctx.signal });

/** A number from a broker field that may be a string ("1234.50"); null when it is not one. */
export { parseNumber } from '../contract/number.js';

export const round2 = (n: number) => Math.round(n * 100) / 100;

/** An error result with a message a trader can act on. */
export const failure = (message: string, extra: Record<string, unknown> = {}): NodeResult => ({ status: 'error', message, ...extra });
