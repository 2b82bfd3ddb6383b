import { describe, expect, it } from 'vitest';
import type { OrderBookAnswer, OrderBookEntry, OrderUpdate } from '../../src/broker/types.js';
import { OrderWatcher, orderWatchFromNode, validateOrderWatch, type OrderUpdatePayload, type OrderWatch } from '../../src/triggers/order-watcher.js';
import { stubBroker } from './stub-broker.js';

const order = (orderid: string, order_status: string, over: Partial<OrderBookEntry> = {}): OrderBookEntry => ({
  action: 'BUY', symbol: 'SBIN', exchange: 'NSE', orderid, product: 'MIS', quantity: 10, price: 0, pricetype: 'MARKET',
  order_status, trigger_price: 0, timestamp: '2026-05-04 09:20:00', ...over,
});

/** A broker whose order book the test edits. */
function book() {
  let orders: OrderBookEntry[] = [];
  let calls = 0;
  const broker = stubBroker({
    async orderBook(): Promise<OrderBookAnswer> {
      calls++;
      return {
        status: 'success',
        data: { orders: orders.map((o) => ({ ...o })), statistics: { total_buy_orders: 0, total_sell_orders: 0, total_completed_orders: 0, total_open_orders: 0, total_rejected_orders: 0 } },
      };
    },
  });
  return { broker, set: (next: OrderBookEntry[]) => { orders = next; }, calls: () => calls };
}

function watcherOn(broker: ReturnType<typeof book>['broker']) {
  const fired: Array<{ watch: OrderWatch; payload: OrderUpdatePayload }> = [];
  const retired: string[] = [];
  const watcher = new OrderWatcher({ broker, onFire: (watch, payload) => fired.push({ watch, payload }), onRetire: (w) => retired.push(w.workflowId) });
  return { watcher, fired, retired };
}

const watch = (over: Partial<OrderWatch>): OrderWatch => ({ workflowId: 'wf1', nodeId: 'trigger', status: 'complete', trigger: 'once', ...over });

describe('polling the order book', () => {
  it('sees open → complete and fires once for a once watch', async () => {
    const b = book();
    const { watcher, fired, retired } = watcherOn(b.broker);
    expect(watcher.source).toBe('poll');
    watcher.add(watch({ orderId: '1001' }));
    b.set([order('1001', 'open'), order('1002', 'complete')]);
    await watcher.poll(); // records the book as it stands
    expect(fired).toEqual([]);
    b.set([order('1001', 'complete', { average_price: 812.5, filled_quantity: 10 }), order('1002', 'complete')]);
    await watcher.poll();
    await watcher.poll();
    expect(fired).toHaveLength(1);
    expect(fired[0].payload).toEqual({
      trigger_type: 'order_update', orderid: '1001', symbol: 'SBIN', exchange: 'NSE', order_status: 'complete', filled_quantity: 10, average_price: 812.5, rejection_reason: '',
      triggered_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+05:30$/), source: 'poll',
    });
    expect(retired).toEqual(['wf1']);
    expect(watcher.list()).toEqual([]);
    const callsNow = b.calls();
    await watcher.poll();
    expect(b.calls()).toBe(callsNow); // nobody watching: no broker calls
  });

  it('an order placed after the watch started fires when it appears already complete', async () => {
    const b = book();
    const { watcher, fired } = watcherOn(b.broker);
    watcher.add(watch({ symbol: 'sbin' }));
    await watcher.poll();
    b.set([order('2001', 'COMPLETE')]);
    await watcher.poll();
    expect(fired.map((f) => f.payload.orderid)).toEqual(['2001']);
  });

  it('every_time fires for each matching change, filtered by symbol, exchange and status', async () => {
    const b = book();
    const { watcher, fired } = watcherOn(b.broker);
    watcher.add(watch({ symbol: 'SBIN', exchange: 'NSE', status: 'rejected', trigger: 'every_time' }));
    await watcher.poll();
    b.set([
      order('1', 'rejected'),
      order('2', 'rejected', { exchange: 'BSE' }),
      order('3', 'rejected', { symbol: 'INFY' }),
      order('4', 'cancelled'),
    ]);
    await watcher.poll();
    b.set([order('1', 'rejected'), order('5', 'rejected')]);
    await watcher.poll();
    expect(fired.map((f) => f.payload.orderid)).toEqual(['1', '5']);
    expect(watcher.list()).toHaveLength(1);
  });

  it('status any fires on every change of the watched order, and spellings are normalised', async () => {
    const b = book();
    const { watcher, fired } = watcherOn(b.broker);
    watcher.add(watch({ orderId: '7', status: 'any', trigger: 'every_time' }));
    await watcher.poll();
    for (const status of ['trigger_pending', 'open', 'open', 'Canceled']) {
      b.set([order('7', status)]);
      await watcher.poll();
    }
    expect(fired.map((f) => f.payload.order_status)).toEqual(['trigger pending', 'open', 'cancelled']);
  });

  it('once started, records the book as soon as a watch arrives and fires on the next poll', async () => {
    const b = book();
    const fired: string[] = [];
    const watcher = new OrderWatcher({ broker: b.broker, pollMs: 20, onFire: (_w, p) => fired.push(p.order_status) });
    watcher.start();
    b.set([order('9', 'open')]);
    watcher.add(watch({ orderId: '9' }));
    await new Promise((r) => setTimeout(r, 5));
    b.set([order('9', 'complete')]);
    const deadline = Date.now() + 2000;
    while (fired.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    watcher.stop();
    expect(fired).toEqual(['complete']);
  });

  it('an order-book error is reported, not fired', async () => {
    const errors: string[] = [];
    const broker = stubBroker({ orderBook: async (): Promise<OrderBookAnswer> => ({ status: 'error', message: 'session expired' }) });
    const watcher = new OrderWatcher({ broker, onFire: () => { throw new Error('must not fire'); }, onError: (e) => errors.push((e as Error).message) });
    watcher.add(watch({ orderId: '1' }));
    await watcher.poll();
    expect(errors).toEqual(['session expired']);
  });
});

