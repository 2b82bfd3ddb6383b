// Fires orderUpdateTrigger watches when an order's status changes: from OpenAlgo's order-update
// stream (or the paper broker's push), and by diffing the order book on a poll while the stream is
// down. Every event is compared with the last status seen, so a change seen twice fires once.

import type { Broker, OrderBookEntry, OrderUpdate } from '../broker/types.js';
import { DEFAULT_TIMEZONE, isoTimestamp } from '../market/clock.js';
import type { MarketStream, StreamOrderUpdate } from '../stream/types.js';
import { Poller } from './poller.js';

export type WatchStatus = 'any' | 'open' | 'trigger pending' | 'complete' | 'rejected' | 'cancelled';
export const WATCH_STATUSES: readonly WatchStatus[] = ['any', 'open', 'trigger pending', 'complete', 'rejected', 'cancelled'];

export interface OrderWatch {
  workflowId: string;
  nodeId: string;
  /** Literal broker order id; '' or absent = any order (then symbol is required). */
  orderId?: string;
  symbol?: string;
  /** '' or absent = any exchange. */
  exchange?: string;
  status: WatchStatus;
  trigger: 'once' | 'every_time';
}

/** What a fired watch hands the run (exposed as {{webhook.*}}): OpenAlgo's webhook_data. */
export interface OrderUpdatePayload {
  trigger_type: 'order_update';
  orderid: string;
  symbol: string;
  exchange: string;
  order_status: string;
  filled_quantity: number;
  average_price: number;
  rejection_reason: string;
  /** ISO time in the exchange zone. */
  triggered_at: string;
  /** How the change was seen. */
  source: 'stream' | 'poll';
}

export interface OrderWatchProblem {
  field: string;
  message: string;
}

/** A broker that pushes order events (the paper broker). */
export interface OrderUpdateSource {
  onOrderUpdate(listener: (update: OrderUpdate) => void): () => void;
}

export interface OrderWatcherOptions {
  broker: Broker | (Broker & OrderUpdateSource);
  /** 'auto' (default): push when the broker offers onOrderUpdate, polling otherwise. */
  source?: 'auto' | 'push' | 'poll';
  /** Milliseconds between order-book polls (2 s by default). */
  pollMs?: number;
  onFire: (watch: OrderWatch, payload: OrderUpdatePayload) => void;
  /** A `once` watch fired: the runtime may deactivate the workflow. */
  onRetire?: (watch: OrderWatch) => void;
  onError?: (err: unknown, context: string) => void;
  /** OpenAlgo's order-update stream: used while live, the book is polled while it is down. */
  stream?: MarketStream;
  now?: () => Date;
  timezone?: string;
}

/** Brokers spell statuses differently ("COMPLETE", "canceled", "trigger_pending"); compare one spelling. */
export function normaliseOrderStatus(status: unknown): string {
  const s = String(status ?? '').trim().toLowerCase().replace(/[_-]+/g, ' ').replace(/\s+/g, ' ');
  if (s === 'canceled') return 'cancelled';
  if (s === 'completed' || s === 'filled' || s === 'executed') return 'complete';
  return s;
}

/** Checks a watch; answers problems naming each bad field. */
export function validateOrderWatch(watch: OrderWatch): OrderWatchProblem[] {
  const problems: OrderWatchProblem[] = [];
  const orderId = watch.orderId?.trim() ?? '';
  const symbol = watch.symbol?.trim() ?? '';
  if (!orderId && !symbol) problems.push({ field: 'orderId', message: 'an order id or a symbol is required; an unfiltered watch would fire on every order' });
  if (orderId.includes('{{')) problems.push({ field: 'orderId', message: `'${orderId}' is a variable; a trigger has no upstream node to resolve it, give a literal order id` });
  if (symbol.includes('{{')) problems.push({ field: 'symbol', message: `'${symbol}' is a variable; give a literal symbol` });
  if (!WATCH_STATUSES.includes(watch.status)) problems.push({ field: 'status', message: `'${watch.status}' is not one of ${WATCH_STATUSES.join(', ')}` });
  if (watch.trigger !== 'once' && watch.trigger !== 'every_time') problems.push({ field: 'trigger', message: `'${watch.trigger}' is not once or every_time` });
  return problems;
}

