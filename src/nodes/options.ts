// Options plumbing shared by optionsOrder and optionsMultiOrder: the expiry a preset names and the
// lot size, both read from the broker (the expiry rules themselves are market/expiry.ts).

import type { Broker } from '../broker/types.js';
import { zonedDate } from '../market/clock.js';
import { apiExpiry, exchangesFor, pickExpiry, type ExpiryType } from '../market/expiry.js';
import { parseNumber } from './shared.js';

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
