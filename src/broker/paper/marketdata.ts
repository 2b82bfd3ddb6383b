// Market-data and symbol endpoints of the paper market, in OpenAlgo's answer shapes.

import type {
  DepthAnswer, ExpiryAnswer, ExpiryRequest, HistoryAnswer, HistoryRequest, MarginAnswer, MarginRequest,
  MultiQuotesAnswer, OptionChainAnswer, OptionChainRequest, OptionSymbolAnswer, OptionSymbolRequest, QuoteAnswer,
  SearchAnswer, SearchRequest, SymbolAnswer, SymbolRef,
} from '../types.js';
import { fail } from './answer.js';
import { formatExpiry, formatExpiryCompact, parseIsoDate } from './clock.js';
import { expiryDays } from './expiries.js';
import { candles } from './history.js';
import { futureSymbol, listUnderlyings, resolveInstrument, symbolData, underlyingOf, type Instrument } from './instruments.js';
import { openingMargin } from './margin.js';
import { optionChain, optionRequestContext, resolveOption } from './options.js';
import type { Market } from './prices.js';
import { checkOrder, type OrderFields } from './validate.js';

export function quote(market: Market, req: SymbolRef, ms: number): QuoteAnswer {
  const r = resolveInstrument(req.symbol, req.exchange);
  return r.ok ? { status: 'success', data: market.quote(r.instrument, ms) } : fail(r.message);
}

export function multiQuotes(market: Market, req: { symbols: SymbolRef[] }, ms: number): MultiQuotesAnswer {
  if (!Array.isArray(req.symbols) || req.symbols.length === 0) return fail('symbols must list at least one {symbol, exchange}');
  const results = req.symbols.map((s) => {
    const r = resolveInstrument(s.symbol, s.exchange);
    return r.ok
      ? { symbol: r.instrument.symbol, exchange: r.instrument.exchange, data: market.quote(r.instrument, ms) }
      : { symbol: String(s.symbol), exchange: String(s.exchange), error: r.message };
  });
  return { status: 'success', results };
}

export function depth(market: Market, req: SymbolRef, ms: number): DepthAnswer {
  const r = resolveInstrument(req.symbol, req.exchange);
  return r.ok ? { status: 'success', data: market.depth(r.instrument, ms) } : fail(r.message);
}

export function history(market: Market, req: HistoryRequest, ms: number): HistoryAnswer {
  const r = resolveInstrument(req.symbol, req.exchange);
  if (!r.ok) return fail(r.message);
  const start = parseIsoDate(String(req.start_date ?? ''));
  const end = parseIsoDate(String(req.end_date ?? ''));
  if (start === null || end === null) return fail('start_date and end_date must be dates like 2025-04-01');
  const data = candles(market, r.instrument, String(req.interval ?? ''), start, end, ms);
  return typeof data === 'string' ? fail(data) : { status: 'success', data };
}

export function symbol(req: SymbolRef): SymbolAnswer {
  const r = resolveInstrument(req.symbol, req.exchange);
  return r.ok ? { status: 'success', data: symbolData(r.instrument) } : fail(r.message);
}

const SEARCH_LIMIT = 50;

/**
 * OpenAlgo's search on the paper market: the spot instruments (equities on NSE and BSE, indices)
 * whose symbol starts with or contains the text, best matches first, and the nearest futures of
 * those with derivatives; a full F&O symbol typed out (NIFTY28NOV2424000CE) is found as itself.
 */
export function search(req: SearchRequest, ms: number): SearchAnswer {
  const q = String(req.query ?? '').trim().toUpperCase();
  if (!q) return fail('query is required');
  const want = req.exchange ? String(req.exchange).toUpperCase() : null;
  const found: Instrument[] = [];
  const add = (symbol: string, exchange: string) => {
    if (want && exchange !== want) return;
    const r = resolveInstrument(symbol, exchange);
    if (r.ok && !found.some((i) => i.symbol === r.instrument.symbol && i.exchange === r.instrument.exchange)) found.push(r.instrument);
  };
  for (const exchange of want ? [want] : ['NFO', 'BFO']) add(q, exchange);
  const matches = listUnderlyings().filter((u) => u.name.includes(q))
    .sort((a, b) => Number(!a.name.startsWith(q)) - Number(!b.name.startsWith(q)) || a.name.length - b.name.length || a.name.localeCompare(b.name));
  for (const u of matches) {
    if (u.kind === 'equity') {
      add(u.name, 'NSE');
      add(u.name, 'BSE');
    } else {
      add(u.name, u.exchange);
    }
    if (u.derivativesExchange) {
      const next = expiryDays(u, 'futures', ms)[0];
      if (next !== undefined) add(futureSymbol(u.name, next), u.derivativesExchange);
    }
    if (found.length >= SEARCH_LIMIT) break;
  }
  return { status: 'success', data: found.slice(0, SEARCH_LIMIT).map(symbolData) };
}

