import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PaperBroker } from '../../src/broker/paper/index.js';
import { formatStrike, futureSymbol, optionSymbol, parseDerivativeSymbol, resolveInstrument } from '../../src/broker/paper/instruments.js';
import { dayFromYmd } from '../../src/broker/paper/clock.js';

const ist = (wall: string) => new Date(`${wall}+05:30`);
const broker = (wall = '2025-11-20T10:30:00', seed?: number) => new PaperBroker({ now: () => ist(wall), seed });

describe('paper market: prices', () => {
  it('the same seed and time give the same quote; another seed or minute gives another', async () => {
    const a = await broker('2025-11-20T10:30:00').quotes({ symbol: 'RELIANCE', exchange: 'NSE' });
    const b = await broker('2025-11-20T10:30:00').quotes({ symbol: 'RELIANCE', exchange: 'NSE' });
    const c = await broker('2025-11-20T10:30:00', 7).quotes({ symbol: 'RELIANCE', exchange: 'NSE' });
    const d = await broker('2025-11-20T11:45:00').quotes({ symbol: 'RELIANCE', exchange: 'NSE' });
    expect(a).toEqual(b);
    expect(a.status).toBe('success');
    expect(a.mode).toBe('analyze');
    expect(c.data?.ltp).not.toBe(a.data?.ltp);
    expect(d.data?.ltp).not.toBe(a.data?.ltp);
  });

  it('prices stay near the base price and stand still outside the session', async () => {
    const q = await broker('2025-11-20T10:30:00').quotes({ symbol: 'SBIN', exchange: 'NSE' });
    expect(q.data!.ltp).toBeGreaterThan(870 * 0.7);
    expect(q.data!.ltp).toBeLessThan(870 * 1.3);
    const close = await broker('2025-11-20T15:29:30').quotes({ symbol: 'SBIN', exchange: 'NSE' });
    const evening = await broker('2025-11-20T21:00:00').quotes({ symbol: 'SBIN', exchange: 'NSE' });
    const nextDawn = await broker('2025-11-21T08:00:00').quotes({ symbol: 'SBIN', exchange: 'NSE' });
    const saturday = await broker('2025-11-22T12:00:00').quotes({ symbol: 'SBIN', exchange: 'NSE' });
    expect(evening.data).toEqual(close.data);
    expect(nextDawn.data).toEqual(close.data);
    const friday = await broker('2025-11-21T15:29:00').quotes({ symbol: 'SBIN', exchange: 'NSE' });
    expect(saturday.data).toEqual(friday.data);
  });

  it('every quote is consistent: low ≤ open, ltp ≤ high and bid < ltp < ask by one tick', () => {
    const symbols: Array<[string, string]> = [
      ['NIFTY', 'NSE_INDEX'], ['SENSEX', 'BSE_INDEX'], ['SBIN', 'NSE'], ['YESBANK', 'BSE'], ['TCS', 'NSE'],
      ['NIFTY25NOV2524000CE', 'NFO'], ['NIFTY25NOV2530000PE', 'NFO'], ['BANKNIFTY30DEC25FUT', 'NFO'], ['SENSEX27NOV2585000CE', 'BFO'],
    ];
    const start = ist('2025-11-03T09:00:00').getTime();
    return fc.assert(fc.asyncProperty(fc.constantFrom(...symbols), fc.integer({ min: 0, max: 20 * 86_400 }), async ([symbol, exchange], secs) => {
      const b = new PaperBroker({ now: () => new Date(start + secs * 1000) });
      const q = (await b.quotes({ symbol, exchange })).data!;
      expect(q.low).toBeLessThanOrEqual(Math.min(q.open, q.ltp));
      expect(q.high).toBeGreaterThanOrEqual(Math.max(q.open, q.ltp));
      expect(q.bid).toBeLessThan(q.ltp);
      expect(q.ask).toBeGreaterThan(q.ltp);
      expect(Math.round((q.ask - q.bid) * 100)).toBe(10);
      expect(q.bid).toBeGreaterThan(0);
      expect(q.prev_close).toBeGreaterThan(0);
    }), { numRuns: 150 });
  });

  it('setPrice moves one instrument; options follow their underlying and are never negative', async () => {
    const b = broker();
    b.setPrice('NIFTY', 'NSE_INDEX', 24012.35);
    expect((await b.quotes({ symbol: 'NIFTY', exchange: 'NSE_INDEX' })).data!.ltp).toBe(24012.35);
    const ltp = async (s: string) => (await b.quotes({ symbol: s, exchange: 'NFO' })).data!.ltp;
    const ce = [await ltp('NIFTY25NOV2523500CE'), await ltp('NIFTY25NOV2524000CE'), await ltp('NIFTY25NOV2524500CE'), await ltp('NIFTY25NOV2530000CE')];
    const pe = [await ltp('NIFTY25NOV2518000PE'), await ltp('NIFTY25NOV2523500PE'), await ltp('NIFTY25NOV2524000PE'), await ltp('NIFTY25NOV2524500PE')];
    expect(ce[0]).toBeGreaterThanOrEqual(24012.35 - 23500);
    for (let i = 1; i < 4; i++) expect(ce[i]).toBeLessThan(ce[i - 1]);
    for (let i = 1; i < 4; i++) expect(pe[i]).toBeGreaterThan(pe[i - 1]);
    expect(Math.min(...ce, ...pe)).toBeGreaterThan(0);
    const fut = await ltp('NIFTY25NOV25FUT');
    expect(fut).toBeGreaterThan(24012.35);
    expect(fut).toBeLessThan(24012.35 * 1.01);
  });

  it('depth has five levels a side around the touch, with totals', async () => {
    const b = broker();
    const d = (await b.depth({ symbol: 'INFY', exchange: 'NSE' })).data!;
    const q = (await b.quotes({ symbol: 'INFY', exchange: 'NSE' })).data!;
    expect(d.asks).toHaveLength(5);
    expect(d.bids).toHaveLength(5);
    expect(d.asks[0].price).toBe(q.ask);
    expect(d.bids[0].price).toBe(q.bid);
    for (let i = 1; i < 5; i++) {
      expect(d.asks[i].price).toBeGreaterThan(d.asks[i - 1].price);
      expect(d.bids[i].price).toBeLessThan(d.bids[i - 1].price);
    }
    expect(d.totalbuyqty).toBe(d.bids.reduce((n, l) => n + l.quantity, 0));
    expect(d.totalsellqty).toBe(d.asks.reduce((n, l) => n + l.quantity, 0));
  });

  it('multiQuotes answers each symbol, with an error for an unknown one', async () => {
    const r = await broker().multiQuotes({ symbols: [{ symbol: 'SBIN', exchange: 'NSE' }, { symbol: 'NOPE', exchange: 'NSE' }] });
    expect(r.status).toBe('success');
    expect(r.results![0].data!.ltp).toBeGreaterThan(0);
    expect(r.results![1].error).toMatch(/unknown symbol NOPE/);
  });

  it('an unknown symbol or exchange is a business error, not an exception', async () => {
    const b = broker();
    expect(await b.quotes({ symbol: 'NOPE', exchange: 'NSE' })).toMatchObject({ status: 'error', mode: 'analyze' });
    expect((await b.quotes({ symbol: 'GOLD', exchange: 'MCX' })).message).toMatch(/no instruments on MCX/);
    expect((await b.quotes({ symbol: 'NIFTY25NOV2524010CE', exchange: 'NFO' })).message).toMatch(/strike grid/);
    expect((await b.quotes({ symbol: 'SENSEX27NOV2585000CE', exchange: 'NFO' })).message).toMatch(/trades on BFO/);
  });
});

