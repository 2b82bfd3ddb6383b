// Condition nodes and gates: each answers a boolean that routes true/yes and false/no edges.
// A condition that cannot be evaluated returns status 'error' and takes neither branch.

import { zonedParts } from '../market/clock.js';
import { f } from '../contract/fields.js';
import {
  aliasedEnum, anyValue, call, dayList, exchangeField, failure, productField, symbolField, parseNumber,
} from './shared.js';
import { defineNode, type NodeContext, type NodeDefinition, type NodeResult } from './types.js';

export const OPERATORS = ['>', '<', '==', '>=', '<=', '!='] as const;
export type Operator = (typeof OPERATORS)[number];
const WORD_OPERATORS: Record<string, Operator> = { gt: '>', lt: '<', eq: '==', gte: '>=', lte: '<=', neq: '!=', ne: '!=', ge: '>=', le: '<=', '=': '==', '<>': '!=' };

export function compare(left: number, op: Operator, right: number): boolean {
  switch (op) {
    case '>': return left > right;
    case '<': return left < right;
    case '==': return left === right;
    case '>=': return left >= right;
    case '<=': return left <= right;
    case '!=': return left !== right;
  }
}

const QUOTE_FIELDS = ['ltp', 'open', 'high', 'low', 'prev_close', 'change_percent'] as const;

const priceCondition = defineNode({
  type: 'priceCondition',
  category: 'condition',
  label: 'Price check',
  description: 'Compares a live quote field (ltp, open, high, low, prev_close, change_percent) with a value.',
  branches: 'true/false',
  aliases: { threshold: 'value' },
  fields: {
    symbol: symbolField({ required: true }),
    exchange: exchangeField(),
    field: f.enum(QUOTE_FIELDS, { label: 'Field', default: 'ltp' }),
    operator: aliasedEnum(OPERATORS, WORD_OPERATORS, { label: 'Operator', default: '>' }),
    value: f.number({ label: 'Value', default: 0 }),
  },
  async run(ctx, p) {
    const quote = await ctx.broker.quotes({ symbol: p.symbol, exchange: p.exchange }, call(ctx));
    if (quote.status !== 'success' || !quote.data) return failure(`no quote for ${p.symbol}.${p.exchange}: ${quote.message ?? 'empty answer'}`);
    const ltp = parseNumber(quote.data.ltp);
    let actual: number | null;
    if (p.field === 'change_percent') {
      const prev = parseNumber(quote.data.prev_close);
      if (ltp === null || prev === null || prev === 0) return failure(`cannot compute change_percent for ${p.symbol}: ltp ${quote.data.ltp}, prev_close ${quote.data.prev_close}`);
      actual = ((ltp - prev) / prev) * 100;
    } else {
      actual = parseNumber(quote.data[p.field]);
    }
    if (actual === null) return failure(`the quote for ${p.symbol} has no numeric ${p.field}`);
    const condition = compare(actual, p.operator, p.value);
    ctx.log(`Price check: ${p.symbol} ${p.field} ${actual} ${p.operator} ${p.value} = ${condition}`);
    return { status: 'success', condition, ltp, field: p.field, field_value: actual, operator: p.operator, value: p.value };
  },
});

export const POSITION_CONDITIONS = ['exists', 'not_exists', 'quantity_above', 'quantity_below', 'pnl_above', 'pnl_below'] as const;

const positionCheck = defineNode({
  type: 'positionCheck',
  category: 'condition',
  label: 'Position check',
  description: 'Checks the open position in a symbol: exists, not_exists, quantity above/below or P&L above/below a threshold (quantity is signed: short is negative).',
  branches: 'true/false',
  aliases: { checkType: 'condition', quantity: 'threshold' },
  fields: {
    symbol: symbolField({ required: true }),
    exchange: exchangeField(),
    product: productField(),
    condition: aliasedEnum(POSITION_CONDITIONS, { quantity_gt: 'quantity_above', quantity_lt: 'quantity_below', pnl_gt: 'pnl_above', pnl_lt: 'pnl_below' }, { label: 'Condition', default: 'exists' }),
    threshold: f.number({ label: 'Threshold', default: 0 }),
  },
  async run(ctx, p) {
    let quantity = 0;
    let pnl = 0;
    if (p.condition.startsWith('pnl_')) {
      const book = await ctx.broker.positionBook(call(ctx));
      if (book.status !== 'success') return failure(`could not read the position book: ${book.message ?? 'broker error'}`);
      const row = (book.data ?? []).find((r) => r.symbol === p.symbol && r.exchange === p.exchange && r.product === p.product);
      quantity = row ? parseNumber(row.quantity) ?? 0 : 0;
      const rowPnl = row ? parseNumber(row.pnl) : 0;
      if (rowPnl === null) return failure(`the position book gives no numeric pnl for ${p.symbol}`);
      pnl = rowPnl;
    } else {
      const pos = await ctx.broker.openPosition({ strategy: ctx.workflowName, symbol: p.symbol, exchange: p.exchange, product: p.product }, call(ctx));
      if (pos.status !== 'success') return failure(`could not read the position in ${p.symbol}: ${pos.message ?? 'broker error'}`);
      const q = pos.quantity === undefined || pos.quantity === null || pos.quantity === '' ? 0 : parseNumber(pos.quantity);
      if (q === null) return failure(`the broker answered a non-numeric quantity '${String(pos.quantity)}' for ${p.symbol}`);
      quantity = q;
    }
    const condition = {
      exists: quantity !== 0,
      not_exists: quantity === 0,
      quantity_above: quantity > p.threshold,
      quantity_below: quantity < p.threshold,
      pnl_above: pnl > p.threshold,
      pnl_below: pnl < p.threshold,
    }[p.condition];
    ctx.log(`Position check: ${p.symbol}.${p.exchange} ${p.product} quantity=${quantity} pnl=${pnl} ${p.condition}${p.condition.includes('_') && p.condition !== 'not_exists' ? ` ${p.threshold}` : ''} = ${condition}`);
    return { status: 'success', condition, quantity, pnl };
  },
});

