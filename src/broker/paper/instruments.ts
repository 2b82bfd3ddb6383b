// The paper market's instruments: NSE/BSE equities, NSE/BSE indices, and their futures and
// options in OpenAlgo's symbol format (NIFTY28NOV2424000CE, BANKNIFTY24APR24FUT).

import { MONTHS } from '../../market/expiry.js';
import { formatExpiry, formatExpiryCompact, parseExpiryDate } from './clock.js';

export type InstrumentType = 'EQ' | 'INDEX' | 'FUT' | 'CE' | 'PE';

export interface Underlying {
  name: string;
  kind: 'index' | 'equity';
  /** Where the spot trades or is published: NSE (equities, also on BSE), NSE_INDEX or BSE_INDEX. */
  exchange: 'NSE' | 'NSE_INDEX' | 'BSE_INDEX';
  /** Where its futures and options trade; null when it has none. */
  derivativesExchange: 'NFO' | 'BFO' | null;
  basePrice: number;
  /** F&O lot size (cash equities trade in units of 1). */
  lotSize: number;
  strikeStep: number;
  /** The largest F&O order the exchange accepts in one go. */
  freezeQty: number;
  /** Weekday of its expiries, 0 = Monday: 1 (Tuesday) for NSE, 3 (Thursday) for BSE. */
  expiryWeekday: number;
  /** Weekly options (NIFTY, SENSEX); the others expire monthly. */
  weekly: boolean;
  /** Annualised volatility used by the price walk and the option model. */
  volatility: number;
  /** Shares traded in a full session (0 for indices). */
  dailyVolume: number;
}

export interface Instrument {
  symbol: string;
  exchange: string;
  type: InstrumentType;
  underlying: Underlying;
  /** IST day number of the expiry (F&O only). */
  expiryDay?: number;
  strike?: number;
  /** Units per lot: the F&O lot size, 1 for equities and indices. */
  lotSize: number;
  tickSize: number;
  token: string;
}

export const TICK_SIZE = 0.05;

function index(name: string, exchange: 'NSE_INDEX' | 'BSE_INDEX', basePrice: number, lotSize: number, strikeStep: number, freezeQty: number, weekly: boolean): Underlying {
  const nse = exchange === 'NSE_INDEX';
  return {
    name, kind: 'index', exchange, derivativesExchange: nse ? 'NFO' : 'BFO', basePrice, lotSize, strikeStep, freezeQty,
    expiryWeekday: nse ? 1 : 3, weekly, volatility: 0.14, dailyVolume: 0,
  };
}

/** Equity strike grids widen with the share price, as on NSE. */
function equityStrikeStep(price: number): number {
  if (price < 100) return 1;
  if (price < 250) return 2.5;
  if (price < 500) return 5;
  if (price < 1000) return 10;
  if (price < 2500) return 20;
  if (price < 5000) return 50;
  return 100;
}

/** lotSize 0: no F&O. Lot sizes approximate NSE's 2025 contract sizes. */
function equity(name: string, basePrice: number, lotSize: number, dailyVolume: number): Underlying {
  return {
    name, kind: 'equity', exchange: 'NSE', derivativesExchange: lotSize > 0 ? 'NFO' : null, basePrice,
    lotSize: lotSize > 0 ? lotSize : 1, strikeStep: equityStrikeStep(basePrice), freezeQty: lotSize > 0 ? lotSize * 20 : 0,
    expiryWeekday: 1, weekly: false, volatility: 0.26, dailyVolume,
  };
}

