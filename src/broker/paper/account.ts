// The paper account: orders, their fills, positions and funds, kept in one plain-JSON state
// with in-memory indexes beside it. Every status change is reported through `emit`.

import type { FundsData, OrderAnswer, OrderUpdate, Product } from '../types.js';
import { fail } from './answer.js';
import { isResting, orderUpdate } from './books.js';
import { formatOrderTime, yymmdd } from './clock.js';
import { hasExpired } from './expiries.js';
import { resolveInstrument, type Instrument } from './instruments.js';
import { openingMargin, openingQuantity } from './margin.js';
import type { Market } from './prices.js';
import { emptyState, type PaperOrder, type PaperPosition, type PaperState } from './state.js';
import type { OrderSpec } from './validate.js';
import { afterHoursRefusal } from './session.js';

const round2 = (x: number) => Math.round(x * 100) / 100;
const tick = (x: number, ticks: number) => Math.round(x * 20 + ticks) / 20;
const positionKey = (symbol: string, exchange: string, product: string) => `${exchange}|${symbol}|${product}`;

/** What an order needs to be checked against funds and positions. */
type Sized = Pick<PaperOrder, 'symbol' | 'exchange' | 'product' | 'action' | 'quantity'>;

export class Account {
  /** Set when the state changed since the owner last looked. */
  changed = false;
  private orders = new Map<string, PaperOrder>();
  private resting = new Set<PaperOrder>();
  private positions = new Map<string, PaperPosition>();
  private keys = new Set<string>();

  /** false: OpenAlgo sandbox hours (MIS orders that open a position refused after square-off). */
  alwaysOpen = true;
  /**
   * A rehearsal's fills: a new order never fills at the price that made the workflow place it; it
   * rests and is examined on the next price move (market at the next tick, limit when crossed).
   */
  fillOnNextMove = false;
  /** Adverse slippage on market and SL-M fills, in basis points of the price (rounded to the tick against the trader). */
  slippageBps = 0;

  /** The price a market order gets: the ask (BUY) or bid (SELL), then the slippage. */
  private marketPrice(ltp: number, buy: boolean): number {
    const quoted = buy ? tick(ltp, 1) : tick(ltp, -1);
    if (this.slippageBps === 0) return quoted;
    const slipped = quoted * (1 + (buy ? 1 : -1) * this.slippageBps / 10_000);
    return Math.max(0.05, buy ? Math.ceil(slipped * 20 - 1e-9) / 20 : Math.floor(slipped * 20 + 1e-9) / 20);
  }

  constructor(public state: PaperState, private readonly market: Market, private readonly emit: (u: OrderUpdate) => void) {
    this.index();
  }

  private index(): void {
    this.orders = new Map(this.state.orders.map((o) => [o.orderid, o]));
    this.resting = new Set(this.state.orders.filter(isResting));
    this.positions = new Map(this.state.positions.map((p) => [positionKey(p.symbol, p.exchange, p.product), p]));
    this.keys = new Set(this.state.clientOrderKeys);
  }

  /** Back to the starting capital with no orders or positions; order numbering, seen keys and set prices survive. */
  reset(): void {
    const { startingCapital, nextOrderSeq, clientOrderKeys, priceOverrides } = this.state;
    this.state = { ...emptyState(startingCapital), nextOrderSeq, clientOrderKeys, priceOverrides };
    this.index();
    this.changed = true;
  }

  hasKey(key: string): boolean {
    return this.keys.has(key);
  }

  rememberKey(key: string): void {
    this.keys.add(key);
    this.state.clientOrderKeys.push(key);
    this.changed = true;
  }

  // ---- funds -----------------------------------------------------------------

  private totals(): { realised: number; blocked: number } {
    let realised = 0;
    let blocked = 0;
    for (const p of this.state.positions) { realised += p.realised; blocked += p.margin; }
    for (const o of this.resting) blocked += o.reserved;
    return { realised, blocked };
  }

  /** Cash free for new exposure: capital plus booked P&L, less margin blocked by positions and resting orders. */
  available(): number {
    const { realised, blocked } = this.totals();
    return this.state.startingCapital + realised - blocked;
  }

