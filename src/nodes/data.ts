// Data nodes: read market data and the account, shaped as OpenAlgo returns them, plus a few
// derived facts (P&L totals, prior-period OHLC, indicators, calendar flags).

import { EXCHANGES, type BrokerAnswer } from '../broker/types.js';
import { builtins, zonedDate } from '../engine/time.js';
import { defaultCalendar } from '../triggers/calendar.js';
import { f, FieldError } from '../contract/fields.js';
import { barOffset, priorPeriodOhlc } from './bars.js';
import { indicator } from './indicators/node.js';
import { apiExpiry } from './options.js';
import {
  ANSWER_KEYS, actionField, anyValue, call, customField, exchangeField, failure, fromBroker, MAX_HISTORY_BARS, offsetField, priceField,
  priceTypeField, productField, quantityField, round2, symbolField, parseNumber,
} from './shared.js';
import { addDays, describeDay } from './tradingDays.js';
import { defineNode, type NodeContext, type NodeDefinition } from './types.js';


/** A data node with no fields that hands back one broker answer as it is. */
function accountNode(type: string, label: string, description: string, fetch: (ctx: NodeContext) => Promise<BrokerAnswer>) {
  return defineNode({ type, category: 'data', label, description, fields: {}, run: async (ctx) => fromBroker(await fetch(ctx)) });
}

const expiryField = (required = true) =>
  customField<string>('string', { label: 'Expiry date', description: 'e.g. 30DEC25 or 30-DEC-25', required }, (v) => {
    const s = typeof v === 'string' ? apiExpiry(v) : '';
    if (!/^\d{2}[A-Z]{3}\d{2}$/.test(s)) throw new FieldError(`'${String(v)}' is not an expiry like 30DEC25`);
    return s;
  });
const today = (ctx: NodeContext) => zonedDate(ctx.now(), ctx.timezone);

// ---- quotes and depth ------------------------------------------------------

const getQuote = defineNode({
  type: 'getQuote',
  category: 'data',
  outputs: [...ANSWER_KEYS, 'data'],
  label: 'Quote',
  description: 'Last price and day OHLC: {{name.data.ltp}}, {{name.data.prev_close}} …',
  fields: { symbol: symbolField({ required: true }), exchange: exchangeField() },
  async run(ctx, p) {
    const answer = await ctx.broker.quotes({ symbol: p.symbol, exchange: p.exchange }, call(ctx));
    if (answer.status === 'success') ctx.log(`Quote ${p.symbol}.${p.exchange}: ltp ${answer.data?.ltp}`);
    return fromBroker(answer);
  },
});

const getDepth = defineNode({
  type: 'getDepth',
  category: 'data',
  label: 'Market depth',
  description: 'Five levels of bids and asks: {{name.data.bids[0].price}} …',
  fields: { symbol: symbolField({ required: true }), exchange: exchangeField() },
  async run(ctx, p) {
    return fromBroker(await ctx.broker.depth({ symbol: p.symbol, exchange: p.exchange }, call(ctx)));
  },
});

const multiQuotes = defineNode({
  type: 'multiQuotes',
  category: 'data',
  label: 'Quotes for many symbols',
  description: 'Quotes for a comma-separated list of symbols on one exchange: {{name.results[0].data.ltp}}.',
  fields: {
    symbols: customField<string[]>('string', { label: 'Symbols', description: 'Comma-separated, e.g. RELIANCE,INFY,TCS', required: true }, (v) => {
      const list = (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? v.split(',') : []).map((s) => s.trim().toUpperCase()).filter(Boolean);
      if (list.length === 0) throw new FieldError('must list at least one symbol');
      return list;
    }),
    exchange: exchangeField(),
  },
  async run(ctx, p) {
    return fromBroker(await ctx.broker.multiQuotes({ symbols: p.symbols.map((symbol) => ({ symbol, exchange: p.exchange })) }, call(ctx)));
  },
});

// ---- history ---------------------------------------------------------------

