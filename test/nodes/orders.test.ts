import { describe, expect, it } from 'vitest';
import { PaperBroker } from '../../src/broker/paper/index.js';
import { nodes } from '../../src/nodes/orders.js';
import { makeContext, ParamError, parseParams, prepare, recording, runNode, stubBroker } from './context.js';

const def = (type: string) => nodes.find((n) => n.type === type)!;
const placeOrder = def('placeOrder');
const optionsOrder = def('optionsOrder');
const optionsMultiOrder = def('optionsMultiOrder');
const closePositions = def('closePositions');
const basketOrder = def('basketOrder');
const modifyOrder = def('modifyOrder');
const splitOrder = def('splitOrder');
const cancelAllOrders = def('cancelAllOrders');

// 10:00 IST on Wednesday 15 Jan 2025.
const NOW = new Date('2025-01-15T04:30:00Z');

describe('order fields', () => {
  it('reject a quantity of 0 (or one that truncates to 0), exchange NYSE and action HOLD, naming the field', () => {
    const base = { symbol: 'SBIN', exchange: 'NSE', action: 'BUY', quantity: 1 };
    expect(() => parseParams(placeOrder, { ...base, quantity: 0 })).toThrow(ParamError);
    expect(() => parseParams(placeOrder, { ...base, quantity: 0 })).toThrow(/^quantity must be at least 1/);
    expect(() => parseParams(placeOrder, { ...base, exchange: 'NYSE' })).toThrow(/^exchange 'NYSE' is not one of/);
    expect(() => parseParams(placeOrder, { ...base, action: 'HOLD' })).toThrow(/^action 'HOLD' is not one of BUY, SELL/);
    // OpenAlgo's get_int is int(float(x)): a fraction truncates toward zero, and what truncates below 1 fails.
    expect(parseParams(placeOrder, { ...base, quantity: '2.5' }).quantity).toBe(2);
    expect(() => parseParams(placeOrder, { ...base, quantity: '0.5' })).toThrow(/^quantity must be at least 1 \(got 0.5, which truncates to 0\)/);
    expect(() => parseParams(placeOrder, { ...base, symbol: '' })).toThrow(/^symbol is required/);
  });

  it('accept lower-case constants and numeric strings, returned canonical', () => {
    const p = parseParams(placeOrder, { symbol: 'sbin', exchange: 'nse', action: 'buy', quantity: '10', priceType: 'limit', price: '512.5', product: 'cnc' });
    expect(p).toMatchObject({ symbol: 'SBIN', exchange: 'NSE', action: 'BUY', quantity: 10, priceType: 'LIMIT', price: 512.5, product: 'CNC' });
  });

  it('apply OpenAlgo defaults', () => {
    const p = parseParams(placeOrder, { symbol: 'SBIN' });
    expect(p).toMatchObject({ exchange: 'NSE', action: 'BUY', quantity: 1, priceType: 'MARKET', product: 'MIS', price: 0, triggerPrice: 0 });
    expect(parseParams(optionsOrder, {})).toMatchObject({ underlying: 'NIFTY', expiryType: 'current_week', offset: 'ATM', optionType: 'CE', product: 'NRML', quantity: 1 });
  });

  it('need a price for LIMIT and SL and a trigger price for SL and SL-M', () => {
    expect(() => prepare(placeOrder, { symbol: 'SBIN', priceType: 'LIMIT' })).toThrow(/^price must be greater than 0 for a LIMIT order/);
    expect(() => prepare(placeOrder, { symbol: 'SBIN', priceType: 'SL-M' })).toThrow(/^triggerPrice must be greater than 0/);
    expect(() => prepare(placeOrder, { symbol: 'SBIN', priceType: 'SL', price: 100 })).toThrow(/^triggerPrice/);
    expect(() => prepare(placeOrder, { symbol: 'SBIN', priceType: 'SL', price: 100, triggerPrice: 99 })).not.toThrow();
  });

  it('reject an offset outside ATM, ITM1..50, OTM1..50', () => {
    expect(parseParams(optionsOrder, { offset: 'otm3' }).offset).toBe('OTM3');
    expect(() => parseParams(optionsOrder, { offset: 'OTM51' })).toThrow(/^offset/);
    expect(() => parseParams(optionsOrder, { offset: 'ITM0' })).toThrow(/^offset/);
  });
});

