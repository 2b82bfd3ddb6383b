import { describe, expect, it } from 'vitest';
import { PaperBroker, type PaperState } from '../../src/broker/paper/index.js';
import { BrokerError, type OrderUpdate, type PlaceOrderRequest } from '../../src/broker/types.js';

const NOW = new Date('2025-11-20T10:30:00+05:30');
const CRORE = 1_00_00_000;

function setup(opts: { startingCapital?: number; state?: PaperState; onChange?: (s: PaperState) => void } = {}) {
  const b = new PaperBroker({ now: () => NOW, ...opts });
  const updates: OrderUpdate[] = [];
  b.onOrderUpdate((u) => updates.push(u));
  return { b, updates };
}

const order = (over: Partial<PlaceOrderRequest> = {}): PlaceOrderRequest => ({
  strategy: 'test', symbol: 'SBIN', exchange: 'NSE', action: 'BUY', quantity: 100, pricetype: 'MARKET', product: 'CNC', ...over,
});

const funds = async (b: PaperBroker) => (await b.funds()).data!;

describe('paper account: market orders and funds', () => {
  it('a MARKET BUY fills at the ask and blocks its full value for CNC', async () => {
    const { b } = setup();
    b.setPrice('SBIN', 'NSE', 800);
    const r = await b.placeOrder(order());
    expect(r).toMatchObject({ status: 'success', mode: 'analyze' });
    const status = (await b.orderStatus({ orderid: r.orderid!, strategy: 'test' })).data!;
    expect(status).toMatchObject({ order_status: 'complete', average_price: 800.05, quantity: 100, filled_quantity: 100 });
    expect(await funds(b)).toEqual({
      availablecash: '9919995.00', collateral: '0.00', m2mrealized: '0.00', m2munrealized: '-5.00', utiliseddebits: '80005.00',
    });
  });

  it('closing at the bid books the P&L and frees the margin', async () => {
    const { b } = setup();
    b.setPrice('SBIN', 'NSE', 800);
    await b.placeOrder(order());
    b.setPrice('SBIN', 'NSE', 810);
    await b.placeOrder(order({ action: 'SELL' }));
    expect(await funds(b)).toMatchObject({ availablecash: '10000990.00', m2mrealized: '990.00', m2munrealized: '0.00', utiliseddebits: '0.00' });
    expect((await b.positionBook()).data).toEqual([
      { symbol: 'SBIN', exchange: 'NSE', product: 'CNC', quantity: 0, average_price: 0, ltp: 810, pnl: 990 },
    ]);
    expect((await b.tradeBook()).data!.map((t) => [t.action, t.average_price, t.trade_value])).toEqual([['BUY', 800.05, 80005], ['SELL', 809.95, 80995]]);
  });

  it('MIS equity blocks 20%; a short MIS position shows as a negative quantity string', async () => {
    const { b } = setup();
    b.setPrice('INFY', 'NSE', 1500);
    await b.placeOrder(order({ symbol: 'INFY', action: 'SELL', quantity: 10, product: 'MIS' }));
    expect((await b.openPosition({ strategy: 't', symbol: 'INFY', exchange: 'NSE', product: 'MIS' })).quantity).toBe('-10');
    expect((await funds(b)).utiliseddebits).toBe('2999.90'); // 20% of 10 × 1499.95
    expect((await b.openPosition({ strategy: 't', symbol: 'INFY', exchange: 'NSE', product: 'CNC' })).quantity).toBe('0');
  });

  it('a position flips through zero with a fresh average price', async () => {
    const { b } = setup();
    b.setPrice('ITC', 'NSE', 400);
    await b.placeOrder(order({ symbol: 'ITC', quantity: 10, product: 'MIS' }));
    await b.placeOrder(order({ symbol: 'ITC', action: 'SELL', quantity: 25, product: 'MIS' }));
    const [p] = (await b.positionBook()).data!;
    expect(p).toMatchObject({ quantity: -15, average_price: 399.95 });
    expect(p.pnl).toBeCloseTo(-1 - 0.75, 6); // -0.10 × 10 realised, -0.05 × 15 unrealised on the short
  });

  it('buying beyond the cash is refused and places nothing', async () => {
    const { b } = setup({ startingCapital: 50_000 });
    b.setPrice('SBIN', 'NSE', 800);
    const r = await b.placeOrder(order());
    expect(r.status).toBe('error');
    expect(r.message).toMatch(/insufficient funds: BUY 100 SBIN needs ₹80005.00 of margin, ₹50000.00 is available/);
    expect((await b.orderBook()).data!.orders).toHaveLength(0);
  });

  it('CNC cannot sell more than is held', async () => {
    const { b } = setup();
    const r = await b.placeOrder(order({ action: 'SELL' }));
    expect(r.message).toMatch(/CNC SELL of 100 SBIN exceeds the CNC holding of 0/);
  });

  it('request errors answer a reason: index, product, LIMIT without price, tick, quantity', async () => {
    const { b } = setup();
    const msg = async (o: Partial<PlaceOrderRequest>) => (await b.placeOrder(order(o))).message;
    expect(await msg({ symbol: 'NIFTY', exchange: 'NSE_INDEX' })).toMatch(/index and cannot be traded; trade its futures or options on NFO/);
    expect(await msg({ product: 'NRML' })).toMatch(/NRML is for F&O/);
    expect(await msg({ pricetype: 'LIMIT' })).toBe('a LIMIT order needs a price > 0');
    expect(await msg({ pricetype: 'LIMIT', price: 800.03 })).toMatch(/tick size/);
    expect(await msg({ pricetype: 'SL', price: 790, trigger_price: 800 })).toMatch(/BUY SL order needs price ≥ trigger_price/);
    expect(await msg({ quantity: 0 })).toMatch(/positive whole number/);
    expect(await msg({ quantity: 1.5 })).toMatch(/positive whole number/);
    expect(await msg({ symbol: 'NOPE' })).toBe('unknown symbol NOPE on NSE');
  });

  it('numeric strings are accepted, as OpenAlgo clients send them', async () => {
    const { b } = setup();
    const r = await b.placeOrder({ ...order(), quantity: '5' as unknown as number, product: 'MIS' });
    expect(r.status).toBe('success');
  });
});

