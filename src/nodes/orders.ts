// Order nodes: each turns typed params into one broker order call (the engine's wrapped broker
// guards and records the intent first) and returns the broker's answer as OpenAlgo shapes it.

import { ACTIONS, EXCHANGES, PRICE_TYPES, PRODUCTS, type Action, type OptionsLeg, type PriceType, type Product } from '../broker/types.js';
import { f, FieldError, parseObject, type FieldSpec } from '../contract/fields.js';
import { apiExpiry, EXPIRY_TYPES, exchangesFor, resolveExpiry, resolveLotSize, type Resolved } from './options.js';
import {
  actionField, ANSWER_KEYS, call, customField, exchangeField, failure, fromBroker, offsetField, priceField, priceProblems, priceTypeField,
  productField, quantityField, strategyOf, strategyTagField, symbolField, ORDER_ANSWER, parseNumber, triggerPriceField,
} from './shared.js';
import { defineNode, type NodeContext, type NodeDefinition, type NodeResult } from './types.js';

const ORDER_ALIASES = { pricetype: 'priceType', strategy: 'strategyTag', trigger_price: 'triggerPrice' };
const MAX_SPLIT_ORDERS = 100;

/** The fields of a one-symbol order (placeOrder, smartOrder, splitOrder), with extras placed after the quantity. */
function singleOrderFields<Q extends FieldSpec<number>, X extends Record<string, FieldSpec<any>>>(quantity: Q, extra: X = {} as X) {
  return {
    symbol: symbolField({ required: true }),
    exchange: exchangeField(),
    action: actionField(),
    quantity,
    ...extra,
    priceType: priceTypeField(),
    product: productField(),
    price: priceField(),
    triggerPrice: triggerPriceField(),
    strategyTag: strategyTagField(),
  };
}

const placeOrder = defineNode({
  type: 'placeOrder',
  category: 'order',
  outputs: ORDER_ANSWER,
  label: 'Place order',
  description: 'Places one order (quantity in shares/units).',
  aliases: ORDER_ALIASES,
  fields: singleOrderFields(quantityField(1)),
  check: (p) => priceProblems(p),
  async run(ctx, p) {
    ctx.log(`Placing order: ${p.action} ${p.quantity} ${p.symbol} on ${p.exchange} (${p.priceType}, ${p.product})`);
    const answer = await ctx.broker.placeOrder(
      {
        strategy: strategyOf(ctx, p.strategyTag), symbol: p.symbol, exchange: p.exchange, action: p.action, quantity: p.quantity,
        pricetype: p.priceType, product: p.product, price: p.price, trigger_price: p.triggerPrice,
      },
      call(ctx),
    );
    return fromBroker(answer);
  },
});

const smartOrder = defineNode({
  type: 'smartOrder',
  category: 'order',
  outputs: ORDER_ANSWER,
  label: 'Smart order',
  description: 'Position-aware order: the broker trades the difference between the current position and positionSize.',
  aliases: ORDER_ALIASES,
  fields: singleOrderFields(quantityField(1, 0), {
    positionSize: f.quantity({ label: 'Target position', description: 'Positive long, negative short', default: 0 }),
  }),
  check: (p) => priceProblems(p),
  async run(ctx, p) {
    ctx.log(`Smart order: ${p.action} ${p.symbol} on ${p.exchange} quantity=${p.quantity} target position=${p.positionSize}`);
    const answer = await ctx.broker.placeSmartOrder(
      {
        strategy: strategyOf(ctx, p.strategyTag), symbol: p.symbol, exchange: p.exchange, action: p.action, quantity: p.quantity,
        position_size: p.positionSize, pricetype: p.priceType, product: p.product, price: p.price, trigger_price: p.triggerPrice,
      },
      call(ctx),
    );
    return fromBroker(answer);
  },
});