describe('placeOrder', () => {
  it('places through the broker with the workflow name as strategy and returns {status, orderid}', async () => {
    const broker = recording(new PaperBroker({ now: () => NOW }));
    const { result } = await runNode(placeOrder, { symbol: 'SBIN', exchange: 'NSE', action: 'BUY', quantity: 5 }, { broker, now: NOW, workflowName: 'My Flow' });
    expect(result.status).toBe('success');
    expect(typeof result.orderid).toBe('string');
    expect(broker.calls[0]).toMatchObject({ method: 'placeOrder', req: { strategy: 'My Flow', symbol: 'SBIN', quantity: 5, pricetype: 'MARKET', product: 'MIS' } });
  });

  it('turns a broker error answer into a node error with its message', async () => {
    const broker = stubBroker({ placeOrder: () => ({ status: 'error', message: 'Insufficient funds' }) });
    const { result } = await runNode(placeOrder, { symbol: 'SBIN' }, { broker });
    expect(result).toMatchObject({ status: 'error', message: 'Insufficient funds' });
  });

  it('uses strategyTag (or the older strategy) when given', async () => {
    const broker = stubBroker({ placeOrder: () => ({ status: 'success', orderid: '1' }) });
    await runNode(placeOrder, { symbol: 'SBIN', strategy: 'legacy-tag' }, { broker });
    expect(broker.calls[0].req).toMatchObject({ strategy: 'legacy-tag' });
  });
});

