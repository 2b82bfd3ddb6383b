// The read-only books of the paper account, in OpenAlgo's answer shapes.

import type {
  HoldingsAnswer, OrderBookAnswer, OrderStatusData, OrderUpdate, PositionBookEntry, TradeBookEntry,
} from '../types.js';
import type { PaperOrder, PaperPosition, PaperState } from './state.js';

const round2 = (x: number) => Math.round(x * 100) / 100;
/** Open or waiting for its trigger: an order that can still fill or be cancelled. */
export const isResting = (o: PaperOrder) => o.order_status === 'open' || o.order_status === 'trigger pending';

/** Marks a position at its LTP. */
export type LtpOf = (p: PaperPosition) => number;

export function orderStatusData(o: PaperOrder): OrderStatusData {
  return {
    action: o.action, average_price: round2(o.average_price), exchange: o.exchange, order_status: o.order_status,
    orderid: o.orderid, price: o.price, pricetype: o.pricetype, product: o.product, quantity: o.quantity,
    symbol: o.symbol, timestamp: o.timestamp, trigger_price: o.trigger_price, filled_quantity: o.filled_quantity,
    ...(o.rejection_reason ? { rejection_reason: o.rejection_reason } : {}),
  };
}

export function orderUpdate(o: PaperOrder, timestamp: string): OrderUpdate {
  return {
    orderid: o.orderid, symbol: o.symbol, exchange: o.exchange, action: o.action, quantity: o.quantity,
    order_status: o.order_status, filled_quantity: o.filled_quantity, average_price: round2(o.average_price),
    ...(o.rejection_reason ? { rejection_reason: o.rejection_reason } : {}),
    strategy: o.strategy, timestamp,
  };
}

export function orderBook(state: PaperState): NonNullable<OrderBookAnswer['data']> {
  const statistics = { total_buy_orders: 0, total_sell_orders: 0, total_completed_orders: 0, total_open_orders: 0, total_rejected_orders: 0 };
  const orders = state.orders.map((o) => {
    if (o.action === 'BUY') statistics.total_buy_orders++; else statistics.total_sell_orders++;
    if (o.order_status === 'complete') statistics.total_completed_orders++;
    else if (isResting(o)) statistics.total_open_orders++;
    else if (o.order_status === 'rejected') statistics.total_rejected_orders++;
    return {
      action: o.action, symbol: o.symbol, exchange: o.exchange, orderid: o.orderid, product: o.product, quantity: o.quantity,
      price: o.price, pricetype: o.pricetype, order_status: o.order_status, trigger_price: o.trigger_price, timestamp: o.timestamp,
      average_price: round2(o.average_price), filled_quantity: o.filled_quantity, strategy: o.strategy,
    };
  });
  return { orders, statistics };
}

export function tradeBook(state: PaperState): TradeBookEntry[] {
  return state.trades.map((t) => ({
    action: t.action, symbol: t.symbol, exchange: t.exchange, orderid: t.orderid, product: t.product,
    quantity: t.quantity, average_price: t.average_price, timestamp: t.timestamp, trade_value: t.trade_value,
  }));
}

/** Every position of the session, closed ones included (quantity 0, booked P&L). */
export function positionBook(state: PaperState, ltpOf: LtpOf): PositionBookEntry[] {
  return state.positions.map((p) => {
    const ltp = ltpOf(p);
    return {
      symbol: p.symbol, exchange: p.exchange, product: p.product, quantity: p.quantity,
      average_price: round2(p.average_price), ltp, pnl: round2(p.realised + (ltp - p.average_price) * p.quantity),
    };
  });
}

/** Long CNC positions, valued at the LTP. */
export function holdings(state: PaperState, ltpOf: LtpOf): NonNullable<HoldingsAnswer['data']> {
  let value = 0;
  let invested = 0;
  const list = state.positions.filter((p) => p.product === 'CNC' && p.quantity > 0).map((p) => {
    const ltp = ltpOf(p);
    const cost = p.average_price * p.quantity;
    const pnl = (ltp - p.average_price) * p.quantity;
    value += ltp * p.quantity;
    invested += cost;
    return { symbol: p.symbol, exchange: p.exchange, product: p.product, quantity: p.quantity, pnl: round2(pnl), pnlpercent: round2((pnl / cost) * 100) };
  });
  const pnl = value - invested;
  return {
    holdings: list,
    statistics: {
      totalholdingvalue: round2(value), totalinvvalue: round2(invested), totalprofitandloss: round2(pnl),
      totalpnlpercentage: invested > 0 ? round2((pnl / invested) * 100) : 0,
    },
  };
}
