// A tiny in-memory Broker for transport tests: three instruments at fixed prices,
// market orders fill at once, limit orders rest. It records every call it gets.

import type {
  Broker, BrokerAnswer, CallOptions, OrderBookEntry, OrderStatusData, PlaceOrderRequest, PositionBookEntry,
  QuoteData, SymbolRef,
} from '../../src/broker/types.js';

const PRICES: Record<string, number> = { 'NSE:SBIN': 800, 'NSE:RELIANCE': 2900, 'NSE_INDEX:NIFTY': 24000 };
const STAMP = '25-Nov-2024 10:00:00';

export interface StubCall { method: string; req: unknown; opts: CallOptions }

export class StubBroker implements Broker {
  readonly kind = 'paper' as const;
  readonly description = 'stub';
  readonly calls: StubCall[] = [];
  private readonly orders = new Map<string, OrderStatusData & { strategy: string }>();
  private readonly positions = new Map<string, PositionBookEntry>();
  private readonly seenKeys = new Set<string>();
  private seq = 0;

  private record(method: string, req: unknown, opts: CallOptions = {}): void {
    this.calls.push({ method, req, opts });
  }

  private quote(ref: SymbolRef): QuoteData | undefined {
    const ltp = PRICES[`${ref.exchange}:${ref.symbol}`];
    if (ltp === undefined) return undefined;
    return { open: ltp, high: ltp * 1.01, low: ltp * 0.99, ltp, ask: ltp + 0.05, bid: ltp - 0.05, prev_close: ltp * 0.995, volume: 1000, oi: 0 };
  }

  private place(req: PlaceOrderRequest, opts: CallOptions = {}): BrokerAnswer & { orderid?: string } {
    const q = this.quote(req);
    if (!q) return { status: 'error', message: `Symbol ${req.symbol} not found on ${req.exchange}` };
    if ((req.pricetype === 'LIMIT' || req.pricetype === 'SL') && !(req.price && req.price > 0)) {
      return { status: 'error', message: `A ${req.pricetype} order needs a price` };
    }
    if (opts.clientOrderKey) {
      if (this.seenKeys.has(opts.clientOrderKey)) return { status: 'error', message: `Duplicate client order key ${opts.clientOrderKey}` };
      this.seenKeys.add(opts.clientOrderKey);
    }
    const orderid = String(24112500000 + ++this.seq);
    const fills = req.pricetype === 'MARKET' || (req.pricetype === 'LIMIT' && (req.action === 'BUY' ? req.price! >= q.ltp : req.price! <= q.ltp));
    this.orders.set(orderid, {
      orderid, action: req.action, symbol: req.symbol, exchange: req.exchange, product: req.product, quantity: req.quantity,
      price: req.price ?? 0, pricetype: req.pricetype, trigger_price: req.trigger_price ?? 0, timestamp: STAMP,
      order_status: fills ? 'complete' : 'open', average_price: fills ? q.ltp : 0, filled_quantity: fills ? req.quantity : 0,
      strategy: req.strategy,
    });
    if (fills) {
      const key = `${req.exchange}:${req.symbol}:${req.product}`;
      const pos = this.positions.get(key) ?? { symbol: req.symbol, exchange: req.exchange, product: req.product, quantity: 0, average_price: q.ltp, ltp: q.ltp, pnl: 0 };
      pos.quantity += req.action === 'BUY' ? req.quantity : -req.quantity;
      this.positions.set(key, pos);
    }
    return { status: 'success', orderid };
  }

