// priorPeriodOhlc and barOffset as OpenAlgo's execute_prior_period_ohlc / execute_bar_offset, and
// `source: "db"`, which builds custom intervals the way Historify does (database/historify_db.py:
// _get_aggregated_ohlcv aligns minute buckets to the exchange open in IST; _get_daily_aggregated_ohlcv
// groups daily bars by Monday week, month, quarter, year).

import { describe, expect, it } from 'vitest';
import type { Candle } from '../../src/broker/types.js';
import { barOffset, priorPeriodOhlc } from '../../src/nodes/bars.js';
import { bucketStart, intervalInfo, isClosed, lookbackDays, resampleCalendar, resampleIntraday } from '../../src/nodes/history.js';
import { defaultRegistry } from '../../src/nodes/registry.js';
import { runNode, stubBroker } from './context.js';
import { NOW, istMidnight, dailyBars } from './candles.js';

const ist = (dateTime: string) => Date.parse(`${dateTime}+05:30`) / 1000;


/** One-minute candles from 09:15 IST for `count` minutes on a date; close = minute number + 1. */
function minuteBars(date: string, count: number, from = '09:15'): Candle[] {
  const start = ist(`${date}T${from}:00`);
  return Array.from({ length: count }, (_, k) => ({ timestamp: start + 60 * k, open: k + 0.5, high: k + 2, low: k, close: k + 1, volume: 10, oi: k }));
}

/** A broker that serves 1m and D candles only (as a broker without custom intervals would). */
function baseBroker(minutes: Candle[], days: Candle[]) {
  return stubBroker({
    history: (req: { interval: string }) => (req.interval === '1m' ? { status: 'success', data: minutes }
      : req.interval === 'D' ? { status: 'success', data: days } : { status: 'error', message: `interval ${req.interval} not supported` }),
  });
}

describe('priorPeriodOhlc (execute_prior_period_ohlc)', () => {
  const broker = () => stubBroker({ history: () => ({ status: 'success', data: dailyBars() }) });

  it('is the registered type; previous_day is yesterday’s bar with pdh/pdl/pdc, from 10 days of daily bars', async () => {
    expect(defaultRegistry.get('priorPeriodOhlc')).toBe(priorPeriodOhlc);
    const b = broker();
    const { result } = await runNode(priorPeriodOhlc, { symbol: 'NIFTY', exchange: 'NSE_INDEX' }, { broker: b, now: NOW });
    expect(result).toEqual({
      status: 'success', symbol: 'NIFTY', exchange: 'NSE_INDEX', period: 'previous_day', date: '2025-01-14',
      open: 31.5, high: 33, low: 31, close: 32, volume: 100, pdh: 33, pdl: 31, pdc: 32,
    });
    expect(b.calls[0].req).toMatchObject({ interval: 'D', start_date: '2025-01-05', end_date: '2025-01-15' });
  });

  it('previous_week aggregates Monday–Sunday last week, labelled as pandas labels a weekly period', async () => {
    const { result } = await runNode(priorPeriodOhlc, { symbol: 'NIFTY', period: 'previous_week' }, { broker: broker(), now: NOW });
    // 6 Jan is the 26th weekday bar from 2 Dec.
    expect(result).toMatchObject({ date: '2025-01-06/2025-01-12', open: 25.5, high: 31, low: 25, close: 30, volume: 500, pdh: 31 });
  });

  it('previous_month aggregates December, labelled YYYY-MM, from 60 days', async () => {
    const b = broker();
    const { result } = await runNode(priorPeriodOhlc, { symbol: 'NIFTY', period: 'previous_month' }, { broker: b, now: NOW });
    expect(result).toMatchObject({ date: '2024-12', open: 0.5, close: 22, low: 0, high: 23, volume: 2200 });
    expect(b.calls[0].req).toMatchObject({ start_date: '2024-11-16' });
  });

  it('previous_hour with source db is the last closed hour built from 1-minute candles (09:15–10:14 at 10:20 IST)', async () => {
    const b = baseBroker(minuteBars('2025-01-15', 66), []);
    const { result } = await runNode(priorPeriodOhlc, { symbol: 'SBIN', period: 'previous_hour', source: 'db' }, { broker: b, now: new Date('2025-01-15T04:50:00Z') });
    expect(result).toMatchObject({ status: 'success', date: '2025-01-15 09:15', open: 0.5, high: 61, low: 0, close: 60, volume: 600 });
    expect(b.calls[0].req).toMatchObject({ interval: '1m' });
  });

  it('says what failed when the broker refuses the interval, and how to get it', async () => {
    const b = stubBroker({ history: () => ({ status: 'error', message: 'Invalid interval' }) });
    const { result } = await runNode(priorPeriodOhlc, { symbol: 'SBIN', period: 'previous_hour' }, { broker: b, now: NOW });
    expect(result).toMatchObject({ status: 'error', message: expect.stringMatching(/History fetch failed for SBIN \(1h\): Invalid interval.*Source to "db"/) });
  });
});

