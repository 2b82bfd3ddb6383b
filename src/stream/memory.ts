// An in-process market stream: whoever owns it publishes ticks and order updates (the paper market,
// a scripted test source); subscribers see exactly what an OpenAlgo WebSocket client would.

import type { SymbolRef } from '../broker/types.js';
import { SubscriptionBook, type Subscription } from './book.js';
import type { MarketStream, StreamMode, StreamOrderUpdate, StreamState, StreamStats, SubscribeOptions, Tick } from './types.js';

export interface MemoryStreamHooks {
  /** A (symbol, mode) gained its first subscriber. */
  onSubscribe?(sub: Subscription): void;
  /** A (symbol, mode) lost its last subscriber. */
  onUnsubscribe?(sub: Subscription): void;
}

export class MemoryStream implements MarketStream {
  protected readonly book: SubscriptionBook;
  private readonly orderListeners = new Set<(u: StreamOrderUpdate) => void>();
  private readonly stateListeners = new Set<(s: StreamState) => void>();
  private current: StreamState = 'live';
  private readonly counts = { ticks: 0, orderUpdates: 0, lastTickAt: null as number | null };

  constructor(hooks: MemoryStreamHooks = {}) {
    this.book = new SubscriptionBook((s) => hooks.onSubscribe?.(s), (s) => hooks.onUnsubscribe?.(s));
  }

  get state(): StreamState {
    return this.current;
  }

  /** Tests and benches: pretend the connection went down or came back. */
  setState(state: StreamState): void {
    if (state === this.current) return;
    this.current = state;
    for (const l of [...this.stateListeners]) {
      try { l(state); } catch { /* a listener's failure is its own */ }
    }
  }

  subscribe(ref: SymbolRef, mode: StreamMode, listener: (tick: Tick) => void, opts?: SubscribeOptions): () => void {
    return this.book.add(ref, mode, listener, opts);
  }

  onOrderUpdate(listener: (u: StreamOrderUpdate) => void): () => void {
    this.orderListeners.add(listener);
    return () => { this.orderListeners.delete(listener); };
  }

  onStateChange(listener: (s: StreamState) => void): () => void {
    this.stateListeners.add(listener);
    return () => { this.stateListeners.delete(listener); };
  }

  /** Delivers a tick to its subscribers (nothing while the stream is not live). */
  publish(tick: Tick): void {
    if (this.current !== 'live') return;
    this.counts.ticks++;
    this.counts.lastTickAt = Date.now();
    this.book.dispatch(tick);
  }

  publishOrder(update: StreamOrderUpdate): void {
    if (this.current !== 'live') return;
    this.counts.orderUpdates++;
    for (const l of [...this.orderListeners]) {
      try { l(update); } catch { /* a listener's failure is its own */ }
    }
  }

  /** Reports a refused symbol to its subscribers. */
  refuse(exchange: string, symbol: string, message: string): void {
    this.book.fail(exchange, symbol, undefined, message);
  }

  /** Subscriptions held now. */
  subscriptions(): Subscription[] {
    return [...this.book.all()];
  }

  get hasOrderListeners(): boolean {
    return this.orderListeners.size > 0;
  }

  stats(): StreamStats {
    return {
      state: this.current, url: null, subscriptions: this.book.size, connects: 0, reconnects: 0,
      ticks: this.counts.ticks, orderUpdates: this.counts.orderUpdates, badFrames: 0, errorFrames: 0, symbolErrors: 0, stalls: 0,
      lastTickAt: this.counts.lastTickAt,
    };
  }

  close(): void {
    this.setState('closed');
  }
}