const underlyingField = () => symbolField({ label: 'Underlying', default: 'NIFTY' });
const expiryTypeField = () => f.enum(EXPIRY_TYPES, { label: 'Expiry', default: 'current_week' });
const expiryDateField = () =>
  customField<string>('string', { label: 'Expiry date', description: 'Overrides the preset, e.g. 28NOV24 or 28-NOV-24' }, (v) => {
    const s = typeof v === 'string' ? apiExpiry(v) : '';
    if (!/^\d{2}[A-Z]{3}\d{2}$/.test(s)) throw new FieldError(`'${String(v)}' is not an expiry like 28NOV24`);
    return s;
  });
const optionProductField = (def: 'MIS' | 'NRML' = 'NRML') => f.enum(['MIS', 'NRML'] as const, { label: 'Product', default: def });

/** The expiry to trade: an explicit date wins, otherwise the preset resolved from the broker's list. */
async function expiryFor(ctx: NodeContext, underlying: string, expiryDate: string | undefined, expiryType: (typeof EXPIRY_TYPES)[number]): Promise<Resolved<string>> {
  if (expiryDate) return { ok: true, value: expiryDate };
  return resolveExpiry(ctx.broker, underlying, expiryType, ctx.now(), ctx.timezone, ctx.signal);
}

const optionsOrder = defineNode({
  type: 'optionsOrder',
  category: 'order',
  outputs: [...ORDER_ANSWER, 'symbol', 'exchange', 'offset', 'option_type', 'underlying', 'underlying_ltp', 'expiry_date', 'lotsize', 'quantity'],
  label: 'Options order',
  description: 'Buys or sells one option resolved from underlying, expiry, strike offset and type; quantity is in lots.',
  aliases: ORDER_ALIASES,
  fields: {
    underlying: underlyingField(),
    expiryType: expiryTypeField(),
    expiryDate: expiryDateField(),
    offset: offsetField({ label: 'Strike offset', default: 'ATM' }),
    optionType: f.enum(['CE', 'PE'] as const, { label: 'Option type', default: 'CE' }),
    action: actionField(),
    quantity: quantityField(1, 1, 'Lots'),
    priceType: priceTypeField(),
    product: optionProductField(),
    price: priceField(),
    triggerPrice: triggerPriceField(),
    splitSize: f.quantity({ label: 'Split size', description: 'Units per child order; 0 = no split', default: 0, min: 0 }),
    strategyTag: strategyTagField(),
  },
  check: (p) => priceProblems(p),
  async run(ctx, p) {
    const expiry = await expiryFor(ctx, p.underlying, p.expiryDate, p.expiryType);
    if (!expiry.ok) return failure(expiry.message);
    const lot = await resolveLotSize(ctx.broker, { underlying: p.underlying, expiry: expiry.value, offset: p.offset, optionType: p.optionType }, ctx.signal);
    if (!lot.ok) return failure(lot.message);
    const quantity = p.quantity * lot.value.lotsize;
    const { underlyingExchange } = exchangesFor(p.underlying);
    ctx.log(`Options order: ${p.action} ${p.quantity} lot(s) × ${lot.value.lotsize} = ${quantity} ${p.underlying} ${expiry.value} ${p.offset} ${p.optionType}`);
    const answer = await ctx.broker.optionsOrder(
      {
        strategy: strategyOf(ctx, p.strategyTag), underlying: p.underlying, exchange: underlyingExchange, expiry_date: expiry.value,
        offset: p.offset, option_type: p.optionType, action: p.action, quantity, pricetype: p.priceType, product: p.product,
        splitsize: p.splitSize, price: p.price, trigger_price: p.triggerPrice,
      },
      call(ctx),
    );
    return fromBroker(answer, { expiry_date: expiry.value, lotsize: lot.value.lotsize, quantity });
  },
});

// ---- multi-leg ---------------------------------------------------------------

interface LegInput {
  offset: string;
  optionType: 'CE' | 'PE';
  action: Action;
  quantity: number;
  expiryDate?: string;
  priceType?: PriceType;
  price?: number;
  triggerPrice?: number;
  product?: 'MIS' | 'NRML';
  splitSize?: number;
}