  funds(ms: number): FundsData {
    const { realised, blocked } = this.totals();
    let unrealised = 0;
    for (const p of this.state.positions) if (p.quantity !== 0) unrealised += this.unrealised(p, ms);
    return {
      availablecash: (this.state.startingCapital + realised - blocked).toFixed(2),
      collateral: '0.00',
      m2mrealized: realised.toFixed(2),
      m2munrealized: unrealised.toFixed(2),
      utiliseddebits: blocked.toFixed(2),
    };
  }

  /** The margin an order would block at `price`, or why it cannot go through. */
  private requirement(o: Sized, inst: Instrument, price: number, ms: number): number | string {
    const held = this.positions.get(positionKey(o.symbol, o.exchange, o.product))?.quantity ?? 0;
    if (o.product === 'CNC' && o.action === 'SELL' && o.quantity > Math.max(0, held)) {
      return `CNC SELL of ${o.quantity} ${o.symbol} exceeds the CNC holding of ${Math.max(0, held)}; use MIS to sell short`;
    }
    const signed = o.action === 'BUY' ? o.quantity : -o.quantity;
    const opening = openingQuantity(held, signed);
    if (opening === 0) return 0;
    const spot = inst.type === 'CE' || inst.type === 'PE' ? this.market.spotLtp(inst.underlying, ms) : price;
    const margin = openingMargin(inst, o.product, signed > 0 ? 'long' : 'short', opening, price, spot);
    const available = this.available();
    if (margin > available + 1e-6) {
      return `insufficient funds: ${o.action} ${o.quantity} ${o.symbol} needs ₹${margin.toFixed(2)} of margin, ₹${available.toFixed(2)} is available`;
    }
    return margin;
  }

  // ---- orders ----------------------------------------------------------------

  /** Places a checked order: fills it now when marketable, else leaves it resting. */
  place(spec: OrderSpec, ms: number): OrderAnswer {
    if (!this.alwaysOpen) {
      const closed = afterHoursRefusal(spec, ms, this.positionQuantity(spec.symbol, spec.exchange, spec.product));
      if (closed) return fail(closed);
    }
    const inst = spec.instrument;
    const ltp = this.market.ltp(inst, ms);
    const buy = spec.action === 'BUY';
    const marketPrice = this.marketPrice(ltp, buy);
    const triggered = spec.pricetype === 'SL' || spec.pricetype === 'SL-M' ? (buy ? ltp >= spec.trigger_price : ltp <= spec.trigger_price) : true;
    let fillPrice: number | null = null;
    if (spec.pricetype === 'MARKET' || (spec.pricetype === 'SL-M' && triggered)) fillPrice = marketPrice;
    else if (triggered && (buy ? ltp <= spec.price : ltp >= spec.price)) fillPrice = buy ? Math.min(spec.price, marketPrice) : Math.max(spec.price, marketPrice);
    if (this.fillOnNextMove) fillPrice = null;
    const checkPrice = fillPrice ?? (spec.pricetype === 'MARKET' ? marketPrice : spec.pricetype === 'SL-M' ? spec.trigger_price : spec.price);
    const need = this.requirement(spec, inst, checkPrice, ms);
    if (typeof need === 'string') return fail(need);

    const order: PaperOrder = {
      orderid: `${yymmdd(ms)}${String(this.state.nextOrderSeq++).padStart(8, '0')}`,
      strategy: spec.strategy, symbol: spec.symbol, exchange: spec.exchange, action: spec.action, quantity: spec.quantity,
      pricetype: spec.pricetype, product: spec.product, price: spec.price, trigger_price: spec.trigger_price,
      disclosed_quantity: spec.disclosed_quantity, order_status: 'open', filled_quantity: 0, average_price: 0,
      timestamp: formatOrderTime(ms), placedAt: ms, updatedAt: ms, triggered, reserved: 0,
    };
    this.state.orders.push(order);
    this.orders.set(order.orderid, order);
    this.changed = true;
    if (fillPrice !== null) {
      this.execute(order, inst, fillPrice, ms);
    } else {
      order.order_status = triggered ? 'open' : 'trigger pending';
      order.reserved = need;
      this.resting.add(order);
    }
    this.emit(this.update(order, ms));
    return { status: 'success', orderid: order.orderid };
  }