const history = defineNode({
  type: 'history',
  category: 'data',
  label: 'History',
  description: `OHLCV candles (timestamps in epoch seconds) for startDate..endDate, or the last N days (exchange time); at most the latest ${MAX_HISTORY_BARS} bars are kept.`,
  aliases: { lookbackDays: 'days' },
  fields: {
    symbol: symbolField({ required: true }),
    exchange: exchangeField(),
    interval: f.string({ label: 'Interval', default: '5m' }),
    startDate: f.date({ label: 'Start date' }),
    endDate: f.date({ label: 'End date' }),
    days: f.integer({ label: 'Last N days', description: 'Used when start and end dates are blank', min: 1, max: 3650 }),
  },
  check(p) {
    if (p.startDate && p.endDate && p.startDate > p.endDate) return [{ field: 'endDate', message: 'must not be before the start date' }];
    if (!(p.startDate && p.endDate) && !p.days) return [{ field: 'startDate', message: 'and endDate, or days, are required' }];
    return [];
  },
  async run(ctx, p) {
    let start = p.startDate;
    let end = p.endDate;
    if (!(start && end)) {
      end = today(ctx);
      start = addDays(end, -(p.days as number));
    }
    ctx.log(`History ${p.symbol}.${p.exchange} ${p.interval} ${start}..${end}`);
    const answer = await ctx.broker.history({ symbol: p.symbol, exchange: p.exchange, interval: p.interval, start_date: start, end_date: end }, call(ctx));
    if (answer.status !== 'success' || !Array.isArray(answer.data) || answer.data.length <= MAX_HISTORY_BARS) return fromBroker(answer);
    ctx.log(`History returned ${answer.data.length} bars; keeping the latest ${MAX_HISTORY_BARS}`, 'warn');
    return fromBroker({ ...answer, data: answer.data.slice(-MAX_HISTORY_BARS) }, { truncated_from: answer.data.length });
  },
});

const intervals = accountNode('intervals', 'Intervals', 'History intervals the broker supports: {{name.data.minutes}} …', (ctx) => ctx.broker.intervals(call(ctx)));

// ---- account -----------------------------------------------------------------

const positionBook = defineNode({
  type: 'positionBook',
  category: 'data',
  label: 'Position book',
  description: 'All positions ({{name.data[0].pnl}}) and their summed P&L ({{name.total_pnl}}).',
  fields: {},
  async run(ctx) {
    const answer = await ctx.broker.positionBook(call(ctx));
    if (answer.status !== 'success') return fromBroker(answer);
    const rows = Array.isArray(answer.data) ? answer.data : [];
    const total = round2(rows.reduce((sum, r) => sum + (parseNumber(r.pnl) ?? 0), 0));
    return fromBroker({ ...answer, data: rows }, { total_pnl: total });
  },
});

const funds = accountNode('funds', 'Funds', 'Cash and margin: {{name.data.availablecash}} (strings, as OpenAlgo sends them).', (ctx) => ctx.broker.funds(call(ctx)));

const orderBook = accountNode('orderBook', 'Order book', "Today's orders ({{name.data.orders[0].orderid}}) and statistics.", (ctx) => ctx.broker.orderBook(call(ctx)));

const tradeBook = accountNode('tradeBook', 'Trade book', "Today's trades: {{name.data[0].average_price}} …", (ctx) => ctx.broker.tradeBook(call(ctx)));

const holdings = accountNode('holdings', 'Holdings', 'Delivery holdings ({{name.data.holdings[0].symbol}}) and statistics.', (ctx) => ctx.broker.holdings(call(ctx)));

const openPosition = defineNode({
  type: 'openPosition',
  category: 'data',
  label: 'Open position',
  description: 'The net quantity ({{name.quantity}}, a number; short is negative) and P&L ({{name.pnl}}) of one symbol and product, from the position book; 0 and 0 when flat.',
  fields: { symbol: symbolField({ required: true }), exchange: exchangeField(), product: productField() },
  // OpenAlgo FlowOpenAlgoClient.get_open_position: the matching position-book row's quantity and pnl.
  async run(ctx, p) {
    const book = await ctx.broker.positionBook(call(ctx));
    if (book.status !== 'success') return fromBroker(book);
    const row = (book.data ?? []).find((r) => r.symbol === p.symbol && r.exchange === p.exchange && r.product === p.product);
    const quantity = row ? parseNumber(row.quantity) : 0;
    const pnl = row ? parseNumber(row.pnl) : 0;
    if (quantity === null) return failure(`the position book gives a non-numeric quantity '${String(row?.quantity)}' for ${p.symbol}`);
    ctx.log(`Open position ${p.symbol}.${p.exchange} ${p.product}: quantity=${quantity} pnl=${pnl ?? 0}`);
    return { status: 'success', quantity, pnl: pnl ?? 0 };
  },
});

const getOrderStatus = defineNode({
  type: 'getOrderStatus',
  category: 'data',
  label: 'Order status',
  description: 'One order’s status: {{name.data.order_status}} (complete, open, rejected, …).',
  fields: {
    orderId: f.string({ label: 'Order id', required: true }),
    // OpenAlgo's editor writes it and its executor never reads it: the status is read once, here too.
    waitForCompletion: f.boolean({ label: 'Wait for completion', description: 'Accepted for OpenAlgo compatibility; the status is read once (poll with delay and a condition)', default: false }),
  },
  async run(ctx, p) {
    return fromBroker(await ctx.broker.orderStatus({ orderid: p.orderId.trim(), strategy: ctx.workflowName }, call(ctx)));
  },
});