const LEG_FIELDS = {
  offset: offsetField({ default: 'ATM' }),
  optionType: f.enum(['CE', 'PE'] as const, { default: 'CE' }),
  action: f.enum(ACTIONS, { required: true }),
  quantity: f.quantity({ default: 1, min: 1 }),
  expiryDate: expiryDateField(),
  priceType: f.enum(PRICE_TYPES),
  price: f.number({ min: 0 }),
  triggerPrice: f.number({ min: 0 }),
  product: f.enum(['MIS', 'NRML'] as const),
  splitSize: f.quantity({ min: 0 }),
};
const LEG_ALIASES: Record<string, keyof typeof LEG_FIELDS> = { option_type: 'optionType', expiry_date: 'expiryDate', pricetype: 'priceType', trigger_price: 'triggerPrice' };

/** Custom legs: a list of {offset, optionType, action, quantity (lots), expiryDate?, priceType?, price?, triggerPrice?}. */
const legsField = (): FieldSpec<LegInput[]> => ({
  ...legsParser(),
  notice(raw, legs) {
    const rawLegs = typeof raw === 'string' ? (() => { try { return JSON.parse(raw) as unknown; } catch { return null; } })() : raw;
    if (!Array.isArray(rawLegs)) return undefined;
    const notes = legs.flatMap((leg, i) => {
      const given = (rawLegs[i] as Record<string, unknown> | undefined)?.quantity;
      const note = LEG_FIELDS.quantity.notice?.(given, leg.quantity);
      return note ? [`leg ${i + 1} quantity ${note}`] : [];
    });
    return notes.length ? notes.join('; ') : undefined;
  },
});
const legsParser = (): FieldSpec<LegInput[]> =>
  customField('json', { label: 'Legs', description: 'For strategy "custom": [{offset, optionType, action, quantity (lots), expiryDate?}]', default: [] }, (v) => {
    let raw = v;
    if (typeof raw === 'string') {
      try {
        raw = JSON.parse(raw);
      } catch {
        throw new FieldError('is not valid JSON');
      }
    }
    if (!Array.isArray(raw)) throw new FieldError('must be a list of legs');
    return raw.map((leg, i) => {
      if (leg === null || typeof leg !== 'object' || Array.isArray(leg)) throw new FieldError(`leg ${i + 1} is not an object`);
      const data: Record<string, unknown> = { ...(leg as Record<string, unknown>) };
      for (const [oldName, newName] of Object.entries(LEG_ALIASES)) if (data[newName] === undefined && data[oldName] !== undefined) data[newName] = data[oldName];
      return parseObject(LEG_FIELDS, data, `leg ${i + 1}`) as unknown as LegInput;
    });
  });

export const MULTI_STRATEGIES = ['straddle', 'strangle', 'iron_condor', 'bull_call_spread', 'bear_put_spread', 'custom'] as const;
type Preset = Exclude<(typeof MULTI_STRATEGIES)[number], 'custom'>;

/** The legs of a preset strategy (OpenAlgo's shapes): quantity in lots, offsets relative to ATM. */
export function presetLegs(strategy: Preset, action: Action | undefined, strangleWidth: string): Array<Pick<LegInput, 'offset' | 'optionType' | 'action'>> {
  const a = action ?? 'BUY';
  switch (strategy) {
    case 'straddle':
      return [{ offset: 'ATM', optionType: 'CE', action: a }, { offset: 'ATM', optionType: 'PE', action: a }];
    case 'strangle':
      return [{ offset: strangleWidth, optionType: 'CE', action: a }, { offset: strangleWidth, optionType: 'PE', action: a }];
    case 'iron_condor':
      return [
        { offset: 'OTM2', optionType: 'CE', action: 'SELL' }, { offset: 'OTM4', optionType: 'CE', action: 'BUY' },
        { offset: 'OTM2', optionType: 'PE', action: 'SELL' }, { offset: 'OTM4', optionType: 'PE', action: 'BUY' },
      ];
    case 'bull_call_spread':
      return [{ offset: 'ATM', optionType: 'CE', action: 'BUY' }, { offset: 'OTM2', optionType: 'CE', action: 'SELL' }];
    case 'bear_put_spread':
      return [{ offset: 'ATM', optionType: 'PE', action: 'BUY' }, { offset: 'OTM2', optionType: 'PE', action: 'SELL' }];
  }
}