  /** Re-examines every resting order against the prices at `ms`. */
  evaluate(ms: number): void {
    if (this.resting.size === 0) return;
    for (const o of [...this.resting]) this.progress(o, ms);
  }

  private progress(o: PaperOrder, ms: number): void {
    const r = resolveInstrument(o.symbol, o.exchange);
    if (!r.ok) return;
    const inst = r.instrument;
    if (inst.expiryDay !== undefined && hasExpired(inst.expiryDay, ms)) {
      this.finish(o, 'cancelled', ms, `${o.symbol} expired before the order filled`);
      return;
    }
    const ltp = this.market.ltp(inst, ms);
    const buy = o.action === 'BUY';
    const marketPrice = this.marketPrice(ltp, buy);
    if ((o.pricetype === 'SL' || o.pricetype === 'SL-M') && !o.triggered) {
      if (!(buy ? ltp >= o.trigger_price : ltp <= o.trigger_price)) return;
      o.triggered = true;
      this.changed = true;
      if (o.pricetype === 'SL-M') { this.fillResting(o, inst, marketPrice, ms); return; }
      o.order_status = 'open';
      o.updatedAt = ms;
      this.emit(this.update(o, ms));
    }
    if (o.pricetype === 'MARKET' || o.pricetype === 'SL-M') { this.fillResting(o, inst, marketPrice, ms); return; }
    if (buy ? ltp <= o.price : ltp >= o.price) {
      this.fillResting(o, inst, buy ? Math.min(o.price, marketPrice) : Math.max(o.price, marketPrice), ms);
    }
  }

  /** A resting order's margin was held at its limit price; the fill re-checks at the actual price. */
  private fillResting(o: PaperOrder, inst: Instrument, price: number, ms: number): void {
    this.resting.delete(o);
    o.reserved = 0;
    const need = this.requirement(o, inst, price, ms);
    if (typeof need === 'string') { this.finish(o, 'rejected', ms, need); return; }
    this.execute(o, inst, price, ms);
    this.emit(this.update(o, ms));
  }

  private finish(o: PaperOrder, status: 'cancelled' | 'rejected', ms: number, reason?: string): void {
    this.resting.delete(o);
    o.order_status = status;
    o.reserved = 0;
    o.updatedAt = ms;
    if (reason) o.rejection_reason = reason;
    this.changed = true;
    this.emit(this.update(o, ms));
  }

  /** Books a complete fill: nets it into the position, moves margin, records the trade. */
  private execute(o: PaperOrder, inst: Instrument, price: number, ms: number): void {
    const key = positionKey(o.symbol, o.exchange, o.product);
    let pos = this.positions.get(key);
    if (!pos) {
      pos = { symbol: o.symbol, exchange: o.exchange, product: o.product, quantity: 0, average_price: 0, realised: 0, margin: 0 };
      this.positions.set(key, pos);
      this.state.positions.push(pos);
    }
    const direction = o.action === 'BUY' ? 1 : -1;
    const opening = openingQuantity(pos.quantity, direction * o.quantity);
    const closing = o.quantity - opening;
    if (closing > 0) {
      const held = Math.abs(pos.quantity);
      pos.realised += (price - pos.average_price) * closing * Math.sign(pos.quantity);
      pos.margin -= (pos.margin * closing) / held;
      pos.quantity += direction * closing;
      if (pos.quantity === 0) { pos.average_price = 0; pos.margin = 0; }
    }
    if (opening > 0) {
      const spot = inst.type === 'CE' || inst.type === 'PE' ? this.market.spotLtp(inst.underlying, ms) : price;
      const held = Math.abs(pos.quantity);
      pos.margin += openingMargin(inst, o.product, direction > 0 ? 'long' : 'short', opening, price, spot);
      pos.average_price = (pos.average_price * held + price * opening) / (held + opening);
      pos.quantity += direction * opening;
    }
    o.order_status = 'complete';
    o.filled_quantity = o.quantity;
    o.average_price = price;
    o.updatedAt = ms;
    this.changed = true;
    this.state.trades.push({
      orderid: o.orderid, strategy: o.strategy, symbol: o.symbol, exchange: o.exchange, action: o.action, product: o.product,
      quantity: o.quantity, average_price: price, trade_value: round2(price * o.quantity), timestamp: formatOrderTime(ms),
    });
  }

