import { describe, expect, it } from 'vitest';
import { PaperBroker } from '../../src/broker/paper/index.js';
import type { Candle } from '../../src/broker/types.js';
import { nodes } from '../../src/nodes/data.js';
import { parseParams, prepare, runNode, stubBroker } from './context.js';
import { NOW, historyBroker } from './candles.js';

const def = (type: string) => nodes.find((n) => n.type === type)!;



describe('quotes and books', () => {
  it('getQuote answers {status, data: {ltp, …}} from the paper market', async () => {
    const broker = new PaperBroker({ now: () => NOW });
    const { result } = await runNode(def('getQuote'), { symbol: 'sbin' }, { broker, now: NOW });
    expect(result.status).toBe('success');
    expect(result.data).toMatchObject({ ltp: expect.any(Number), open: expect.any(Number), prev_close: expect.any(Number) });
  });

  it('positionBook adds total_pnl', async () => {
    const broker = stubBroker({ positionBook: () => ({ status: 'success', data: [{ symbol: 'A', pnl: 100.5 }, { symbol: 'B', pnl: -50.25 }] }) });
    const { result } = await runNode(def('positionBook'), {}, { broker });
    expect(result).toMatchObject({ status: 'success', total_pnl: 50.25, data: [{ symbol: 'A' }, { symbol: 'B' }] });
  });

  it('multiQuotes splits a comma-separated list on one exchange', async () => {
    const broker = stubBroker({ multiQuotes: () => ({ status: 'success', results: [] }) });
    await runNode(def('multiQuotes'), { symbols: 'reliance, INFY,,TCS', exchange: 'NSE' }, { broker });
    expect(broker.calls[0].req).toEqual({ symbols: [{ symbol: 'RELIANCE', exchange: 'NSE' }, { symbol: 'INFY', exchange: 'NSE' }, { symbol: 'TCS', exchange: 'NSE' }] });
  });

  it('a broker error becomes a node error', async () => {
    const broker = stubBroker({ funds: () => ({ status: 'error', message: 'session expired' }) });
    expect((await runNode(def('funds'), {}, { broker })).result).toMatchObject({ status: 'error', message: 'session expired' });
  });
});

describe('history', () => {
  it('computes the last N days in IST (also as lookbackDays)', async () => {
    const broker = historyBroker([]);
    const now = new Date('2025-01-14T20:00:00Z'); // 01:30 IST on the 15th
    await runNode(def('history'), { symbol: 'SBIN', interval: 'D', days: 7 }, { broker, now });
    await runNode(def('history'), { symbol: 'SBIN', interval: 'D', lookbackDays: 1 }, { broker, now });
    expect(broker.calls.map((c) => c.req)).toMatchObject([
      { symbol: 'SBIN', exchange: 'NSE', interval: 'D', start_date: '2025-01-08', end_date: '2025-01-15' },
      { start_date: '2025-01-14', end_date: '2025-01-15' },
    ]);
  });

  it('needs dates or days, in order', () => {
    expect(() => prepare(def('history'), { symbol: 'SBIN' })).toThrow(/startDate and endDate, or days/);
    expect(() => prepare(def('history'), { symbol: 'SBIN', startDate: '2025-01-10', endDate: '2025-01-01' })).toThrow(/endDate must not be before/);
    expect(() => parseParams(def('history'), { symbol: 'SBIN', startDate: '2025-13-01' })).toThrow(/startDate/);
  });
});

describe('calendar', () => {
  it('knows holidays: 1 Apr 2025 starts a month, quarter and week after the 31 Mar holiday', async () => {
    const { result } = await runNode(def('calendar'), { date: '2025-04-01' });
    expect(result).toMatchObject({
      status: 'success', date: '2025-04-01', is_trading_day: true, weekday: 'Tuesday', weekday_num: 2,
      is_new_week: true, is_new_month: true, is_new_quarter: true, is_new_year: false,
      prev_trading_day: '2025-03-28', first_trading_day_of_week: '2025-04-01', quarter: 2,
    });
    const holiday = await runNode(def('calendar'), { date: '2025-03-31' });
    expect(holiday.result).toMatchObject({ is_trading_day: false, is_trading_holiday: true, is_weekend: false, is_new_day: false });
    const fri = await runNode(def('calendar'), { date: '2025-03-28' });
    expect(fri.result).toMatchObject({ is_last_day_of_month: true, is_last_day_of_quarter: true, is_last_day_of_week: true });
  });

  it('defaults to the trading session date (before 03:00 IST it is still yesterday)', async () => {
    const { result } = await runNode(def('calendar'), {}, { now: new Date('2025-01-14T20:00:00Z') }); // 01:30 IST on the 15th
    expect(result.date).toBe('2025-01-14');
  });
});