describe('optionsOrder', () => {
  function optionsBroker(lotsize: number | undefined, expiries = ['16-JAN-25', '23-JAN-25', '30-JAN-25', '27-FEB-25']) {
    return stubBroker({
      expiry: () => ({ status: 'success', data: expiries }),
      optionSymbol: (req) => ({ status: 'success', symbol: `${req.underlying}${req.expiry_date}23500${req.option_type}`, exchange: 'NFO', ...(lotsize ? { lotsize } : {}) }),
      symbol: () => ({ status: 'success', data: { lotsize: 75 } }),
      optionsOrder: (req) => ({ status: 'success', orderid: 'OID1', symbol: 'NIFTY16JAN2523500CE', exchange: 'NFO', underlying: req.underlying, underlying_ltp: 23510, offset: req.offset, option_type: req.option_type, mode: 'analyze' }),
    });
  }

  it('resolves the preset expiry from NFO options, multiplies lots by the lot size and trades on NSE_INDEX', async () => {
    const broker = optionsBroker(75);
    const { result } = await runNode(optionsOrder, { underlying: 'NIFTY', expiryType: 'next_week', offset: 'ATM', optionType: 'CE', action: 'BUY', quantity: 2 }, { broker, now: NOW });
    expect(broker.calls[0]).toMatchObject({ method: 'expiry', req: { symbol: 'NIFTY', exchange: 'NFO', instrumenttype: 'options' } });
    const order = broker.calls.find((c) => c.method === 'optionsOrder')!.req;
    expect(order).toMatchObject({ underlying: 'NIFTY', exchange: 'NSE_INDEX', expiry_date: '23JAN25', quantity: 150, product: 'NRML', offset: 'ATM', option_type: 'CE' });
    expect(result).toMatchObject({ status: 'success', orderid: 'OID1', symbol: 'NIFTY16JAN2523500CE', underlying: 'NIFTY', underlying_ltp: 23510, mode: 'analyze', expiry_date: '23JAN25', lotsize: 75 });
  });

  it('asks BFO for SENSEX expiries and trades on BSE_INDEX', async () => {
    const broker = optionsBroker(20);
    await runNode(optionsOrder, { underlying: 'SENSEX', quantity: 1 }, { broker, now: NOW });
    expect(broker.calls[0].req).toMatchObject({ exchange: 'BFO' });
    expect(broker.calls.find((c) => c.method === 'optionsOrder')!.req).toMatchObject({ exchange: 'BSE_INDEX', quantity: 20 });
  });

  it('falls back to the symbol master for the lot size', async () => {
    const broker = optionsBroker(undefined);
    await runNode(optionsOrder, { quantity: 3 }, { broker, now: NOW });
    expect(broker.calls.find((c) => c.method === 'optionsOrder')!.req).toMatchObject({ quantity: 225 });
  });

  it('fails closed, placing nothing, when no lot size or no expiry can be found', async () => {
    const noLot = stubBroker({
      expiry: () => ({ status: 'success', data: ['16-JAN-25'] }),
      optionSymbol: () => ({ status: 'success', symbol: 'X', exchange: 'NFO' }),
      symbol: () => ({ status: 'error', message: 'not found' }),
    });
    const a = await runNode(optionsOrder, {}, { broker: noLot, now: NOW });
    expect(a.result).toMatchObject({ status: 'error', message: expect.stringMatching(/no lot size/) });
    expect(noLot.calls.some((c) => c.method === 'optionsOrder')).toBe(false);

    const noMonth = optionsBroker(75, ['16-JAN-25']);
    const b = await runNode(optionsOrder, { expiryType: 'next_month' }, { broker: noMonth, now: NOW });
    expect(b.result).toMatchObject({ status: 'error', message: expect.stringMatching(/no next_month expiry/) });
    expect(noMonth.calls.some((c) => c.method === 'optionsOrder')).toBe(false);
  });

  it('uses an explicit expiryDate without asking for expiries', async () => {
    const broker = optionsBroker(75);
    await runNode(optionsOrder, { expiryDate: '30-JAN-25' }, { broker, now: NOW });
    expect(broker.calls.some((c) => c.method === 'expiry')).toBe(false);
    expect(broker.calls.find((c) => c.method === 'optionsOrder')!.req).toMatchObject({ expiry_date: '30JAN25' });
  });

  it('places a real paper options order for the current week', async () => {
    const broker = new PaperBroker({ now: () => NOW });
    const { result } = await runNode(optionsOrder, { underlying: 'NIFTY', quantity: 1, action: 'BUY' }, { broker, now: NOW });
    expect(result.status).toBe('success');
    expect(String(result.symbol)).toMatch(/^NIFTY\d{2}[A-Z]{3}\d{2}\d+CE$/);
    const pos = await broker.positionBook();
    expect(pos.data?.find((r) => r.symbol === result.symbol)?.quantity).toBe(result.lotsize);
  });
});

