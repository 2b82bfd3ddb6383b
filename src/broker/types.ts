// The Broker interface: what the nodes need of a broker (DESIGN.md §5).
// Requests and answers use OpenAlgo's REST v1 field names (snake_case, minus `apikey`),
// so the OpenAlgo client is a thin transport and the paper broker can be served as
// an OpenAlgo-compatible server without translation.

export type Exchange =
  | 'NSE' | 'BSE' | 'NFO' | 'BFO' | 'CDS' | 'BCD' | 'MCX' | 'NCDEX' | 'NCO'
  | 'NSE_INDEX' | 'BSE_INDEX' | 'MCX_INDEX' | 'GLOBAL_INDEX' | 'CRYPTO';
export const EXCHANGES: readonly Exchange[] = [
  'NSE', 'BSE', 'NFO', 'BFO', 'CDS', 'BCD', 'MCX', 'NCDEX', 'NCO',
  'NSE_INDEX', 'BSE_INDEX', 'MCX_INDEX', 'GLOBAL_INDEX', 'CRYPTO',
];
export type Action = 'BUY' | 'SELL';
export const ACTIONS: readonly Action[] = ['BUY', 'SELL'];
export type PriceType = 'MARKET' | 'LIMIT' | 'SL' | 'SL-M';
export const PRICE_TYPES: readonly PriceType[] = ['MARKET', 'LIMIT', 'SL', 'SL-M'];
export type Product = 'MIS' | 'CNC' | 'NRML';
export const PRODUCTS: readonly Product[] = ['MIS', 'CNC', 'NRML'];
export type OptionType = 'CE' | 'PE';

/** Every broker answer carries OpenAlgo's status; an error answer carries a message. */
export interface BrokerAnswer {
  status: 'success' | 'error';
  message?: string;
  /** "analyze" for the paper broker and OpenAlgo's sandbox, "live" otherwise. */
  mode?: 'analyze' | 'live';
  [key: string]: unknown;
}

// ---- orders ----------------------------------------------------------------

export interface PlaceOrderRequest {
  strategy: string;
  symbol: string;
  exchange: string;
  action: Action;
  quantity: number;
  pricetype: PriceType;
  product: Product;
  price?: number;
  trigger_price?: number;
  disclosed_quantity?: number;
}
export interface OrderAnswer extends BrokerAnswer { orderid?: string }

export interface SmartOrderRequest extends PlaceOrderRequest {
  /** The position the account should end with; the broker trades the difference. */
  position_size: number;
}

export interface OptionsOrderRequest {
  strategy: string;
  underlying: string;
  exchange: string; // NSE_INDEX | BSE_INDEX (or the underlying's own exchange)
  expiry_date: string; // 28NOV24
  offset: string; // ATM, ITM1..ITM50, OTM1..OTM50
  option_type: OptionType;
  action: Action;
  quantity: number; // units, a multiple of the lot size
  pricetype: PriceType;
  product: Product;
  splitsize?: number;
  price?: number;
  trigger_price?: number;
}
export interface OptionsOrderAnswer extends OrderAnswer {
  symbol?: string;
  exchange?: string;
  offset?: string;
  option_type?: string;
  underlying?: string;
  underlying_ltp?: number;
}

export interface OptionsLeg {
  offset: string;
  option_type: OptionType;
  action: Action;
  quantity: number;
  expiry_date?: string;
  pricetype?: PriceType;
  product?: Product;
  splitsize?: number;
}
export interface OptionsMultiOrderRequest {
  strategy: string;
  underlying: string;
  exchange: string;
  expiry_date: string;
  legs: OptionsLeg[];
}
export interface OptionsMultiOrderAnswer extends BrokerAnswer {
  underlying?: string;
  underlying_ltp?: number;
  results?: Array<{ leg: number; action: Action; offset: string; option_type: OptionType; orderid?: string; status: string; symbol?: string; message?: string }>;
}

export interface BasketOrderRequest {
  strategy: string;
  orders: Array<{ symbol: string; exchange: string; action: Action; quantity: number; pricetype: PriceType; product: Product; price?: number; trigger_price?: number }>;
}
export interface BasketOrderAnswer extends BrokerAnswer {
  results?: Array<{ symbol: string; status: string; orderid?: string; message?: string }>;
}

export interface SplitOrderRequest extends PlaceOrderRequest { splitsize: number }
export interface SplitOrderAnswer extends BrokerAnswer {
  split_size?: number;
  total_quantity?: number;
  results?: Array<{ order_num: number; orderid?: string; quantity: number; status: string; message?: string }>;
}