const optionsMultiOrder = defineNode({
  type: 'optionsMultiOrder',
  category: 'order',
  outputs: [...ANSWER_KEYS, 'underlying', 'underlying_ltp', 'results', 'expiry_date', 'lotsize'],
  label: 'Options strategy',
  description: 'Places a multi-leg options strategy (straddle, strangle, iron condor, spreads, or custom legs); quantity is in lots per leg.',
  aliases: { pricetype: 'priceType', strategyType: 'strategy', orderLegs: 'legs' },
  fields: {
    // OpenAlgo's executor reads a missing strategy as custom (no legs: the node fails, nothing is sent).
    strategy: f.enum(MULTI_STRATEGIES, { label: 'Strategy', default: 'custom' }),
    underlying: underlyingField(),
    expiryType: expiryTypeField(),
    expiryDate: expiryDateField(),
    action: f.enum(ACTIONS, { label: 'Direction', description: 'BUY = long volatility, SELL = short (straddle, strangle)', default: 'SELL' }),
    quantity: quantityField(1, 1, 'Lots per leg'),
    priceType: priceTypeField(),
    price: priceField(),
    product: optionProductField('MIS'),
    strangleWidth: offsetField({ label: 'Strangle width', default: 'OTM2' }),
    legs: legsField(),
    strategyTag: strategyTagField(),
  },
  check(p) {
    const out: Array<{ field: string; message: string }> = [];
    if (p.strategy === 'custom' || p.legs.length > 0) {
      if (p.legs.length === 0) out.push({ field: 'legs', message: 'must list at least one leg for a custom strategy' });
      p.legs.forEach((leg, i) => out.push(...priceProblems({ priceType: leg.priceType ?? p.priceType, price: leg.price ?? p.price, triggerPrice: leg.triggerPrice }, `legs[${i}].`)));
    } else {
      if (p.priceType === 'SL' || p.priceType === 'SL-M') out.push({ field: 'priceType', message: `${p.priceType} needs a trigger price per leg: use MARKET or LIMIT, or custom legs` });
      else out.push(...priceProblems(p));
    }
    return out;
  },
  async run(ctx, p) {
    const expiry = await expiryFor(ctx, p.underlying, p.expiryDate, p.expiryType);
    if (!expiry.ok) return failure(expiry.message);
    // Legs, when given, are placed whatever the strategy says (OpenAlgo execute_options_multi_order).
    const custom = p.strategy === 'custom' || p.legs.length > 0;
    const preset = p.strategy === 'custom' ? 'straddle' : p.strategy;
    const first: Pick<LegInput, 'offset' | 'optionType' | 'expiryDate'> = custom ? p.legs[0] : presetLegs(preset, p.action, p.strangleWidth)[0];
    // One lot size serves every leg: all legs are contracts on the same underlying.
    const lot = await resolveLotSize(
      ctx.broker, { underlying: p.underlying, expiry: first.expiryDate ?? expiry.value, offset: first.offset, optionType: first.optionType }, ctx.signal,
    );
    if (!lot.ok) return failure(lot.message);
    const lotsize = lot.value.lotsize;
    const legs: OptionsLeg[] = custom
      ? p.legs.map((leg) => ({
          offset: leg.offset, option_type: leg.optionType, action: leg.action, quantity: leg.quantity * lotsize,
          pricetype: leg.priceType ?? p.priceType, product: leg.product ?? p.product, splitsize: leg.splitSize ?? 0,
          ...(leg.expiryDate ? { expiry_date: leg.expiryDate } : {}),
          ...legPrices(leg.priceType ?? p.priceType, leg.price ?? p.price, leg.triggerPrice),
        }))
      : presetLegs(preset, p.action, p.strangleWidth).map((leg) => ({
          offset: leg.offset, option_type: leg.optionType, action: leg.action, quantity: p.quantity * lotsize,
          pricetype: p.priceType, product: p.product, splitsize: 0, ...legPrices(p.priceType, p.price, undefined),
        }));
    const { underlyingExchange } = exchangesFor(p.underlying);
    ctx.log(`Options strategy ${p.strategy} on ${p.underlying} ${expiry.value}: ${legs.map((l) => `${l.action} ${l.quantity} ${l.offset} ${l.option_type}`).join(', ')}`);
    const answer = await ctx.broker.optionsMultiOrder(
      { strategy: strategyOf(ctx, p.strategyTag), underlying: p.underlying, exchange: underlyingExchange, expiry_date: expiry.value, legs },
      call(ctx),
    );
    return fromBroker(answer, { expiry_date: expiry.value, lotsize });
  },
});