describe('paper account: resting orders', () => {
  it('a LIMIT BUY below the market stays open, holds margin, and fills when setPrice reaches it', async () => {
    const { b, updates } = setup();
    b.setPrice('SBIN', 'NSE', 800);
    const { orderid } = await b.placeOrder(order({ pricetype: 'LIMIT', price: 790, quantity: 10 }));
    expect((await b.orderStatus({ orderid: orderid!, strategy: 't' })).data!.order_status).toBe('open');
    expect((await funds(b)).utiliseddebits).toBe('7900.00');
    b.setPrice('SBIN', 'NSE', 795);
    expect((await b.orderStatus({ orderid: orderid!, strategy: 't' })).data!.order_status).toBe('open');
    b.setPrice('SBIN', 'NSE', 790);
    expect((await b.orderStatus({ orderid: orderid!, strategy: 't' })).data).toMatchObject({ order_status: 'complete', average_price: 790 });
    expect(updates.map((u) => u.order_status)).toEqual(['open', 'complete']);
    expect((await funds(b)).utiliseddebits).toBe('7900.00');
  });

  it('a marketable LIMIT fills at once, never worse than its price nor better than the touch', async () => {
    const { b } = setup();
    b.setPrice('SBIN', 'NSE', 800);
    const r = await b.placeOrder(order({ pricetype: 'LIMIT', price: 820, quantity: 10 }));
    expect((await b.orderStatus({ orderid: r.orderid!, strategy: 't' })).data).toMatchObject({ order_status: 'complete', average_price: 800.05 });
  });

  it('a resting LIMIT fills when the simulated price reaches it as the clock moves', async () => {
    let now = new Date('2025-11-20T10:30:00+05:30').getTime();
    const b = new PaperBroker({ now: () => new Date(now) });
    const start = (await b.quotes({ symbol: 'SBIN', exchange: 'NSE' })).data!.ltp;
    // Find a later minute whose price is below the start, then rest a BUY there.
    let target = start;
    let at = now;
    for (let m = 1; m < 600 && target >= start - 0.5; m++) {
      const probe = new PaperBroker({ now: () => new Date(now + m * 60_000) });
      target = (await probe.quotes({ symbol: 'SBIN', exchange: 'NSE' })).data!.ltp;
      at = now + m * 60_000;
    }
    expect(target).toBeLessThan(start);
    const { orderid } = await b.placeOrder(order({ pricetype: 'LIMIT', price: target, quantity: 1, product: 'MIS' }));
    expect((await b.orderStatus({ orderid: orderid!, strategy: 't' })).data!.order_status).toBe('open');
    now = at;
    expect((await b.orderStatus({ orderid: orderid!, strategy: 't' })).data!.order_status).toBe('complete');
  });

  it('an SL SELL waits for its trigger, then works as a limit order', async () => {
    const { b, updates } = setup();
    b.setPrice('SBIN', 'NSE', 800);
    await b.placeOrder(order({ quantity: 10 }));
    const { orderid } = await b.placeOrder(order({ action: 'SELL', quantity: 10, pricetype: 'SL', trigger_price: 795, price: 794 }));
    expect((await b.orderStatus({ orderid: orderid!, strategy: 't' })).data!.order_status).toBe('trigger pending');
    b.setPrice('SBIN', 'NSE', 796);
    expect((await b.orderStatus({ orderid: orderid!, strategy: 't' })).data!.order_status).toBe('trigger pending');
    b.setPrice('SBIN', 'NSE', 795);
    expect((await b.orderStatus({ orderid: orderid!, strategy: 't' })).data).toMatchObject({ order_status: 'complete', average_price: 794.95 });
    expect(updates.filter((u) => u.orderid === orderid).map((u) => u.order_status)).toEqual(['trigger pending', 'open', 'complete']);
  });

  it('an SL-M BUY triggers and fills at the market', async () => {
    const { b } = setup();
    b.setPrice('SBIN', 'NSE', 800);
    const { orderid } = await b.placeOrder(order({ quantity: 10, pricetype: 'SL-M', trigger_price: 810, product: 'MIS' }));
    b.setPrice('SBIN', 'NSE', 812);
    expect((await b.orderStatus({ orderid: orderid!, strategy: 't' })).data).toMatchObject({ order_status: 'complete', average_price: 812.05 });
  });

  it('modifyOrder re-prices a resting order, which may then fill', async () => {
    const { b } = setup();
    b.setPrice('SBIN', 'NSE', 800);
    const { orderid } = await b.placeOrder(order({ pricetype: 'LIMIT', price: 780, quantity: 10 }));
    const base = { orderid: orderid!, strategy: 't', symbol: 'SBIN', action: 'BUY', exchange: 'NSE', pricetype: 'LIMIT', product: 'CNC', quantity: 10, trigger_price: 0, disclosed_quantity: 0 } as const;
    expect(await b.modifyOrder({ ...base, price: 785 })).toMatchObject({ status: 'success', orderid });
    expect((await b.orderStatus({ orderid: orderid!, strategy: 't' })).data).toMatchObject({ order_status: 'open', price: 785 });
    await b.modifyOrder({ ...base, price: 801 });
    expect((await b.orderStatus({ orderid: orderid!, strategy: 't' })).data).toMatchObject({ order_status: 'complete', average_price: 800.05 });
    expect((await b.modifyOrder({ ...base, price: 790 })).message).toMatch(/is complete; only open or trigger pending orders can be modified/);
    expect((await b.modifyOrder({ ...base, orderid: 'nope', price: 790 })).message).toBe('order nope not found');
  });

  it('modifyOrder cannot turn an order into another instrument', async () => {
    const { b } = setup();
    b.setPrice('SBIN', 'NSE', 800);
    const { orderid } = await b.placeOrder(order({ pricetype: 'LIMIT', price: 780, quantity: 10 }));
    const r = await b.modifyOrder({ orderid: orderid!, strategy: 't', symbol: 'INFY', action: 'BUY', exchange: 'NSE', pricetype: 'LIMIT', product: 'CNC', quantity: 10, price: 780, trigger_price: 0, disclosed_quantity: 0 });
    expect(r.message).toMatch(/cannot change the symbol/);
  });

  it('cancelOrder and cancelAllOrders cancel resting orders and answer their ids', async () => {
    const { b, updates } = setup();
    b.setPrice('SBIN', 'NSE', 800);
    const a = await b.placeOrder(order({ pricetype: 'LIMIT', price: 700, quantity: 1 }));
    const c = await b.placeOrder(order({ pricetype: 'SL', price: 900, trigger_price: 899, quantity: 1 }));
    const d = await b.placeOrder(order({ pricetype: 'LIMIT', price: 701, quantity: 1 }));
    const filled = await b.placeOrder(order({ quantity: 1 }));
    expect(await b.cancelOrder({ orderid: d.orderid!, strategy: 't' })).toMatchObject({ status: 'success', orderid: d.orderid });
    expect((await b.cancelOrder({ orderid: filled.orderid!, strategy: 't' })).message).toMatch(/is complete/);
    const all = await b.cancelAllOrders({ strategy: 't' });
    expect(all).toMatchObject({ status: 'success', canceled_orders: [a.orderid, c.orderid], failed_cancellations: [], message: 'Canceled 2 orders. Failed to cancel 0 orders.' });
    expect((await funds(b)).utiliseddebits).toBe('800.05');
    expect(updates.filter((u) => u.order_status === 'cancelled').map((u) => u.orderid)).toEqual([d.orderid, a.orderid, c.orderid]);
    const book = (await b.orderBook()).data!;
    expect(book.statistics).toEqual({ total_buy_orders: 4, total_sell_orders: 0, total_completed_orders: 1, total_open_orders: 0, total_rejected_orders: 0 });
  });

  it('a resting CNC sell is rejected when the holding is gone by the time it fills', async () => {
    const { b, updates } = setup();
    b.setPrice('SBIN', 'NSE', 800);
    await b.placeOrder(order({ quantity: 10 }));
    const { orderid } = await b.placeOrder(order({ action: 'SELL', quantity: 10, pricetype: 'LIMIT', price: 900 }));
    await b.placeOrder(order({ action: 'SELL', quantity: 10 }));
    b.setPrice('SBIN', 'NSE', 901);
    const s = (await b.orderStatus({ orderid: orderid!, strategy: 't' })).data!;
    expect(s.order_status).toBe('rejected');
    expect(s.rejection_reason).toMatch(/exceeds the CNC holding of 0/);
    expect(updates.at(-1)).toMatchObject({ orderid, order_status: 'rejected' });
    expect((await b.orderBook()).data!.statistics.total_rejected_orders).toBe(1);
  });
});