  /** Changes a resting order; it may fill at once. Symbol, exchange, action and product stay. */
  modify(orderid: string, spec: OrderSpec, ms: number): OrderAnswer {
    const o = this.orders.get(orderid);
    if (!o) return fail(`order ${orderid} not found`);
    if (!this.resting.has(o)) return fail(`order ${orderid} is ${o.order_status}; only open or trigger pending orders can be modified`);
    if (spec.symbol !== o.symbol || spec.exchange !== o.exchange || spec.action !== o.action || spec.product !== o.product) {
      return fail(`order ${orderid} is ${o.action} ${o.symbol} ${o.exchange} ${o.product}; modifyOrder cannot change the symbol, exchange, action or product`);
    }
    const ltp = this.market.ltp(spec.instrument, ms);
    const checkPrice = spec.pricetype === 'MARKET' ? this.marketPrice(ltp, spec.action === 'BUY') : spec.pricetype === 'SL-M' ? spec.trigger_price : spec.price;
    const held = o.reserved;
    o.reserved = 0;
    const need = this.requirement(spec, spec.instrument, checkPrice, ms);
    if (typeof need === 'string') { o.reserved = held; return fail(need); }
    const wasStatus = o.order_status;
    const stop = spec.pricetype === 'SL' || spec.pricetype === 'SL-M';
    Object.assign(o, {
      quantity: spec.quantity, pricetype: spec.pricetype, price: spec.price, trigger_price: spec.trigger_price,
      disclosed_quantity: spec.disclosed_quantity, reserved: need, updatedAt: ms,
      // A modified stop is re-armed at its new trigger.
      triggered: !stop || (spec.action === 'BUY' ? ltp >= spec.trigger_price : ltp <= spec.trigger_price),
    });
    o.order_status = o.triggered ? 'open' : 'trigger pending';
    this.changed = true;
    if (o.order_status !== wasStatus) this.emit(this.update(o, ms));
    this.progress(o, ms);
    return { status: 'success', orderid };
  }

  cancel(orderid: string, ms: number): OrderAnswer {
    const o = this.orders.get(orderid);
    if (!o) return fail(`order ${orderid} not found`);
    if (!this.resting.has(o)) return fail(`order ${orderid} is ${o.order_status}; only open or trigger pending orders can be cancelled`);
    if (o.pricetype === 'MARKET') return fail(`order ${orderid} is a market order being executed; it cannot be cancelled`);
    this.finish(o, 'cancelled', ms);
    return { status: 'success', orderid };
  }

  cancelAll(ms: number): string[] {
    const ids: string[] = [];
    // A market order waiting for its next-tick fill (rehearsals) is already with the exchange.
    for (const o of [...this.resting]) {
      if (o.pricetype === 'MARKET') continue;
      this.finish(o, 'cancelled', ms);
      ids.push(o.orderid);
    }
    return ids;
  }

  // ---- books -----------------------------------------------------------------

  order(orderid: string): PaperOrder | undefined {
    return this.orders.get(orderid);
  }

  positionQuantity(symbol: string, exchange: string, product: Product): number {
    return this.positions.get(positionKey(symbol, exchange, product))?.quantity ?? 0;
  }

  openPositions(): PaperPosition[] {
    return this.state.positions.filter((p) => p.quantity !== 0);
  }

  /** The LTP a position is marked at. */
  ltpOf(p: PaperPosition, ms: number): number {
    const r = resolveInstrument(p.symbol, p.exchange);
    return r.ok ? this.market.ltp(r.instrument, ms) : p.average_price;
  }

  private unrealised(p: PaperPosition, ms: number): number {
    return (this.ltpOf(p, ms) - p.average_price) * p.quantity;
  }

  private update(o: PaperOrder, ms: number): OrderUpdate {
    return orderUpdate(o, formatOrderTime(ms));
  }
}
