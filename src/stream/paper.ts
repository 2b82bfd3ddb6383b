// The paper market as a stream, in-process: ticks from its price model for subscribed symbols (at
// once when setPrice moves one, otherwise whenever the walk changes, checked every tickMs), a
// snapshot on subscribe, and an order update on every fill, rejection or cancel.

import type { DepthData, OrderUpdate, QuoteData, SymbolRef } from '../broker/types.js';
import type { Subscription } from './book.js';
import { MemoryStream } from './memory.js';
import { MODE_NUMBER, symbolKey, type StreamOrderUpdate, type Tick } from './types.js';

/** What the stream needs of the paper broker (kept narrow to avoid an import cycle). */
export interface PaperMarket {
  marketNow(ref: SymbolRef): { symbol: string; exchange: string; quote: QuoteData; depth: DepthData } | string;
  onPriceChange(listener: (ref: SymbolRef) => void): () => void;
  onOrderUpdate(listener: (u: OrderUpdate) => void): () => void;
}

interface Tracked {
  ref: SymbolRef;
  modes: Map<string, 1 | 2 | 3>; // subscription key → mode
  lastLtp: number;
}

export function tickData(q: QuoteData, depth: DepthData | null, symbol: string, exchange: string, ms: number): Record<string, unknown> {
  const change = Math.round((q.ltp - q.prev_close) * 100) / 100;
  const base: Record<string, unknown> = {
    symbol, exchange, ltp: q.ltp, open: q.open, high: q.high, low: q.low, close: q.prev_close, prev_close: q.prev_close,
    volume: q.volume, change, change_percent: q.prev_close ? Math.round((change / q.prev_close) * 10_000) / 100 : 0, timestamp: ms,
  };
  if (depth) Object.assign(base, { ltq: depth.ltq, totalbuyqty: depth.totalbuyqty, totalsellqty: depth.totalsellqty, bids: depth.bids, asks: depth.asks });
  return base;
}

export function toStreamOrder(u: OrderUpdate): StreamOrderUpdate {
  return {
    orderid: u.orderid, symbol: u.symbol, exchange: u.exchange, action: u.action, quantity: u.quantity,
    order_status: String(u.order_status).toLowerCase(), filled_quantity: u.filled_quantity ?? 0,
    pending_quantity: Math.max(0, u.quantity - (u.filled_quantity ?? 0)), average_price: u.average_price ?? 0,
    rejection_reason: u.rejection_reason ?? '', mode: 'analyze', broker: 'paper',
  };
}

export class PaperStream extends MemoryStream {
  private readonly tracked = new Map<string, Tracked>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly market: PaperMarket, private readonly tickMs = 1000) {
    super({
      onSubscribe: (sub) => this.track(sub),
      onUnsubscribe: (sub) => this.untrack(sub),
    });
    market.onPriceChange((ref) => {
      const t = this.tracked.get(symbolKey(ref.exchange, ref.symbol));
      if (t) this.emit(t, true);
    });
    market.onOrderUpdate((u) => this.publishOrder(toStreamOrder(u)));
  }

  private track(sub: Subscription): void {
    const now = this.market.marketNow(sub.ref);
    if (typeof now === 'string') {
      // Refused after the caller has its unsubscribe function, as a server's answer would be.
      queueMicrotask(() => this.book.fail(sub.ref.exchange, sub.ref.symbol, sub.mode, now));
      return;
    }
    const key = symbolKey(sub.ref.exchange, sub.ref.symbol);
    let t = this.tracked.get(key);
    if (!t) {
      t = { ref: sub.ref, modes: new Map(), lastLtp: NaN };
      this.tracked.set(key, t);
    }
    t.modes.set(sub.key, MODE_NUMBER[sub.mode]);
    const tracked = t;
    setImmediate(() => this.emit(tracked, true)); // the first value, as brokers send on subscribe
    if (!this.timer) {
      this.timer = setInterval(() => {
        for (const x of this.tracked.values()) this.emit(x, false);
      }, this.tickMs);
      this.timer.unref?.();
    }
  }

  private untrack(sub: Subscription): void {
    const key = symbolKey(sub.ref.exchange, sub.ref.symbol);
    const t = this.tracked.get(key);
    if (!t) return;
    t.modes.delete(sub.key);
    if (t.modes.size) return;
    this.tracked.delete(key);
    if (this.tracked.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  private emit(t: Tracked, always: boolean): void {
    if (!this.tracked.has(symbolKey(t.ref.exchange, t.ref.symbol))) return;
    const now = this.market.marketNow(t.ref);
    if (typeof now === 'string') return;
    if (!always && now.quote.ltp === t.lastLtp) return;
    t.lastLtp = now.quote.ltp;
    let mode: 1 | 2 | 3 = 1;
    for (const m of t.modes.values()) if (m > mode) mode = m;
    const tick: Tick = { symbol: now.symbol, exchange: now.exchange, mode, ltp: now.quote.ltp, data: tickData(now.quote, mode === 3 ? now.depth : null, now.symbol, now.exchange, Date.now()) };
    this.publish(tick);
  }

  override close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    super.close();
  }
}
