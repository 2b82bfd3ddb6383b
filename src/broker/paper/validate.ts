// Checks an order request the way an exchange would, answering a message a trader can act on.
// Numbers may arrive as numeric strings (OpenAlgo's REST clients send "65"), so they are coerced.

import type { Action, PlaceOrderRequest, PriceType, Product } from '../types.js';
import { formatExpiry } from './clock.js';
import { hasExpired } from './expiries.js';
import { resolveInstrument, TICK_SIZE, type Instrument } from './instruments.js';

/** A checked order: every PlaceOrderRequest field present, and the instrument it trades. */
export type OrderSpec = Required<PlaceOrderRequest> & { instrument: Instrument };

/** The fields of PlaceOrderRequest, as loose as they may arrive. */
export interface OrderFields {
  strategy?: unknown; symbol?: unknown; exchange?: unknown; action?: unknown; quantity?: unknown;
  pricetype?: unknown; product?: unknown; price?: unknown; trigger_price?: unknown; disclosed_quantity?: unknown;
}

export function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') return Number(value);
  return NaN;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback?: T): T | null {
  if ((value === undefined || value === null || value === '') && fallback) return fallback;
  const v = String(value).trim().toUpperCase();
  return (allowed as readonly string[]).includes(v) ? (v as T) : null;
}

function onTick(x: number): boolean {
  const q = x / TICK_SIZE;
  return Math.abs(q - Math.round(q)) < 1e-6;
}

/** A valid order, or why not. `allowZero` admits quantity 0 (smart orders that only set a target). */
export function checkOrder(req: OrderFields, ms: number, allowZero = false): OrderSpec | string {
  const action = oneOf(req.action, ['BUY', 'SELL'] as const);
  if (!action) return `action '${String(req.action)}' must be BUY or SELL`;
  const pricetype = oneOf(req.pricetype, ['MARKET', 'LIMIT', 'SL', 'SL-M'] as const, 'MARKET');
  if (!pricetype) return `pricetype '${String(req.pricetype)}' must be MARKET, LIMIT, SL or SL-M`;
  const product = oneOf(req.product, ['MIS', 'CNC', 'NRML'] as const, 'MIS');
  if (!product) return `product '${String(req.product)}' must be MIS, CNC or NRML`;
  const quantity = toNumber(req.quantity);
  if (!Number.isInteger(quantity) || quantity < 0 || (quantity === 0 && !allowZero)) {
    return `quantity '${String(req.quantity)}' must be a positive whole number`;
  }
  const price = req.price === undefined || req.price === null || req.price === '' ? 0 : toNumber(req.price);
  const trigger = req.trigger_price === undefined || req.trigger_price === null || req.trigger_price === '' ? 0 : toNumber(req.trigger_price);
  const disclosed = req.disclosed_quantity === undefined || req.disclosed_quantity === null || req.disclosed_quantity === '' ? 0 : toNumber(req.disclosed_quantity);
  if (!(price >= 0)) return `price '${String(req.price)}' must be a number ≥ 0`;
  if (!(trigger >= 0)) return `trigger_price '${String(req.trigger_price)}' must be a number ≥ 0`;
  if (!(disclosed >= 0)) return `disclosed_quantity '${String(req.disclosed_quantity)}' must be a number ≥ 0`;

  const r = resolveInstrument(String(req.symbol ?? ''), String(req.exchange ?? ''));
  if (!r.ok) return r.message;
  const inst = r.instrument;
  const fo = inst.type === 'FUT' || inst.type === 'CE' || inst.type === 'PE';
  if (inst.type === 'INDEX') {
    const where = inst.underlying.derivativesExchange;
    return `${inst.symbol} is an index and cannot be traded${where ? `; trade its futures or options on ${where}` : ''}`;
  }
  if (inst.type === 'EQ' && product === 'NRML') return `product NRML is for F&O; use CNC or MIS for ${inst.symbol}`;
  if (fo && product === 'CNC') return `product CNC is for equities; use NRML or MIS for ${inst.symbol}`;
  if (fo && hasExpired(inst.expiryDay as number, ms)) return `${inst.symbol} expired on ${formatExpiry(inst.expiryDay as number)}`;
  if (quantity % inst.lotSize !== 0) return `quantity ${quantity} is not a multiple of the lot size ${inst.lotSize} for ${inst.symbol}`;
  if (fo && quantity > inst.underlying.freezeQty) {
    return `quantity ${quantity} exceeds the freeze quantity ${inst.underlying.freezeQty} for ${inst.symbol}; split the order`;
  }

  if ((pricetype === 'LIMIT' || pricetype === 'SL') && !(price > 0)) return `a ${pricetype} order needs a price > 0`;
  if ((pricetype === 'SL' || pricetype === 'SL-M') && !(trigger > 0)) return `a ${pricetype} order needs a trigger_price > 0`;
  if (price > 0 && !onTick(price)) return `price ${price} is not a multiple of the tick size ${TICK_SIZE}`;
  if (trigger > 0 && !onTick(trigger)) return `trigger_price ${trigger} is not a multiple of the tick size ${TICK_SIZE}`;
  if (pricetype === 'SL' && action === 'BUY' && price < trigger) return `a BUY SL order needs price ≥ trigger_price (${price} < ${trigger})`;
  if (pricetype === 'SL' && action === 'SELL' && price > trigger) return `a SELL SL order needs price ≤ trigger_price (${price} > ${trigger})`;

  const usesPrice = pricetype === 'LIMIT' || pricetype === 'SL';
  const usesTrigger = pricetype === 'SL' || pricetype === 'SL-M';
  return {
    strategy: String(req.strategy ?? ''), symbol: inst.symbol, exchange: inst.exchange, action, quantity, pricetype, product,
    price: usesPrice ? price : 0, trigger_price: usesTrigger ? trigger : 0, disclosed_quantity: disclosed, instrument: inst,
  };
}