/** Prices travel on a leg only when its price type uses them. */
function legPrices(priceType: PriceType, price: number | undefined, triggerPrice: number | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  if ((priceType === 'LIMIT' || priceType === 'SL') && price) out.price = price;
  if ((priceType === 'SL' || priceType === 'SL-M') && triggerPrice) out.trigger_price = triggerPrice;
  return out;
}

// ---- basket and split ------------------------------------------------------

interface BasketLine { symbol: string; exchange: string; action: Action; quantity: number; price?: number }
/** A basket row that did not parse: skipped and logged, as OpenAlgo's execute_basket_order does. */
interface SkippedLine { skipped: string }

const LINE_FIELDS = {
  symbol: symbolField({ required: true }),
  exchange: f.enum(EXCHANGES, { required: true }),
  action: f.enum(ACTIONS, { required: true }),
  // OpenAlgo's int(text): "12.7" does not parse, so that line is skipped rather than truncated.
  quantity: f.integer({ required: true, min: 1 }),
  price: f.number({ min: 0 }),
};

const isLine = (row: BasketLine | SkippedLine): row is BasketLine => !('skipped' in row);

/** Basket rows: text "SYMBOL,EXCHANGE,ACTION,QTY[,PRICE]" per line, or a list of objects. A row that does not parse is kept as a skip. */
const basketLinesField = (): FieldSpec<Array<BasketLine | SkippedLine>> =>
  customField('text', { label: 'Orders', description: 'One order per line: SYMBOL,EXCHANGE,ACTION,QTY[,PRICE]; a line that does not parse is skipped and logged', required: true }, (v) => {
    const parseRow = (row: Record<string, unknown>, item: string, shown: string): BasketLine | SkippedLine => {
      try {
        return parseObject(LINE_FIELDS, row, item) as unknown as BasketLine;
      } catch (e) {
        if (e instanceof FieldError) return { skipped: `${shown}: ${e.message}` };
        throw e;
      }
    };
    if (typeof v === 'string') {
      return v.split(/\r?\n/).map((line) => line.trim()).filter(Boolean).map((line, i) => {
        const parts = line.split(',').map((x) => x.trim());
        if (parts.length < 4) return { skipped: `line ${i + 1} '${line}': expected SYMBOL,EXCHANGE,ACTION,QTY` };
        return parseRow({ symbol: parts[0], exchange: parts[1], action: parts[2], quantity: parts[3], price: parts[4] }, `line ${i + 1}`, `line ${i + 1} '${line}'`);
      });
    }
    if (Array.isArray(v)) {
      return v.map((row, i) => (row === null || typeof row !== 'object' ? { skipped: `order ${i + 1} is not an object` } : parseRow(row as Record<string, unknown>, `order ${i + 1}`, `order ${i + 1}`)));
    }
    throw new FieldError('must be text with one order per line');
  });

