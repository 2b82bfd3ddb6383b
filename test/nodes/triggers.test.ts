import { describe, expect, it } from 'vitest';
import { defaultRegistry, catalogue } from '../../src/nodes/registry.js';
import { nodes } from '../../src/nodes/triggers.js';
import { parseParams, prepare, runNode } from './context.js';

const def = (type: string) => nodes.find((n) => n.type === type)!;

describe('start', () => {
  it('applies OpenAlgo defaults and reads days as numbers or names', () => {
    expect(parseParams(def('start'), {})).toMatchObject({ scheduleType: 'daily', time: '09:15', days: [0, 1, 2, 3, 4], intervalValue: 1, intervalUnit: 'minutes', marketHoursOnly: true });
    expect(parseParams(def('start'), { days: ['mon', 'wed', 'Friday'] }).days).toEqual([0, 2, 4]);
    expect(parseParams(def('start'), { days: '0,6' }).days).toEqual([0, 6]);
    expect(() => parseParams(def('start'), { days: [7] })).toThrow(/^days day 7/);
  });

  it('checks what each schedule type needs, including a valid cron expression', () => {
    expect(() => prepare(def('start'), { scheduleType: 'once' })).toThrow(/^executeAt is required/);
    expect(() => prepare(def('start'), { scheduleType: 'cron' })).toThrow(/^cronExpression is required/);
    expect(() => prepare(def('start'), { scheduleType: 'cron', cronExpression: '61 * * * *' })).toThrow(/not a valid cron expression/);
    expect(prepare(def('start'), { scheduleType: 'cron', cronExpression: '*/5 9-15 * * 1-5' }).cronExpression).toBe('*/5 9-15 * * 1-5');
    expect(() => prepare(def('start'), { scheduleType: 'weekly', days: [] })).toThrow(/^days must name/);
  });

  it("maps the seed's intervalMinutes and runDate", () => {
    expect(parseParams(def('start'), { scheduleType: 'interval', intervalMinutes: 5 })).toMatchObject({ intervalValue: 5, intervalUnit: 'minutes' });
    expect(parseParams(def('start'), { scheduleType: 'once', runDate: '2025-02-01' }).executeAt).toBe('2025-02-01');
  });
});

describe('trigger runs', () => {
  it('webhookTrigger hands on the payload', async () => {
    const { result } = await runNode(def('webhookTrigger'), {}, { trigger: { kind: 'webhook', payload: { symbol: 'SBIN', action: 'BUY' } } });
    expect(result).toEqual({ status: 'success', data: { symbol: 'SBIN', action: 'BUY' } });
  });

  it('start reports success', async () => {
    expect((await runNode(def('start'), {})).result.status).toBe('success');
  });
});

describe('priceAlert and orderUpdateTrigger fields', () => {
  it('priceAlert needs a price for level conditions and a channel for channel conditions', () => {
    expect(() => prepare(def('priceAlert'), { symbol: 'RELIANCE', condition: 'crosses_above' })).toThrow(/^price must be a price/);
    expect(prepare(def('priceAlert'), { symbol: 'RELIANCE', condition: 'greater_than', price: '1500' })).toMatchObject({ condition: 'above', price: 1500, trigger: 'once', expiration: 'none' });
    expect(() => prepare(def('priceAlert'), { symbol: 'RELIANCE', condition: 'inside_channel', priceLower: 10, priceUpper: 5 })).toThrow(/^priceUpper must be above/);
  });

  it('orderUpdateTrigger needs an order id or a symbol, and a literal order id', () => {
    expect(() => prepare(def('orderUpdateTrigger'), {})).toThrow(/^orderId or symbol is required/);
    expect(() => prepare(def('orderUpdateTrigger'), { orderId: '{{ord.orderid}}' })).toThrow(/literal order id/);
    expect(prepare(def('orderUpdateTrigger'), { symbol: 'NIFTY04AUG2624250CE', status: 'Canceled' })).toMatchObject({ status: 'cancelled', trigger: 'once' });
  });
});

describe('registry', () => {
  it('knows every OpenAlgo node type', () => {
    const expected = [
      'start', 'priceAlert', 'webhookTrigger', 'orderUpdateTrigger',
      'placeOrder', 'smartOrder', 'optionsOrder', 'optionsMultiOrder', 'basketOrder', 'splitOrder', 'modifyOrder', 'cancelOrder', 'cancelAllOrders', 'closePositions',
      'positionCheck', 'fundCheck', 'priceCondition', 'varCondition', 'timeWindow', 'timeCondition', 'andGate', 'orGate', 'notGate',
      'getQuote', 'multiQuotes', 'getDepth', 'history', 'indicator', 'priorPeriodOhlc', 'barOffset', 'strategyPnl', 'openPosition', 'getOrderStatus',
      'orderBook', 'tradeBook', 'positionBook', 'holdings', 'funds', 'margin', 'symbol', 'optionSymbol', 'expiry', 'intervals', 'optionChain',
      'syntheticFuture', 'holidays', 'timings', 'calendar',
      'log', 'telegramAlert', 'whatsappAlert', 'variable', 'mathExpression', 'httpRequest', 'delay', 'waitUntil', 'group',
    ];
    expect([...defaultRegistry.keys()].sort()).toEqual([...expected].sort());
  });

  it('declares no engine-owned field and only JSON-serialisable catalogue entries', () => {
    for (const d of defaultRegistry.values()) {
      for (const common of ['label', 'outputVariable', 'onError']) expect(Object.keys(d.fields), d.type).not.toContain(common);
    }
    expect(() => JSON.stringify(catalogue())).not.toThrow();
  });
});