const fundCheck = defineNode({
  type: 'fundCheck',
  category: 'condition',
  label: 'Fund check',
  description: 'True when available cash is at least minAvailable. Fails closed: without a minimum it errors and takes no branch.',
  branches: 'true/false',
  fields: {
    minAvailable: f.number({ label: 'Minimum available', required: true }),
  },
  async run(ctx, p) {
    const funds = await ctx.broker.funds(call(ctx));
    if (funds.status !== 'success') return failure(`could not read funds: ${funds.message ?? 'broker error'}`);
    const available = parseNumber(funds.data?.availablecash);
    if (available === null) return failure(`the broker answered no numeric availablecash ('${String(funds.data?.availablecash)}')`);
    const condition = available >= p.minAvailable;
    ctx.log(`Fund check: available ${available} >= ${p.minAvailable} = ${condition}`);
    return { status: 'success', condition, available, minAvailable: p.minAvailable };
  },
});

/** Seconds since midnight and weekday (0 = Monday) on the exchange's wall clock. */
function clock(ctx: NodeContext): { seconds: number; weekday: number; text: string } {
  const z = zonedParts(ctx.now(), ctx.timezone);
  const pad = (n: number) => String(n).padStart(2, '0');
  return { seconds: z.hour * 3600 + z.minute * 60 + z.second, weekday: z.weekday, text: `${pad(z.hour)}:${pad(z.minute)}:${pad(z.second)}` };
}
/** Seconds past midnight of HH:MM or HH:MM:SS. */
export const toSeconds = (hhmm: string) => Number(hhmm.slice(0, 2)) * 3600 + Number(hhmm.slice(3, 5)) * 60 + Number(hhmm.slice(6, 8) || 0);
const DAY_LABELS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

const timeWindow = defineNode({
  type: 'timeWindow', instant: true,
  category: 'condition',
  label: 'Time window',
  description: 'True when the exchange-time clock is within [startTime, endTime] (a window past midnight wraps); optionally only on some days, or inverted.',
  branches: 'true/false',
  fields: {
    startTime: f.time({ label: 'Start', default: '09:15' }),
    endTime: f.time({ label: 'End', default: '15:30' }),
    invertCondition: f.boolean({ label: 'Fire outside the window', default: false }),
    days: dayList({ label: 'Days', description: 'Blank: every day' }),
  },
  async run(ctx, p) {
    const now = clock(ctx);
    const start = toSeconds(p.startTime);
    const end = toSeconds(p.endTime);
    const inTime = start <= end ? now.seconds >= start && now.seconds <= end : now.seconds >= start || now.seconds <= end;
    const inDay = !p.days || p.days.length === 0 || p.days.includes(now.weekday);
    const inWindow = inTime && inDay;
    const condition = p.invertCondition ? !inWindow : inWindow;
    ctx.log(`Time window: ${now.text} ${DAY_LABELS[now.weekday]} in ${p.startTime}-${p.endTime}${p.days?.length ? ` on ${p.days.map((d) => DAY_LABELS[d]).join(',')}` : ''} = ${inWindow}${p.invertCondition ? ' (inverted)' : ''}`);
    return { status: 'success', condition, time: now.text, in_window: inWindow };
  },
});

const timeCondition = defineNode({
  type: 'timeCondition', instant: true,
  category: 'condition',
  label: 'Time condition',
  description: 'Compares the exchange-time clock with a target time, to the second (HH:MM:SS); == matches the whole minute.',
  branches: 'yes/no',
  fields: {
    conditionType: f.enum(['entry', 'exit', 'custom'], { label: 'Kind', default: 'entry' }),
    operator: aliasedEnum(['==', '>=', '<=', '>', '<'] as const, WORD_OPERATORS as Record<string, '==' | '>=' | '<=' | '>' | '<'>, { label: 'Operator', default: '>=' }),
    targetTime: f.time({ label: 'Target time', default: '09:30', seconds: true }),
  },
  // OpenAlgo execute_time_condition: seconds kept; == compares hour and minute only.
  async run(ctx, p) {
    const now = clock(ctx);
    const target = toSeconds(p.targetTime);
    const condition = p.operator === '==' ? Math.floor(now.seconds / 60) === Math.floor(target / 60) : compare(now.seconds, p.operator, target);
    ctx.log(`Time condition (${p.conditionType}): ${now.text} ${p.operator} ${p.targetTime} = ${condition}`);
    return {
      status: 'success', condition, condition_type: p.conditionType, current_time: now.text, target_time: p.targetTime, operator: p.operator, time: now.text,
    };
  },
});