export interface ModifyOrderRequest {
  orderid: string;
  strategy: string;
  symbol: string;
  action: Action;
  exchange: string;
  pricetype: PriceType;
  product: Product;
  quantity: number;
  price: number;
  trigger_price: number;
  disclosed_quantity: number;
}
export interface CancelOrderRequest { orderid: string; strategy: string }
export interface CancelAllOrdersAnswer extends BrokerAnswer {
  canceled_orders?: string[];
  failed_cancellations?: Array<{ orderid: string; reason: string }>;
}
export interface ClosePositionRequest { strategy: string }

// ---- account ---------------------------------------------------------------

export interface OrderStatusData {
  action: Action; average_price: number; exchange: string; order_status: string; orderid: string;
  price: number; pricetype: PriceType; product: Product; quantity: number; symbol: string;
  timestamp: string; trigger_price: number;
  filled_quantity?: number; rejection_reason?: string;
}
export interface OrderStatusAnswer extends BrokerAnswer { data?: OrderStatusData }
export interface OpenPositionRequest { strategy: string; symbol: string; exchange: string; product: Product }
/** OpenAlgo answers the quantity as a string, e.g. "-10". */
export interface OpenPositionAnswer extends BrokerAnswer { quantity?: string }
export interface FundsData { availablecash: string; collateral: string; m2mrealized: string; m2munrealized: string; utiliseddebits: string }
export interface FundsAnswer extends BrokerAnswer { data?: FundsData }
export interface OrderBookEntry {
  action: Action; symbol: string; exchange: string; orderid: string; product: Product; quantity: number;
  price: number; pricetype: PriceType; order_status: string; trigger_price: number; timestamp: string;
  average_price?: number; filled_quantity?: number; strategy?: string;
}
export interface OrderBookAnswer extends BrokerAnswer {
  data?: { orders: OrderBookEntry[]; statistics: { total_buy_orders: number; total_sell_orders: number; total_completed_orders: number; total_open_orders: number; total_rejected_orders: number } };
}
export interface TradeBookEntry { action: Action; symbol: string; exchange: string; orderid: string; product: Product; quantity: number; average_price: number; timestamp: string; trade_value: number }
export interface TradeBookAnswer extends BrokerAnswer { data?: TradeBookEntry[] }
export interface PositionBookEntry { symbol: string; exchange: string; product: Product; quantity: number; average_price: number; ltp: number; pnl: number }
export interface PositionBookAnswer extends BrokerAnswer { data?: PositionBookEntry[] }
export interface HoldingsAnswer extends BrokerAnswer {
  data?: { holdings: Array<{ symbol: string; exchange: string; product: Product; quantity: number; pnl: number; pnlpercent: number }>; statistics: { totalholdingvalue: number; totalinvvalue: number; totalprofitandloss: number; totalpnlpercentage: number } };
}

// ---- market data and symbols ----------------------------------------------

export interface SymbolRef { symbol: string; exchange: string }
export interface QuoteData { open: number; high: number; low: number; ltp: number; ask: number; bid: number; prev_close: number; volume: number; oi: number }
export interface QuoteAnswer extends BrokerAnswer { data?: QuoteData }
export interface MultiQuotesAnswer extends BrokerAnswer { results?: Array<{ symbol: string; exchange: string; data?: QuoteData; error?: string }> }
export interface DepthLevel { price: number; quantity: number }
export interface DepthData {
  open: number; high: number; low: number; ltp: number; ltq: number; prev_close: number; volume: number; oi: number;
  totalbuyqty: number; totalsellqty: number; asks: DepthLevel[]; bids: DepthLevel[];
}
export interface DepthAnswer extends BrokerAnswer { data?: DepthData }
export interface HistoryRequest { symbol: string; exchange: string; interval: string; start_date: string; end_date: string }
export interface Candle { timestamp: number; open: number; high: number; low: number; close: number; volume: number; oi: number }
export interface HistoryAnswer extends BrokerAnswer { data?: Candle[] }
export interface IntervalsAnswer extends BrokerAnswer { data?: { months: string[]; weeks: string[]; days: string[]; hours: string[]; minutes: string[]; seconds: string[] } }
export interface SymbolData { symbol: string; brsymbol: string; name: string; exchange: string; instrumenttype: string; expiry: string; strike: number; lotsize: number; tick_size: number; token: string }
export interface SymbolAnswer extends BrokerAnswer { data?: SymbolData }
/** OpenAlgo's search: instruments whose symbol or name matches a text, optionally on one exchange. */
export interface SearchRequest { query: string; exchange?: string }
export interface SearchAnswer extends BrokerAnswer { data?: SymbolData[] }
export interface ExpiryRequest { symbol: string; exchange: string; instrumenttype: 'options' | 'futures' }
/** Expiries as OpenAlgo writes them: "28-NOV-24", ascending. */
export interface ExpiryAnswer extends BrokerAnswer { data?: string[] }
export interface OptionSymbolRequest { underlying: string; exchange: string; expiry_date: string; offset: string; option_type: OptionType }
export interface OptionSymbolAnswer extends BrokerAnswer { symbol?: string; exchange?: string; lotsize?: number; tick_size?: number; freeze_qty?: number; underlying_ltp?: number }
export interface OptionChainRequest { underlying: string; exchange: string; expiry_date: string; strike_count?: number }
export interface OptionChainLeg { symbol: string; label: string; ltp: number; bid: number; ask: number; oi: number; lotsize: number }
export interface OptionChainAnswer extends BrokerAnswer {
  underlying?: string; underlying_ltp?: number; expiry_date?: string; atm_strike?: number;
  chain?: Array<{ strike: number; ce?: OptionChainLeg; pe?: OptionChainLeg }>;
}
export interface MarginRequest { positions: Array<{ symbol: string; exchange: string; action: Action; quantity: number; product: Product; pricetype: PriceType; price?: number; trigger_price?: number }> }
export interface MarginAnswer extends BrokerAnswer { data?: { total_margin_required: number; span_margin?: number; exposure_margin?: number } }
export interface HolidaysAnswer extends BrokerAnswer {
  data?: Array<{ date: string; description: string; holiday_type?: string; closed_exchanges?: string[]; open_exchanges?: Array<{ exchange: string; start_time: number; end_time: number }> }>;
}
export interface TimingsAnswer extends BrokerAnswer { data?: Array<{ exchange: string; start_time: number; end_time: number }> }
export interface PingAnswer extends BrokerAnswer { data?: { message: string; broker: string } }
export interface TelegramRequest { username: string; message: string; priority?: number }
/** OpenAlgo's whatsapp/notify: exactly one recipient, `self` (the paired device) or `phone` (E.164 digits). */
export interface WhatsAppRequest { message: string; self?: boolean; phone?: string }