/** An orderUpdateTrigger node's data (OpenAlgo's field names) as a watch, or the problems naming each bad field. */
export function orderWatchFromNode(
  ids: { workflowId: string; nodeId: string },
  data: Record<string, unknown>,
): { ok: true; watch: OrderWatch } | { ok: false; problems: OrderWatchProblem[] } {
  const text = (v: unknown, fallback: string) => (typeof v === 'string' || typeof v === 'number' ? String(v).trim() || fallback : fallback);
  const watch: OrderWatch = {
    ...ids,
    orderId: text(data.orderId ?? data.orderid, ''),
    symbol: text(data.symbol, ''),
    exchange: text(data.exchange, '').toUpperCase(),
    status: normaliseOrderStatus(text(data.status, 'complete')) as WatchStatus,
    trigger: text(data.trigger, 'once').toLowerCase() as OrderWatch['trigger'],
  };
  const problems = validateOrderWatch(watch);
  return problems.length ? { ok: false, problems } : { ok: true, watch };
}

function hasPush(broker: unknown): broker is OrderUpdateSource {
  return typeof (broker as Partial<OrderUpdateSource>).onOrderUpdate === 'function';
}

function fromStream(u: StreamOrderUpdate): OrderUpdate {
  return {
    orderid: String(u.orderid), symbol: u.symbol, exchange: u.exchange, action: (u.action ?? 'BUY') as OrderUpdate['action'], quantity: Number(u.quantity ?? 0),
    order_status: u.order_status, filled_quantity: u.filled_quantity, average_price: u.average_price, rejection_reason: u.rejection_reason,
    timestamp: new Date().toISOString(),
  };
}

function fromBookEntry(e: OrderBookEntry): OrderUpdate {
  return {
    orderid: String(e.orderid), symbol: e.symbol, exchange: e.exchange, action: e.action, quantity: e.quantity,
    order_status: e.order_status, filled_quantity: e.filled_quantity, average_price: e.average_price,
    strategy: e.strategy, timestamp: e.timestamp,
  };
}

const MAX_REMEMBERED_ORDERS = 100_000;

interface WatchState {
  watch: OrderWatch;
  orderId: string;
  symbol: string;
  exchange: string;
}

export class OrderWatcher {
  private watches: WatchState[] = [];
  /** Last status seen per order id: a repeated event or an unchanged book row is not a change. */
  private readonly lastStatus = new Map<string, string>();
  private baselined = false;
  private unsubscribe: (() => void) | null = null;
  private readonly poller: Poller;
  private readonly mode: 'stream' | 'push' | 'poll';
  private offState: (() => void) | null = null;
  private started = false;

  constructor(private readonly options: OrderWatcherOptions) {
    const source = options.source ?? 'auto';
    if (source === 'push' && !hasPush(options.broker) && !options.stream) throw new Error(`broker ${options.broker.description} does not push order updates; use source 'poll'`);
    this.mode = source === 'poll' ? 'poll' : options.stream ? 'stream' : hasPush(options.broker) ? 'push' : 'poll';
    this.poller = new Poller(() => this.runPoll(), options.pollMs ?? 2000, (err) => options.onError?.(err, 'orderBook'));
  }

  /** How updates are observed now. */
  get source(): 'stream' | 'push' | 'poll' {
    if (this.mode === 'stream') return this.options.stream!.state === 'live' ? 'stream' : 'poll';
    return this.mode;
  }

  /** Watches orders. Throws an Error listing the problems when the watch is invalid. */
  add(watch: OrderWatch): void {
    const problems = validateOrderWatch(watch);
    if (problems.length) throw new Error(`order watch ${watch.workflowId}/${watch.nodeId}: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`);
    this.remove(watch.workflowId, watch.nodeId);
    if (this.watches.length === 0) {
      // Orders seen while nobody watched are history: the next poll only records them.
      this.lastStatus.clear();
      this.baselined = false;
    }
    this.watches.push({
      watch,
      orderId: watch.orderId?.trim() ?? '',
      symbol: watch.symbol?.trim().toUpperCase() ?? '',
      exchange: watch.exchange?.trim().toUpperCase() ?? '',
    });
    if (this.started && this.mode === 'stream') this.attachStream();
    // Record the book now rather than at the next tick, so a fill right after activation is a change.
    if ((this.poller.running || this.mode === 'stream') && this.started && !this.baselined) {
      // After any pass in flight, which may have started before this watch existed.
      this.poller.kickAfterCurrent();
    }
  }

  remove(workflowId: string, nodeId?: string): number {
    const before = this.watches.length;
    this.watches = this.watches.filter((w) => !(w.watch.workflowId === workflowId && (nodeId === undefined || w.watch.nodeId === nodeId)));
    if (this.watches.length === 0 && this.mode === 'stream') this.detachStream();
    return before - this.watches.length;
  }

