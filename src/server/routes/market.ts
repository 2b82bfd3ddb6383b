// Read-only market data for the UI: a symbol search with each result's LTP (OpenAlgo's `search`
// and `multiquotes`), and the LTP of a few symbols, polled by the editor and the search box.
// Answers are shared for a second, so any number of open tabs costs the broker one call a second.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { MultiQuotesAnswer, SymbolRef } from '../../broker/types.js';
import { FlowError } from '../../errors.js';
import type { ApiDeps } from '../api.js';

const MAX_SYMBOLS = 50;
/** Results of a search that get their LTP in the same answer. */
const PRICED_RESULTS = 20;
const FRESH_MS = 1_000;

export interface Quote {
  symbol: string;
  exchange: string;
  ltp: number | null;
  prevClose: number | null;
  error?: string;
}

/** "NSE:SBIN,NFO:NIFTY28NOV2424000CE" → refs; a malformed entry is the client's mistake (400). */
export function parseSymbols(text: string): SymbolRef[] {
  const refs = text.split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
    const m = /^([A-Z_]{2,12}):([A-Za-z0-9&_.-]{1,60})$/.exec(s);
    if (!m) throw new FlowError('invalid_request', `querystring symbols: '${s.slice(0, 80)}' is not EXCHANGE:SYMBOL (NSE:SBIN)`, 400, { field: 'symbols' });
    return { exchange: m[1], symbol: m[2].toUpperCase() };
  });
  if (!refs.length) throw new FlowError('invalid_request', 'querystring symbols lists no EXCHANGE:SYMBOL', 400, { field: 'symbols' });
  if (refs.length > MAX_SYMBOLS) throw new FlowError('invalid_request', `querystring symbols lists ${refs.length} symbols; at most ${MAX_SYMBOLS}`, 400, { field: 'symbols' });
  return refs;
}

export async function marketRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const { broker } = deps;
  const cache = new Map<string, { at: number; answer: Promise<Quote[]> }>();

  const fetchQuotes = async (refs: SymbolRef[]): Promise<Quote[]> => {
    let answer: MultiQuotesAnswer;
    try {
      answer = await broker.multiQuotes({ symbols: refs }, { signal: AbortSignal.timeout(3_000) });
    } catch (e) {
      return refs.map((r) => ({ ...r, ltp: null, prevClose: null, error: (e as Error).message }));
    }
    if (answer.status !== 'success') return refs.map((r) => ({ ...r, ltp: null, prevClose: null, error: answer.message ?? 'the broker refused' }));
    const byKey = new Map((answer.results ?? []).map((q) => [`${q.exchange}:${q.symbol}`.toUpperCase(), q]));
    return refs.map((r) => {
      const q = byKey.get(`${r.exchange}:${r.symbol}`.toUpperCase());
      if (!q?.data) return { ...r, ltp: null, prevClose: null, error: q?.error ?? 'no quote' };
      return { ...r, ltp: q.data.ltp, prevClose: q.data.prev_close ?? null };
    });
  };

  const quotes = (refs: SymbolRef[]): Promise<Quote[]> => {
    const key = refs.map((r) => `${r.exchange}:${r.symbol}`).join(',');
    const now = Date.now();
    const hit = cache.get(key);
    if (hit && now - hit.at < FRESH_MS) return hit.answer;
    for (const [k, v] of cache) if (now - v.at >= FRESH_MS) cache.delete(k);
    const answer = fetchQuotes(refs);
    cache.set(key, { at: now, answer });
    return answer;
  };

  app.get('/market/quotes', {
    schema: { querystring: { type: 'object', required: ['symbols'], properties: { symbols: { type: 'string', minLength: 1, maxLength: 4000 } } } },
  }, async (req: FastifyRequest<{ Querystring: { symbols: string } }>) => ({ quotes: await quotes(parseSymbols(req.query.symbols)), at: new Date().toISOString() }));

  app.get('/market/search', {
    schema: {
      querystring: {
        type: 'object', required: ['query'],
        properties: { query: { type: 'string', minLength: 1, maxLength: 60 }, exchange: { type: 'string', pattern: '^[A-Z_]{2,12}$' } },
      },
    },
  }, async (req: FastifyRequest<{ Querystring: { query: string; exchange?: string } }>) => {
    const { query, exchange } = req.query;
    let answer: Awaited<ReturnType<typeof broker.search>>;
    try {
      answer = await broker.search({ query, ...(exchange ? { exchange } : {}) }, { signal: AbortSignal.timeout(5_000) });
    } catch (e) {
      throw new FlowError('broker_unavailable', `the broker's search did not answer: ${(e as Error).message}`, 502);
    }
    if (answer.status !== 'success') throw new FlowError('broker_error', `the broker's search answered: ${answer.message ?? 'an error'}`, 502);
    const found = (answer.data ?? []).slice(0, MAX_SYMBOLS);
    const priced = found.length ? await quotes(found.slice(0, PRICED_RESULTS).map((s) => ({ symbol: s.symbol, exchange: s.exchange }))) : [];
    return {
      results: found.map((s, i) => ({
        symbol: s.symbol, exchange: s.exchange, name: s.name, instrumentType: s.instrumenttype, expiry: s.expiry || null,
        strike: s.strike > 0 ? s.strike : null, lotSize: s.lotsize, tickSize: s.tick_size, ltp: priced[i]?.ltp ?? null,
      })),
    };
  });
}
