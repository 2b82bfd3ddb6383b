// Flow's built-in paper broker (DESIGN.md §5): a deterministic simulated market and an
// in-memory account behind the Broker interface. Persistence belongs to the caller: restore
// with `state`, save from `onChange`. Every answer carries mode "analyze", like OpenAlgo's sandbox.

import {
  BrokerError, ORDER_METHODS,
  type BasketOrderAnswer, type BasketOrderRequest, type Broker, type BrokerAnswer, type CallOptions,
  type CancelAllOrdersAnswer, type CancelOrderRequest, type ClosePositionRequest, type DepthAnswer, type ExpiryAnswer,
  type ExpiryRequest, type FundsAnswer, type HistoryAnswer, type HistoryRequest, type HoldingsAnswer, type HolidaysAnswer,
  type IntervalsAnswer, type MarginAnswer, type MarginRequest, type ModifyOrderRequest, type MultiQuotesAnswer,
  type OpenPositionAnswer, type OpenPositionRequest, type OptionChainAnswer, type OptionChainRequest,
  type OptionSymbolAnswer, type OptionSymbolRequest, type OptionsMultiOrderAnswer, type OptionsMultiOrderRequest,
  type OptionsOrderAnswer, type OptionsOrderRequest, type OrderAnswer, type OrderBookAnswer, type OrderStatusAnswer,
  type OrderUpdate, type PingAnswer, type PlaceOrderRequest, type PositionBookAnswer, type QuoteAnswer,
  type SmartOrderRequest, type SplitOrderAnswer, type SplitOrderRequest, type SearchAnswer, type SearchRequest, type SymbolAnswer, type SymbolRef,
  type TelegramRequest, type WhatsAppRequest, type TimingsAnswer, type TradeBookAnswer,
} from '../types.js';
import { Account } from './account.js';
import { fail } from './answer.js';
import * as books from './books.js';
import { holidaysOf, INTERVALS, timingsOf } from './calendar.js';
import { MINUTE_MS } from './clock.js';
import { resolveInstrument } from './instruments.js';
import * as data from './marketdata.js';
import * as desk from './orders.js';
import { Market, roundTick } from './prices.js';
import { emptyState, parseState, type PaperState } from './state.js';
import { checkOrder, type OrderFields } from './validate.js';
import type { DepthData, QuoteData } from '../types.js';
import type { MarketStream } from '../../stream/types.js';
import { PaperStream } from '../../stream/paper.js';

export type { PaperState, PaperOrder, PaperPosition, PaperTrade } from './state.js';

export interface PaperBrokerOptions {
  /** Seed of the price walk; the same seed and clock give the same quotes. Default 42. */
  seed?: number;
  /** The clock; default the system clock. */
  now?: () => Date;
  /**
   * true (default): orders are taken at any hour. false: OpenAlgo sandbox hours, where an MIS order
   * that opens a position is refused from square-off until 09:00 IST (`flow serve` sets this from
   * FLOW_PAPER_ALWAYS_OPEN).
   */
  alwaysOpen?: boolean;
  /** Cash of a fresh account, in rupees. Default ₹1 crore. */
  startingCapital?: number;
  /** A snapshot to restore: positions, orders, trades, funds, seen client keys, set prices. */
  state?: PaperState;
  /** Rehearsals: a new order rests until the next price move (see Account.fillOnNextMove). */
  fillOnNextMove?: boolean;
  /** Rehearsals: adverse slippage on market fills, in basis points. */
  slippageBps?: number;
  /**
   * Called after every call that changed the state (orders, fills, setPrice, reset) with the
   * live state object: serialise it before returning, do not keep or mutate it.
   */
  onChange?: (state: PaperState) => void;
}

type Answer = BrokerAnswer;
const ORDER_METHOD_NAMES: ReadonlySet<string> = new Set(ORDER_METHODS);

export class PaperBroker implements Broker {
  readonly kind = 'paper' as const;
  readonly description = 'paper';
  /** Whether orders are taken at any hour (else OpenAlgo sandbox hours). */
  readonly alwaysOpen: boolean;
  private readonly clock: () => Date;
  private readonly market: Market;
  private readonly account: Account;
  private readonly onChange?: (state: PaperState) => void;
  private readonly listeners = new Set<(u: OrderUpdate) => void>();
  private readonly priceListeners = new Set<(ref: SymbolRef) => void>();
  private stream?: PaperStream;
  /** The paper market's stream (ticks from its price model, order updates on its fills), in-process. */
  readonly marketStream = (): MarketStream => (this.stream ??= new PaperStream(this));
  private updates: OrderUpdate[] = [];
  /** Prices move once a minute, so resting orders need a look only when the minute changes. */
  private lastSweepMinute = NaN;

