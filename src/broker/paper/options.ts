// Option strikes by offset from the money: ATM is the strike nearest the underlying's LTP;
// ITM for a call is below it and for a put above it (OTM the other way), one strike step each.

import type { OptionChainAnswer, OptionChainLeg, OptionType } from '../types.js';
import { formatExpiryCompact, parseExpiryDate } from './clock.js';
import { hasExpired } from './expiries.js';
import { optionSymbol, resolveInstrument, TICK_SIZE, underlyingOf, type Instrument, type Underlying } from './instruments.js';
import type { Market } from './prices.js';

export interface Offset { kind: 'ATM' | 'ITM' | 'OTM'; steps: number }

/** "ATM", "ITM1" … "ITM50", "OTM1" … "OTM50" (any case); null otherwise. */
export function parseOffset(text: string): Offset | null {
  const t = String(text ?? '').trim().toUpperCase();
  if (t === 'ATM') return { kind: 'ATM', steps: 0 };
  const m = /^(ITM|OTM)(\d{1,2})$/.exec(t);
  if (!m) return null;
  const steps = Number(m[2]);
  return steps >= 1 && steps <= 50 ? { kind: m[1] as 'ITM' | 'OTM', steps } : null;
}

export function atmStrike(ltp: number, step: number): number {
  return Math.round(ltp / step) * step;
}

/** The strike at an offset: a call's ITM strikes are below ATM, a put's above. */
export function strikeAt(atm: number, step: number, offset: Offset, type: OptionType): number {
  if (offset.kind === 'ATM') return atm;
  const below = (offset.kind === 'ITM') === (type === 'CE');
  return round2(atm + (below ? -1 : 1) * offset.steps * step);
}

/** The offset label of a strike: "ATM", "ITM2", "OTM3". */
export function labelOf(strike: number, atm: number, step: number, type: OptionType): string {
  const n = Math.round((strike - atm) / step);
  if (n === 0) return 'ATM';
  const itm = type === 'CE' ? n < 0 : n > 0;
  return `${itm ? 'ITM' : 'OTM'}${Math.abs(n)}`;
}

export interface OptionContext {
  underlying: Underlying;
  expiryDay: number;
  spot: number;
  atm: number;
}

/** The underlying of an options request, checked against the exchange it was named with. */
export function optionUnderlying(underlyingName: string, exchange: string): Underlying | string {
  const u = underlyingOf(String(underlyingName ?? ''));
  if (!u) return `unknown underlying ${underlyingName}`;
  if (u.derivativesExchange === null) return `${u.name} has no options in the paper market`;
  const ex = String(exchange ?? '').trim().toUpperCase();
  const accepted = [u.exchange, u.derivativesExchange, ...(u.kind === 'equity' ? ['BSE'] : [])];
  if (!accepted.includes(ex)) return `${u.name} is listed on ${u.exchange} (options on ${u.derivativesExchange}), not ${exchange}`;
  return u;
}

/**
 * Checks the expiry and prices the underlying, so every strike of a request resolves
 * against one LTP.
 */
export function optionContext(market: Market, u: Underlying, expiryDate: string, ms: number): OptionContext | string {
  const expiryDay = parseExpiryDate(String(expiryDate ?? ''));
  if (expiryDay === null) return `expiry_date '${expiryDate ?? ''}' is not a date like 28NOV25`;
  if (hasExpired(expiryDay, ms)) return `expiry ${formatExpiryCompact(expiryDay)} has passed`;
  const spot = market.spotLtp(u, ms);
  return { underlying: u, expiryDay, spot, atm: atmStrike(spot, u.strikeStep) };
}

/** Underlying and expiry together, as the single-expiry endpoints take them. */
export function optionRequestContext(market: Market, underlyingName: string, exchange: string, expiryDate: string, ms: number): OptionContext | string {
  const u = optionUnderlying(underlyingName, exchange);
  return typeof u === 'string' ? u : optionContext(market, u, expiryDate, ms);
}

export function resolveOption(ctx: OptionContext, offsetText: string, type: string): Instrument | string {
  const offset = parseOffset(offsetText);
  if (!offset) return `offset '${offsetText}' must be ATM, ITM1…ITM50 or OTM1…OTM50`;
  if (type !== 'CE' && type !== 'PE') return `option_type '${type}' must be CE or PE`;
  const strike = strikeAt(ctx.atm, ctx.underlying.strikeStep, offset, type);
  if (strike <= 0) return `${offsetText} ${type} of ${ctx.underlying.name} would have a strike of ${strike}`;
  const r = resolveInstrument(optionSymbol(ctx.underlying.name, ctx.expiryDay, strike, type), ctx.underlying.derivativesExchange as string);
  return r.ok ? r.instrument : r.message;
}

/** `strikeCount` strikes each side of ATM, ascending; legs priced now. */
export function optionChain(market: Market, ctx: OptionContext, strikeCount: number, ms: number): NonNullable<OptionChainAnswer['chain']> {
  const { underlying: u, atm } = ctx;
  const step = u.strikeStep;
  const chain: NonNullable<OptionChainAnswer['chain']> = [];
  for (let i = -strikeCount; i <= strikeCount; i++) {
    const strike = round2(atm + i * step);
    if (strike <= 0) continue;
    const leg = (type: OptionType): OptionChainLeg | undefined => {
      const r = resolveInstrument(optionSymbol(u.name, ctx.expiryDay, strike, type), u.derivativesExchange as string);
      if (!r.ok) return undefined;
      const q = market.quote(r.instrument, ms);
      return {
        symbol: r.instrument.symbol, label: labelOf(strike, atm, step, type), ltp: q.ltp, bid: q.bid, ask: q.ask,
        open: q.open, high: q.high, low: q.low, prev_close: q.prev_close, volume: q.volume, oi: q.oi,
        lotsize: r.instrument.lotSize, tick_size: TICK_SIZE,
      } as OptionChainLeg;
    };
    chain.push({ strike, ce: leg('CE'), pe: leg('PE') });
  }
  return chain;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
