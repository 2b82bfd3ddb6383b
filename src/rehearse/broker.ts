// The broker a rehearsal's nodes talk to: the paper broker (orders, fills, account, symbols) on the
// simulated clock, with market data (quotes, depth, history) answered from the replayed candles as
// they stand at the simulated "now", so no node can read a price from its future.

import {
  ENDPOINTS, type BrokerMethod,
  type Broker, type CallOptions, type Candle, type DepthAnswer, type HistoryAnswer, type HistoryRequest, type MultiQuotesAnswer, type QuoteAnswer, type QuoteData, type SymbolRef,
} from '../broker/types.js';
import type { PaperBroker } from '../broker/paper/index.js';
import { resampleCalendar, resampleIntraday } from '../nodes/history.js';
import { zonedDate } from '../market/clock.js';
import { CandleError, type CandleSource } from './candles.js';
import type { SymbolFeed } from './feed.js';

const MAX_CACHED_DAYS = 400;
const MAX_HISTORY_DAYS = 400;

function addDays(date: string, n: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

function datesBetween(start: string, end: string): string[] {
  const out: string[] = [];
  for (let d = start; d <= end && out.length <= MAX_HISTORY_DAYS; d = addDays(d, 1)) out.push(d);
  return out;
}

/** `1m`, `5m`, `1h` … in minutes; `D`/`W`/`M` by name; null when the rehearsal cannot build it. */
function parseInterval(interval: string): { minutes: number } | { calendar: 'D' | 'W' | 'M' } | null {
  const m = /^(\d+)([mh])$/.exec(interval);
  if (m) return { minutes: Number(m[1]) * (m[2] === 'h' ? 60 : 1) };
  if (interval === 'D' || interval === '1d') return { calendar: 'D' };
  if (interval === 'W' || interval === 'M') return { calendar: interval };
  return null;
}

export interface MarketView {
  /** The feed of a watched symbol, if it is one. */
  feed(ref: SymbolRef): SymbolFeed | undefined;
  now(): Date;
  timezone: string;
  source: CandleSource;
}

/** Builds the rehearsal's broker: the paper broker for everything but market data of watched symbols and history. */
export function rehearsalBroker(paper: PaperBroker, view: MarketView): Broker {
  const minuteCache = new Map<string, Candle[]>();
  const dailyCache = new Map<string, Candle | null>();
  const fail = (message: string): HistoryAnswer => ({ status: 'error', message, mode: 'analyze' });

  const quoteOf = (ref: SymbolRef): QuoteData | null => view.feed(ref)?.quote() ?? null;

  async function pastMinutes(ref: SymbolRef, dates: string[]): Promise<Candle[]> {
    const key = `${ref.exchange}:${ref.symbol}`;
    const missing = dates.filter((d) => !minuteCache.has(`${key}|${d}`));
    if (missing.length) {
      const got = await view.source.minutes(ref, missing);
      for (const [d, bars] of got) {
        if (minuteCache.size >= MAX_CACHED_DAYS) minuteCache.delete(minuteCache.keys().next().value!);
        minuteCache.set(`${key}|${d}`, bars);
      }
    }
    return dates.flatMap((d) => minuteCache.get(`${key}|${d}`) ?? []);
  }

  async function pastDays(ref: SymbolRef, dates: string[]): Promise<Candle[]> {
    const key = `${ref.exchange}:${ref.symbol}`;
    const missing = dates.filter((d) => !dailyCache.has(`${key}|${d}`));
    if (missing.length) for (const [d, c] of await view.source.daily(ref, missing)) dailyCache.set(`${key}|${d}`, c);
    return dates.map((d) => dailyCache.get(`${key}|${d}`) ?? null).filter((c): c is Candle => c !== null);
  }

  /** Today's candles so far: the replayed ones for a watched symbol, else the closed minutes of the source. */
  async function todayMinutes(ref: SymbolRef, today: string, nowMs: number): Promise<Candle[]> {
    const feed = view.feed(ref);
    if (feed && feed.date === today) return feed.todaySoFar();
    const bars = await pastMinutes(ref, [today]);
    return bars.filter((c) => c.timestamp * 1000 + 60_000 <= nowMs);
  }

  async function history(req: HistoryRequest): Promise<HistoryAnswer> {
    const interval = parseInterval(String(req.interval ?? ''));
    if (!interval) return fail(`interval '${req.interval}' is not available in a rehearsal (1m, Nm, Nh, D, W, M)`);
    const start = String(req.start_date ?? '');
    const asked = String(req.end_date ?? '');
    if (!/^\d{4}-\d{2}-\d{2}$/.test(start) || !/^\d{4}-\d{2}-\d{2}$/.test(asked)) return fail('start_date and end_date must be dates like 2025-04-01');
    const nowMs = view.now().getTime();
    const today = zonedDate(view.now(), view.timezone);
    // Never past the simulated today, whatever end date was asked.
    const end = asked < today ? asked : today;
    if (end < start) return { status: 'success', data: [] };
    const ref = { symbol: req.symbol, exchange: req.exchange };
    const past = datesBetween(start, end).filter((d) => d < today);
    try {
      if ('minutes' in interval) {
        const bars = [...await pastMinutes(ref, past), ...(end === today ? await todayMinutes(ref, today, nowMs) : [])];
        const data = interval.minutes === 1 ? bars : resampleIntraday(bars, interval.minutes * 60, req.exchange);
        return { status: 'success', data, mode: 'analyze' };
      }
      const days = await pastDays(ref, past);
      if (end === today) {
        const forming = view.feed(ref)?.date === today ? view.feed(ref)!.todayCandle() : null;
        if (forming) days.push({ ...forming, timestamp: days.length ? stampLike(days[days.length - 1], today, view.timezone) : forming.timestamp });
      }
      const data = interval.calendar === 'D' ? days : resampleCalendar(days, { kind: interval.calendar === 'W' ? 'week' : 'month', count: 1 });
      return { status: 'success', data, mode: 'analyze' };
    } catch (e) {
      if (e instanceof CandleError) return fail(e.message);
      throw e;
    }
  }

  // Every call the rehearsal does not answer itself goes to the paper broker, bound to it.
  const delegated = Object.fromEntries((Object.keys(ENDPOINTS) as BrokerMethod[]).map((m) => [m, (paper[m] as (...a: unknown[]) => unknown).bind(paper)]));
  return Object.assign(delegated, {
    kind: 'paper' as const,
    description: `rehearsal (${view.source.kind} prices)`,
    async quotes(req: SymbolRef, opts?: CallOptions): Promise<QuoteAnswer> {
      const q = quoteOf(req);
      return q ? { status: 'success', data: q, mode: 'analyze' } : paper.quotes(req, opts);
    },
    async multiQuotes(req: { symbols: SymbolRef[] }, opts?: CallOptions): Promise<MultiQuotesAnswer> {
      const answer = await paper.multiQuotes(req, opts);
      if (answer.status !== 'success' || !answer.results) return answer;
      return { ...answer, results: answer.results.map((r) => { const q = quoteOf(r); return q ? { ...r, data: q } : r; }) };
    },
    async depth(req: SymbolRef, opts?: CallOptions): Promise<DepthAnswer> {
      const answer = await paper.depth(req, opts);
      const q = quoteOf(req);
      if (!q || answer.status !== 'success' || !answer.data) return answer;
      return { ...answer, data: { ...answer.data, open: q.open, high: q.high, low: q.low, prev_close: q.prev_close, volume: q.volume } };
    },
    history: (req: HistoryRequest) => history(req),
  }) as unknown as Broker;
}

/** A forming daily candle stamped the way the source stamps its daily candles (same time of day as the last one). */
function stampLike(previous: Candle, today: string, timezone: string): number {
  const previousDate = zonedDate(new Date(previous.timestamp * 1000 + 6 * 3_600_000), timezone);
  const days = Math.round((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${previousDate}T00:00:00Z`)) / 86_400_000);
  return previous.timestamp + days * 86_400;
}
