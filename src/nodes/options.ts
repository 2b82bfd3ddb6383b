// Options plumbing shared by optionsOrder and optionsMultiOrder: which exchanges an underlying
// trades on, which expiry a preset (current_week …) means, and the lot size, read from the broker.

import type { Broker } from '../broker/types.js';
import { zonedDate } from '../engine/time.js';
import { parseNumber } from './shared.js';

export const EXPIRY_TYPES = ['current_week', 'next_week', 'current_month', 'next_month'] as const;
export type ExpiryType = (typeof EXPIRY_TYPES)[number];

const BSE_UNDERLYINGS = new Set(['SENSEX', 'BANKEX', 'SENSEX50']);
const NSE_INDICES = new Set(['NIFTY', 'BANKNIFTY', 'FINNIFTY', 'MIDCPNIFTY', 'NIFTYNXT50']);

/** Where the underlying is quoted and where its options trade (SENSEX, BANKEX, SENSEX50 on BSE; the rest on NSE). */
export function exchangesFor(underlying: string): { underlyingExchange: string; foExchange: 'NFO' | 'BFO' } {
  if (BSE_UNDERLYINGS.has(underlying)) return { underlyingExchange: 'BSE_INDEX', foExchange: 'BFO' };
  return { underlyingExchange: NSE_INDICES.has(underlying) ? 'NSE_INDEX' : 'NSE', foExchange: 'NFO' };
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

/** Parses "28-NOV-24", "28NOV24" or "28-NOV-2024" into a sortable YYYY-MM-DD; null when unreadable. */
export function parseExpiry(text: string): string | null {
  const m = /^(\d{1,2})-?([A-Za-z]{3})-?(\d{2}|\d{4})$/.exec(text.trim());
  if (!m) return null;
  const month = MONTHS.indexOf(m[2].toUpperCase()) + 1;
  const day = Number(m[1]);
  if (month === 0 || day < 1 || day > 31) return null;
  const year = m[3].length === 2 ? 2000 + Number(m[3]) : Number(m[3]);
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** OpenAlgo's API form of an expiry: "28-NOV-24" → "28NOV24" (a four-digit year is shortened). */
export function apiExpiry(text: string): string {
  const iso = parseExpiry(text);
  if (!iso) return text.replace(/-/g, '').toUpperCase();
  const [y, m, d] = iso.split('-');
  return `${d}${MONTHS[Number(m) - 1]}${y.slice(2)}`;
}

/**
 * Picks the expiry a preset names from an expiry list: current_week = the first, next_week = the
 * second, current_month = the last in today's calendar month, next_month = the last of the month
 * after. Expiries before `today` (YYYY-MM-DD) are ignored: an expired contract is never chosen.
 */
export function pickExpiry(list: readonly string[], type: ExpiryType, today: string): string | null {
  const dated = list
    .map((raw) => ({ raw, iso: parseExpiry(raw) }))
    .filter((e): e is { raw: string; iso: string } => e.iso !== null && e.iso >= today)
    .sort((a, b) => (a.iso < b.iso ? -1 : a.iso > b.iso ? 1 : 0));
  if (dated.length === 0) return null;
  if (type === 'current_week') return dated[0].raw;
  if (type === 'next_week') return dated[1]?.raw ?? null;
  // By calendar month, as OpenAlgo's _resolve_expiry_date: after this month's last expiry,
  // current_month has none (the node fails) rather than sliding to next month's contract.
  const thisMonth = today.slice(0, 7);
  let month = thisMonth;
  if (type === 'next_month') {
    const [y, m] = thisMonth.split('-').map(Number);
    month = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
  }
  const inMonth = dated.filter((e) => e.iso.startsWith(month));
  return inMonth.length ? inMonth[inMonth.length - 1].raw : null;
}

export type Resolved<T> = { ok: true; value: T } | { ok: false; message: string };

/** Asks the broker for the underlying's option expiries and resolves a preset to the API form ("28NOV24"). */
export async function resolveExpiry(
  broker: Broker, underlying: string, type: ExpiryType, now: Date, timezone: string, signal: AbortSignal,
): Promise<Resolved<string>> {
  const { foExchange } = exchangesFor(underlying);
  const answer = await broker.expiry({ symbol: underlying, exchange: foExchange, instrumenttype: 'options' }, { signal });
  if (answer.status !== 'success') return { ok: false, message: `could not read ${underlying} expiries on ${foExchange}: ${answer.message ?? 'broker error'}` };
  const list = Array.isArray(answer.data) ? answer.data.filter((x): x is string => typeof x === 'string') : [];
  const picked = pickExpiry(list, type, zonedDate(now, timezone));
  if (!picked) return { ok: false, message: `no ${type} expiry for ${underlying} on ${foExchange} (the broker listed ${list.length ? list.slice(0, 4).join(', ') : 'none'})` };
  return { ok: true, value: apiExpiry(picked) };
}

/**
 * The lot size of the contract an offset resolves to, from the broker (option symbol, then the
 * symbol's master data). Fails closed: an order is never sized on a guess.
 */
export async function resolveLotSize(
  broker: Broker, req: { underlying: string; expiry: string; offset: string; optionType: 'CE' | 'PE' }, signal: AbortSignal,
): Promise<Resolved<{ lotsize: number; symbol?: string }>> {
  const { underlyingExchange, foExchange } = exchangesFor(req.underlying);
  const os = await broker.optionSymbol(
    { underlying: req.underlying, exchange: underlyingExchange, expiry_date: req.expiry, offset: req.offset, option_type: req.optionType },
    { signal },
  );
  if (os.status !== 'success') {
    return { ok: false, message: `could not resolve the ${req.underlying} ${req.expiry} ${req.offset} ${req.optionType} contract: ${os.message ?? 'broker error'}` };
  }
  const direct = parseNumber(os.lotsize);
  if (direct !== null && direct > 0) return { ok: true, value: { lotsize: direct, symbol: os.symbol } };
  if (os.symbol) {
    const info = await broker.symbol({ symbol: os.symbol, exchange: os.exchange ?? foExchange }, { signal });
    const lot = parseNumber(info.data?.lotsize);
    if (info.status === 'success' && lot !== null && lot > 0) return { ok: true, value: { lotsize: lot, symbol: os.symbol } };
  }
  return { ok: false, message: `the broker gave no lot size for ${req.underlying} ${req.expiry}; refusing to size the order on a guess` };
}