// ---- symbols and options ----------------------------------------------------

const symbol = defineNode({
  type: 'symbol', category: 'data', label: 'Symbol info',
  description: 'Master-contract data: {{name.data.lotsize}}, {{name.data.tick_size}}, {{name.data.expiry}} …',
  fields: { symbol: symbolField({ required: true }), exchange: exchangeField() },
  async run(ctx, p) {
    return fromBroker(await ctx.broker.symbol({ symbol: p.symbol, exchange: p.exchange }, call(ctx)));
  },
});

const optionSymbol = defineNode({
  type: 'optionSymbol', category: 'data', label: 'Option symbol',
  description: 'Resolves an option from underlying, expiry, offset and type: {{name.symbol}}, {{name.lotsize}} (flat, not under data).',
  fields: {
    underlying: symbolField({ label: 'Underlying', default: 'NIFTY' }),
    exchange: f.enum(EXCHANGES, { label: 'Exchange', default: 'NSE_INDEX' }),
    expiryDate: expiryField(),
    offset: offsetField({ label: 'Strike offset', default: 'ATM' }),
    optionType: f.enum(['CE', 'PE'] as const, { label: 'Option type', default: 'CE' }),
  },
  async run(ctx, p) {
    return fromBroker(await ctx.broker.optionSymbol(
      { underlying: p.underlying, exchange: p.exchange, expiry_date: p.expiryDate, offset: p.offset, option_type: p.optionType }, call(ctx),
    ));
  },
});

const expiry = defineNode({
  type: 'expiry', category: 'data', label: 'Expiry dates',
  description: 'Expiry dates, nearest first: {{name.data[0]}} ("28-NOV-24").',
  fields: {
    symbol: symbolField({ default: 'NIFTY' }),
    exchange: f.enum(EXCHANGES, { label: 'Exchange', default: 'NFO' }),
    instrumenttype: f.enum(['options', 'futures'] as const, { label: 'Instrument', default: 'options' }),
  },
  async run(ctx, p) {
    return fromBroker(await ctx.broker.expiry({ symbol: p.symbol, exchange: p.exchange, instrumenttype: p.instrumenttype }, call(ctx)));
  },
});

const optionChain = defineNode({
  type: 'optionChain', category: 'data', label: 'Option chain',
  description: 'Strikes around ATM with CE/PE quotes: {{name.atm_strike}}, {{name.chain[0].ce.ltp}}.',
  fields: {
    underlying: symbolField({ label: 'Underlying', default: 'NIFTY' }),
    exchange: f.enum(EXCHANGES, { label: 'Exchange', default: 'NSE_INDEX' }),
    expiryDate: expiryField(),
    strikeCount: f.integer({ label: 'Strikes each side', default: 10, min: 1, max: 100 }),
  },
  async run(ctx, p) {
    return fromBroker(await ctx.broker.optionChain(
      { underlying: p.underlying, exchange: p.exchange, expiry_date: p.expiryDate, strike_count: p.strikeCount }, call(ctx),
    ));
  },
});

const syntheticFuture = defineNode({
  type: 'syntheticFuture', category: 'data', label: 'Synthetic future',
  description: 'ATM strike + CE price − PE price from the option chain: {{name.synthetic_future_price}}.',
  fields: {
    underlying: symbolField({ label: 'Underlying', default: 'NIFTY' }),
    exchange: f.enum(EXCHANGES, { label: 'Exchange', default: 'NSE_INDEX' }),
    expiryDate: expiryField(),
  },
  async run(ctx, p) {
    const chain = await ctx.broker.optionChain({ underlying: p.underlying, exchange: p.exchange, expiry_date: p.expiryDate, strike_count: 1 }, call(ctx));
    if (chain.status !== 'success') return fromBroker(chain);
    const atm = parseNumber(chain.atm_strike);
    const row = atm === null ? undefined : (chain.chain ?? []).find((r) => parseNumber(r.strike) === atm);
    const ce = parseNumber(row?.ce?.ltp);
    const pe = parseNumber(row?.pe?.ltp);
    if (atm === null || ce === null || pe === null) return failure(`the ${p.underlying} ${p.expiryDate} chain has no ATM call and put price`);
    const price = round2(atm + ce - pe);
    ctx.log(`Synthetic future ${p.underlying} ${p.expiryDate}: ${atm} + ${ce} - ${pe} = ${price}`);
    return {
      status: 'success', underlying: p.underlying, expiry: p.expiryDate, atm_strike: atm, synthetic_future_price: price,
      underlying_ltp: parseNumber(chain.underlying_ltp), ce_ltp: ce, pe_ltp: pe,
    };
  },
});