describe('optionsMultiOrder', () => {
  const broker = () =>
    stubBroker({
      expiry: () => ({ status: 'success', data: ['16-JAN-25'] }),
      optionSymbol: () => ({ status: 'success', symbol: 'S', exchange: 'NFO', lotsize: 75 }),
      optionsMultiOrder: () => ({ status: 'success', results: [] }),
    });

  it('builds an iron condor: sell OTM2, buy OTM4 on both sides, lots × lot size', async () => {
    const b = broker();
    await runNode(optionsMultiOrder, { strategy: 'iron_condor', quantity: 2 }, { broker: b, now: NOW });
    const req = b.calls.find((c) => c.method === 'optionsMultiOrder')!.req as { legs: unknown[]; exchange: string };
    expect(req.exchange).toBe('NSE_INDEX');
    expect(req.legs).toEqual([
      expect.objectContaining({ offset: 'OTM2', option_type: 'CE', action: 'SELL', quantity: 150 }),
      expect.objectContaining({ offset: 'OTM4', option_type: 'CE', action: 'BUY', quantity: 150 }),
      expect.objectContaining({ offset: 'OTM2', option_type: 'PE', action: 'SELL', quantity: 150 }),
      expect.objectContaining({ offset: 'OTM4', option_type: 'PE', action: 'BUY', quantity: 150 }),
    ]);
  });

  it('a straddle without action sells both legs, product MIS (OpenAlgo execute_options_multi_order: action "SELL", product "MIS")', async () => {
    const b = broker();
    await runNode(optionsMultiOrder, { strategy: 'straddle', quantity: 1 }, { broker: b, now: NOW });
    const req = b.calls.find((c) => c.method === 'optionsMultiOrder')!.req as { legs: unknown[] };
    expect(req.legs).toEqual([
      expect.objectContaining({ offset: 'ATM', option_type: 'CE', action: 'SELL', product: 'MIS', quantity: 75 }),
      expect.objectContaining({ offset: 'ATM', option_type: 'PE', action: 'SELL', product: 'MIS', quantity: 75 }),
    ]);
  });

  it('legs, when given, are placed whatever the strategy; no strategy and no legs sends nothing (OpenAlgo reads it as custom)', async () => {
    const b = broker();
    await runNode(optionsMultiOrder, { strategy: 'straddle', legs: [{ offset: 'OTM1', optionType: 'CE', action: 'BUY' }] }, { broker: b, now: NOW });
    expect((b.calls.find((c) => c.method === 'optionsMultiOrder')!.req as { legs: unknown[] }).legs).toEqual([expect.objectContaining({ offset: 'OTM1', action: 'BUY' })]);
    expect(() => prepare(optionsMultiOrder, {})).toThrow(/^legs must list at least one leg/);
  });

  it('refuses SL for a generated strategy', () => {
    expect(() => prepare(optionsMultiOrder, { strategy: 'strangle', action: 'SELL', priceType: 'SL' })).toThrow(/^priceType SL needs a trigger price/);
  });

  it('validates custom legs and sends them in units', async () => {
    expect(() => parseParams(optionsMultiOrder, { strategy: 'custom', legs: [{ offset: 'ATM', optionType: 'CE', action: 'HOLD' }] })).toThrow(/leg 1 action 'HOLD'/);
    expect(() => prepare(optionsMultiOrder, { strategy: 'custom', legs: [] })).toThrow(/^legs must list at least one leg/);
    const b = broker();
    await runNode(optionsMultiOrder, {
      strategy: 'custom',
      legs: [{ offset: 'ATM', optionType: 'PE', action: 'SELL', quantity: 1 }, { offset: 'OTM3', optionType: 'pe', action: 'buy', quantity: '2', expiryDate: '23-JAN-25' }],
    }, { broker: b, now: NOW });
    const req = b.calls.find((c) => c.method === 'optionsMultiOrder')!.req as { legs: unknown[] };
    expect(req.legs).toEqual([
      expect.objectContaining({ offset: 'ATM', option_type: 'PE', action: 'SELL', quantity: 75 }),
      expect.objectContaining({ offset: 'OTM3', option_type: 'PE', action: 'BUY', quantity: 150, expiry_date: '23JAN25' }),
    ]);
  });
});

