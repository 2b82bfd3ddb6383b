// The simulated market of a rehearsal: for each watched symbol, the current day's 1-minute candles
// replayed as ticks, and what a node may know at the simulated "now" (the quote so far, the candle
// still forming), never a price after it.

import type { Candle, QuoteData, SymbolRef } from '../broker/types.js';
import { dayCandle } from './candles.js';

/**
 * Inside a candle the price goes open → the extreme nearer the open → the farther extreme → close
 * (a tie goes against the candle's direction first), at these offsets into the minute.
 */
export const TICK_OFFSETS_MS = [0, 15_000, 30_000, 45_000] as const;
export const PATH_NOTE = 'inside each 1-minute candle the price moves open → the extreme nearer the open → the farther extreme → close, as four ticks at :00, :15, :30 and :45 seconds';

export function candlePath(c: Candle): [number, number, number, number] {
  const up = c.high - c.open;
  const down = c.open - c.low;
  const highFirst = up < down || (up === down && c.close < c.open);
  return highFirst ? [c.open, c.high, c.low, c.close] : [c.open, c.low, c.high, c.close];
}

const tickAdd = (x: number, ticks: number) => Math.max(0.05, Math.round(x * 20 + ticks) / 20);

/** One symbol's replay state: the day's candles, where the replay stands in them, the day so far. */
export class SymbolFeed {
  readonly key: string;
  date = '';
  bars: Candle[] = [];
  /** Index of the forming candle (-1 before the day's first tick) and the tick inside it (0–3). */
  index = -1;
  sub = 0;
  ltp = NaN;
  prevClose = NaN;
  dayOpen = NaN;
  dayHigh = NaN;
  dayLow = NaN;
  /** Volume of the day's closed candles. */
  closedVolume = 0;
  private path: [number, number, number, number] = [0, 0, 0, 0];

  constructor(readonly ref: SymbolRef) {
    this.key = `${ref.exchange}:${ref.symbol}`;
  }

  /** The day before the rehearsal: its close is the price until the first tick. */
  seed(previous: Candle): void {
    this.ltp = previous.close;
    this.dayOpen = previous.open;
    this.dayHigh = previous.high;
    this.dayLow = previous.low;
    this.prevClose = previous.close;
    this.closedVolume = previous.volume;
  }

  /** Before a day: yesterday's close stands until the first tick. */
  startDay(date: string, bars: Candle[]): void {
    if (this.index >= 0 && this.bars.length) this.prevClose = this.bars[this.index].close;
    this.date = date;
    this.bars = bars;
    this.index = -1;
    this.sub = 0;
  }

  /** Moves to tick `sub` of candle `index`; answers the price. */
  advance(index: number, sub: number): number {
    if (index !== this.index) {
      if (this.index === -1) {
        this.dayOpen = this.bars[index].open;
        this.dayHigh = this.dayOpen;
        this.dayLow = this.dayOpen;
        this.closedVolume = 0;
      } else {
        for (let i = this.index; i < index; i++) this.closedVolume += this.bars[i].volume;
      }
      this.index = index;
      this.path = candlePath(this.bars[index]);
    }
    this.sub = sub;
    const price = this.path[sub];
    if (price > this.dayHigh) this.dayHigh = price;
    if (price < this.dayLow) this.dayLow = price;
    this.ltp = price;
    return price;
  }

  /** The forming candle as known at the current tick: its high, low and close so far. */
  forming(): Candle | null {
    if (this.index < 0) return null;
    const c = this.bars[this.index];
    let high = this.path[0];
    let low = this.path[0];
    for (let j = 1; j <= this.sub; j++) {
      if (this.path[j] > high) high = this.path[j];
      if (this.path[j] < low) low = this.path[j];
    }
    return { timestamp: c.timestamp, open: c.open, high, low, close: this.path[this.sub], volume: Math.round((c.volume * (this.sub + 1)) / 4), oi: c.oi };
  }

  /** Today's candles up to now: the closed ones and the forming one. */
  todaySoFar(): Candle[] {
    if (this.index < 0) return [];
    const out = this.bars.slice(0, this.index);
    out.push(this.forming()!);
    return out;
  }

  /** Today's daily candle so far (null before the first tick). */
  todayCandle(): Candle | null {
    return dayCandle(this.todaySoFar());
  }

  quote(): QuoteData | null {
    if (Number.isNaN(this.ltp)) return null;
    const forming = this.forming();
    return {
      open: Number.isNaN(this.dayOpen) ? this.ltp : this.dayOpen,
      high: Number.isNaN(this.dayHigh) ? this.ltp : this.dayHigh,
      low: Number.isNaN(this.dayLow) ? this.ltp : this.dayLow,
      ltp: this.ltp, ask: tickAdd(this.ltp, 1), bid: tickAdd(this.ltp, -1),
      prev_close: Number.isNaN(this.prevClose) ? this.ltp : this.prevClose,
      volume: this.closedVolume + (forming?.volume ?? 0), oi: forming?.oi ?? 0,
    };
  }
}
