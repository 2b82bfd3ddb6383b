// One suite of broker behaviour, run against every Broker: the in-process one and the
// same broker reached over HTTP through startOpenAlgoServer + OpenAlgoBroker. What a
// node sees must not depend on the transport.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Broker } from '../../src/broker/types.js';

export interface ContractSubject {
  broker: Broker;
  close?: () => Promise<void>;
}

export interface ContractFixture {
  /** An equity the broker knows, whose MARKET orders fill at once. */
  equity: { symbol: string; exchange: string };
  /** An index with weekly options. */
  index: { underlying: string; exchange: string; optionsExchange: string };
  /** A trading day the broker's clock is on or after (YYYY-MM-DD), for history and timings. */
  tradingDay: string;
}

export const DEFAULT_FIXTURE: ContractFixture = {
  equity: { symbol: 'SBIN', exchange: 'NSE' },
  index: { underlying: 'NIFTY', exchange: 'NSE_INDEX', optionsExchange: 'NFO' },
  tradingDay: '2024-11-25',
};

const STRATEGY = 'contract';

export function brokerContract(name: string, make: () => Promise<ContractSubject>, fixture: ContractFixture = DEFAULT_FIXTURE): void {
  describe(`Broker contract: ${name}`, () => {
    let subject: ContractSubject;
    let broker: Broker;
    const { equity, index } = fixture;

    beforeEach(async () => {
      subject = await make();
      broker = subject.broker;
    });
    afterEach(async () => {
      await subject.close?.();
    });

    const market = (action: 'BUY' | 'SELL', quantity: number) =>
      broker.placeOrder({ strategy: STRATEGY, ...equity, action, quantity, pricetype: 'MARKET', product: 'MIS' });
    const ltp = async () => {
      const q = await broker.quotes(equity);
      expect(q.status).toBe('success');
      return q.data!.ltp;
    };
    const restingBuy = async () => {
      const price = Math.floor((await ltp()) * 0.5);
      const a = await broker.placeOrder({ strategy: STRATEGY, ...equity, action: 'BUY', quantity: 1, pricetype: 'LIMIT', product: 'MIS', price });
      expect(a.status).toBe('success');
      return { orderid: a.orderid!, price };
    };
    const nearestExpiry = async () => {
      const e = await broker.expiry({ symbol: index.underlying, exchange: index.optionsExchange, instrumenttype: 'options' });
      expect(e.status).toBe('success');
      return e.data![0].replaceAll('-', ''); // "28-NOV-24" → "28NOV24"
    };

    // ---- connection and market data ---------------------------------------

    it('answers a ping with the broker name', async () => {
      const a = await broker.ping();
      expect(a.status).toBe('success');
      expect(a.data?.message).toBe('pong');
      expect(a.data?.broker).toBeTruthy();
    });

    it('quotes a known symbol with numbers', async () => {
      const a = await broker.quotes(equity);
      expect(a.status).toBe('success');
      for (const k of ['open', 'high', 'low', 'ltp', 'bid', 'ask', 'prev_close', 'volume'] as const) expect(typeof a.data![k]).toBe('number');
      expect(a.data!.ltp).toBeGreaterThan(0);
    });

    it('answers an unknown symbol with status error and a message, not an exception', async () => {
      const a = await broker.quotes({ symbol: 'NOSUCHSCRIP', exchange: 'NSE' });
      expect(a.status).toBe('error');
      expect(a.message).toMatch(/\S/);
    });

    it('quotes several symbols at once, marking the unknown one', async () => {
      const a = await broker.multiQuotes({ symbols: [equity, { symbol: 'NOSUCHSCRIP', exchange: 'NSE' }] });
      expect(a.status).toBe('success');
      expect(a.results).toHaveLength(2);
      expect(a.results![0].data!.ltp).toBeGreaterThan(0);
      expect(a.results![1].data).toBeUndefined();
      expect(a.results![1].error).toMatch(/\S/);
    });

    it('gives depth with bids below asks', async () => {
      const a = await broker.depth(equity);
      expect(a.status).toBe('success');
      expect(a.data!.bids.length).toBeGreaterThan(0);
      expect(a.data!.asks.length).toBeGreaterThan(0);
      expect(a.data!.bids[0].price).toBeLessThanOrEqual(a.data!.asks[0].price);
    });

    it('describes a symbol with its lot size', async () => {
      const a = await broker.symbol(equity);
      expect(a.status).toBe('success');
      expect(a.data!.symbol).toBe(equity.symbol);
      expect(a.data!.lotsize).toBeGreaterThanOrEqual(1);
      const missing = await broker.symbol({ symbol: 'NOSUCHSCRIP', exchange: 'NSE' });
      expect(missing.status).toBe('error');
    });

    it('searches symbols by text, on one exchange or all, with lot sizes', async () => {
      const all = await broker.search({ query: equity.symbol.slice(0, 3).toLowerCase() });
      expect(all.status).toBe('success');
      expect(all.data!.some((s) => s.symbol === equity.symbol && s.exchange === equity.exchange && s.lotsize >= 1)).toBe(true);
      const one = await broker.search({ query: equity.symbol, exchange: equity.exchange });
      expect(one.data!.length).toBeGreaterThan(0);
      expect(one.data!.every((s) => s.exchange === equity.exchange)).toBe(true);
      expect((await broker.search({ query: 'NOSUCHSCRIPATALL' })).data).toEqual([]);
    });

    it('returns candles and the intervals it supports', async () => {
      const iv = await broker.intervals();
      expect(iv.status).toBe('success');
      expect(iv.data!.days).toContain('D');
      const day = fixture.tradingDay;
      const weekBefore = new Date(Date.parse(day) - 7 * 86_400_000).toISOString().slice(0, 10);
      const h = await broker.history({ ...equity, interval: 'D', start_date: weekBefore, end_date: day });
      expect(h.status).toBe('success');
      expect(h.data!.length).toBeGreaterThan(0);
      const c = h.data![0];
      expect(typeof c.timestamp).toBe('number');
      expect(c.high).toBeGreaterThanOrEqual(c.low);
    });

    it('lists expiries, resolves an option symbol and gives an option chain', async () => {
      const e = await broker.expiry({ symbol: index.underlying, exchange: index.optionsExchange, instrumenttype: 'options' });
      expect(e.status).toBe('success');
      expect(e.data![0]).toMatch(/^\d{2}-[A-Z]{3}-\d{2}$/);
      const expiry = await nearestExpiry();
      const s = await broker.optionSymbol({ underlying: index.underlying, exchange: index.exchange, expiry_date: expiry, offset: 'ATM', option_type: 'CE' });
      expect(s.status).toBe('success');
      expect(s.symbol).toMatch(new RegExp(`^${index.underlying}${expiry}\\d+(\\.\\d+)?CE$`));
      expect(s.lotsize).toBeGreaterThan(1);
      const chain = await broker.optionChain({ underlying: index.underlying, exchange: index.exchange, expiry_date: expiry, strike_count: 2 });
      expect(chain.status).toBe('success');
      expect(chain.chain!.length).toBeGreaterThan(0);
      expect(chain.chain!.some((row) => row.ce?.label === 'ATM')).toBe(true);
    });

    it('tells holidays, session timings and margin', async () => {
      const year = Number(fixture.tradingDay.slice(0, 4));
      const h = await broker.holidays({ year });
      expect(h.status).toBe('success');
      expect(Array.isArray(h.data)).toBe(true);
      const t = await broker.timings({ date: fixture.tradingDay });
      expect(t.status).toBe('success');
      expect(t.data!.some((x) => x.exchange === equity.exchange && x.end_time > x.start_time)).toBe(true);
      const m = await broker.margin({ positions: [{ ...equity, action: 'BUY', quantity: 10, product: 'MIS', pricetype: 'MARKET' }] });
      expect(m.status).toBe('success');
      expect(m.data!.total_margin_required).toBeGreaterThan(0);
    });

    // ---- orders --------------------------------------------------------------

    it('places a market order that fills and shows in the order status, order book and trade book', async () => {
      const a = await market('BUY', 3);
      expect(a.status).toBe('success');
      expect(typeof a.orderid).toBe('string');
      const s = await broker.orderStatus({ orderid: a.orderid!, strategy: STRATEGY });
      expect(s.status).toBe('success');
      expect(s.data).toMatchObject({ orderid: a.orderid, symbol: equity.symbol, action: 'BUY', quantity: 3, order_status: 'complete' });
      expect(s.data!.average_price).toBeGreaterThan(0);
      const book = await broker.orderBook();
      expect(book.data!.orders.map((o) => o.orderid)).toContain(a.orderid);
      expect(book.data!.statistics.total_buy_orders).toBeGreaterThanOrEqual(1);
      const trades = await broker.tradeBook();
      expect(trades.data!.some((t) => t.orderid === a.orderid && t.quantity === 3)).toBe(true);
    });

    it('keeps the position: position book, open position, smart order and close position', async () => {
      expect((await market('BUY', 5)).status).toBe('success');
      const ref = { strategy: STRATEGY, ...equity, product: 'MIS' as const };
      expect((await broker.openPosition(ref)).quantity).toBe('5');
      const book = await broker.positionBook();
      expect(book.data!.find((p) => p.symbol === equity.symbol && p.product === 'MIS')?.quantity).toBe(5);

      const smart = await broker.placeSmartOrder({ ...ref, action: 'BUY', quantity: 0, pricetype: 'MARKET', position_size: -2 });
      expect(smart.status).toBe('success');
      expect((await broker.openPosition(ref)).quantity).toBe('-2');

      expect((await broker.closePosition({ strategy: STRATEGY })).status).toBe('success');
      expect((await broker.openPosition(ref)).quantity).toBe('0');
    });

    it('refuses a LIMIT order without a price', async () => {
      const a = await broker.placeOrder({ strategy: STRATEGY, ...equity, action: 'BUY', quantity: 1, pricetype: 'LIMIT', product: 'MIS' });
      expect(a.status).toBe('error');
      expect(a.message).toMatch(/price/i);
    });

    it('refuses an order for an unknown symbol', async () => {
      const a = await broker.placeOrder({ strategy: STRATEGY, symbol: 'NOSUCHSCRIP', exchange: 'NSE', action: 'BUY', quantity: 1, pricetype: 'MARKET', product: 'MIS' });
      expect(a.status).toBe('error');
      expect(a.message).toMatch(/\S/);
    });

    it('refuses a second order with the same client order key, and places only one', async () => {
      const before = (await broker.orderBook()).data!.orders.length;
      const opts = { clientOrderKey: 'run-1:node-3' };
      const req = { strategy: STRATEGY, ...equity, action: 'BUY' as const, quantity: 1, pricetype: 'MARKET' as const, product: 'MIS' as const };
      const first = await broker.placeOrder(req, opts);
      const second = await broker.placeOrder(req, opts);
      expect(first.status).toBe('success');
      expect(second.status).toBe('error');
      expect(second.message).toMatch(/duplicate|already/i);
      const after = (await broker.orderBook()).data!.orders;
      expect(after.length).toBe(before + 1);
    });

    it('modifies and cancels a resting limit order', async () => {
      const { orderid, price } = await restingBuy();
      expect((await broker.orderStatus({ orderid, strategy: STRATEGY })).data!.order_status).toBe('open');
      const m = await broker.modifyOrder({
        orderid, strategy: STRATEGY, ...equity, action: 'BUY', pricetype: 'LIMIT', product: 'MIS',
        quantity: 2, price: price - 1, trigger_price: 0, disclosed_quantity: 0,
      });
      expect(m.status).toBe('success');
      const c = await broker.cancelOrder({ orderid, strategy: STRATEGY });
      expect(c.status).toBe('success');
      expect((await broker.orderStatus({ orderid, strategy: STRATEGY })).data!.order_status).toBe('cancelled');
    });

    it('answers cancel and status of an unknown order with status error', async () => {
      const c = await broker.cancelOrder({ orderid: '999999999', strategy: STRATEGY });
      expect(c.status).toBe('error');
      expect(c.message).toMatch(/\S/);
      const s = await broker.orderStatus({ orderid: '999999999', strategy: STRATEGY });
      expect(s.status).toBe('error');
    });

    it('cancels every open order at once', async () => {
      const { orderid } = await restingBuy();
      const a = await broker.cancelAllOrders({ strategy: STRATEGY });
      expect(a.status).toBe('success');
      expect(a.canceled_orders).toContain(orderid);
    });

    it('places basket and split orders, one result per order', async () => {
      const basket = await broker.basketOrder({
        strategy: STRATEGY,
        orders: [
          { ...equity, action: 'BUY', quantity: 1, pricetype: 'MARKET', product: 'MIS' },
          { symbol: 'NOSUCHSCRIP', exchange: 'NSE', action: 'BUY', quantity: 1, pricetype: 'MARKET', product: 'MIS' },
        ],
      });
      expect(basket.status).toBe('success');
      expect(basket.results).toHaveLength(2);
      expect(basket.results!.find((r) => r.symbol === equity.symbol)?.status).toBe('success');
      expect(basket.results!.find((r) => r.symbol === 'NOSUCHSCRIP')?.status).toBe('error');

      const split = await broker.splitOrder({ strategy: STRATEGY, ...equity, action: 'BUY', quantity: 25, splitsize: 10, pricetype: 'MARKET', product: 'MIS' });
      expect(split.status).toBe('success');
      expect(split.results!.map((r) => r.quantity)).toEqual([10, 10, 5]);
    });

    it('places option orders by offset, single and multi-leg', async () => {
      const expiry = await nearestExpiry();
      const base = { strategy: STRATEGY, underlying: index.underlying, exchange: index.exchange, expiry_date: expiry };
      const lot = (await broker.optionSymbol({ ...base, offset: 'ATM', option_type: 'CE' })).lotsize!;
      const single = await broker.optionsOrder({ ...base, offset: 'ATM', option_type: 'CE', action: 'BUY', quantity: lot, pricetype: 'MARKET', product: 'MIS' });
      expect(single.status).toBe('success');
      expect(single.orderid).toBeTruthy();
      expect(single.symbol).toMatch(/CE$/);
      const multi = await broker.optionsMultiOrder({
        ...base,
        legs: [
          { offset: 'OTM2', option_type: 'CE', action: 'SELL', quantity: lot },
          { offset: 'OTM2', option_type: 'PE', action: 'SELL', quantity: lot },
        ],
      });
      expect(multi.status).toBe('success');
      expect(multi.results).toHaveLength(2);
      expect(multi.results!.map((r) => r.option_type).sort()).toEqual(['CE', 'PE']);
    });

    // ---- account ---------------------------------------------------------------

    it('reports funds as numeric strings and holdings as a list', async () => {
      const f = await broker.funds();
      expect(f.status).toBe('success');
      expect(Number(f.data!.availablecash)).toBeGreaterThan(0);
      const h = await broker.holdings();
      expect(h.status).toBe('success');
      expect(Array.isArray(h.data!.holdings)).toBe(true);
    });

    it('answers telegram with a status, never an exception', async () => {
      const a = await broker.telegram({ username: 'trader', message: 'hello' });
      expect(['success', 'error']).toContain(a.status);
    });
  });
}
