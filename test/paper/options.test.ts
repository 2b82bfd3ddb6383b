import { afterEach, describe, expect, it } from 'vitest';
import { PaperBroker } from '../../src/broker/paper/index.js';

const ist = (wall: string) => new Date(`${wall}+05:30`);
const broker = (wall: string) => new PaperBroker({ now: () => ist(wall) });
const originalTz = process.env.TZ;
afterEach(() => {
  if (originalTz === undefined) delete process.env.TZ; else process.env.TZ = originalTz;
});

describe('paper market: expiries', () => {
  for (const tz of ['UTC', 'America/Los_Angeles', 'Pacific/Kiritimati']) {
    it(`NIFTY weeklies fall on Tuesdays in IST, whatever the process TZ (${tz})`, async () => {
      process.env.TZ = tz;
      // 20:00 UTC on Monday 24 Nov is already 01:30 on Tuesday 25 Nov in IST: the 25th is still live.
      const b = new PaperBroker({ now: () => new Date('2025-11-24T20:00:00Z') });
      const r = await b.expiry({ symbol: 'NIFTY', exchange: 'NFO', instrumenttype: 'options' });
      expect(r.data!.slice(0, 3)).toEqual(['25-NOV-25', '02-DEC-25', '09-DEC-25']);
      expect(r.data!.length).toBeGreaterThanOrEqual(8 + 1);
    });
  }

  it('an expiry stops being listed at 15:30 IST on its day', async () => {
    const before = await broker('2025-11-25T15:29:00').expiry({ symbol: 'NIFTY', exchange: 'NFO', instrumenttype: 'options' });
    const after = await broker('2025-11-25T15:31:00').expiry({ symbol: 'NIFTY', exchange: 'NFO', instrumenttype: 'options' });
    expect(before.data![0]).toBe('25-NOV-25');
    expect(after.data![0]).toBe('02-DEC-25');
  });

  it('the lists are ascending: weeklies and monthlies for NIFTY and SENSEX, monthlies for the rest', async () => {
    const b = broker('2025-11-20T10:00:00');
    const sensex = (await b.expiry({ symbol: 'SENSEX', exchange: 'BFO', instrumenttype: 'options' })).data!;
    expect(sensex.slice(0, 2)).toEqual(['20-NOV-25', '27-NOV-25']);
    expect(sensex).toContain('24-DEC-25'); // Thursday 25 Dec is Christmas: the expiry moves to Wednesday
    const bank = (await b.expiry({ symbol: 'BANKNIFTY', exchange: 'NFO', instrumenttype: 'options' })).data!;
    expect(bank).toEqual(['25-NOV-25', '30-DEC-25', '27-JAN-26']);
    const bankex = (await b.expiry({ symbol: 'BANKEX', exchange: 'BFO', instrumenttype: 'futures' })).data!;
    expect(bankex).toEqual(['27-NOV-25', '24-DEC-25', '29-JAN-26']);
    const nifty = (await b.expiry({ symbol: 'NIFTY', exchange: 'NFO', instrumenttype: 'options' })).data!;
    const days = nifty.map((d) => Date.parse(d.replace(/-(\d\d)$/, '-20$1')));
    expect([...days].sort((x, y) => x - y)).toEqual(days);
    expect(nifty).toContain('27-JAN-26');
  });

  it('asking on the wrong exchange or for an underlying without F&O is an error', async () => {
    const b = broker('2025-11-20T10:00:00');
    expect((await b.expiry({ symbol: 'SENSEX', exchange: 'NFO', instrumenttype: 'options' })).message).toMatch(/BFO/);
    expect((await b.expiry({ symbol: 'YESBANK', exchange: 'NFO', instrumenttype: 'options' })).status).toBe('error');
  });
});