describe('basketOrder', () => {
  it('parses one order per line; a bad line is kept as a skip naming it', () => {
    const p = parseParams(basketOrder, { orders: 'RELIANCE,NSE,BUY,10\n\n infy , nse , sell , 5 ' });
    expect(p.orders).toEqual([
      { symbol: 'RELIANCE', exchange: 'NSE', action: 'BUY', quantity: 10, price: undefined },
      { symbol: 'INFY', exchange: 'NSE', action: 'SELL', quantity: 5, price: undefined },
    ]);
    expect((parseParams(basketOrder, { orders: 'RELIANCE,NSE,BUY,10\nINFY,NYSE,BUY,5' }).orders as unknown[])[1]).toEqual({ skipped: expect.stringMatching(/line 2 .*exchange 'NYSE'/) });
    expect((parseParams(basketOrder, { orders: 'RELIANCE,NSE,BUY,0' }).orders as unknown[])[0]).toEqual({ skipped: expect.stringMatching(/quantity must be at least 1/) });
    expect((parseParams(basketOrder, { orders: 'RELIANCE NSE BUY 10' }).orders as unknown[])[0]).toEqual({ skipped: expect.stringMatching(/expected SYMBOL,EXCHANGE,ACTION,QTY/) });
    expect(() => prepare(basketOrder, { orders: 'RELIANCE,NSE,BUY,10', priceType: 'LIMIT' })).toThrow(/needs a price/);
  });

  it('sends every line with the basket product and price type, tagged with the basket name (OpenAlgo execute_basket_order: strategy=basket_name)', async () => {
    const broker = stubBroker({ basketOrder: () => ({ status: 'success', results: [{ symbol: 'RELIANCE', status: 'success', orderid: '1' }] }) });
    const { result } = await runNode(basketOrder, { orders: 'RELIANCE,NSE,BUY,10', product: 'CNC', basketName: 'morning' }, { broker });
    expect(broker.calls[0].req).toMatchObject({ strategy: 'morning', orders: [{ symbol: 'RELIANCE', exchange: 'NSE', action: 'BUY', quantity: 10, pricetype: 'MARKET', product: 'CNC' }] });
    expect(result).toMatchObject({ status: 'success', results: [{ orderid: '1' }] });
  });

  it('skips and logs a bad line and places the rest; "12.7" does not parse as int() and is skipped; no valid line fails with nothing sent (OpenAlgo execute_basket_order)', async () => {
    const broker = stubBroker({ basketOrder: () => ({ status: 'success', results: [] }) });
    const { result, ctx } = await runNode(basketOrder, { orders: 'RELIANCE,NSE,BUY,10\nINFY,NSE,BUY\nTCS,NSE,SELL,12.7' }, { broker });
    expect(broker.calls[0].req).toMatchObject({ strategy: 'flow_basket', orders: [{ symbol: 'RELIANCE' }] });
    expect((broker.calls[0].req as { orders: unknown[] }).orders).toHaveLength(1);
    expect(ctx.logs.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
      expect.stringMatching(/^Skipping invalid order line 2 'INFY,NSE,BUY'/), expect.stringMatching(/^Skipping invalid order line 3 'TCS,NSE,SELL,12.7'/),
    ]);
    expect(result).toMatchObject({ status: 'success', skipped: [expect.any(String), expect.any(String)] });
    const none = stubBroker();
    const empty = await runNode(basketOrder, { orders: 'INFY,NSE,BUY' }, { broker: none });
    expect(empty.result).toMatchObject({ status: 'error', message: 'No valid orders to place' });
    expect(none.calls).toHaveLength(0);
  });
});

describe('splitOrder and modifyOrder', () => {
  it('splitOrder refuses a split that would place more than 100 orders', () => {
    expect(() => prepare(splitOrder, { symbol: 'SBIN', quantity: 1000, splitSize: 5 })).toThrow(/would place 200 orders/);
    expect(() => prepare(splitOrder, { symbol: 'SBIN', quantity: 105, splitSize: 20 })).not.toThrow();
  });

  it('modifyOrder keeps the current values of blank fields', async () => {
    const broker = stubBroker({
      orderStatus: () => ({ status: 'success', data: { orderid: '7', symbol: 'SBIN', exchange: 'NSE', action: 'BUY', pricetype: 'LIMIT', product: 'MIS', quantity: 10, price: 500, trigger_price: 0, order_status: 'open' } }),
      modifyOrder: () => ({ status: 'success', orderid: '7' }),
    });
    const { result } = await runNode(modifyOrder, { orderId: '7', newPrice: 505 }, { broker });
    expect(result.status).toBe('success');
    expect(broker.calls[1].req).toMatchObject({ orderid: '7', symbol: 'SBIN', exchange: 'NSE', action: 'BUY', pricetype: 'LIMIT', product: 'MIS', quantity: 10, price: 505, trigger_price: 0 });
  });
});