/** Options for one broker call. */
export interface CallOptions {
  signal?: AbortSignal;
  /** A key unique to one order intent; the paper broker refuses a key it has already seen. */
  clientOrderKey?: string;
  /**
   * Order calls on a broker with `announcesSends`: called (and awaited) when the order must wait
   * for a rate-limit slot, before it waits. A throw ends the call unsent.
   */
  onQueued?: () => Promise<void>;
  /**
   * Order calls on a broker with `announcesSends`: called (and awaited) once, after the slot is
   * granted and before the request can reach the socket. A throw ends the call unsent, with that error.
   */
  beforeSend?: () => Promise<void>;
}

/**
 * Transport-level failure. `outcome` says what is known of an order call:
 * `not_sent` (safe: nothing reached the broker) or `unknown` (the request may
 * have been placed; it must never be re-sent automatically).
 */
export class BrokerError extends Error {
  constructor(
    message: string,
    readonly code: 'timeout' | 'network' | 'http' | 'invalid_response' | 'auth' | 'rate_limited' | 'aborted',
    readonly outcome: 'not_sent' | 'unknown' | 'answered' = 'not_sent',
    readonly httpStatus?: number,
  ) {
    super(message);
    this.name = 'BrokerError';
  }
}

export interface Broker {
  readonly kind: 'paper' | 'openalgo';
  /** Human-readable description for logs: "paper" or "OpenAlgo at http://…" (never the key). */
  readonly description: string;
  /**
   * True when order calls honour CallOptions.onQueued and beforeSend: the caller may then record
   * an order intent as waiting first and as sent only once its request is about to leave.
   */
  readonly announcesSends?: boolean;

  // orders (never retried)
  placeOrder(req: PlaceOrderRequest, opts?: CallOptions): Promise<OrderAnswer>;
  placeSmartOrder(req: SmartOrderRequest, opts?: CallOptions): Promise<OrderAnswer>;
  optionsOrder(req: OptionsOrderRequest, opts?: CallOptions): Promise<OptionsOrderAnswer>;
  optionsMultiOrder(req: OptionsMultiOrderRequest, opts?: CallOptions): Promise<OptionsMultiOrderAnswer>;
  basketOrder(req: BasketOrderRequest, opts?: CallOptions): Promise<BasketOrderAnswer>;
  splitOrder(req: SplitOrderRequest, opts?: CallOptions): Promise<SplitOrderAnswer>;
  modifyOrder(req: ModifyOrderRequest, opts?: CallOptions): Promise<OrderAnswer>;
  cancelOrder(req: CancelOrderRequest, opts?: CallOptions): Promise<OrderAnswer>;
  cancelAllOrders(req: { strategy: string }, opts?: CallOptions): Promise<CancelAllOrdersAnswer>;
  closePosition(req: ClosePositionRequest, opts?: CallOptions): Promise<BrokerAnswer>;