const basketOrder = defineNode({
  type: 'basketOrder',
  category: 'order',
  outputs: [...ANSWER_KEYS, 'results', 'basket', 'skipped'],
  label: 'Basket order',
  description: 'Places several orders in one call, tagged with the basket name; one line per order: SYMBOL,EXCHANGE,ACTION,QTY[,PRICE]. A line that does not parse is skipped and logged.',
  aliases: { pricetype: 'priceType', strategy: 'strategyTag' },
  fields: {
    basketName: f.string({ label: 'Basket name', description: 'Also the strategy tag of its orders', default: 'flow_basket' }),
    orders: basketLinesField(),
    product: productField(),
    priceType: priceTypeField(),
    strategyTag: strategyTagField(),
  },
  check(p) {
    const out: Array<{ field: string; message: string }> = [];
    if (p.priceType === 'SL' || p.priceType === 'SL-M') out.push({ field: 'priceType', message: 'must be MARKET or LIMIT for a basket (lines carry no trigger price)' });
    if (p.priceType === 'LIMIT') {
      p.orders.filter(isLine).forEach((o) => {
        if (!((o.price ?? 0) > 0)) out.push({ field: 'orders', message: `${o.symbol} needs a price greater than 0 for a LIMIT basket` });
      });
    }
    return out;
  },
  // OpenAlgo execute_basket_order: bad lines skipped with a warning, strategy = basketName, no valid line = error.
  async run(ctx, p) {
    for (const row of p.orders) if (!isLine(row)) ctx.log(`Skipping invalid order ${row.skipped}`, 'warn');
    const lines = p.orders.filter(isLine);
    const skipped = p.orders.filter((row): row is SkippedLine => !isLine(row)).map((row) => row.skipped);
    if (lines.length === 0) return failure('No valid orders to place', { skipped });
    const orders = lines.map((o) => ({
      symbol: o.symbol, exchange: o.exchange, action: o.action, quantity: o.quantity, pricetype: p.priceType, product: p.product,
      ...(p.priceType === 'LIMIT' ? { price: o.price } : {}),
    }));
    ctx.log(`Basket '${p.basketName}': ${orders.map((o) => `${o.action} ${o.quantity} ${o.symbol}.${o.exchange}`).join(', ')}`);
    const strategy = p.strategyTag?.trim() || p.basketName;
    const answer = await ctx.broker.basketOrder({ strategy, orders }, call(ctx));
    return fromBroker(answer, { basket: p.basketName, ...(skipped.length ? { skipped } : {}) });
  },
});

const splitOrder = defineNode({
  type: 'splitOrder',
  category: 'order',
  outputs: [...ANSWER_KEYS, 'split_size', 'total_quantity', 'results'],
  label: 'Split order',
  description: `Splits a large order into chunks of splitSize (the last may be smaller); at most ${MAX_SPLIT_ORDERS} chunks.`,
  aliases: ORDER_ALIASES,
  fields: singleOrderFields(quantityField(100), { splitSize: f.quantity({ label: 'Split size', default: 50, min: 1 }) }),
  check(p) {
    const out = priceProblems(p);
    const chunks = Math.ceil(p.quantity / p.splitSize);
    if (chunks > MAX_SPLIT_ORDERS) out.push({ field: 'splitSize', message: `would place ${chunks} orders; at most ${MAX_SPLIT_ORDERS} (raise the split size)` });
    return out;
  },
  async run(ctx, p) {
    ctx.log(`Split order: ${p.action} ${p.quantity} ${p.symbol} on ${p.exchange} in chunks of ${p.splitSize}`);
    const answer = await ctx.broker.splitOrder(
      {
        strategy: strategyOf(ctx, p.strategyTag), symbol: p.symbol, exchange: p.exchange, action: p.action, quantity: p.quantity,
        splitsize: p.splitSize, pricetype: p.priceType, product: p.product, price: p.price, trigger_price: p.triggerPrice,
      },
      call(ctx),
    );
    return fromBroker(answer);
  },
});

