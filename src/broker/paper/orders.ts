// The order endpoints built on single orders: smart (trade to a target position), split,
// options by offset, multi-leg options, baskets and close-all, with OpenAlgo's semantics.

import type {
  Action, BasketOrderAnswer, BasketOrderRequest, BrokerAnswer, ClosePositionRequest, OptionsMultiOrderAnswer,
  OptionsMultiOrderRequest, OptionsOrderAnswer, OptionsOrderRequest, OrderAnswer, SmartOrderRequest,
  SplitOrderAnswer, SplitOrderRequest,
} from '../types.js';
import type { Account } from './account.js';
import { fail } from './answer.js';
import { resolveInstrument } from './instruments.js';
import { optionContext, optionRequestContext, optionUnderlying, resolveOption, type OptionContext } from './options.js';
import type { Market } from './prices.js';
import { checkOrder, toNumber, type OrderFields, type OrderSpec } from './validate.js';

export interface Desk { account: Account; market: Market }

const MAX_SPLIT_ORDERS = 100;

/** OpenAlgo's placesmartorder: trade the difference between the current position and `position_size`. */
export function smartOrder(desk: Desk, req: SmartOrderRequest, ms: number): OrderAnswer {
  const target = toNumber(req.position_size);
  if (!Number.isInteger(target)) return fail(`position_size '${String(req.position_size)}' must be a whole number (negative for short)`);
  const spec = checkOrder(req as OrderFields, ms, true);
  if (typeof spec === 'string') return fail(spec);
  const current = desk.account.positionQuantity(spec.symbol, spec.exchange, spec.product);
  if (target === 0 && current === 0 && spec.quantity !== 0) return desk.account.place(spec, ms);
  if (target === current) {
    return {
      status: 'success',
      message: spec.quantity === 0 ? 'No OpenPosition Found. Not placing Exit order.' : 'No action needed. Position size matches current position',
    };
  }
  const delta = target - current;
  const order = checkOrder({ ...(req as OrderFields), action: delta > 0 ? 'BUY' : 'SELL', quantity: Math.abs(delta) }, ms);
  if (typeof order === 'string') return fail(order);
  return desk.account.place(order, ms);
}

/** Chunk sizes: full `size` chunks then the remainder. */
function chunks(total: number, size: number): number[] {
  const out: number[] = [];
  for (let left = total; left > 0; left -= size) out.push(Math.min(size, left));
  return out;
}

type SplitResult = NonNullable<SplitOrderAnswer['results']>[number];

/** Places `spec` in chunks of `size`; every chunk is its own order. */
function placeSplit(desk: Desk, fields: OrderFields, total: number, size: number, ms: number): { results: SplitResult[] } | string {
  if (!Number.isInteger(size) || size <= 0) return `splitsize '${String(size)}' must be a positive whole number`;
  const parts = chunks(total, size);
  if (parts.length > MAX_SPLIT_ORDERS) return `a split makes at most ${MAX_SPLIT_ORDERS} orders; ${total} in chunks of ${size} would make ${parts.length}`;
  const first = checkOrder({ ...fields, quantity: parts[0] }, ms);
  if (typeof first === 'string') return first;
  const lot = first.instrument.lotSize;
  if (size % lot !== 0 || total % lot !== 0) return `quantity ${total} and splitsize ${size} must be multiples of the lot size ${lot} for ${first.symbol}`;
  const results = parts.map((quantity, i): SplitResult => {
    const a = desk.account.place({ ...first, quantity }, ms);
    return a.status === 'success'
      ? { order_num: i + 1, orderid: a.orderid, quantity, status: 'success' }
      : { order_num: i + 1, quantity, status: 'error', message: a.message };
  });
  return { results };
}

export function splitOrder(desk: Desk, req: SplitOrderRequest, ms: number): SplitOrderAnswer {
  const total = toNumber(req.quantity);
  if (!Number.isInteger(total) || total <= 0) return fail(`quantity '${String(req.quantity)}' must be a positive whole number`);
  const size = toNumber(req.splitsize);
  const r = placeSplit(desk, req as OrderFields, total, size, ms);
  if (typeof r === 'string') return fail(r);
  return withOverall({ status: 'success', split_size: size, total_quantity: total, results: r.results });
}

/** Success when any part went through; else the first part's message. */
function withOverall<T extends BrokerAnswer & { results?: Array<{ status: string; message?: string }> }>(answer: T): T {
  const results = answer.results ?? [];
  if (results.length > 0 && results.every((x) => x.status !== 'success')) {
    return { ...answer, status: 'error', message: results[0].message ?? 'no order was placed' };
  }
  return answer;
}

export function optionsOrder(desk: Desk, req: OptionsOrderRequest, ms: number): OptionsOrderAnswer {
  const ctx = optionRequestContext(desk.market, req.underlying, req.exchange, req.expiry_date, ms);
  if (typeof ctx === 'string') return fail(ctx);
  const inst = resolveOption(ctx, req.offset, req.option_type);
  if (typeof inst === 'string') return fail(inst);
  const fields: OrderFields = {
    strategy: req.strategy, symbol: inst.symbol, exchange: inst.exchange, action: req.action, quantity: req.quantity,
    pricetype: req.pricetype, product: req.product ?? 'NRML', price: req.price, trigger_price: req.trigger_price,
  };
  const about = {
    symbol: inst.symbol, exchange: inst.exchange, offset: String(req.offset).toUpperCase(), option_type: req.option_type,
    underlying: ctx.underlying.name, underlying_ltp: ctx.spot,
  };
  const splitsize = toNumber(req.splitsize ?? 0);
  const total = toNumber(req.quantity);
  if (splitsize > 0 && splitsize < total) {
    const r = placeSplit(desk, fields, total, splitsize, ms);
    if (typeof r === 'string') return fail(r);
    const first = r.results.find((x) => x.status === 'success');
    return withOverall({ status: 'success', orderid: first?.orderid, ...about, split_size: splitsize, total_quantity: total, results: r.results });
  }
  const spec = checkOrder(fields, ms);
  if (typeof spec === 'string') return fail(spec);
  const a = desk.account.place(spec, ms);
  return a.status === 'success' ? { status: 'success', orderid: a.orderid, ...about } : a;
}