describe('paper account: smart, split, basket and close', () => {
  const smart = (position_size: number, action: 'BUY' | 'SELL' = 'BUY', quantity = 100) =>
    ({ ...order({ action, quantity, product: 'MIS' }), position_size });
  const held = async (b: PaperBroker) => Number((await b.openPosition({ strategy: 't', symbol: 'SBIN', exchange: 'NSE', product: 'MIS' })).quantity);

  it('placeSmartOrder trades the difference to position_size (OpenAlgo table)', async () => {
    const { b } = setup();
    await b.placeSmartOrder(smart(0, 'BUY', 100)); // no position, target 0: a plain BUY 100
    expect(await held(b)).toBe(100);
    expect(await b.placeSmartOrder(smart(100))).toEqual({ status: 'success', message: 'No action needed. Position size matches current position', mode: 'analyze' });
    await b.placeSmartOrder(smart(200));
    expect(await held(b)).toBe(200);
    await b.placeSmartOrder(smart(-100, 'SELL'));
    expect(await held(b)).toBe(-100);
    await b.placeSmartOrder(smart(100));
    expect(await held(b)).toBe(100);
    await b.placeSmartOrder(smart(0, 'SELL'));
    expect(await held(b)).toBe(0);
    expect((await b.placeSmartOrder(smart(0, 'SELL', 0))).message).toBe('No OpenPosition Found. Not placing Exit order.');
    expect((await b.tradeBook()).data!.map((t) => `${t.action} ${t.quantity}`)).toEqual(['BUY 100', 'BUY 100', 'SELL 300', 'BUY 200', 'SELL 100']);
  });

  it('splitOrder places the chunks and reports each', async () => {
    const { b } = setup();
    const r = await b.splitOrder({ ...order({ symbol: 'YESBANK', action: 'BUY', product: 'MIS', quantity: 105 }), splitsize: 20 });
    expect(r).toMatchObject({ status: 'success', split_size: 20, total_quantity: 105 });
    expect(r.results!.map((x) => [x.order_num, x.quantity, x.status])).toEqual([[1, 20, 'success'], [2, 20, 'success'], [3, 20, 'success'], [4, 20, 'success'], [5, 20, 'success'], [6, 5, 'success']]);
    expect(new Set(r.results!.map((x) => x.orderid)).size).toBe(6);
    expect((await b.splitOrder({ ...order({ quantity: 1000 }), splitsize: 5 })).message).toMatch(/at most 100 orders/);
  });

  it('basketOrder places BUY orders before SELL orders and reports each', async () => {
    const { b } = setup();
    const r = await b.basketOrder({
      strategy: 'basket',
      orders: [
        { symbol: 'WIPRO', exchange: 'NSE', action: 'SELL', quantity: 5, pricetype: 'MARKET', product: 'MIS' },
        { symbol: 'TCS', exchange: 'NSE', action: 'BUY', quantity: 1, pricetype: 'MARKET', product: 'CNC' },
        { symbol: 'NOPE', exchange: 'NSE', action: 'BUY', quantity: 1, pricetype: 'MARKET', product: 'CNC' },
      ],
    });
    expect(r.status).toBe('success');
    expect(r.results!.map((x) => [x.symbol, x.status])).toEqual([['TCS', 'success'], ['NOPE', 'error'], ['WIPRO', 'success']]);
    expect((await b.orderBook()).data!.orders.map((o) => [o.symbol, o.strategy])).toEqual([['TCS', 'basket'], ['WIPRO', 'basket']]);
  });

  it('closePosition squares off every open position at market', async () => {
    const { b } = setup();
    await b.placeOrder(order({ quantity: 10 }));
    await b.placeOrder(order({ symbol: 'INFY', action: 'SELL', quantity: 5, product: 'MIS' }));
    await b.placeOrder({ strategy: 't', symbol: 'NIFTY25NOV25FUT', exchange: 'NFO', action: 'BUY', quantity: 65 * 40, pricetype: 'MARKET', product: 'NRML' }).then((r) => expect(r.message).toMatch(/freeze/));
    await b.splitOrder({ strategy: 't', symbol: 'NIFTY25NOV25FUT', exchange: 'NFO', action: 'BUY', quantity: 65 * 40, splitsize: 65 * 20, pricetype: 'MARKET', product: 'NRML' });
    expect(await b.closePosition({ strategy: 't' })).toEqual({ status: 'success', message: 'All Open Positions Squared Off', mode: 'analyze' });
    expect((await b.positionBook()).data!.map((p) => p.quantity)).toEqual([0, 0, 0]);
    expect((await funds(b)).utiliseddebits).toBe('0.00');
    expect(await b.closePosition({ strategy: 't' })).toMatchObject({ message: 'No open positions to close' });
  });

  it('holdings list long CNC positions with their P&L', async () => {
    const { b } = setup();
    b.setPrice('TCS', 'NSE', 3000);
    await b.placeOrder(order({ symbol: 'TCS', quantity: 2 }));
    await b.placeOrder(order({ symbol: 'SBIN', quantity: 2, product: 'MIS' }));
    b.setPrice('TCS', 'NSE', 3100.05);
    const h = (await b.holdings()).data!;
    expect(h.holdings).toEqual([{ symbol: 'TCS', exchange: 'NSE', product: 'CNC', quantity: 2, pnl: 200, pnlpercent: 3.33 }]);
    expect(h.statistics).toEqual({ totalholdingvalue: 6200.1, totalinvvalue: 6000.1, totalprofitandloss: 200, totalpnlpercentage: 3.33 });
  });
});