// ---- modify and cancel -----------------------------------------------------

const orderIdField = () =>
  customField<string>('string', { label: 'Order id', required: true }, (v) => {
    if (typeof v !== 'string' && typeof v !== 'number') throw new FieldError('is not an order id');
    const s = String(v).trim();
    if (!s) throw new FieldError('is required');
    return s;
  });

const modifyOrder = defineNode({
  type: 'modifyOrder',
  category: 'order',
  outputs: ORDER_ANSWER,
  label: 'Modify order',
  description: 'Changes an open order; blank fields keep the order’s current values (read from the broker first).',
  aliases: { pricetype: 'priceType', strategy: 'strategyTag', quantity: 'newQuantity', price: 'newPrice', triggerPrice: 'newTriggerPrice' },
  fields: {
    orderId: orderIdField(),
    symbol: symbolField(),
    exchange: f.enum(EXCHANGES, { label: 'Exchange' }),
    action: f.enum(ACTIONS, { label: 'Action' }),
    priceType: f.enum(PRICE_TYPES, { label: 'Price type' }),
    product: f.enum(PRODUCTS, { label: 'Product' }),
    newQuantity: f.quantity({ label: 'New quantity', min: 1 }),
    newPrice: f.number({ label: 'New price', min: 0 }),
    newTriggerPrice: f.number({ label: 'New trigger price', min: 0 }),
    strategyTag: strategyTagField(),
  },
  async run(ctx, p) {
    const strategy = strategyOf(ctx, p.strategyTag);
    const status = await ctx.broker.orderStatus({ orderid: p.orderId, strategy }, call(ctx));
    if (status.status !== 'success' || !status.data) return failure(`could not read order ${p.orderId} before modifying it: ${status.message ?? 'no order data'}`);
    const cur = status.data;
    const req = {
      orderid: p.orderId, strategy,
      symbol: p.symbol ?? cur.symbol, exchange: p.exchange ?? cur.exchange, action: (p.action ?? cur.action) as Action,
      pricetype: (p.priceType ?? cur.pricetype) as PriceType, product: (p.product ?? cur.product) as Product,
      quantity: p.newQuantity ?? parseNumber(cur.quantity) ?? 0, price: p.newPrice ?? parseNumber(cur.price) ?? 0,
      trigger_price: p.newTriggerPrice ?? parseNumber(cur.trigger_price) ?? 0, disclosed_quantity: 0,
    };
    if (!(req.quantity > 0)) return failure(`order ${p.orderId} has no quantity to keep; set newQuantity`);
    const problems = priceProblems({ priceType: req.pricetype, price: req.price, triggerPrice: req.trigger_price });
    if (problems.length) return failure(problems.map((x) => `${x.field} ${x.message}`).join('; '));
    ctx.log(`Modifying order ${p.orderId}: ${req.action} ${req.quantity} ${req.symbol} ${req.pricetype} price=${req.price} trigger=${req.trigger_price}`);
    return fromBroker(await ctx.broker.modifyOrder(req, call(ctx)));
  },
});

const cancelOrder = defineNode({
  type: 'cancelOrder',
  category: 'order',
  outputs: ORDER_ANSWER,
  label: 'Cancel order',
  description: 'Cancels one open order by id.',
  aliases: { strategy: 'strategyTag' },
  fields: { orderId: orderIdField(), strategyTag: strategyTagField() },
  async run(ctx, p) {
    ctx.log(`Cancelling order ${p.orderId}`);
    return fromBroker(await ctx.broker.cancelOrder({ orderid: p.orderId, strategy: strategyOf(ctx, p.strategyTag) }, call(ctx)));
  },
});