describe('paper market: history', () => {
  it('intraday candles cover only the 09:15–15:30 IST session of trading days', async () => {
    const b = broker('2025-11-24T12:00:00');
    const r = await b.history({ symbol: 'SBIN', exchange: 'NSE', interval: '5m', start_date: '2025-11-20', end_date: '2025-11-23' });
    const candles = r.data!;
    expect(candles).toHaveLength(2 * 75); // Thursday and Friday; the weekend has none
    for (const c of candles) {
      const wall = new Date(c.timestamp * 1000 + 330 * 60_000);
      const minute = wall.getUTCHours() * 60 + wall.getUTCMinutes();
      expect(minute).toBeGreaterThanOrEqual(9 * 60 + 15);
      expect(minute).toBeLessThan(15 * 60 + 30);
      expect(c.low).toBeLessThanOrEqual(Math.min(c.open, c.close));
      expect(c.high).toBeGreaterThanOrEqual(Math.max(c.open, c.close));
    }
    expect(candles[0].timestamp).toBe(ist('2025-11-20T09:15:00').getTime() / 1000);
  });

  it('never answers candles from the future, and the last close is the current LTP', async () => {
    const b = broker('2025-11-20T10:32:20');
    const r = await b.history({ symbol: 'TCS', exchange: 'NSE', interval: '1m', start_date: '2025-11-20', end_date: '2025-11-30' });
    const last = r.data![r.data!.length - 1];
    expect(last.timestamp).toBe(ist('2025-11-20T10:32:00').getTime() / 1000);
    expect(r.data).toHaveLength(78);
    expect(last.close).toBe((await b.quotes({ symbol: 'TCS', exchange: 'NSE' })).data!.ltp);
  });

  it('daily candles are stamped at IST midnight, skip holidays, and open at the quote open', async () => {
    const b = broker('2025-10-24T10:00:00');
    const r = await b.history({ symbol: 'NIFTY', exchange: 'NSE_INDEX', interval: 'D', start_date: '2025-10-20', end_date: '2025-10-24' });
    const days = r.data!.map((c) => new Date(c.timestamp * 1000 + 330 * 60_000).toISOString().slice(0, 10));
    expect(days).toEqual(['2025-10-20', '2025-10-23', '2025-10-24']); // 21st and 22nd are Diwali holidays
    expect(r.data![2].open).toBe((await b.quotes({ symbol: 'NIFTY', exchange: 'NSE_INDEX' })).data!.open);
    const weekly = await b.history({ symbol: 'NIFTY', exchange: 'NSE_INDEX', interval: 'W', start_date: '2025-10-01', end_date: '2025-10-24' });
    expect(weekly.data!.length).toBe(4);
  });

  it('an unsupported interval or a malformed date is refused', async () => {
    const b = broker();
    expect((await b.history({ symbol: 'SBIN', exchange: 'NSE', interval: '2m', start_date: '2025-11-01', end_date: '2025-11-02' })).message).toMatch(/unsupported interval/);
    expect((await b.history({ symbol: 'SBIN', exchange: 'NSE', interval: 'D', start_date: '01-11-2025', end_date: '2025-11-02' })).status).toBe('error');
  });
});