  constructor(opts: PaperBrokerOptions = {}) {
    const state = opts.state ? parseState(opts.state) : emptyState(opts.startingCapital ?? 1_00_00_000);
    this.clock = opts.now ?? (() => new Date());
    this.onChange = opts.onChange;
    this.market = new Market(opts.seed ?? 42, state.priceOverrides);
    this.account = new Account(state, this.market, (u) => this.updates.push(u));
    this.account.alwaysOpen = opts.alwaysOpen ?? true;
    this.account.fillOnNextMove = opts.fillOnNextMove ?? false;
    this.account.slippageBps = opts.slippageBps ?? 0;
    this.alwaysOpen = this.account.alwaysOpen;
  }

  /** A deep copy of the account, plain JSON. */
  snapshot(): PaperState {
    return structuredClone(this.account.state);
  }

  /** Back to the starting capital with no positions or orders (seen client keys and set prices stay). */
  reset(): void {
    this.account.reset();
    this.market.overrides = this.account.state.priceOverrides;
    this.flush(false);
  }

  /** Moves the market: sets the LTP of one instrument (tests use it) and re-examines resting orders. */
  setPrice(symbol: string, exchange: string, ltp: number): void {
    this.setPrices([{ symbol, exchange, ltp }]);
  }

  /** Moves several instruments at one instant (a rehearsal's tick), then re-examines resting orders once. */
  setPrices(prices: ReadonlyArray<{ symbol: string; exchange: string; ltp: number }>): void {
    const moved: SymbolRef[] = [];
    for (const { symbol, exchange, ltp } of prices) {
      const r = resolveInstrument(symbol, exchange);
      if (!r.ok) throw new Error(`setPrice: ${r.message}`);
      if (!(Number.isFinite(ltp) && ltp > 0)) throw new Error(`setPrice: ltp must be a positive number, got ${ltp}`);
      this.account.state.priceOverrides[`${r.instrument.exchange}:${r.instrument.symbol}`] = roundTick(ltp);
      moved.push({ symbol: r.instrument.symbol, exchange: r.instrument.exchange });
    }
    this.account.changed = true;
    this.account.evaluate(this.clock().getTime());
    this.flush(false);
    for (const ref of moved) {
      for (const l of [...this.priceListeners]) {
        try { l(ref); } catch { /* a listener's failure is its own business */ }
      }
    }
  }

  /** The current quote and depth of an instrument, at once (the stream's ticks); a message when it is unknown. */
  marketNow(ref: SymbolRef): { symbol: string; exchange: string; quote: QuoteData; depth: DepthData } | string {
    const r = resolveInstrument(ref.symbol, ref.exchange);
    if (!r.ok) return r.message;
    const ms = this.clock().getTime();
    return { symbol: r.instrument.symbol, exchange: r.instrument.exchange, quote: this.market.quote(r.instrument, ms), depth: this.market.depth(r.instrument, ms) };
  }

  /** Called after setPrice moves an instrument (the stream publishes at once). */
  onPriceChange(listener: (ref: SymbolRef) => void): () => void {
    this.priceListeners.add(listener);
    return () => { this.priceListeners.delete(listener); };
  }

