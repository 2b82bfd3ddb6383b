// Where a rehearsal's past prices come from: OpenAlgo's history API (cached on disk, one file per
// symbol and day, so a second rehearsal of the same days needs no network), or the paper market's
// own deterministic model when no broker is configured.

import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Broker, Candle, SymbolRef } from '../broker/types.js';
import { parseIsoDate } from '../broker/paper/clock.js';
import { candles as paperCandles } from '../broker/paper/history.js';
import { resolveInstrument } from '../broker/paper/instruments.js';
import { Market } from '../broker/paper/prices.js';
import { zonedDate } from '../market/clock.js';

export type { Candle };

export interface CandleSource {
  /** `paper` (the paper market's model) or `openalgo` (its history API). */
  readonly kind: 'paper' | 'openalgo';
  /** 1-minute candles of each date (YYYY-MM-DD, exchange time), oldest first; a date without trading has []. */
  minutes(ref: SymbolRef, dates: readonly string[]): Promise<Map<string, Candle[]>>;
  /** Daily candles of each date, or null for a date without trading. */
  daily(ref: SymbolRef, dates: readonly string[]): Promise<Map<string, Candle | null>>;
  /** Network requests made (0 when everything came from the cache or the model). */
  readonly requests: number;
}

/** A failure to get prices for a symbol: the rehearsal cannot go on without them. */
export class CandleError extends Error {}

/** One day's 1-minute candles folded into its daily candle (stamped at the first minute's day). */
export function dayCandle(minutes: readonly Candle[]): Candle | null {
  if (minutes.length === 0) return null;
  let high = -Infinity;
  let low = Infinity;
  let volume = 0;
  for (const c of minutes) {
    if (c.high > high) high = c.high;
    if (c.low < low) low = c.low;
    volume += c.volume;
  }
  const first = minutes[0];
  const last = minutes[minutes.length - 1];
  return { timestamp: first.timestamp, open: first.open, high, low, close: last.close, volume, oi: last.oi };
}

/** The paper market's candles: the same seeded walk the paper broker quotes, computed, never fetched. */
export class PaperCandles implements CandleSource {
  readonly kind = 'paper' as const;
  readonly requests = 0;
  private readonly market: Market;

  constructor(seed = 42) {
    this.market = new Market(seed, {});
  }

  async minutes(ref: SymbolRef, dates: readonly string[]): Promise<Map<string, Candle[]>> {
    const r = resolveInstrument(ref.symbol, ref.exchange);
    if (!r.ok) throw new CandleError(`no prices for ${ref.exchange}:${ref.symbol} in the paper market (${r.message})`);
    const out = new Map<string, Candle[]>();
    for (const date of dates) {
      const day = parseIsoDate(date);
      if (day === null) throw new CandleError(`'${date}' is not a date`);
      // "now" far after the day: the whole session has traded.
      const got = paperCandles(this.market, r.instrument, '1m', day, day, Date.UTC(2100, 0, 1));
      out.set(date, typeof got === 'string' ? [] : got);
    }
    return out;
  }

  async daily(ref: SymbolRef, dates: readonly string[]): Promise<Map<string, Candle | null>> {
    // Folded from the minutes, so a day's candle agrees with the ticks the rehearsal replayed.
    const minutes = await this.minutes(ref, dates);
    return new Map([...minutes].map(([date, bars]) => [date, dayCandle(bars)]));
  }
}

export interface OpenAlgoCandlesOptions {
  broker: Broker;
  /** Where cached days are kept (the data directory's rehearse-cache). */
  cacheDir: string;
  /** Today in the exchange zone: only days before it are cached (today's candles are still forming). */
  today?: string;
  timezone?: string;
}

const CHUNK_DAYS: Record<'1m' | 'D', number> = { '1m': 25, D: 365 };

/** OpenAlgo's history, one request per run of missing days, each finished day cached as a file. */
export class OpenAlgoCandles implements CandleSource {
  readonly kind = 'openalgo' as const;
  requests = 0;
  private readonly today: string;