export function expiry(req: ExpiryRequest, ms: number): ExpiryAnswer {
  const u = underlyingOf(String(req.symbol ?? ''));
  if (!u || u.derivativesExchange === null) return fail(`${req.symbol} has no futures or options in the paper market`);
  const ex = String(req.exchange ?? '').toUpperCase();
  if (ex !== u.derivativesExchange && ex !== u.exchange) return fail(`${u.name} derivatives trade on ${u.derivativesExchange}, not ${req.exchange}`);
  if (req.instrumenttype !== 'options' && req.instrumenttype !== 'futures') return fail(`instrumenttype '${req.instrumenttype}' must be options or futures`);
  const data = expiryDays(u, req.instrumenttype, ms).map(formatExpiry);
  return { status: 'success', message: `Found ${data.length} expiry dates for ${u.name} ${req.instrumenttype} in ${u.derivativesExchange}`, data };
}

export function optionSymbol(market: Market, req: OptionSymbolRequest, ms: number): OptionSymbolAnswer {
  const ctx = optionRequestContext(market, req.underlying, req.exchange, req.expiry_date, ms);
  if (typeof ctx === 'string') return fail(ctx);
  const inst = resolveOption(ctx, req.offset, req.option_type);
  if (typeof inst === 'string') return fail(inst);
  return {
    status: 'success', symbol: inst.symbol, exchange: inst.exchange, lotsize: inst.lotSize, tick_size: inst.tickSize,
    freeze_qty: inst.underlying.freezeQty, underlying_ltp: ctx.spot,
  };
}

const DEFAULT_STRIKE_COUNT = 10;

export function chain(market: Market, req: OptionChainRequest, ms: number): OptionChainAnswer {
  const ctx = optionRequestContext(market, req.underlying, req.exchange, req.expiry_date, ms);
  if (typeof ctx === 'string') return fail(ctx);
  const count = req.strike_count === undefined || req.strike_count === null ? DEFAULT_STRIKE_COUNT : Number(req.strike_count);
  if (!Number.isInteger(count) || count < 1 || count > 100) return fail(`strike_count '${req.strike_count}' must be a whole number from 1 to 100`);
  return {
    status: 'success', underlying: ctx.underlying.name, underlying_ltp: ctx.spot, expiry_date: formatExpiryCompact(ctx.expiryDay),
    atm_strike: ctx.atm, chain: optionChain(market, ctx, count, ms),
  };
}

/** Margin for a basket taken as fresh exposure (no netting against the account's positions). */
export function margin(market: Market, req: MarginRequest, ms: number): MarginAnswer {
  if (!Array.isArray(req.positions) || req.positions.length === 0) return fail('positions must list at least one position');
  if (req.positions.length > 50) return fail('margin takes at most 50 positions');
  let span = 0;
  let exposure = 0;
  for (const p of req.positions) {
    const spec = checkOrder({ strategy: 'margin', ...(p as OrderFields) }, ms);
    if (typeof spec === 'string') return fail(`${String(p.symbol)}: ${spec}`);
    const inst = spec.instrument;
    const ltp = market.ltp(inst, ms);
    const price = spec.price > 0 ? spec.price : ltp;
    const spot = market.spotLtp(inst.underlying, ms);
    const m = openingMargin(inst, spec.product, spec.action === 'BUY' ? 'long' : 'short', spec.quantity, price, spot);
    // Futures and short options split like SPAN + exposure; premiums and cash equity are all "exposure".
    const spanLike = inst.type === 'FUT' || ((inst.type === 'CE' || inst.type === 'PE') && spec.action === 'SELL');
    if (spanLike) { span += m * 0.75; exposure += m * 0.25; } else exposure += m;
  }
  const round2 = (x: number) => Math.round(x * 100) / 100;
  return { status: 'success', data: { total_margin_required: round2(span + exposure), span_margin: round2(span), exposure_margin: round2(exposure) } };
}