describe('cancelAllOrders', () => {
  it('returns the ids it cancelled', async () => {
    const broker = new PaperBroker({ now: () => NOW });
    const ctx = makeContext({ broker, now: NOW });
    const placed = await broker.placeOrder({ strategy: 's', symbol: 'SBIN', exchange: 'NSE', action: 'BUY', quantity: 1, pricetype: 'LIMIT', product: 'MIS', price: 1 });
    const { result } = await runNode(cancelAllOrders, {}, ctx);
    expect(result.status).toBe('success');
    expect(result.canceled_orders).toEqual([placed.orderid]);
  });
});

describe('closePositions', () => {
  async function twoPositions() {
    const broker = recording(new PaperBroker({ now: () => NOW }));
    for (const symbol of ['SBIN', 'INFY']) {
      const a = await broker.placeOrder({ strategy: 's', symbol, exchange: 'NSE', action: 'BUY', quantity: 10, pricetype: 'MARKET', product: 'MIS' });
      expect(a.status).toBe('success');
    }
    broker.calls.length = 0;
    return broker;
  }
  const qty = async (broker: PaperBroker, symbol: string) => (await broker.positionBook()).data?.find((r) => r.symbol === symbol)?.quantity ?? 0;

  it('with a symbol, closes only that position with an opposite MARKET order', async () => {
    const broker = await twoPositions();
    const { result } = await runNode(closePositions, { symbol: 'SBIN' }, { broker, now: NOW });
    expect(result).toMatchObject({ status: 'success', closed: [{ symbol: 'SBIN', action: 'SELL', quantity: 10 }] });
    expect(broker.calls.map((c) => c.method)).toEqual(['positionBook', 'placeOrder']);
    expect(await qty(broker, 'SBIN')).toBe(0);
    expect(await qty(broker, 'INFY')).toBe(10);
  });

  it('with a symbol and blank exchange and product, closes only the NSE MIS position, not the CNC one (OpenAlgo execute_close_positions)', async () => {
    const broker = await twoPositions();
    await broker.placeOrder({ strategy: 's', symbol: 'SBIN', exchange: 'NSE', action: 'BUY', quantity: 3, pricetype: 'MARKET', product: 'CNC' });
    broker.calls.length = 0;
    const { result } = await runNode(closePositions, { symbol: 'SBIN', exchange: '', product: '' }, { broker, now: NOW });
    expect(result).toMatchObject({ status: 'success', closed: [{ symbol: 'SBIN', product: 'MIS', quantity: 10 }] });
    const cnc = (await broker.positionBook()).data?.find((r) => r.symbol === 'SBIN' && r.product === 'CNC');
    expect(cnc?.quantity).toBe(3);
  });

  it('with no symbol, squares off everything through closePosition', async () => {
    const broker = await twoPositions();
    const { result } = await runNode(closePositions, {}, { broker, now: NOW });
    expect(result.status).toBe('success');
    expect(broker.calls.map((c) => c.method)).toEqual(['closePosition']);
    expect(await qty(broker, 'SBIN')).toBe(0);
    expect(await qty(broker, 'INFY')).toBe(0);
  });

  it('succeeds with a message when there is nothing to close', async () => {
    const broker = await twoPositions();
    const { result } = await runNode(closePositions, { symbol: 'TCS' }, { broker, now: NOW });
    expect(result).toMatchObject({ status: 'success', message: 'no open position in TCS.NSE MIS to close', closed: [] });
    expect(broker.calls.map((c) => c.method)).toEqual(['positionBook']);
  });
});