describe('barOffset (execute_bar_offset)', () => {
  it('counts back from the latest closed bar and answers OpenAlgo’s keys', async () => {
    expect(defaultRegistry.get('barOffset')).toBe(barOffset);
    const broker = stubBroker({ history: () => ({ status: 'success', data: dailyBars() }) });
    const zero = await runNode(barOffset, { symbol: 'NIFTY', offsetBars: 0 }, { broker, now: NOW });
    expect(zero.result).toEqual({ status: 'success', symbol: 'NIFTY', exchange: 'NSE', offsetBars: 0, timestamp: istMidnight('2025-01-14'), open: 31.5, high: 33, low: 31, close: 32, volume: 100 });
    // history_window(offset + 5 bars, 'D'): int(5 × 1.6) + 5 = 13 days.
    expect(broker.calls[0].req).toMatchObject({ start_date: '2025-01-02' });
    expect((await runNode(barOffset, { symbol: 'NIFTY', offsetBars: 2 }, { broker, now: NOW })).result).toMatchObject({ close: 30 });
    expect((await runNode(barOffset, { symbol: 'NIFTY', offsetBars: 100 }, { broker, now: NOW })).result)
      .toMatchObject({ status: 'error', message: expect.stringMatching(/Not enough history to reach 100 bars back for NIFTY/) });
  });

  it('with source db builds 2-minute bars from 1-minute ones, aligned to 09:15, and skips the forming one', async () => {
    const b = baseBroker(minuteBars('2025-01-15', 10), []);
    // 09:25 IST: 1m bars 09:15..09:24 exist; 2m buckets 09:15, 09:17, … 09:23 (closed at 09:25).
    const { result } = await runNode(barOffset, { symbol: 'SBIN', interval: '2m', source: 'db', offsetBars: 1 }, { broker: b, now: new Date('2025-01-15T03:55:00Z') });
    expect(result).toMatchObject({ status: 'success', timestamp: ist('2025-01-15T09:21:00'), open: 6.5, high: 9, low: 6, close: 8, volume: 20 });
    expect(b.calls[0].req).toMatchObject({ interval: '1m' });
  });

  it('with source db builds weekly (W), monthly (M) and quarterly (Q) bars from daily ones', async () => {
    const b = baseBroker([], dailyBars());
    const week = await runNode(barOffset, { symbol: 'NIFTY', interval: 'W', source: 'db' }, { broker: b, now: NOW });
    expect(week.result).toMatchObject({ timestamp: Date.parse('2025-01-06T00:00:00Z') / 1000, open: 25.5, high: 31, low: 25, close: 30, volume: 500 });
    const month = await runNode(barOffset, { symbol: 'NIFTY', interval: 'M', source: 'db' }, { broker: b, now: NOW });
    expect(month.result).toMatchObject({ timestamp: Date.parse('2024-12-01T00:00:00Z') / 1000, close: 22, volume: 2200 });
    const quarter = await runNode(barOffset, { symbol: 'NIFTY', interval: 'Q', source: 'db' }, { broker: b, now: NOW });
    expect(quarter.result).toMatchObject({ timestamp: Date.parse('2024-10-01T00:00:00Z') / 1000, open: 0.5, close: 22 });
    expect(b.calls.every((c) => (c.req as { interval: string }).interval === 'D')).toBe(true);
  });

  it('refuses an interval source db cannot build', async () => {
    const { result } = await runNode(barOffset, { symbol: 'SBIN', interval: '2D', source: 'db' }, { broker: baseBroker([], []), now: NOW });
    expect(result).toMatchObject({ status: 'error', message: expect.stringMatching(/cannot build the '2D' interval/) });
  });
});