const UNDERLYINGS: Underlying[] = [
  index('NIFTY', 'NSE_INDEX', 25900, 65, 50, 1800, true),
  index('BANKNIFTY', 'NSE_INDEX', 58500, 30, 100, 900, false),
  index('FINNIFTY', 'NSE_INDEX', 27500, 60, 50, 1800, false),
  index('MIDCPNIFTY', 'NSE_INDEX', 13500, 120, 25, 2800, false),
  index('NIFTYNXT50', 'NSE_INDEX', 69000, 25, 100, 600, false),
  index('SENSEX', 'BSE_INDEX', 84500, 20, 100, 1000, true),
  index('BANKEX', 'BSE_INDEX', 64000, 30, 100, 900, false),
  index('SENSEX50', 'BSE_INDEX', 27000, 25, 50, 1000, false),
  { ...index('INDIAVIX', 'NSE_INDEX', 12, 1, 1, 0, false), derivativesExchange: null, volatility: 0.8 },
  equity('RELIANCE', 1480, 500, 9_000_000),
  equity('SBIN', 870, 750, 12_000_000),
  equity('INFY', 1500, 400, 7_000_000),
  equity('TCS', 3100, 175, 2_500_000),
  equity('HDFCBANK', 990, 550, 15_000_000),
  equity('ICICIBANK', 1380, 700, 11_000_000),
  equity('TATAMOTORS', 680, 800, 14_000_000),
  equity('YESBANK', 22, 0, 90_000_000),
  equity('ITC', 410, 1600, 16_000_000),
  equity('LT', 3900, 175, 2_000_000),
  equity('AXISBANK', 1200, 625, 8_000_000),
  equity('KOTAKBANK', 2100, 400, 4_000_000),
  equity('BHARTIARTL', 2050, 475, 6_000_000),
  equity('HINDUNILVR', 2450, 300, 1_500_000),
  equity('WIPRO', 250, 3000, 10_000_000),
  equity('MARUTI', 15800, 50, 500_000),
  equity('SUNPHARMA', 1700, 350, 2_500_000),
  equity('TITAN', 3700, 175, 1_200_000),
  equity('BAJFINANCE', 1000, 750, 6_000_000),
  equity('ASIANPAINT', 2500, 250, 1_500_000),
  equity('ULTRACEMCO', 12000, 50, 300_000),
  equity('NTPC', 340, 1500, 14_000_000),
  equity('POWERGRID', 290, 1900, 12_000_000),
  equity('ONGC', 245, 2250, 13_000_000),
  equity('TATASTEEL', 170, 5500, 30_000_000),
  equity('HCLTECH', 1600, 350, 3_000_000),
  equity('ADANIENT', 2400, 300, 1_500_000),
  equity('JSWSTEEL', 1150, 675, 3_000_000),
  equity('COALINDIA', 385, 1350, 8_000_000),
  equity('VEDL', 480, 1150, 10_000_000),
  equity('BHEL', 250, 2625, 15_000_000),
  equity('BANKBARODA', 280, 2925, 14_000_000),
  equity('IDEA', 9, 0, 400_000_000),
];

const BY_NAME = new Map(UNDERLYINGS.map((u) => [u.name, u]));

export function underlyingOf(name: string): Underlying | undefined {
  return BY_NAME.get(name.trim().toUpperCase());
}

export function listUnderlyings(): readonly Underlying[] {
  return UNDERLYINGS;
}

// ---- symbols -----------------------------------------------------------------

export interface DerivativeParts {
  underlying: string;
  expiryDay: number;
  type: 'FUT' | 'CE' | 'PE';
  strike?: number;
}

const DERIVATIVE = new RegExp(`^([A-Z0-9&-]+?)(\\d{2}(?:${MONTHS.join('|')})\\d{2})(?:(FUT)|(\\d+(?:\\.\\d+)?)(CE|PE))$`);

/** Splits an OpenAlgo F&O symbol; null when it is not one. */
export function parseDerivativeSymbol(symbol: string): DerivativeParts | null {
  const m = DERIVATIVE.exec(symbol);
  if (!m) return null;
  const expiryDay = parseExpiryDate(m[2]);
  if (expiryDay === null) return null;
  if (m[3]) return { underlying: m[1], expiryDay, type: 'FUT' };
  return { underlying: m[1], expiryDay, type: m[5] as 'CE' | 'PE', strike: Number(m[4]) };
}

/** Strikes print without trailing zeros: 24000, 292.5. */
export function formatStrike(strike: number): string {
  return String(Math.round(strike * 100) / 100);
}

export function optionSymbol(underlying: string, expiryDay: number, strike: number, type: 'CE' | 'PE'): string {
  return `${underlying}${formatExpiryCompact(expiryDay)}${formatStrike(strike)}${type}`;
}

export function futureSymbol(underlying: string, expiryDay: number): string {
  return `${underlying}${formatExpiryCompact(expiryDay)}FUT`;
}

/** A stable numeric token per instrument (FNV-1a of exchange and symbol). */
function tokenOf(exchange: string, symbol: string): string {
  let h = 0x811c9dc5;
  const text = `${exchange}:${symbol}`;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return String((h >>> 0) % 10_000_000);
}

