import { describe, expect, it } from 'vitest';
import { defaultRegistry, catalogue } from '../../src/nodes/registry.js';
import { nodes } from '../../src/nodes/trigger-nodes.js';
import { parseParams, prepare, runNode, stubBroker } from './context.js';

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
    expect(() => prepare(def('priceAlert'), { symbol: 'RELIANCE', condition: 'crosses_above' })).toThrow(/^price a price above 0 is required for 'crossing_up'/);
    // The name as written is kept (an export round-trips); the monitor reads it as OpenAlgo does.
    expect(prepare(def('priceAlert'), { symbol: 'RELIANCE', condition: 'greater_than', price: '1500' })).toMatchObject({ condition: 'greater_than', price: 1500, trigger: 'once', expiration: 'none' });
    expect(prepare(def('priceAlert'), { symbol: 'RELIANCE', condition: 'moving_down', percent: 2 })).toMatchObject({ condition: 'moving_down', percentage: 2 });
    expect(() => prepare(def('priceAlert'), { symbol: 'RELIANCE', condition: 'inside_channel', priceLower: 10, priceUpper: 5 })).toThrow(/^priceUpper must not be below/);
    expect(() => prepare(def('priceAlert'), { symbol: 'RELIANCE', condition: 'moving_up_percent' })).toThrow(/^percentage a percentage above 0/);
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
      'subscribeLtp', 'subscribeQuote', 'subscribeDepth', 'unsubscribe',
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

describe('priceAlert run (OpenAlgo execute_price_alert)', () => {
  const quoteBroker = (ltp: number) => stubBroker({ quotes: async () => ({ status: 'success', data: { ltp, open: ltp, high: ltp, low: ltp, ask: ltp, bid: ltp, prev_close: ltp, volume: 0, oi: 0 } }) });

  it('started by the monitor, trusts the tick: true, with the firing LTP', async () => {
    const { result } = await runNode(def('priceAlert'), { symbol: 'SBIN', condition: 'crosses_above', price: 800 }, {
      trigger: { kind: 'price', nodeId: 'n1', payload: { trigger_type: 'price_alert', trigger_price: 805.5 } },
    });
    expect(result).toMatchObject({ status: 'success', condition: true, ltp: 805.5, output: { ltp: 805.5, condition_met: true } });
  });

  it('run by hand or mid-graph, checks the price now and takes true or false', async () => {
    const above = await runNode(def('priceAlert'), { symbol: 'SBIN', condition: 'above', price: 800 }, { broker: quoteBroker(801) });
    expect(above.result).toMatchObject({ status: 'success', condition: true, output: { ltp: 801, condition_met: true } });
    const crossing = await runNode(def('priceAlert'), { symbol: 'SBIN', condition: 'crosses_below', price: 800 }, { broker: quoteBroker(801) });
    expect(crossing.result).toMatchObject({ status: 'success', condition: false, output: { ltp: 801, condition_met: false } });
    const channel = await runNode(def('priceAlert'), { symbol: 'SBIN', condition: 'exiting_channel', priceLower: 790, priceUpper: 810 }, { broker: quoteBroker(811) });
    expect(channel.result.condition).toBe(true);
  });

  it('a moving condition outside a monitor-fired run is an error that takes no branch', async () => {
    const { result } = await runNode(def('priceAlert'), { symbol: 'SBIN', condition: 'moving_up' }, { broker: quoteBroker(801) });
    expect(result).toMatchObject({ status: 'error', condition: false });
    expect(String(result.message)).toMatch(/previous tick/);
  });

  it('has true and false outputs', () => {
    expect(catalogue().find((n) => n.type === 'priceAlert')?.handles).toEqual(['true', 'false']);
  });
});