describe('resampling rules (Historify)', () => {
  it('aligns minute buckets to the exchange open: NSE 09:15, MCX 09:00', () => {
    const bars = minuteBars('2025-01-15', 30, '09:15');
    expect(resampleIntraday(bars, 25 * 60, 'NSE').map((b) => b.timestamp)).toEqual([ist('2025-01-15T09:15:00'), ist('2025-01-15T09:40:00')]);
    const mcx = minuteBars('2025-01-15', 20, '09:00');
    const hourly = resampleIntraday(mcx, 3600, 'MCX');
    expect(hourly).toHaveLength(1);
    expect(hourly[0]).toMatchObject({ timestamp: ist('2025-01-15T09:00:00'), open: 0.5, high: 21, low: 0, close: 20, volume: 200, oi: 19 });
  });

  it('groups days into Monday weeks, months, quarters, years and multiples as Historify does', () => {
    expect(bucketStart('2025-01-12', { kind: 'week', count: 1 })).toBe('2025-01-06');
    expect(bucketStart('2025-01-20', { kind: 'week', count: 2 })).toBe('2025-01-13'); // ISO weeks 3 and 4 form one 2W bar
    expect(bucketStart('2025-01-13', { kind: 'week', count: 2 })).toBe('2025-01-13');
    expect(bucketStart('2025-05-20', { kind: 'month', count: 3 })).toBe('2025-04-01');
    expect(bucketStart('2025-08-20', { kind: 'month', count: 6 })).toBe('2025-07-01');
    expect(bucketStart('2025-08-20', { kind: 'month', count: 12 })).toBe('2025-01-01');
    const days = dailyBars();
    const weeks = resampleCalendar(days, { kind: 'week', count: 1 });
    expect(weeks).toHaveLength(7);
    expect(weeks[0]).toMatchObject({ timestamp: Date.parse('2024-12-02T00:00:00Z') / 1000, open: 0.5, close: 5, volume: 500 });
  });

  it('reads OpenAlgo interval codes, m for minutes and M for months', () => {
    expect(intervalInfo('25m')).toEqual({ kind: 'intraday', seconds: 1500 });
    expect(intervalInfo('2h')).toEqual({ kind: 'intraday', seconds: 7200 });
    expect(intervalInfo('M')).toEqual({ kind: 'month', count: 1 });
    expect(intervalInfo('Q')).toEqual({ kind: 'month', count: 3 });
    expect(intervalInfo('2W')).toEqual({ kind: 'week', count: 2 });
    expect(intervalInfo('1d')).toEqual({ kind: 'day', count: 1 });
    expect(intervalInfo('x')).toEqual({ kind: 'unknown' });
  });

  it('treats a week or month bar as closed only once its bucket has ended', () => {
    const bar = (date: string): Candle => ({ timestamp: Date.parse(`${date}T00:00:00Z`) / 1000, open: 1, high: 1, low: 1, close: 1, volume: 0, oi: 0 });
    expect(isClosed(bar('2025-01-13'), 'W', NOW, 'Asia/Kolkata')).toBe(false);
    expect(isClosed(bar('2025-01-06'), 'W', NOW, 'Asia/Kolkata')).toBe(true);
    expect(isClosed(bar('2025-01-01'), 'M', NOW, 'Asia/Kolkata')).toBe(false);
    expect(isClosed(bar('2024-10-01'), 'Q', NOW, 'Asia/Kolkata')).toBe(true);
  });

  it('sizes the request as OpenAlgo’s history_window', () => {
    expect(lookbackDays('D', 100)).toBe(165);
    expect(lookbackDays('5m', 100)).toBe(7);
    expect(lookbackDays('1m', 1000)).toBe(5);
    expect(lookbackDays('W', 200)).toBe(1605);
    expect(lookbackDays('Y', 200)).toBe(4000);
  });
});

describe('priorPeriodOhlc after midnight', () => {
  it('takes “today” as the calendar date, as OpenAlgo: at 01:00 IST previous_day is yesterday', async () => {
    const broker = stubBroker({ history: () => ({ status: 'success', data: dailyBars().slice(0, -1) }) });
    const { result } = await runNode(priorPeriodOhlc, { symbol: 'NIFTY' }, { broker, now: new Date('2025-01-14T19:30:00Z') }); // 15 Jan 01:00 IST
    expect(result).toMatchObject({ date: '2025-01-14', close: 32 });
  });
});

describe('against the paper broker (1m and D candles only for custom intervals)', () => {
  it('source db gives 2m bars whose 09:15 bucket is the first two 1-minute candles, and a quarterly bar from daily ones', async () => {
    const { PaperBroker } = await import('../../src/broker/paper/index.js');
    const now = new Date('2025-01-15T05:00:00Z'); // 10:30 IST
    const broker = new PaperBroker({ now: () => now });
    const ones = await broker.history({ symbol: 'SBIN', exchange: 'NSE', interval: '1m', start_date: '2025-01-15', end_date: '2025-01-15' }, {});
    const m = ones.data!;
    const { result } = await runNode(barOffset, { symbol: 'SBIN', interval: '2m', source: 'db', offsetBars: 36 }, { broker, now });
    // 10:30 IST: 2m buckets 09:15 … 10:27 are closed (37 of them); 36 back is the first, 09:15–09:17.
    expect(result).toMatchObject({
      status: 'success', timestamp: ist('2025-01-15T09:15:00'), open: m[0].open, close: m[1].close,
      high: Math.max(m[0].high, m[1].high), low: Math.min(m[0].low, m[1].low), volume: m[0].volume + m[1].volume,
    });
    const q = await runNode(barOffset, { symbol: 'SBIN', interval: 'Q', source: 'db' }, { broker, now });
    expect(q.result).toMatchObject({ status: 'success', timestamp: Date.parse('2024-10-01T00:00:00Z') / 1000 });
    const api = await runNode(barOffset, { symbol: 'SBIN', interval: '2m' }, { broker, now });
    expect(api.result).toMatchObject({ status: 'error', message: expect.stringMatching(/unsupported interval '2m'.*Source to "db"/) });
  });
});