  // account
  orderStatus(req: CancelOrderRequest, opts?: CallOptions): Promise<OrderStatusAnswer>;
  openPosition(req: OpenPositionRequest, opts?: CallOptions): Promise<OpenPositionAnswer>;
  funds(opts?: CallOptions): Promise<FundsAnswer>;
  orderBook(opts?: CallOptions): Promise<OrderBookAnswer>;
  tradeBook(opts?: CallOptions): Promise<TradeBookAnswer>;
  positionBook(opts?: CallOptions): Promise<PositionBookAnswer>;
  holdings(opts?: CallOptions): Promise<HoldingsAnswer>;

  // market data and symbols
  quotes(req: SymbolRef, opts?: CallOptions): Promise<QuoteAnswer>;
  multiQuotes(req: { symbols: SymbolRef[] }, opts?: CallOptions): Promise<MultiQuotesAnswer>;
  depth(req: SymbolRef, opts?: CallOptions): Promise<DepthAnswer>;
  history(req: HistoryRequest, opts?: CallOptions): Promise<HistoryAnswer>;
  intervals(opts?: CallOptions): Promise<IntervalsAnswer>;
  symbol(req: SymbolRef, opts?: CallOptions): Promise<SymbolAnswer>;
  search(req: SearchRequest, opts?: CallOptions): Promise<SearchAnswer>;
  expiry(req: ExpiryRequest, opts?: CallOptions): Promise<ExpiryAnswer>;
  optionSymbol(req: OptionSymbolRequest, opts?: CallOptions): Promise<OptionSymbolAnswer>;
  optionChain(req: OptionChainRequest, opts?: CallOptions): Promise<OptionChainAnswer>;
  margin(req: MarginRequest, opts?: CallOptions): Promise<MarginAnswer>;
  holidays(req: { year: number }, opts?: CallOptions): Promise<HolidaysAnswer>;
  timings(req: { date: string }, opts?: CallOptions): Promise<TimingsAnswer>;
  ping(opts?: CallOptions): Promise<PingAnswer>;

  /** OpenAlgo's telegram/notify. Brokers without it answer status "error". */
  telegram(req: TelegramRequest, opts?: CallOptions): Promise<BrokerAnswer>;
  /** OpenAlgo's whatsapp/notify (its paired WhatsApp bot). Brokers without it answer status "error". */
  whatsapp(req: WhatsAppRequest, opts?: CallOptions): Promise<BrokerAnswer>;
}

/** The Broker methods that place, change or cancel orders: never retried, always recorded as intents. */
export const ORDER_METHODS = [
  'placeOrder', 'placeSmartOrder', 'optionsOrder', 'optionsMultiOrder', 'basketOrder',
  'splitOrder', 'modifyOrder', 'cancelOrder', 'cancelAllOrders', 'closePosition',
] as const satisfies ReadonlyArray<keyof Broker>;
export type OrderMethod = (typeof ORDER_METHODS)[number];

/** A Broker call (every member but the descriptive properties). */
export type BrokerMethod = Exclude<keyof Broker, 'kind' | 'description' | 'announcesSends'>;

/** OpenAlgo endpoint name for each Broker method (POST /api/v1/<endpoint>). */
export const ENDPOINTS: Record<BrokerMethod, string> = {
  placeOrder: 'placeorder',
  placeSmartOrder: 'placesmartorder',
  optionsOrder: 'optionsorder',
  optionsMultiOrder: 'optionsmultiorder',
  basketOrder: 'basketorder',
  splitOrder: 'splitorder',
  modifyOrder: 'modifyorder',
  cancelOrder: 'cancelorder',
  cancelAllOrders: 'cancelallorder',
  closePosition: 'closeposition',
  orderStatus: 'orderstatus',
  openPosition: 'openposition',
  funds: 'funds',
  orderBook: 'orderbook',
  tradeBook: 'tradebook',
  positionBook: 'positionbook',
  holdings: 'holdings',
  quotes: 'quotes',
  multiQuotes: 'multiquotes',
  depth: 'depth',
  history: 'history',
  intervals: 'intervals',
  symbol: 'symbol',
  search: 'search',
  expiry: 'expiry',
  optionSymbol: 'optionsymbol',
  optionChain: 'optionchain',
  margin: 'margin',
  holidays: 'market/holidays',
  timings: 'market/timings',
  ping: 'ping',
  telegram: 'telegram/notify',
  whatsapp: 'whatsapp/notify',
};

/** Order events a broker may push (the paper broker does; the OpenAlgo client polls). */
export interface OrderUpdate {
  orderid: string;
  symbol: string;
  exchange: string;
  action: Action;
  quantity: number;
  order_status: string;
  filled_quantity?: number;
  average_price?: number;
  rejection_reason?: string;
  strategy?: string;
  timestamp: string;
}