// ---- market calendar ---------------------------------------------------------

const holidays = defineNode({
  type: 'holidays', category: 'data', label: 'Market holidays',
  description: 'Exchange holidays of a year (blank: this year).',
  fields: {
    year: f.integer({ label: 'Year', min: 2000, max: 2100 }),
    exchange: exchangeField(),
  },
  async run(ctx, p) {
    const year = p.year ?? Number(today(ctx).slice(0, 4));
    return fromBroker(await ctx.broker.holidays({ year }, call(ctx)));
  },
});

const timings = defineNode({
  type: 'timings', category: 'data', label: 'Market timings',
  description: 'Exchange session times for a date (blank: today).',
  fields: { date: f.date({ label: 'Date' }), exchange: exchangeField() },
  async run(ctx, p) {
    return fromBroker(await ctx.broker.timings({ date: p.date ?? today(ctx) }, call(ctx)));
  },
});

const calendar = defineNode({
  type: 'calendar', instant: true, category: 'data', label: 'Calendar',
  description: 'Trading-day facts for a date (blank: the session date): is_trading_day, is_new_week/month/quarter/year, prev/next trading day, … from the exchange holiday calendar.',
  fields: { date: f.date({ label: 'Date' }), exchange: exchangeField() },
  async run(ctx, p) {
    const date = p.date ?? String(builtins(ctx.now(), ctx.timezone).session_date);
    const cal = defaultCalendar();
    // Exchanges the holiday calendar does not cover fall back to weekdays only.
    const known = cal.knows(p.exchange);
    const facts = describeDay(date, (d) => (known ? cal.isTradingDay(d, p.exchange) : ![0, 6].includes(new Date(`${d}T00:00:00Z`).getUTCDay())));
    ctx.log(`Calendar ${date}: trading=${facts.is_trading_day} new week=${facts.is_new_week} new month=${facts.is_new_month}`);
    return { status: 'success', ...facts };
  },
});

const margin = defineNode({
  type: 'margin', category: 'data', label: 'Margin',
  description: 'Margin required for a position (or a basket in positionsJson).',
  aliases: { pricetype: 'priceType', positions: 'positionsJson' },
  fields: {
    symbol: symbolField(),
    exchange: exchangeField(),
    action: actionField(),
    quantity: quantityField(1),
    priceType: priceTypeField(),
    product: productField(),
    price: priceField(),
    positionsJson: anyValue({ label: 'Positions (JSON)', description: '[{symbol, exchange, action, quantity, product, pricetype, price?}]' }),
  },
  async run(ctx, p) {
    let positions: Array<Record<string, unknown>>;
    if (p.positionsJson !== undefined) {
      let raw = p.positionsJson;
      if (typeof raw === 'string') {
        try {
          raw = JSON.parse(raw);
        } catch {
          return failure('positionsJson is not valid JSON');
        }
      }
      const list = Array.isArray(raw) ? raw : [raw];
      if (list.length === 0 || list.some((x) => x === null || typeof x !== 'object' || Array.isArray(x))) return failure('positionsJson must be a list of position objects');
      positions = list as Array<Record<string, unknown>>;
    } else {
      if (!p.symbol) return failure('symbol is required (or positionsJson)');
      positions = [{ symbol: p.symbol, exchange: p.exchange, action: p.action, quantity: p.quantity, product: p.product, pricetype: p.priceType, price: p.price }];
    }
    return fromBroker(await ctx.broker.margin({ positions: positions as never }, call(ctx)));
  },
});

// priorPeriodOhlc and barOffset live in bars.ts, the indicator node in indicators/node.ts.

interface Book { symbol: string; exchange: string; product: string; quantity: number; average_price: number; realized: number }

/**
 * Weighted-average cost over fills, as OpenAlgo's strategy book: a fill that reduces or flips the
 * position realizes the closed part and reopens the rest at the fill price.
 */