describe('push source', () => {
  it('uses the broker\'s onOrderUpdate stream when it has one, and ignores repeats', () => {
    const listeners = new Set<(u: OrderUpdate) => void>();
    const broker = stubBroker({
      onOrderUpdate(listener: (u: OrderUpdate) => void) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    });
    const fired: OrderUpdatePayload[] = [];
    const watcher = new OrderWatcher({ broker, onFire: (_w, p) => fired.push(p) });
    expect(watcher.source).toBe('push');
    watcher.add(watch({ orderId: '42', status: 'rejected', trigger: 'every_time' }));
    watcher.start();
    const update: OrderUpdate = { orderid: '42', symbol: 'SBIN', exchange: 'NSE', action: 'BUY', quantity: 10, order_status: 'rejected', rejection_reason: 'insufficient funds', timestamp: '' };
    for (const l of listeners) l(update);
    for (const l of listeners) l(update);
    expect(fired).toEqual([{ trigger_type: 'order_update', orderid: '42', symbol: 'SBIN', exchange: 'NSE', order_status: 'rejected', filled_quantity: 0, average_price: 0, rejection_reason: 'insufficient funds', triggered_at: expect.any(String), source: 'stream' }]);
    watcher.stop();
    expect(listeners.size).toBe(0);
  });
});

describe('validation', () => {
  it('needs an order id or a symbol, and refuses variables', () => {
    expect(validateOrderWatch(watch({})).map((p) => p.field)).toEqual(['orderId']);
    expect(validateOrderWatch(watch({ orderId: '{{order.orderid}}' })).map((p) => p.message).join()).toMatch(/variable/);
    expect(validateOrderWatch(watch({ symbol: 'SBIN', status: 'filled' as never })).map((p) => p.field)).toEqual(['status']);
    expect(() => watcherOn(book().broker).watcher.add(watch({}))).toThrow(/order id or a symbol/);
  });

  it('reads an orderUpdateTrigger node with OpenAlgo\'s defaults', () => {
    const ids = { workflowId: 'wf1', nodeId: 'node_1' };
    expect(orderWatchFromNode(ids, { symbol: 'NIFTY04AUG2624250CE', exchange: 'nfo' })).toEqual({
      ok: true,
      watch: { ...ids, orderId: '', symbol: 'NIFTY04AUG2624250CE', exchange: 'NFO', status: 'complete', trigger: 'once' },
    });
    expect(orderWatchFromNode(ids, { orderId: 250504000123, status: 'Trigger Pending' })).toMatchObject({ ok: true, watch: { orderId: '250504000123', status: 'trigger pending' } });
    expect(orderWatchFromNode(ids, { exchange: 'NSE' }).ok).toBe(false);
  });
});