/** A number, if the operand reads as one. */
function numeric(v: unknown): number | null {
  if (typeof v === 'boolean') return null;
  return parseNumber(v);
}
const operandText = (v: unknown) => (v === undefined || v === null ? '' : typeof v === 'string' ? v.trim() : typeof v === 'object' ? JSON.stringify(v) : String(v));

const varCondition = defineNode({
  type: 'varCondition', instant: true,
  category: 'condition',
  label: 'Compare values',
  description: 'Compares two interpolated values: numerically when both are numbers; == and != also compare text. An unresolved or non-numeric operand for < > <= >= is an error (no branch).',
  branches: 'true/false',
  fields: {
    leftValue: anyValue({ label: 'Left', default: '' }),
    operator: aliasedEnum(OPERATORS, WORD_OPERATORS, { label: 'Operator', default: '>' }),
    rightValue: anyValue({ label: 'Right', default: '0' }),
  },
  async run(ctx, p) {
    const sides = [['leftValue', p.leftValue], ['rightValue', p.rightValue]] as const;
    for (const [name, v] of sides) {
      if (typeof v === 'string' && v.includes('{{')) return failure(`${name} '${v}' did not resolve; no branch taken`);
    }
    const left = numeric(p.leftValue);
    const right = numeric(p.rightValue);
    let condition: boolean;
    if (left !== null && right !== null) {
      condition = compare(left, p.operator, right);
    } else if (p.operator === '==' || p.operator === '!=') {
      const equal = operandText(p.leftValue) === operandText(p.rightValue);
      condition = p.operator === '==' ? equal : !equal;
    } else {
      const [name, v] = left === null ? sides[0] : sides[1];
      return failure(`${name} '${operandText(v)}' is not a number, so it cannot be compared with ${p.operator}; no branch taken`);
    }
    ctx.log(`Compare: ${operandText(p.leftValue)} ${p.operator} ${operandText(p.rightValue)} = ${condition}`);
    return { status: 'success', condition, left: left ?? p.leftValue, operator: p.operator, right: right ?? p.rightValue };
  },
});

// ---- gates -----------------------------------------------------------------

function gateInputs(ctx: NodeContext) {
  return ctx.inputs.map((i) => ({ source: i.sourceId, handle: i.targetHandle ?? null, fired: i.fired, value: i.value }));
}

/** AND and OR: gates alike but for the word and how their inputs combine. */
function combiningGate(type: string, word: 'AND' | 'OR', description: string, combine: (values: boolean[]) => boolean) {
  return defineNode({
    type, instant: true,
    category: 'condition',
    label: word,
    description,
    branches: 'true/false',
    gate: true,
    fields: { inputCount: f.integer({ label: 'Inputs', default: 2, min: 2, max: 5 }) },
    async run(ctx): Promise<NodeResult> {
      if (ctx.inputs.length === 0) return failure(`${word} gate has no inputs`);
      const condition = combine(ctx.inputs.map((i) => i.value));
      ctx.log(`${word} of ${ctx.inputs.map((i) => `${i.sourceId}=${i.value}`).join(', ')} = ${condition}`);
      return { status: 'success', condition, inputs: gateInputs(ctx) };
    },
  });
}

const andGate = combiningGate(
  'andGate', 'AND',
  'True when every input is true. Runs once every source wired into it has a result (whatever handle the wire leaves from); if one did not run or errored, the gate does not run.',
  (values) => values.every(Boolean),
);
const orGate = combiningGate('orGate', 'OR', 'True when any input is true.', (values) => values.some(Boolean));

const notGate = defineNode({
  type: 'notGate', instant: true,
  category: 'condition',
  label: 'NOT',
  description: 'Negates its single input.',
  branches: 'yes/no',
  gate: true,
  fields: {},
  async run(ctx): Promise<NodeResult> {
    if (ctx.inputs.length !== 1) return failure(`NOT gate needs exactly one input, it has ${ctx.inputs.length}`);
    const condition = !ctx.inputs[0].value;
    ctx.log(`NOT ${ctx.inputs[0].sourceId}=${ctx.inputs[0].value} = ${condition}`);
    return { status: 'success', condition, inputs: gateInputs(ctx) };
  },
});

export const nodes: NodeDefinition<any>[] = [
  priceCondition, positionCheck, fundCheck, timeWindow, timeCondition, varCondition, andGate, orGate, notGate,
];