type LegResult = NonNullable<OptionsMultiOrderAnswer['results']>[number];

/** BUY legs go first (they free margin for the SELL legs), as OpenAlgo does; results follow execution order. */
export function optionsMultiOrder(desk: Desk, req: OptionsMultiOrderRequest, ms: number): OptionsMultiOrderAnswer {
  if (!Array.isArray(req.legs) || req.legs.length === 0) return fail('legs must list at least one leg');
  const u = optionUnderlying(req.underlying, req.exchange);
  if (typeof u === 'string') return fail(u);
  const contexts = new Map<string, OptionContext | string>();
  const contextFor = (expiry: string) => {
    let c = contexts.get(expiry);
    if (c === undefined) { c = optionContext(desk.market, u, expiry, ms); contexts.set(expiry, c); }
    return c;
  };
  const order = req.legs.map((leg, i) => ({ leg, n: i + 1 })).sort((a, b) => rank(a.leg.action) - rank(b.leg.action));
  const results = order.map(({ leg, n }): LegResult => {
    const head = { leg: n, action: leg.action, offset: leg.offset, option_type: leg.option_type };
    const ctx = contextFor(leg.expiry_date ?? req.expiry_date ?? '');
    if (typeof ctx === 'string') return { ...head, status: 'error', message: ctx };
    const inst = resolveOption(ctx, leg.offset, leg.option_type);
    if (typeof inst === 'string') return { ...head, status: 'error', message: inst };
    const fields: OrderFields = {
      strategy: req.strategy, symbol: inst.symbol, exchange: inst.exchange, action: leg.action, quantity: leg.quantity,
      pricetype: leg.pricetype ?? 'MARKET', product: leg.product ?? 'NRML',
    };
    const splitsize = toNumber(leg.splitsize ?? 0);
    const total = toNumber(leg.quantity);
    let a: { status: string; orderid?: string; message?: string };
    if (splitsize > 0 && splitsize < total) {
      const r = placeSplit(desk, fields, total, splitsize, ms);
      a = typeof r === 'string' ? fail(r) : withOverall({ status: 'success', orderid: r.results.find((x) => x.orderid)?.orderid, results: r.results });
    } else {
      const spec = checkOrder(fields, ms);
      a = typeof spec === 'string' ? fail(spec) : desk.account.place(spec, ms);
    }
    return a.status === 'success'
      ? { ...head, orderid: a.orderid, status: 'success', symbol: inst.symbol, mode: 'analyze' } as LegResult
      : { ...head, status: 'error', symbol: inst.symbol, message: a.message };
  });
  return withOverall({ status: 'success', underlying: u.name, underlying_ltp: desk.market.spotLtp(u, ms), results });
}

function rank(action: Action): number {
  return String(action).toUpperCase() === 'BUY' ? 0 : 1;
}

type BasketResult = NonNullable<BasketOrderAnswer['results']>[number];

/** BUY orders go first, as OpenAlgo does; results follow execution order. */
export function basketOrder(desk: Desk, req: BasketOrderRequest, ms: number): BasketOrderAnswer {
  if (!Array.isArray(req.orders) || req.orders.length === 0) return fail('orders must list at least one order');
  const sorted = [...req.orders].sort((a, b) => rank(a.action) - rank(b.action));
  const results = sorted.map((o): BasketResult => {
    const spec = checkOrder({ ...(o as OrderFields), strategy: req.strategy }, ms);
    if (typeof spec === 'string') return { symbol: String(o.symbol), status: 'error', message: spec };
    const a = desk.account.place(spec, ms);
    return a.status === 'success' ? { symbol: spec.symbol, status: 'success', orderid: a.orderid } : { symbol: spec.symbol, status: 'error', message: a.message };
  });
  return withOverall({ status: 'success', results });
}

/** Squares off every open position at market, in its own product. */
export function closeAllPositions(desk: Desk, req: ClosePositionRequest, ms: number): BrokerAnswer {
  const open = desk.account.openPositions();
  if (open.length === 0) return { status: 'success', message: 'No open positions to close' };
  const failures: string[] = [];
  for (const p of open) {
    const r = resolveInstrument(p.symbol, p.exchange);
    if (!r.ok) { failures.push(`${p.symbol}: ${r.message}`); continue; }
    // Built directly: a position may exceed one order's freeze quantity, and closing needs no new margin.
    const spec: OrderSpec = {
      strategy: String(req.strategy ?? ''), symbol: p.symbol, exchange: p.exchange, action: p.quantity > 0 ? 'SELL' : 'BUY',
      quantity: Math.abs(p.quantity), pricetype: 'MARKET', product: p.product, price: 0, trigger_price: 0,
      disclosed_quantity: 0, instrument: r.instrument,
    };
    const a = desk.account.place(spec, ms);
    if (a.status !== 'success') failures.push(`${p.symbol}: ${a.message}`);
  }
  if (failures.length > 0) return fail(`could not close ${failures.length} position(s): ${failures.join('; ')}`);
  return { status: 'success', message: 'All Open Positions Squared Off' };
}
