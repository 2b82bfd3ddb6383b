// The answer schemas accept OpenAlgo's documented sample answers (docs/api/** in
// marketcalls/openalgo), numbers-as-strings included, and hand nodes numbers.

import { describe, expect, it } from 'vitest';
import { ANSWER_SCHEMAS } from '../../src/broker/openalgo/index.js';

describe('answer schemas', () => {
  it('read an order book whose quantities are strings and statistics floats', () => {
    const a = ANSWER_SCHEMAS.orderBook.parse({
      status: 'success',
      data: {
        orders: [{ action: 'BUY', symbol: 'RELIANCE', exchange: 'NSE', orderid: '250408000989443', product: 'MIS', quantity: '1', price: 1186.0, pricetype: 'MARKET', order_status: 'complete', trigger_price: 0.0, timestamp: '08-Apr-2025 13:58:03' }],
        statistics: { total_buy_orders: 2.0, total_sell_orders: 0.0, total_completed_orders: 1.0, total_open_orders: 0.0, total_rejected_orders: 0.0 },
      },
    });
    expect(a.data!.orders[0].quantity).toBe(1);
    expect(a.data!.statistics.total_buy_orders).toBe(2);
  });

  it('read candles whose timestamps are date strings or epoch seconds', () => {
    const a = ANSWER_SCHEMAS.history.parse({
      status: 'success',
      data: [
        { timestamp: '2025-04-01 09:15:00+05:30', open: 766.5, high: 774, low: 763.2, close: 772.5, volume: 318625 },
        { timestamp: 1743479400, open: 772.45, high: 774.95, low: 772.1, close: 773.2, volume: 197189 },
      ],
    });
    expect(a.data!.map((c) => c.timestamp)).toEqual([1743479100, 1743479400]);
    expect(a.data![0].oi).toBe(0);
  });

  it('keep funds as strings and a symbol\'s extra fields', () => {
    const f = ANSWER_SCHEMAS.funds.parse({ status: 'success', data: { availablecash: '320.66', collateral: '0.00', m2mrealized: '3.27', m2munrealized: '-7.88', utiliseddebits: '679.34' } });
    expect(f.data!.availablecash).toBe('320.66');
    const s = ANSWER_SCHEMAS.symbol.parse({ status: 'success', data: { id: 979, name: 'RELIANCE', symbol: 'RELIANCE', brsymbol: 'RELIANCE-EQ', exchange: 'NSE', brexchange: 'NSE', instrumenttype: '', expiry: '', strike: -0.01, lotsize: 1, tick_size: 0.05, token: '2885' } });
    expect(s.data).toMatchObject({ lotsize: 1, strike: -0.01, brexchange: 'NSE' });
  });

  it('default what nodes do not read, and refuse what they do', () => {
    expect(ANSWER_SCHEMAS.quotes.parse({ status: 'success', data: { ltp: '100.5', bid: null, ask: '' } }).data).toMatchObject({ ltp: 100.5, bid: 0, ask: 0, oi: 0 });
    expect(ANSWER_SCHEMAS.quotes.safeParse({ status: 'success', data: { bid: 1 } }).success).toBe(false);
    expect(ANSWER_SCHEMAS.placeOrder.safeParse({ status: 'success' }).success).toBe(false);
    expect(ANSWER_SCHEMAS.placeOrder.parse({ status: 'success', orderid: 250408000989443 }).orderid).toBe('250408000989443');
    expect(ANSWER_SCHEMAS.placeSmartOrder.safeParse({ status: 'success', message: 'No action needed' }).success).toBe(true);
  });
});