export function strategyBook(fills: ReadonlyArray<{ symbol: string; exchange: string; product: string; action: string; quantity: number; price: number }>): Book[] {
  const books = new Map<string, Book>();
  for (const f of fills) {
    const key = `${f.symbol}|${f.exchange}|${f.product}`;
    const b = books.get(key) ?? { symbol: f.symbol, exchange: f.exchange, product: f.product, quantity: 0, average_price: 0, realized: 0 };
    books.set(key, b);
    const signed = f.action === 'SELL' ? -f.quantity : f.quantity;
    if (b.quantity === 0 || Math.sign(b.quantity) === Math.sign(signed)) {
      b.average_price = (b.average_price * Math.abs(b.quantity) + f.price * Math.abs(signed)) / (Math.abs(b.quantity) + Math.abs(signed));
      b.quantity += signed;
      continue;
    }
    const closed = Math.min(Math.abs(signed), Math.abs(b.quantity));
    b.realized += closed * (f.price - b.average_price) * Math.sign(b.quantity);
    b.quantity += signed;
    if (b.quantity === 0) b.average_price = 0;
    else if (Math.sign(b.quantity) === Math.sign(signed)) b.average_price = f.price; // flipped through zero
  }
  return [...books.values()];
}

const round4 = (n: number) => Math.round(n * 10_000) / 10_000;

const strategyPnl = defineNode({
  type: 'strategyPnl', category: 'data', label: 'Strategy P&L',
  description: "Realized, unrealized and total P&L of the orders tagged with a strategy (blank: the workflow's name, the tag its orders carry), weighted-average cost over today's fills, open quantity marked to the position book's ltp.",
  fields: { strategy: f.string({ label: 'Strategy', description: "Blank uses the workflow's name" }) },
  // OpenAlgo get_strategy_pnl / pnl_from_book: per-strategy legs, open legs first, rounded to 4 places.
  async run(ctx, p) {
    const strategy = p.strategy?.trim() || ctx.workflowName;
    const orders = await ctx.broker.orderBook(call(ctx));
    if (orders.status !== 'success') return failure(`could not read the order book: ${orders.message ?? 'broker error'}`);
    const rows = orders.data?.orders ?? [];
    if (rows.length > 0 && rows.every((o) => o.strategy === undefined)) {
      return failure(`the broker's order book carries no strategy tags, so the P&L of '${strategy}' cannot be told apart from the rest of the account`);
    }
    const fills = rows
      .filter((o) => o.strategy === strategy && (parseNumber(o.filled_quantity) ?? 0) > 0)
      .map((o) => ({ symbol: o.symbol, exchange: o.exchange, product: o.product, action: o.action, quantity: parseNumber(o.filled_quantity) ?? 0, price: parseNumber(o.average_price) ?? 0 }));
    const books = strategyBook(fills);
    let positions: Array<{ symbol: string; exchange: string; product: string; ltp?: unknown }> = [];
    if (books.some((b) => b.quantity !== 0)) {
      const book = await ctx.broker.positionBook(call(ctx));
      if (book.status !== 'success') return failure(`could not read the position book for prices: ${book.message ?? 'broker error'}`);
      positions = book.data ?? [];
    }
    let unpriced = 0;
    const legs = books.map((b) => {
      const row = positions.find((r) => r.symbol === b.symbol && r.exchange === b.exchange && r.product === b.product);
      const ltp = row ? parseNumber(row.ltp) : null;
      let unrealized = 0;
      if (b.quantity !== 0) {
        if (ltp === null) unpriced++;
        else unrealized = b.quantity * (ltp - b.average_price);
      }
      return {
        symbol: b.symbol, exchange: b.exchange, product: b.product, quantity: round4(b.quantity), average_price: round4(b.average_price), ltp,
        realized: round4(b.realized), today_realized: round4(b.realized), unrealized: round4(unrealized),
      };
    });
    legs.sort((a, b) => Number(a.quantity === 0) - Number(b.quantity === 0));
    if (unpriced) ctx.log(`${unpriced} open leg(s) had no live price and were excluded from unrealized P&L`, 'warn');
    const realized = round4(legs.reduce((s, l) => s + l.realized, 0));
    const unrealized = round4(legs.reduce((s, l) => s + l.unrealized, 0));
    ctx.log(`Strategy P&L [${strategy}]: realized=${realized} unrealized=${unrealized} total=${round4(realized + unrealized)}`);
    return {
      status: 'success', strategy, realized, today_realized: realized, unrealized,
      total: round4(realized + unrealized), today_total: round4(realized + unrealized),
      open_quantity: round4(books.reduce((s, b) => s + b.quantity, 0)), unpriced_legs: unpriced, legs,
    };
  },
});

export const nodes: NodeDefinition<any>[] = [
  getQuote, getDepth, multiQuotes, history, intervals,
  positionBook, funds, orderBook, tradeBook, holdings, openPosition, getOrderStatus,
  symbol, optionSymbol, expiry, optionChain, syntheticFuture,
  holidays, timings, calendar, margin,
  priorPeriodOhlc, barOffset, indicator, strategyPnl,
];