  async placeOrder(req: PlaceOrderRequest, opts?: CallOptions) { this.record('placeOrder', req, opts); return this.place(req, opts); }
  async placeSmartOrder(req: Parameters<Broker['placeSmartOrder']>[0], opts?: CallOptions) {
    this.record('placeSmartOrder', req, opts);
    const current = this.positions.get(`${req.exchange}:${req.symbol}:${req.product}`)?.quantity ?? 0;
    const diff = req.position_size - current;
    if (diff === 0) return { status: 'success' as const, message: 'No action needed. Position size matches current position' };
    return this.place({ ...req, action: diff > 0 ? 'BUY' : 'SELL', quantity: Math.abs(diff) }, opts);
  }
  async optionsOrder(req: Parameters<Broker['optionsOrder']>[0], opts?: CallOptions) {
    this.record('optionsOrder', req, opts);
    const symbol = `${req.underlying}${req.expiry_date}24000${req.option_type}`;
    return { status: 'success' as const, orderid: String(24112500000 + ++this.seq), symbol, exchange: 'NFO', offset: req.offset, option_type: req.option_type, underlying: req.underlying, underlying_ltp: 24000 };
  }
  async optionsMultiOrder(req: Parameters<Broker['optionsMultiOrder']>[0], opts?: CallOptions) {
    this.record('optionsMultiOrder', req, opts);
    return {
      status: 'success' as const, underlying: req.underlying, underlying_ltp: 24000,
      results: req.legs.map((l, i) => ({ leg: i + 1, action: l.action, offset: l.offset, option_type: l.option_type, orderid: String(24112500000 + ++this.seq), status: 'success', symbol: `${req.underlying}${req.expiry_date}24000${l.option_type}` })),
    };
  }
  async basketOrder(req: Parameters<Broker['basketOrder']>[0], opts?: CallOptions) {
    this.record('basketOrder', req, opts);
    return {
      status: 'success' as const,
      results: req.orders.map((o) => {
        const a = this.place({ ...o, strategy: req.strategy });
        return a.status === 'success' ? { symbol: o.symbol, status: 'success', orderid: a.orderid } : { symbol: o.symbol, status: 'error', message: a.message };
      }),
    };
  }
  async splitOrder(req: Parameters<Broker['splitOrder']>[0], opts?: CallOptions) {
    this.record('splitOrder', req, opts);
    const results = [];
    for (let left = req.quantity, n = 1; left > 0; left -= req.splitsize, n++) {
      const quantity = Math.min(left, req.splitsize);
      const a = this.place({ ...req, quantity });
      results.push({ order_num: n, orderid: a.orderid, quantity, status: a.status });
    }
    return { status: 'success' as const, split_size: req.splitsize, total_quantity: req.quantity, results };
  }
  async modifyOrder(req: Parameters<Broker['modifyOrder']>[0], opts?: CallOptions) {
    this.record('modifyOrder', req, opts);
    const o = this.orders.get(req.orderid);
    if (!o || o.order_status !== 'open') return { status: 'error' as const, message: `Order ${req.orderid} is not open` };
    Object.assign(o, { price: req.price, quantity: req.quantity });
    return { status: 'success' as const, orderid: req.orderid };
  }
  async cancelOrder(req: Parameters<Broker['cancelOrder']>[0], opts?: CallOptions) {
    this.record('cancelOrder', req, opts);
    const o = this.orders.get(req.orderid);
    if (!o) return { status: 'error' as const, message: `Order ${req.orderid} not found` };
    if (o.order_status !== 'open') return { status: 'error' as const, message: `Order ${req.orderid} is ${o.order_status}` };
    o.order_status = 'cancelled';
    return { status: 'success' as const, orderid: req.orderid };
  }
  async cancelAllOrders(req: { strategy: string }, opts?: CallOptions) {
    this.record('cancelAllOrders', req, opts);
    const canceled_orders: string[] = [];
    for (const o of this.orders.values()) if (o.order_status === 'open') { o.order_status = 'cancelled'; canceled_orders.push(o.orderid); }
    return { status: 'success' as const, message: `Canceled ${canceled_orders.length} orders`, canceled_orders, failed_cancellations: [] };
  }
  async closePosition(req: { strategy: string }, opts?: CallOptions) {
    this.record('closePosition', req, opts);
    for (const p of this.positions.values()) p.quantity = 0;
    return { status: 'success' as const, message: 'All Open Positions Squared Off' };
  }
  async orderStatus(req: { orderid: string; strategy: string }, opts?: CallOptions) {
    this.record('orderStatus', req, opts);
    const o = this.orders.get(req.orderid);
    if (!o) return { status: 'error' as const, message: `Order ${req.orderid} not found` };
    const { strategy: _s, ...data } = o;
    return { status: 'success' as const, data };
  }
  async openPosition(req: Parameters<Broker['openPosition']>[0], opts?: CallOptions) {
    this.record('openPosition', req, opts);
    return { status: 'success' as const, quantity: String(this.positions.get(`${req.exchange}:${req.symbol}:${req.product}`)?.quantity ?? 0) };
  }
  async funds(opts?: CallOptions) {
    this.record('funds', undefined, opts);
    return { status: 'success' as const, data: { availablecash: '10000000.00', collateral: '0.00', m2mrealized: '0.00', m2munrealized: '0.00', utiliseddebits: '0.00' } };
  }
  async orderBook(opts?: CallOptions) {
    this.record('orderBook', undefined, opts);
    const orders: OrderBookEntry[] = [...this.orders.values()];
    const count = (f: (o: OrderBookEntry) => boolean) => orders.filter(f).length;
    return {
      status: 'success' as const,
      data: {
        orders,
        statistics: {
          total_buy_orders: count((o) => o.action === 'BUY'), total_sell_orders: count((o) => o.action === 'SELL'),
          total_completed_orders: count((o) => o.order_status === 'complete'), total_open_orders: count((o) => o.order_status === 'open'),
          total_rejected_orders: count((o) => o.order_status === 'rejected'),
        },
      },
    };
  }
  async tradeBook(opts?: CallOptions) {
    this.record('tradeBook', undefined, opts);
    const data = [...this.orders.values()].filter((o) => o.order_status === 'complete').map((o) => ({
      action: o.action, symbol: o.symbol, exchange: o.exchange, orderid: o.orderid, product: o.product, quantity: o.quantity,
      average_price: o.average_price, timestamp: STAMP, trade_value: o.average_price * o.quantity,
    }));
    return { status: 'success' as const, data };
  }
  async positionBook(opts?: CallOptions) { this.record('positionBook', undefined, opts); return { status: 'success' as const, data: [...this.positions.values()] }; }
  async holdings(opts?: CallOptions) {
    this.record('holdings', undefined, opts);
    return { status: 'success' as const, data: { holdings: [], statistics: { totalholdingvalue: 0, totalinvvalue: 0, totalprofitandloss: 0, totalpnlpercentage: 0 } } };
  }
  async quotes(req: SymbolRef, opts?: CallOptions) {
    this.record('quotes', req, opts);
    const data = this.quote(req);
    return data ? { status: 'success' as const, data } : { status: 'error' as const, message: `Symbol ${req.symbol} not found on ${req.exchange}` };
  }
  async multiQuotes(req: { symbols: SymbolRef[] }, opts?: CallOptions) {
    this.record('multiQuotes', req, opts);
    return { status: 'success' as const, results: req.symbols.map((s) => { const data = this.quote(s); return data ? { ...s, data } : { ...s, error: 'Symbol not found' }; }) };
  }
  async depth(req: SymbolRef, opts?: CallOptions) {
    this.record('depth', req, opts);
    const q = this.quote(req);
    if (!q) return { status: 'error' as const, message: `Symbol ${req.symbol} not found on ${req.exchange}` };
    const levels = (sign: number) => Array.from({ length: 5 }, (_, i) => ({ price: q.ltp + sign * 0.05 * (i + 1), quantity: 100 }));
    return { status: 'success' as const, data: { ...q, ltq: 10, totalbuyqty: 500, totalsellqty: 500, asks: levels(1), bids: levels(-1) } };
  }
  async history(req: Parameters<Broker['history']>[0], opts?: CallOptions) {
    this.record('history', req, opts);
    return { status: 'success' as const, data: [{ timestamp: 1732511700, open: 800, high: 801, low: 799, close: 800.5, volume: 100, oi: 0 }] };
  }
  async intervals(opts?: CallOptions) {
    this.record('intervals', undefined, opts);
    return { status: 'success' as const, data: { months: [], weeks: [], days: ['D'], hours: ['1h'], minutes: ['1m', '5m'], seconds: [] } };
  }
  async symbol(req: SymbolRef, opts?: CallOptions) {
    this.record('symbol', req, opts);
    if (!this.quote(req)) return { status: 'error' as const, message: `Symbol ${req.symbol} not found on ${req.exchange}` };
    return { status: 'success' as const, data: { symbol: req.symbol, brsymbol: `${req.symbol}-EQ`, name: req.symbol, exchange: req.exchange, instrumenttype: 'EQ', expiry: '', strike: -0.01, lotsize: 1, tick_size: 0.05, token: '3045' } };
  }
  async search(req: Parameters<Broker['search']>[0], opts?: CallOptions) {
    this.record('search', req, opts);
    const data = Object.keys(PRICES).map((k) => k.split(':')).filter(([exchange, symbol]) => symbol.includes(req.query.toUpperCase()) && (!req.exchange || exchange === req.exchange))
      .map(([exchange, symbol]) => ({ symbol, brsymbol: `${symbol}-EQ`, name: symbol, exchange, instrumenttype: 'EQ', expiry: '', strike: -0.01, lotsize: 1, tick_size: 0.05, token: '3045' }));
    return { status: 'success' as const, data };
  }
  async expiry(req: Parameters<Broker['expiry']>[0], opts?: CallOptions) { this.record('expiry', req, opts); return { status: 'success' as const, data: ['28-NOV-24', '05-DEC-24'] }; }
  async optionSymbol(req: Parameters<Broker['optionSymbol']>[0], opts?: CallOptions) {
    this.record('optionSymbol', req, opts);
    return { status: 'success' as const, symbol: `${req.underlying}${req.expiry_date}24000${req.option_type}`, exchange: 'NFO', lotsize: 75, tick_size: 0.05, freeze_qty: 1800, underlying_ltp: 24000 };
  }
  async optionChain(req: Parameters<Broker['optionChain']>[0], opts?: CallOptions) {
    this.record('optionChain', req, opts);
    const leg = (t: string) => ({ symbol: `${req.underlying}${req.expiry_date}24000${t}`, label: 'ATM', ltp: 100, bid: 99.95, ask: 100.05, oi: 0, lotsize: 75 });
    return { status: 'success' as const, underlying: req.underlying, underlying_ltp: 24000, expiry_date: req.expiry_date, atm_strike: 24000, chain: [{ strike: 24000, ce: leg('CE'), pe: leg('PE') }] };
  }
  async margin(req: Parameters<Broker['margin']>[0], opts?: CallOptions) {
    this.record('margin', req, opts);
    return { status: 'success' as const, data: { total_margin_required: req.positions.reduce((s, p) => s + p.quantity * 100, 0) } };
  }
  async holidays(req: { year: number }, opts?: CallOptions) { this.record('holidays', req, opts); return { status: 'success' as const, data: [{ date: `${req.year}-01-26`, description: 'Republic Day' }] }; }
  async timings(req: { date: string }, opts?: CallOptions) { this.record('timings', req, opts); return { status: 'success' as const, data: [{ exchange: 'NSE', start_time: 1732506300000, end_time: 1732528800000 }] }; }
  async ping(opts?: CallOptions) { this.record('ping', undefined, opts); return { status: 'success' as const, data: { message: 'pong', broker: 'paper' } }; }
  async telegram(req: Parameters<Broker['telegram']>[0], opts?: CallOptions) { this.record('telegram', req, opts); return { status: 'error' as const, message: 'Telegram is not configured' }; }
  async whatsapp(req: Parameters<Broker['whatsapp']>[0], opts?: CallOptions) { this.record('whatsapp', req, opts); return { status: 'error' as const, message: 'WhatsApp is not paired' }; }
}