  list(): OrderWatch[] {
    return this.watches.map((w) => w.watch);
  }

  start(): void {
    this.started = true;
    if (this.mode === 'push') {
      const { broker } = this.options;
      if (hasPush(broker)) this.unsubscribe ??= broker.onOrderUpdate((u) => this.handleUpdate(u, 'stream'));
      return;
    }
    if (this.mode === 'stream') {
      if (this.watches.length) this.attachStream();
      return;
    }
    this.poller.kick();
    this.poller.start();
  }

  stop(): void {
    this.started = false;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.offState?.();
    this.offState = null;
    this.poller.stop();
  }

  /** Follows the stream only while something is watched: an idle server holds no connection open. */
  private attachStream(): void {
    const stream = this.options.stream!;
    if (this.unsubscribe) return;
    this.unsubscribe = stream.onOrderUpdate((u) => this.handleUpdate(fromStream(u), 'stream'));
    this.offState = stream.onStateChange((state) => {
      if (state === 'live') {
        this.poller.stop();
        // Changes made while the stream was down and after the last poll: one look at the book.
        this.poller.kick();
      } else if (state === 'down') this.poller.start();
    });
    if (stream.state !== 'live') this.poller.start();
  }

  private detachStream(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.offState?.();
    this.offState = null;
    this.poller.stop();
  }

  /** One order-book pass; the first one after watching starts only records the book. Overlapping calls share one pass. */
  poll(): Promise<void> {
    return this.poller.run();
  }

  private async runPoll(): Promise<void> {
    if (this.watches.length === 0) return;
    const answer = await this.options.broker.orderBook();
    if (answer.status !== 'success' || !answer.data) {
      this.options.onError?.(new Error(answer.message ?? 'order book unavailable'), 'orderBook');
      return;
    }
    const orders = answer.data.orders ?? [];
    if (!this.baselined) {
      for (const e of orders) this.lastStatus.set(String(e.orderid), normaliseOrderStatus(e.order_status));
      this.baselined = true;
      return;
    }
    for (const e of orders) this.handleUpdate(fromBookEntry(e), 'poll');
  }

  /** One observed order event (push listener, poll diff, or a test). */
  handleUpdate(update: OrderUpdate, source: 'stream' | 'poll' = 'stream'): void {
    const orderid = String(update.orderid);
    const status = normaliseOrderStatus(update.order_status);
    if (this.lastStatus.get(orderid) === status) return;
    this.lastStatus.delete(orderid); // re-inserted last, so the oldest orders are forgotten first
    this.lastStatus.set(orderid, status);
    if (this.lastStatus.size > MAX_REMEMBERED_ORDERS) this.lastStatus.delete(this.lastStatus.keys().next().value!);
    if (this.watches.length === 0) return;
    const symbol = String(update.symbol ?? '').toUpperCase();
    const exchange = String(update.exchange ?? '').toUpperCase();
    let payload: OrderUpdatePayload | null = null;
    for (const w of [...this.watches]) {
      if (w.orderId && w.orderId !== orderid) continue;
      if (w.symbol && w.symbol !== symbol) continue;
      if (w.exchange && w.exchange !== exchange) continue;
      if (w.watch.status !== 'any' && w.watch.status !== status) continue;
      payload ??= {
        trigger_type: 'order_update',
        orderid, symbol: update.symbol, exchange: update.exchange, order_status: status,
        filled_quantity: update.filled_quantity ?? (status === 'complete' ? update.quantity : 0),
        average_price: update.average_price ?? 0,
        rejection_reason: update.rejection_reason ?? '',
        triggered_at: isoTimestamp((this.options.now?.() ?? new Date()).getTime(), this.options.timezone ?? DEFAULT_TIMEZONE),
        source,
      };
      const once = w.watch.trigger === 'once';
      if (once) this.watches = this.watches.filter((x) => x !== w);
      const fired = payload;
      this.call(() => this.options.onFire(w.watch, { ...fired }), `onFire ${w.watch.workflowId}/${w.watch.nodeId}`);
      // After the run is requested: the runtime may deactivate the workflow on retire.
      if (once) this.call(() => this.options.onRetire?.(w.watch), 'onRetire');
    }
  }

  private call(fn: () => void, context: string): void {
    try {
      fn();
    } catch (err) {
      this.options.onError?.(err, context);
    }
  }
}