function isMultiple(value: number, step: number): boolean {
  const q = value / step;
  return Math.abs(q - Math.round(q)) < 1e-6;
}

/** An instrument or a message a trader can act on. */
export type Resolved = { ok: true; instrument: Instrument } | { ok: false; message: string };

const cache = new Map<string, Resolved>();

/** Looks up symbol@exchange (symbols are upper-cased). Cached: it runs on every quote and order. */
export function resolveInstrument(symbolIn: string, exchangeIn: string): Resolved {
  const key = `${exchangeIn}|${symbolIn}`;
  let hit = cache.get(key);
  if (!hit) {
    hit = resolveUncached(String(symbolIn ?? '').trim().toUpperCase(), String(exchangeIn ?? '').trim().toUpperCase());
    if (cache.size > 50_000) cache.clear();
    cache.set(key, hit);
  }
  return hit;
}

function resolveUncached(symbol: string, exchange: string): Resolved {
  const fail = (message: string): Resolved => ({ ok: false, message });
  if (!symbol) return fail('symbol is required');
  switch (exchange) {
    case 'NSE':
    case 'BSE': {
      const u = BY_NAME.get(symbol);
      if (!u || u.kind !== 'equity') return fail(unknown(symbol, exchange));
      return { ok: true, instrument: { symbol, exchange, type: 'EQ', underlying: u, lotSize: 1, tickSize: TICK_SIZE, token: tokenOf(exchange, symbol) } };
    }
    case 'NSE_INDEX':
    case 'BSE_INDEX': {
      const u = BY_NAME.get(symbol);
      if (!u || u.kind !== 'index' || u.exchange !== exchange) return fail(unknown(symbol, exchange));
      return { ok: true, instrument: { symbol, exchange, type: 'INDEX', underlying: u, lotSize: 1, tickSize: TICK_SIZE, token: tokenOf(exchange, symbol) } };
    }
    case 'NFO':
    case 'BFO': {
      const parts = parseDerivativeSymbol(symbol);
      if (!parts) return fail(`${unknown(symbol, exchange)}: F&O symbols look like NIFTY25NOV2526000CE or BANKNIFTY25NOV25FUT`);
      const u = BY_NAME.get(parts.underlying);
      if (!u || u.derivativesExchange === null) return fail(`${unknown(symbol, exchange)}: ${parts.underlying} has no futures or options in the paper market`);
      if (u.derivativesExchange !== exchange) return fail(`${symbol} trades on ${u.derivativesExchange}, not ${exchange}`);
      const base = { symbol, exchange, underlying: u, expiryDay: parts.expiryDay, lotSize: u.lotSize, tickSize: TICK_SIZE, token: tokenOf(exchange, symbol) };
      if (parts.type === 'FUT') return { ok: true, instrument: { ...base, type: 'FUT' } };
      const strike = parts.strike as number;
      const step = u.kind === 'index' ? u.strikeStep : TICK_SIZE;
      if (!(strike > 0) || !isMultiple(strike, step)) return fail(`${symbol}: strike ${formatStrike(strike)} is not on ${u.name}'s strike grid (multiples of ${step})`);
      return { ok: true, instrument: { ...base, type: parts.type, strike } };
    }
    default:
      return fail(`the paper market has no instruments on ${exchange || 'an empty exchange'} (it has NSE, BSE, NFO, BFO, NSE_INDEX, BSE_INDEX)`);
  }
}

function unknown(symbol: string, exchange: string): string {
  return `unknown symbol ${symbol} on ${exchange}`;
}

/** What the `symbol` endpoint answers. */
export function symbolData(inst: Instrument) {
  const option = inst.type === 'CE' || inst.type === 'PE';
  return {
    symbol: inst.symbol,
    brsymbol: inst.symbol,
    name: inst.underlying.name,
    exchange: inst.exchange,
    instrumenttype: inst.type,
    expiry: inst.expiryDay === undefined ? '' : formatExpiry(inst.expiryDay),
    strike: option ? (inst.strike as number) : inst.type === 'FUT' ? 0 : -0.01,
    lotsize: inst.lotSize,
    tick_size: inst.tickSize,
    token: inst.token,
    freeze_qty: inst.type === 'FUT' || option ? inst.underlying.freezeQty : undefined,
  };
}