describe('paper market: symbols and calendar', () => {
  it('OpenAlgo symbols parse and print both ways, decimals included', () => {
    expect(parseDerivativeSymbol('NIFTY28NOV2424000CE')).toEqual({ underlying: 'NIFTY', expiryDay: dayFromYmd(2024, 11, 28), type: 'CE', strike: 24000 });
    expect(parseDerivativeSymbol('VEDL25APR24292.5CE')).toMatchObject({ underlying: 'VEDL', strike: 292.5, type: 'CE' });
    expect(parseDerivativeSymbol('BANKNIFTY24APR24FUT')).toMatchObject({ underlying: 'BANKNIFTY', type: 'FUT' });
    expect(parseDerivativeSymbol('SENSEX5028NOV2527000PE')).toMatchObject({ underlying: 'SENSEX50', strike: 27000, type: 'PE' });
    expect(parseDerivativeSymbol('NIFTY31FEB2524000CE')).toBeNull();
    expect(optionSymbol('VEDL', dayFromYmd(2024, 4, 25), 292.5, 'CE')).toBe('VEDL25APR24292.5CE');
    expect(futureSymbol('BANKNIFTY', dayFromYmd(2024, 4, 24))).toBe('BANKNIFTY24APR24FUT');
    expect(formatStrike(24000)).toBe('24000');
  });

  it('symbol answers lot size, tick, expiry, strike and instrument type', async () => {
    const b = broker();
    expect((await b.symbol({ symbol: 'NIFTY25NOV2526000CE', exchange: 'NFO' })).data).toMatchObject({
      symbol: 'NIFTY25NOV2526000CE', name: 'NIFTY', exchange: 'NFO', instrumenttype: 'CE', expiry: '25-NOV-25', strike: 26000, lotsize: 65, tick_size: 0.05,
    });
    expect((await b.symbol({ symbol: 'SENSEX27NOV25FUT', exchange: 'BFO' })).data).toMatchObject({ instrumenttype: 'FUT', lotsize: 20 });
    expect((await b.symbol({ symbol: 'RELIANCE', exchange: 'NSE' })).data).toMatchObject({ instrumenttype: 'EQ', lotsize: 1, expiry: '' });
    expect((await b.symbol({ symbol: 'BANKEX', exchange: 'BSE_INDEX' })).data).toMatchObject({ instrumenttype: 'INDEX' });
    const lots = Object.fromEntries(['NIFTY', 'BANKNIFTY', 'FINNIFTY', 'MIDCPNIFTY', 'NIFTYNXT50', 'SENSEX', 'BANKEX', 'SENSEX50'].map((u) => {
      const ex = ['SENSEX', 'BANKEX', 'SENSEX50'].includes(u) ? 'BFO' : 'NFO';
      const r = resolveInstrument(`${u}25DEC25FUT`, ex);
      return [u, r.ok ? r.instrument.lotSize : 0];
    }));
    expect(lots).toEqual({ NIFTY: 65, BANKNIFTY: 30, FINNIFTY: 60, MIDCPNIFTY: 120, NIFTYNXT50: 25, SENSEX: 20, BANKEX: 30, SENSEX50: 25 });
  });

  it('intervals, holidays, timings, ping and telegram answer like OpenAlgo', async () => {
    const b = broker();
    expect((await b.intervals()).data!.minutes).toContain('5m');
    expect((await b.holidays({ year: 2026 })).data!.map((h) => h.date)).toContain('2026-01-26');
    const t = await b.timings({ date: '2025-12-19' });
    expect(t.data![0]).toEqual({ exchange: 'NSE', start_time: 1766115900000, end_time: 1766138400000 });
    expect((await b.timings({ date: '2025-12-20' })).data).toEqual([]);
    expect(await b.ping()).toEqual({ status: 'success', data: { message: 'pong', broker: 'paper' }, mode: 'analyze' });
    expect(await b.telegram({ username: 'u', message: 'm' })).toEqual({ status: 'error', message: 'telegram is not available on the paper broker', mode: 'analyze' });
  });
});