describe('paper account: safety nets, persistence, events', () => {
  it('a second order call with the same clientOrderKey is refused and places nothing', async () => {
    const { b } = setup();
    const first = await b.placeOrder(order({ product: 'MIS' }), { clientOrderKey: 'run-1/node-3' });
    expect(first.status).toBe('success');
    const again = await b.placeOrder(order({ product: 'MIS' }), { clientOrderKey: 'run-1/node-3' });
    expect(again).toMatchObject({ status: 'error', mode: 'analyze' });
    expect(again.message).toMatch(/^duplicate client order key 'run-1\/node-3'/);
    const other = await b.splitOrder({ ...order({ product: 'MIS' }), splitsize: 10 }, { clientOrderKey: 'run-1/node-3' });
    expect(other.status).toBe('error');
    expect((await b.orderBook()).data!.orders).toHaveLength(1);
    expect((await b.placeOrder(order({ product: 'MIS' }), { clientOrderKey: 'run-1/node-4' })).status).toBe('success');
  });

  it('an aborted signal throws a not_sent BrokerError and places nothing', async () => {
    const { b } = setup();
    const ac = new AbortController();
    ac.abort();
    const err = await b.placeOrder(order(), { signal: ac.signal, clientOrderKey: 'k' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BrokerError);
    expect(err).toMatchObject({ code: 'aborted', outcome: 'not_sent' });
    expect((await b.orderBook()).data!.orders).toHaveLength(0);
    expect((await b.placeOrder(order({ product: 'MIS' }), { clientOrderKey: 'k' })).status).toBe('success');
  });

  it('a snapshot restores positions, orders, funds and seen keys; new order ids never collide', async () => {
    const saved: string[] = [];
    const { b } = setup({ onChange: (s) => saved.push(JSON.stringify(s)) });
    b.setPrice('SBIN', 'NSE', 800);
    const first = await b.placeOrder(order({ quantity: 10 }), { clientOrderKey: 'k1' });
    await b.placeOrder(order({ pricetype: 'LIMIT', price: 700, quantity: 5 }));
    const restored = new PaperBroker({ now: () => NOW, state: JSON.parse(saved.at(-1)!) as PaperState });
    expect(restored.snapshot()).toEqual(b.snapshot());
    expect((await restored.positionBook()).data).toEqual((await b.positionBook()).data);
    expect(await restored.funds()).toEqual(await b.funds());
    expect((await restored.quotes({ symbol: 'SBIN', exchange: 'NSE' })).data!.ltp).toBe(800);
    expect((await restored.placeOrder(order(), { clientOrderKey: 'k1' })).message).toMatch(/duplicate client order key/);
    const next = await restored.placeOrder(order({ quantity: 1 }));
    expect(next.orderid).not.toBe(first.orderid);
    expect((await restored.orderBook()).data!.orders.map((o) => o.orderid)).toEqual([first.orderid, expect.any(String), next.orderid]);
    expect(new Set((await restored.orderBook()).data!.orders.map((o) => o.orderid)).size).toBe(3);
    restored.setPrice('SBIN', 'NSE', 699);
    expect((await restored.orderBook()).data!.statistics.total_completed_orders).toBe(3);
  });

  it('when saving fails after an order call, the outcome reads as unknown, never as not placed', async () => {
    const b = new PaperBroker({ now: () => NOW, onChange: () => { throw new Error('disk full'); } });
    const err = await b.placeOrder(order({ product: 'MIS' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BrokerError);
    expect(err).toMatchObject({ outcome: 'unknown' });
    expect((err as Error).message).toMatch(/disk full.*may have taken effect/);
  });

  it('a malformed snapshot is refused at construction', () => {
    expect(() => new PaperBroker({ state: { version: 1 } as unknown as PaperState })).toThrow(/invalid paper broker state/);
  });

  it('onChange runs after state changes only, and reset clears the account but not the seen keys', async () => {
    let calls = 0;
    const { b } = setup({ onChange: () => { calls++; } });
    await b.quotes({ symbol: 'SBIN', exchange: 'NSE' });
    await b.funds();
    expect(calls).toBe(0);
    await b.placeOrder(order({ product: 'MIS' }), { clientOrderKey: 'once' });
    expect(calls).toBe(1);
    b.reset();
    expect(calls).toBe(2);
    expect((await b.positionBook()).data).toEqual([]);
    expect((await b.orderBook()).data!.orders).toEqual([]);
    expect((await funds(b)).availablecash).toBe(CRORE.toFixed(2));
    expect((await b.placeOrder(order({ product: 'MIS' }), { clientOrderKey: 'once' })).status).toBe('error');
  });

  it('order updates are pushed for every status change until unsubscribed', async () => {
    const b = new PaperBroker({ now: () => NOW });
    const seen: string[] = [];
    const off = b.onOrderUpdate((u) => seen.push(`${u.symbol} ${u.action} ${u.order_status}`));
    b.onOrderUpdate(() => { throw new Error('a broken listener'); });
    b.setPrice('SBIN', 'NSE', 800);
    await b.placeOrder(order({ product: 'MIS', quantity: 1 }));
    const { orderid } = await b.placeOrder(order({ product: 'MIS', pricetype: 'LIMIT', price: 700, quantity: 1 }));
    await b.cancelOrder({ orderid: orderid!, strategy: 't' });
    off();
    await b.placeOrder(order({ product: 'MIS', quantity: 1 }));
    expect(seen).toEqual(['SBIN BUY complete', 'SBIN BUY open', 'SBIN BUY cancelled']);
  });

  it('unknown order ids are business errors', async () => {
    const { b } = setup();
    expect(await b.orderStatus({ orderid: 'x', strategy: 't' })).toMatchObject({ status: 'error', message: 'order x not found' });
    expect(await b.cancelOrder({ orderid: 'x', strategy: 't' })).toMatchObject({ status: 'error', message: 'order x not found' });
  });

  it('margin estimates a basket the way the account would block it', async () => {
    const { b } = setup();
    b.setPrice('SBIN', 'NSE', 800);
    const r = await b.margin({ positions: [{ symbol: 'SBIN', exchange: 'NSE', action: 'BUY', quantity: 10, product: 'MIS', pricetype: 'LIMIT', price: 800 }] });
    expect(r.data).toEqual({ total_margin_required: 1600, span_margin: 0, exposure_margin: 1600 });
  });
});