describe('paper market: option symbols by offset', () => {
  const request = { underlying: 'NIFTY', exchange: 'NSE_INDEX', expiry_date: '25NOV25' } as const;

  it('ATM is the strike nearest the LTP; ITM calls are below it and ITM puts above', async () => {
    const b = broker('2025-11-20T10:30:00');
    b.setPrice('NIFTY', 'NSE_INDEX', 24012.35);
    const resolve = async (offset: string, option_type: 'CE' | 'PE') => (await b.optionSymbol({ ...request, offset, option_type })).symbol;
    expect(await b.optionSymbol({ ...request, offset: 'ATM', option_type: 'CE' })).toEqual({
      status: 'success', symbol: 'NIFTY25NOV2524000CE', exchange: 'NFO', lotsize: 65, tick_size: 0.05, freeze_qty: 1800,
      underlying_ltp: 24012.35, mode: 'analyze',
    });
    expect(await resolve('ITM2', 'CE')).toBe('NIFTY25NOV2523900CE');
    expect(await resolve('OTM1', 'CE')).toBe('NIFTY25NOV2524050CE');
    expect(await resolve('ITM2', 'PE')).toBe('NIFTY25NOV2524100PE');
    expect(await resolve('OTM3', 'PE')).toBe('NIFTY25NOV2523850PE');
  });

  it('without a set price, ATM follows the simulated LTP and the strike step', async () => {
    const b = broker('2025-11-20T10:30:00');
    const ltp = (await b.quotes({ symbol: 'BANKNIFTY', exchange: 'NSE_INDEX' })).data!.ltp;
    const r = await b.optionSymbol({ underlying: 'BANKNIFTY', exchange: 'NSE_INDEX', expiry_date: '25NOV25', offset: 'ATM', option_type: 'PE' });
    expect(r.symbol).toBe(`BANKNIFTY25NOV25${Math.round(ltp / 100) * 100}PE`);
    expect(r.underlying_ltp).toBe(ltp);
  });

  it('SENSEX options resolve on BFO', async () => {
    const b = broker('2025-11-20T10:30:00');
    b.setPrice('SENSEX', 'BSE_INDEX', 84549);
    const r = await b.optionSymbol({ underlying: 'SENSEX', exchange: 'BSE_INDEX', expiry_date: '27NOV25', offset: 'ATM', option_type: 'CE' });
    expect(r).toMatchObject({ symbol: 'SENSEX27NOV2584500CE', exchange: 'BFO', lotsize: 20 });
  });

  it('a bad offset, a past expiry or a mismatched exchange is refused with a reason', async () => {
    const b = broker('2025-11-20T10:30:00');
    expect((await b.optionSymbol({ ...request, offset: 'ITM51', option_type: 'CE' })).message).toMatch(/offset/);
    expect((await b.optionSymbol({ ...request, expiry_date: '18NOV25', offset: 'ATM', option_type: 'CE' })).message).toMatch(/has passed/);
    expect((await b.optionSymbol({ ...request, exchange: 'BSE_INDEX', offset: 'ATM', option_type: 'CE' })).message).toMatch(/NSE_INDEX/);
    expect((await b.optionSymbol({ ...request, expiry_date: '2025-11-25', offset: 'ATM', option_type: 'CE' })).message).toMatch(/28NOV25/);
  });

  it('optionChain labels strikes around ATM and prices both sides', async () => {
    const b = broker('2025-11-20T10:30:00');
    b.setPrice('NIFTY', 'NSE_INDEX', 24012.35);
    const r = await b.optionChain({ ...request, strike_count: 2 });
    expect(r).toMatchObject({ status: 'success', underlying: 'NIFTY', underlying_ltp: 24012.35, atm_strike: 24000, expiry_date: '25NOV25' });
    expect(r.chain!.map((s) => s.strike)).toEqual([23900, 23950, 24000, 24050, 24100]);
    expect(r.chain!.map((s) => s.ce!.label)).toEqual(['ITM2', 'ITM1', 'ATM', 'OTM1', 'OTM2']);
    expect(r.chain!.map((s) => s.pe!.label)).toEqual(['OTM2', 'OTM1', 'ATM', 'ITM1', 'ITM2']);
    expect(r.chain![0].ce!.lotsize).toBe(65);
    const q = await b.quotes({ symbol: r.chain![2].ce!.symbol, exchange: 'NFO' });
    expect(r.chain![2].ce!.ltp).toBe(q.data!.ltp);
  });
});

