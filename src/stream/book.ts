// Reference-counted subscriptions by (exchange, symbol, mode), and tick dispatch: a tick of mode M
// reaches the listeners of every mode up to M (a Quote or Depth tick carries the LTP too).

import type { SymbolRef } from '../broker/types.js';
import { MODE_NUMBER, symbolKey, type StreamMode, type SubscribeOptions, type Tick } from './types.js';

export interface Subscription {
  key: string;
  ref: SymbolRef;
  mode: StreamMode;
  listeners: Set<(tick: Tick) => void>;
  errorListeners: Set<(message: string) => void>;
}

export class SubscriptionBook {
  private readonly subs = new Map<string, Subscription>();
  private readonly bySymbol = new Map<string, Subscription[]>();

  constructor(
    /** The first listener of a (symbol, mode): subscribe on the wire. */
    private readonly onFirst: (sub: Subscription) => void,
    /** The last listener left: unsubscribe on the wire. */
    private readonly onLast: (sub: Subscription) => void,
    /** A listener threw; dispatch goes on. */
    private readonly onListenerError: (err: unknown) => void = () => {},
  ) {}

  get size(): number {
    return this.subs.size;
  }

  all(): IterableIterator<Subscription> {
    return this.subs.values();
  }

  add(ref: SymbolRef, mode: StreamMode, listener: (tick: Tick) => void, opts?: SubscribeOptions): () => void {
    const norm = { symbol: ref.symbol.trim().toUpperCase(), exchange: ref.exchange.trim().toUpperCase() };
    const sk = symbolKey(norm.exchange, norm.symbol);
    const key = `${sk}:${mode}`;
    let sub = this.subs.get(key);
    const first = !sub;
    if (!sub) {
      sub = { key, ref: norm, mode, listeners: new Set(), errorListeners: new Set() };
      this.subs.set(key, sub);
      const list = this.bySymbol.get(sk);
      if (list) list.push(sub);
      else this.bySymbol.set(sk, [sub]);
    }
    // Wrapped so the same function subscribed twice counts twice.
    const l = (t: Tick) => listener(t);
    sub.listeners.add(l);
    const onError = opts?.onError;
    if (onError) sub.errorListeners.add(onError);
    if (first) this.onFirst(sub);
    let done = false;
    const s = sub;
    return () => {
      if (done) return;
      done = true;
      s.listeners.delete(l);
      if (onError) s.errorListeners.delete(onError);
      if (s.listeners.size > 0 || this.subs.get(key) !== s) return;
      this.subs.delete(key);
      const list = (this.bySymbol.get(sk) ?? []).filter((x) => x !== s);
      if (list.length) this.bySymbol.set(sk, list);
      else this.bySymbol.delete(sk);
      this.onLast(s);
    };
  }

  /** Delivers a tick; answers whether anyone was listening for its symbol. */
  dispatch(tick: Tick): boolean {
    const list = this.bySymbol.get(symbolKey(tick.exchange, tick.symbol));
    if (!list) return false;
    for (let i = 0; i < list.length; i++) {
      const sub = list[i];
      if (MODE_NUMBER[sub.mode] > tick.mode) continue;
      for (const l of sub.listeners) {
        try {
          l(tick);
        } catch (err) {
          this.onListenerError(err);
        }
      }
    }
    return true;
  }

  /** The stream refused a symbol (every mode when `mode` is absent). */
  fail(exchange: string, symbol: string, mode: StreamMode | undefined, message: string): void {
    const list = this.bySymbol.get(symbolKey(exchange, symbol)) ?? [];
    for (const sub of list) {
      if (mode && sub.mode !== mode) continue;
      for (const l of sub.errorListeners) {
        try {
          l(message);
        } catch (err) {
          this.onListenerError(err);
        }
      }
    }
  }
}