  /** Pushes every order status change; returns the unsubscribe function. */
  onOrderUpdate(listener: (u: OrderUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  // ---- plumbing ----------------------------------------------------------------

  /**
   * One broker call: refuse when aborted, refuse a seen client order key, let resting orders
   * meet the current price, run, then persist and notify.
   */
  private call<T extends Answer>(method: string, opts: CallOptions | undefined, body: (ms: number) => T): Promise<T> {
    if (opts?.signal?.aborted) return Promise.reject(new BrokerError(`paper ${method}: aborted before it was sent`, 'aborted', 'not_sent'));
    const isOrder = ORDER_METHOD_NAMES.has(method);
    try {
      const ms = this.clock().getTime();
      const key = opts?.clientOrderKey || undefined; // an empty key is no key
      let answer: T;
      if (isOrder && key !== undefined && this.account.hasKey(key)) {
        answer = fail(`duplicate client order key '${key}': an order call with this key was already made; nothing was placed`) as T;
      } else {
        if (isOrder && key !== undefined) this.account.rememberKey(key);
        this.sweep(ms);
        answer = body(ms);
      }
      answer.mode = 'analyze';
      this.flush(isOrder);
      return Promise.resolve(answer);
    } catch (e) {
      try { this.flush(isOrder); } catch { /* the first error is the one to report */ }
      return Promise.reject(e);
    }
  }

  private sweep(ms: number): void {
    const minute = Math.floor(ms / MINUTE_MS);
    if (minute === this.lastSweepMinute) return;
    this.lastSweepMinute = minute;
    this.account.evaluate(ms);
  }

  /** Persists (when changed), then delivers queued order updates; a listener's error never reaches the caller. */
  private flush(isOrder: boolean): void {
    if (this.account.changed) {
      this.account.changed = false;
      try {
        this.onChange?.(this.account.state);
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        // The change has happened in memory; an order call's outcome must not read as "not placed".
        if (isOrder) throw new BrokerError(`paper account could not be saved (${why}); the order call may have taken effect`, 'invalid_response', 'unknown');
        throw e;
      } finally {
        this.deliver();
      }
      return;
    }
    this.deliver();
  }

  private deliver(): void {
    if (this.updates.length === 0) return;
    const batch = this.updates;
    this.updates = [];
    for (const u of batch) {
      for (const l of [...this.listeners]) {
        try { l(u); } catch { /* a listener's failure is its own business */ }
      }
    }
  }

  // ---- orders ------------------------------------------------------------------

  placeOrder(req: PlaceOrderRequest, opts?: CallOptions): Promise<OrderAnswer> {
    return this.call('placeOrder', opts, (ms) => {
      const spec = checkOrder(req as OrderFields, ms);
      return typeof spec === 'string' ? fail(spec) : this.account.place(spec, ms);
    });
  }

  placeSmartOrder(req: SmartOrderRequest, opts?: CallOptions): Promise<OrderAnswer> {
    return this.call('placeSmartOrder', opts, (ms) => desk.smartOrder(this.desk(), req, ms));
  }

  optionsOrder(req: OptionsOrderRequest, opts?: CallOptions): Promise<OptionsOrderAnswer> {
    return this.call('optionsOrder', opts, (ms) => desk.optionsOrder(this.desk(), req, ms));
  }

  optionsMultiOrder(req: OptionsMultiOrderRequest, opts?: CallOptions): Promise<OptionsMultiOrderAnswer> {
    return this.call('optionsMultiOrder', opts, (ms) => desk.optionsMultiOrder(this.desk(), req, ms));
  }

  basketOrder(req: BasketOrderRequest, opts?: CallOptions): Promise<BasketOrderAnswer> {
    return this.call('basketOrder', opts, (ms) => desk.basketOrder(this.desk(), req, ms));
  }

  splitOrder(req: SplitOrderRequest, opts?: CallOptions): Promise<SplitOrderAnswer> {
    return this.call('splitOrder', opts, (ms) => desk.splitOrder(this.desk(), req, ms));
  }

  modifyOrder(req: ModifyOrderRequest, opts?: CallOptions): Promise<OrderAnswer> {
    return this.call('modifyOrder', opts, (ms) => {
      const id = String(req.orderid ?? '');
      const existing = this.account.order(id);
      if (!existing) return fail(`order ${id} not found`);
      const spec = checkOrder({ ...existing, ...(req as OrderFields) }, ms);
      return typeof spec === 'string' ? fail(spec) : this.account.modify(id, spec, ms);
    });
  }

  cancelOrder(req: CancelOrderRequest, opts?: CallOptions): Promise<OrderAnswer> {
    return this.call('cancelOrder', opts, (ms) => this.account.cancel(String(req.orderid ?? ''), ms));
  }

  cancelAllOrders(_req: { strategy: string }, opts?: CallOptions): Promise<CancelAllOrdersAnswer> {
    return this.call('cancelAllOrders', opts, (ms) => {
      const ids = this.account.cancelAll(ms);
      return { status: 'success', message: `Canceled ${ids.length} orders. Failed to cancel 0 orders.`, canceled_orders: ids, failed_cancellations: [] };
    });
  }

  closePosition(req: ClosePositionRequest, opts?: CallOptions): Promise<BrokerAnswer> {
    return this.call('closePosition', opts, (ms) => desk.closeAllPositions(this.desk(), req, ms));
  }

  private desk(): desk.Desk {
    return { account: this.account, market: this.market };
  }

  // ---- account -----------------------------------------------------------------

  orderStatus(req: CancelOrderRequest, opts?: CallOptions): Promise<OrderStatusAnswer> {
    return this.call('orderStatus', opts, () => {
      const o = this.account.order(String(req.orderid ?? ''));
      return o ? { status: 'success', data: books.orderStatusData(o) } : fail(`order ${req.orderid} not found`);
    });
  }

  openPosition(req: OpenPositionRequest, opts?: CallOptions): Promise<OpenPositionAnswer> {
    return this.call('openPosition', opts, () => {
      const r = resolveInstrument(req.symbol, req.exchange);
      if (!r.ok) return fail(r.message);
      const product = String(req.product ?? 'MIS').toUpperCase() as PlaceOrderRequest['product'];
      return { status: 'success', quantity: String(this.account.positionQuantity(r.instrument.symbol, r.instrument.exchange, product)) };
    });
  }

  funds(opts?: CallOptions): Promise<FundsAnswer> {
    return this.call('funds', opts, (ms) => ({ status: 'success', data: this.account.funds(ms) }));
  }

  orderBook(opts?: CallOptions): Promise<OrderBookAnswer> {
    return this.call('orderBook', opts, () => ({ status: 'success', data: books.orderBook(this.account.state) }));
  }

  tradeBook(opts?: CallOptions): Promise<TradeBookAnswer> {
    return this.call('tradeBook', opts, () => ({ status: 'success', data: books.tradeBook(this.account.state) }));
  }

  positionBook(opts?: CallOptions): Promise<PositionBookAnswer> {
    return this.call('positionBook', opts, (ms) => ({ status: 'success', data: books.positionBook(this.account.state, (p) => this.account.ltpOf(p, ms)) }));
  }

  holdings(opts?: CallOptions): Promise<HoldingsAnswer> {
    return this.call('holdings', opts, (ms) => ({ status: 'success', data: books.holdings(this.account.state, (p) => this.account.ltpOf(p, ms)) }));
  }

  // ---- market data and symbols ---------------------------------------------------

  quotes(req: SymbolRef, opts?: CallOptions): Promise<QuoteAnswer> {
    return this.call('quotes', opts, (ms) => data.quote(this.market, req, ms));
  }

  multiQuotes(req: { symbols: SymbolRef[] }, opts?: CallOptions): Promise<MultiQuotesAnswer> {
    return this.call('multiQuotes', opts, (ms) => data.multiQuotes(this.market, req, ms));
  }

  depth(req: SymbolRef, opts?: CallOptions): Promise<DepthAnswer> {
    return this.call('depth', opts, (ms) => data.depth(this.market, req, ms));
  }

  history(req: HistoryRequest, opts?: CallOptions): Promise<HistoryAnswer> {
    return this.call('history', opts, (ms) => data.history(this.market, req, ms));
  }

  intervals(opts?: CallOptions): Promise<IntervalsAnswer> {
    return this.call('intervals', opts, () => ({ status: 'success', data: structuredClone(INTERVALS) }));
  }

  symbol(req: SymbolRef, opts?: CallOptions): Promise<SymbolAnswer> {
    return this.call('symbol', opts, () => data.symbol(req));
  }

  search(req: SearchRequest, opts?: CallOptions): Promise<SearchAnswer> {
    return this.call('search', opts, (ms) => data.search(req, ms));
  }

  expiry(req: ExpiryRequest, opts?: CallOptions): Promise<ExpiryAnswer> {
    return this.call('expiry', opts, (ms) => data.expiry(req, ms));
  }

  optionSymbol(req: OptionSymbolRequest, opts?: CallOptions): Promise<OptionSymbolAnswer> {
    return this.call('optionSymbol', opts, (ms) => data.optionSymbol(this.market, req, ms));
  }

  optionChain(req: OptionChainRequest, opts?: CallOptions): Promise<OptionChainAnswer> {
    return this.call('optionChain', opts, (ms) => data.chain(this.market, req, ms));
  }

  margin(req: MarginRequest, opts?: CallOptions): Promise<MarginAnswer> {
    return this.call('margin', opts, (ms) => data.margin(this.market, req, ms));
  }

  holidays(req: { year: number }, opts?: CallOptions): Promise<HolidaysAnswer> {
    return this.call('holidays', opts, () => {
      const year = Number(req.year);
      if (!Number.isInteger(year) || year < 2020 || year > 2050) return fail(`year '${req.year}' must be from 2020 to 2050`);
      return { status: 'success', year, timezone: 'Asia/Kolkata', data: holidaysOf(year) };
    });
  }

  timings(req: { date: string }, opts?: CallOptions): Promise<TimingsAnswer> {
    return this.call('timings', opts, () => {
      const t = timingsOf(String(req.date ?? ''));
      return t === null ? fail(`date '${req.date}' must look like 2025-12-19`) : { status: 'success', data: t };
    });
  }

  ping(opts?: CallOptions): Promise<PingAnswer> {
    return this.call('ping', opts, () => ({ status: 'success', data: { message: 'pong', broker: 'paper' } }));
  }

  telegram(_req: TelegramRequest, opts?: CallOptions): Promise<BrokerAnswer> {
    return this.call('telegram', opts, () => fail('telegram is not available on the paper broker'));
  }

  whatsapp(_req: WhatsAppRequest, opts?: CallOptions): Promise<BrokerAnswer> {
    return this.call('whatsapp', opts, () => fail('whatsapp is not available on the paper broker'));
  }
}