describe('paper account: options orders', () => {
  it('optionsOrder resolves the symbol and answers it with the underlying LTP', async () => {
    const b = broker('2025-11-20T10:30:00');
    b.setPrice('NIFTY', 'NSE_INDEX', 24012.35);
    const r = await b.optionsOrder({
      strategy: 's', underlying: 'NIFTY', exchange: 'NSE_INDEX', expiry_date: '25NOV25', offset: 'ITM1', option_type: 'CE',
      action: 'BUY', quantity: 130, pricetype: 'MARKET', product: 'NRML',
    });
    expect(r).toMatchObject({
      status: 'success', symbol: 'NIFTY25NOV2523950CE', exchange: 'NFO', offset: 'ITM1', option_type: 'CE',
      underlying: 'NIFTY', underlying_ltp: 24012.35, mode: 'analyze',
    });
    expect(r.orderid).toMatch(/^251120\d{8}$/);
    const pos = await b.openPosition({ strategy: 's', symbol: 'NIFTY25NOV2523950CE', exchange: 'NFO', product: 'NRML' });
    expect(pos.quantity).toBe('130');
  });

  it('F&O quantities must be whole lots and within the freeze quantity', async () => {
    const b = broker('2025-11-20T10:30:00');
    const base = { strategy: 's', underlying: 'NIFTY', exchange: 'NSE_INDEX', expiry_date: '25NOV25', offset: 'ATM', option_type: 'CE', action: 'BUY', pricetype: 'MARKET', product: 'NRML' } as const;
    expect((await b.optionsOrder({ ...base, quantity: 50 })).message).toMatch(/not a multiple of the lot size 65/);
    expect((await b.optionsOrder({ ...base, quantity: 65 * 29 })).message).toMatch(/freeze quantity 1800/);
    expect((await b.placeOrder({ strategy: 's', symbol: 'BANKNIFTY25NOV25FUT', exchange: 'NFO', action: 'BUY', quantity: 45, pricetype: 'MARKET', product: 'NRML' })).message).toMatch(/lot size 30/);
    expect((await b.orderBook()).data!.orders).toHaveLength(0);
  });

  it('optionsOrder with splitsize places whole-lot chunks', async () => {
    const b = broker('2025-11-20T10:30:00');
    const r = await b.optionsOrder({
      strategy: 's', underlying: 'NIFTY', exchange: 'NSE_INDEX', expiry_date: '25NOV25', offset: 'ATM', option_type: 'PE',
      action: 'BUY', quantity: 65 * 30, pricetype: 'MARKET', product: 'NRML', splitsize: 65 * 10,
    });
    expect(r.status).toBe('success');
    expect((r.results as unknown[]).length).toBe(3);
    expect((await b.orderBook()).data!.orders.map((o) => o.quantity)).toEqual([650, 650, 650]);
  });

  it('optionsMultiOrder places BUY legs first and resolves every leg against one LTP', async () => {
    const b = broker('2025-11-20T10:30:00');
    b.setPrice('NIFTY', 'NSE_INDEX', 24012.35);
    const r = await b.optionsMultiOrder({
      strategy: 'condor', underlying: 'NIFTY', exchange: 'NSE_INDEX', expiry_date: '25NOV25',
      legs: [
        { offset: 'OTM4', option_type: 'CE', action: 'SELL', quantity: 65 },
        { offset: 'OTM6', option_type: 'CE', action: 'BUY', quantity: 65 },
        { offset: 'OTM4', option_type: 'PE', action: 'SELL', quantity: 65 },
        { offset: 'OTM6', option_type: 'PE', action: 'BUY', quantity: 65 },
      ],
    });
    expect(r).toMatchObject({ status: 'success', underlying: 'NIFTY', underlying_ltp: 24012.35 });
    expect(r.results!.map((x) => [x.leg, x.action, x.symbol, x.status])).toEqual([
      [2, 'BUY', 'NIFTY25NOV2524300CE', 'success'],
      [4, 'BUY', 'NIFTY25NOV2523700PE', 'success'],
      [1, 'SELL', 'NIFTY25NOV2524200CE', 'success'],
      [3, 'SELL', 'NIFTY25NOV2523800PE', 'success'],
    ]);
    const book = (await b.orderBook()).data!.orders;
    expect(book.map((o) => o.action)).toEqual(['BUY', 'BUY', 'SELL', 'SELL']);
    expect(book.map((o) => o.product)).toEqual(['NRML', 'NRML', 'NRML', 'NRML']);
  });

  it('a bad leg fails alone; an unknown underlying fails the request', async () => {
    const b = broker('2025-11-20T10:30:00');
    const r = await b.optionsMultiOrder({
      strategy: 's', underlying: 'NIFTY', exchange: 'NSE_INDEX', expiry_date: '25NOV25',
      legs: [{ offset: 'ATM', option_type: 'CE', action: 'BUY', quantity: 65 }, { offset: 'ATM', option_type: 'PE', action: 'BUY', quantity: 10 }],
    });
    expect(r.status).toBe('success');
    expect(r.results!.map((x) => x.status)).toEqual(['success', 'error']);
    expect(r.results![1].message).toMatch(/lot size/);
    const bad = await b.optionsMultiOrder({ strategy: 's', underlying: 'NOPE', exchange: 'NSE_INDEX', expiry_date: '25NOV25', legs: [{ offset: 'ATM', option_type: 'CE', action: 'BUY', quantity: 65 }] });
    expect(bad).toMatchObject({ status: 'error', message: 'unknown underlying NOPE' });
  });

  it('an order on an expired contract is refused', async () => {
    const b = broker('2025-11-26T10:00:00');
    const r = await b.placeOrder({ strategy: 's', symbol: 'NIFTY25NOV2524000CE', exchange: 'NFO', action: 'BUY', quantity: 65, pricetype: 'MARKET', product: 'NRML' });
    expect(r).toMatchObject({ status: 'error', message: 'NIFTY25NOV2524000CE expired on 25-NOV-25' });
  });
});