  constructor(private readonly opts: OpenAlgoCandlesOptions) {
    this.today = opts.today ?? zonedDate(new Date(), opts.timezone);
  }

  async minutes(ref: SymbolRef, dates: readonly string[]): Promise<Map<string, Candle[]>> {
    return this.load(ref, '1m', dates);
  }

  async daily(ref: SymbolRef, dates: readonly string[]): Promise<Map<string, Candle | null>> {
    const got = await this.load(ref, 'D', dates);
    return new Map([...got].map(([date, bars]) => [date, bars[0] ?? null]));
  }

  private file(ref: SymbolRef, interval: '1m' | 'D', date: string): string {
    const safe = (s: string) => s.toUpperCase().replace(/[^A-Z0-9_&-]/g, '_');
    return join(this.opts.cacheDir, safe(ref.exchange), safe(ref.symbol), interval, `${date}.json`);
  }

  private async load(ref: SymbolRef, interval: '1m' | 'D', dates: readonly string[]): Promise<Map<string, Candle[]>> {
    const out = new Map<string, Candle[]>();
    const missing: string[] = [];
    for (const date of dates) {
      try {
        out.set(date, JSON.parse(readFileSync(this.file(ref, interval, date), 'utf8')) as Candle[]);
      } catch {
        missing.push(date);
      }
    }
    const sorted = [...missing].sort();
    for (let i = 0; i < sorted.length; i += CHUNK_DAYS[interval]) {
      const chunk = sorted.slice(i, i + CHUNK_DAYS[interval]);
      const fetched = await this.fetch(ref, interval, chunk[0], chunk[chunk.length - 1]);
      for (const date of chunk) {
        const bars = fetched.get(date) ?? [];
        out.set(date, bars);
        if (date < this.today) this.save(this.file(ref, interval, date), bars);
      }
    }
    return out;
  }

  private async fetch(ref: SymbolRef, interval: '1m' | 'D', start: string, end: string): Promise<Map<string, Candle[]>> {
    this.requests++;
    let answer;
    try {
      answer = await this.opts.broker.history({ symbol: ref.symbol, exchange: ref.exchange, interval, start_date: start, end_date: end });
    } catch (e) {
      throw new CandleError(`history for ${ref.exchange}:${ref.symbol} ${start}..${end} failed: ${(e as Error).message}`);
    }
    if (answer.status !== 'success') throw new CandleError(`history for ${ref.exchange}:${ref.symbol} ${start}..${end}: ${answer.message ?? 'broker error'}`);
    const byDate = new Map<string, Candle[]>();
    for (const row of answer.data ?? []) {
      const c: Candle = {
        timestamp: Number(row.timestamp), open: Number(row.open), high: Number(row.high), low: Number(row.low),
        close: Number(row.close), volume: Number(row.volume ?? 0), oi: Number(row.oi ?? 0),
      };
      if (![c.timestamp, c.open, c.high, c.low, c.close].every(Number.isFinite)) {
        throw new CandleError(`history for ${ref.exchange}:${ref.symbol} has a malformed candle: ${JSON.stringify(row)}`);
      }
      // Daily candles are stamped at midnight (IST or UTC, by broker): the IST date of noon that day is theirs.
      const at = interval === 'D' ? c.timestamp * 1000 + 6 * 3_600_000 : c.timestamp * 1000;
      const date = zonedDate(new Date(at), this.opts.timezone);
      let list = byDate.get(date);
      if (!list) byDate.set(date, (list = []));
      list.push(c);
    }
    for (const list of byDate.values()) list.sort((a, b) => a.timestamp - b.timestamp);
    return byDate;
  }

  private save(file: string, bars: Candle[]): void {
    try {
      mkdirSync(join(file, '..'), { recursive: true, mode: 0o700 });
      const tmp = `${file}.tmp`;
      writeFileSync(tmp, JSON.stringify(bars), { mode: 0o600 });
      renameSync(tmp, file);
    } catch {
      // A cache that cannot be written only costs the next rehearsal a fetch.
    }
  }
}
