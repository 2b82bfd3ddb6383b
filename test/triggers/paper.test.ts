// The trigger machinery against the real paper broker: its quotes, its order book, its push stream.

import { describe, expect, it } from 'vitest';
import { PaperBroker } from '../../src/broker/paper/index.js';
import { OrderWatcher, type OrderUpdatePayload } from '../../src/triggers/order-watcher.js';
import { PriceMonitor, type PriceAlertPayload } from '../../src/triggers/price-monitor.js';

const now = () => new Date('2026-05-04T10:00:00+05:30'); // a Monday, market open

describe('price monitor on the paper broker', () => {
  it('crosses_above fires once when the price is moved across the level', async () => {
    const broker = new PaperBroker({ now });
    const fired: PriceAlertPayload[] = [];
    const monitor = new PriceMonitor({ broker, now, onFire: (_a, p) => fired.push(p) });
    monitor.add({ workflowId: 'wf1', nodeId: 'alert', symbol: 'RELIANCE', exchange: 'NSE', condition: 'crossing_up', price: 1500, trigger: 'once' });
    monitor.add({ workflowId: 'wf2', nodeId: 'alert', symbol: 'SBIN', exchange: 'NSE', condition: 'less_than', price: 1, trigger: 'once' });
    for (const ltp of [1490, 1510, 1490, 1520]) {
      broker.setPrice('RELIANCE', 'NSE', ltp);
      await monitor.tick();
    }
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({ symbol: 'RELIANCE', exchange: 'NSE', trigger_price: 1510, ltp: 1510, condition: 'crossing_up', target_price: 1500 });
    expect(monitor.list().map((a) => a.workflowId)).toEqual(['wf2']);
  });
});

describe('order watcher on the paper broker', () => {
  async function restingBuy(broker: PaperBroker): Promise<string> {
    const answer = await broker.placeOrder({ strategy: 'test', symbol: 'SBIN', exchange: 'NSE', action: 'BUY', quantity: 10, pricetype: 'LIMIT', product: 'MIS', price: 700 });
    expect(answer.status).toBe('success');
    return answer.orderid!;
  }

  it('fires from the push stream when a resting order fills', async () => {
    const broker = new PaperBroker({ now });
    const fired: OrderUpdatePayload[] = [];
    const watcher = new OrderWatcher({ broker, onFire: (_w, p) => fired.push(p) });
    expect(watcher.source).toBe('push');
    watcher.start();
    watcher.add({ workflowId: 'wf1', nodeId: 'trigger', symbol: 'SBIN', exchange: 'NSE', status: 'complete', trigger: 'once' });
    const orderid = await restingBuy(broker);
    expect(fired).toEqual([]);
    broker.setPrice('SBIN', 'NSE', 699);
    watcher.stop();
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({ trigger_type: 'order_update', orderid, symbol: 'SBIN', exchange: 'NSE', order_status: 'complete', filled_quantity: 10 });
    expect(fired[0].triggered_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(fired[0].average_price).toBeGreaterThan(0);
  });

  it('polling the paper order book sees open → complete and fires once', async () => {
    const broker = new PaperBroker({ now });
    const fired: OrderUpdatePayload[] = [];
    const watcher = new OrderWatcher({ broker, source: 'poll', onFire: (_w, p) => fired.push(p) });
    const orderid = await restingBuy(broker);
    watcher.add({ workflowId: 'wf1', nodeId: 'trigger', orderId: orderid, status: 'complete', trigger: 'once' });
    await watcher.poll(); // the order is open
    broker.setPrice('SBIN', 'NSE', 699);
    await watcher.poll();
    await watcher.poll();
    expect(fired.map((p) => [p.orderid, p.order_status])).toEqual([[orderid, 'complete']]);
    expect(watcher.list()).toEqual([]);
  });
});