describe('derived nodes', () => {
  it('syntheticFuture is ATM strike + CE − PE', async () => {
    const broker = stubBroker({
      optionChain: () => ({ status: 'success', underlying_ltp: 23510, atm_strike: 23500, chain: [{ strike: 23500, ce: { ltp: 120.5 }, pe: { ltp: 100.25 } }] }),
    });
    const { result } = await runNode(def('syntheticFuture'), { expiryDate: '30-JAN-25' }, { broker });
    expect(broker.calls[0].req).toMatchObject({ underlying: 'NIFTY', exchange: 'NSE_INDEX', expiry_date: '30JAN25' });
    expect(result).toMatchObject({ status: 'success', atm_strike: 23500, synthetic_future_price: 23520.25, underlying_ltp: 23510 });
  });

  it('strategyPnl counts only the orders tagged with the strategy (default the workflow name), weighted-average cost, open legs first (OpenAlgo pnl_from_book)', async () => {
    const order = (strategy: string, symbol: string, action: string, filled: number, price: number) => ({
      strategy, symbol, exchange: 'NSE', product: 'MIS', action, quantity: filled, filled_quantity: filled, average_price: price, order_status: 'complete',
    });
    const broker = stubBroker({
      orderBook: () => ({ status: 'success', data: { orders: [
        order('Flow A', 'A', 'BUY', 10, 100), order('Flow A', 'A', 'BUY', 10, 110), order('Flow A', 'A', 'SELL', 20, 120), // realized 20×(120−105) = 300
        order('Flow A', 'B', 'SELL', 5, 100), // open short, marked at 102: −10
        order('Other', 'B', 'BUY', 50, 90), // another strategy's order is not counted
        { ...order('Flow A', 'C', 'BUY', 0, 0), order_status: 'rejected' },
      ], statistics: {} } }),
      positionBook: () => ({ status: 'success', data: [
        { symbol: 'A', exchange: 'NSE', product: 'MIS', quantity: 0, average_price: 0, ltp: 121, pnl: 300 },
        { symbol: 'B', exchange: 'NSE', product: 'MIS', quantity: 45, average_price: 88.9, ltp: 102, pnl: 600 },
      ] }),
    });
    const { result } = await runNode(def('strategyPnl'), {}, { broker, workflowName: 'Flow A' });
    expect(result).toMatchObject({ status: 'success', strategy: 'Flow A', realized: 300, unrealized: -10, total: 290, open_quantity: -5, unpriced_legs: 0 });
    expect(result.legs).toEqual([
      expect.objectContaining({ symbol: 'B', quantity: -5, average_price: 100, ltp: 102, unrealized: -10 }),
      expect.objectContaining({ symbol: 'A', quantity: 0, realized: 300 }),
    ]);
  });

  it('openPosition answers a numeric quantity and the pnl of the matching row, 0 and 0 when flat (OpenAlgo get_open_position)', async () => {
    const broker = stubBroker({ positionBook: () => ({ status: 'success', data: [
      { symbol: 'SBIN', exchange: 'NSE', product: 'MIS', quantity: '-10', average_price: 500, ltp: 498, pnl: '20.5' },
      { symbol: 'SBIN', exchange: 'NSE', product: 'CNC', quantity: 4, average_price: 480, ltp: 498, pnl: 72 },
    ] }) });
    expect((await runNode(def('openPosition'), { symbol: 'SBIN' }, { broker })).result).toEqual({ status: 'success', quantity: -10, pnl: 20.5 });
    expect((await runNode(def('openPosition'), { symbol: 'INFY' }, { broker })).result).toEqual({ status: 'success', quantity: 0, pnl: 0 });
  });

  it('strategyPnl refuses an order book without strategy tags rather than report the whole account', async () => {
    const broker = stubBroker({ orderBook: () => ({ status: 'success', data: { orders: [{ symbol: 'A', exchange: 'NSE', product: 'MIS', action: 'BUY', quantity: 1, filled_quantity: 1, average_price: 1 }], statistics: {} } }) });
    const { result } = await runNode(def('strategyPnl'), { strategy: 'S' }, { broker });
    expect(result).toMatchObject({ status: 'error', message: expect.stringMatching(/carries no strategy tags/) });
  });

  it('optionSymbol and optionChain normalise the expiry', async () => {
    const broker = stubBroker({ optionSymbol: () => ({ status: 'success', symbol: 'NIFTY30DEC2526000CE', lotsize: 75 }) });
    const { result } = await runNode(def('optionSymbol'), { expiryDate: '30-DEC-25', offset: 'otm2' }, { broker });
    expect(broker.calls[0].req).toEqual({ underlying: 'NIFTY', exchange: 'NSE_INDEX', expiry_date: '30DEC25', offset: 'OTM2', option_type: 'CE' });
    expect(result).toMatchObject({ status: 'success', symbol: 'NIFTY30DEC2526000CE', lotsize: 75 });
    expect(() => parseParams(def('optionChain'), { expiryDate: 'next week' })).toThrow(/expiryDate/);
  });
});