const cancelAllOrders = defineNode({
  type: 'cancelAllOrders',
  category: 'order',
  outputs: [...ANSWER_KEYS, 'canceled_orders', 'failed_cancellations'],
  label: 'Cancel all orders',
  description: 'Cancels every open order; the result lists what was cancelled and what could not be.',
  aliases: { strategy: 'strategyTag' },
  fields: { strategyTag: strategyTagField() },
  async run(ctx, p) {
    const answer = await ctx.broker.cancelAllOrders({ strategy: strategyOf(ctx, p.strategyTag) }, call(ctx));
    const canceled = Array.isArray(answer.canceled_orders) ? answer.canceled_orders : [];
    const failed = Array.isArray(answer.failed_cancellations) ? answer.failed_cancellations : [];
    if (answer.status === 'success') {
      ctx.log(`Cancelled ${canceled.length} order(s)${canceled.length ? `: ${canceled.join(', ')}` : ''}`);
      if (failed.length) ctx.log(`Could not cancel ${failed.map((x) => `${x.orderid} (${x.reason})`).join(', ')}`, 'warn');
    }
    return { ...fromBroker(answer), canceled_orders: canceled, failed_cancellations: failed };
  },
});

const closePositions = defineNode({
  type: 'closePositions',
  category: 'order',
  outputs: [...ANSWER_KEYS, 'closed'],
  label: 'Close positions',
  description: 'Squares off every open position; with a symbol, only that symbol’s position(s), by an opposite MARKET order.',
  aliases: { strategy: 'strategyTag' },
  fields: {
    symbol: symbolField({ description: 'Blank: close every position' }),
    exchange: f.enum(EXCHANGES, { label: 'Exchange', description: 'With a symbol: only on this exchange (blank: NSE)' }),
    product: f.enum(PRODUCTS, { label: 'Product', description: 'With a symbol: only this product (blank: MIS)' }),
    strategyTag: strategyTagField(),
  },
  async run(ctx, p) {
    const strategy = strategyOf(ctx, p.strategyTag);
    if (!p.symbol) {
      ctx.log('Closing all open positions');
      return fromBroker(await ctx.broker.closePosition({ strategy }, call(ctx)));
    }
    // OpenAlgo execute_close_positions: with a symbol, a blank exchange is NSE and a blank product MIS.
    const exchange = p.exchange ?? 'NSE';
    const product = p.product ?? 'MIS';
    const book = await ctx.broker.positionBook(call(ctx));
    if (book.status !== 'success') return fromBroker(book);
    const open = (book.data ?? []).filter(
      (row) => row.symbol === p.symbol && row.exchange === exchange && row.product === product && (parseNumber(row.quantity) ?? 0) !== 0,
    );
    if (open.length === 0) return { status: 'success', message: `no open position in ${p.symbol}.${exchange} ${product} to close`, closed: [] };
    const closed: Array<Record<string, unknown>> = [];
    for (const row of open) {
      const qty = parseNumber(row.quantity) ?? 0;
      const action: Action = qty > 0 ? 'SELL' : 'BUY';
      ctx.log(`Closing ${row.symbol}.${row.exchange} ${row.product}: ${action} ${Math.abs(qty)} at MARKET`);
      const answer = await ctx.broker.placeOrder(
        { strategy, symbol: row.symbol, exchange: row.exchange, action, quantity: Math.abs(qty), pricetype: 'MARKET', product: row.product, price: 0, trigger_price: 0 },
        call(ctx),
      );
      closed.push({ symbol: row.symbol, exchange: row.exchange, product: row.product, action, quantity: Math.abs(qty), status: answer.status, orderid: answer.orderid, message: answer.message });
      if (answer.status !== 'success') {
        return failure(`could not close ${row.symbol} ${row.product}: ${answer.message ?? 'broker error'}`, { closed });
      }
    }
    return { status: 'success', message: `closed ${closed.length} position(s) in ${p.symbol}`, closed } satisfies NodeResult;
  },
});

export const nodes: NodeDefinition<any>[] = [
  placeOrder, smartOrder, optionsOrder, optionsMultiOrder, basketOrder, splitOrder, modifyOrder, cancelOrder, cancelAllOrders, closePositions,
];
