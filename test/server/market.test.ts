// GET /api/market/search and /api/market/quotes on the paper broker: results with lot size and LTP,
// quotes of a few symbols (an unknown one answered with its error), bad lists refused with 400.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSymbols } from '../../src/server/routes/market.js';
import { startTestFlow, type TestFlow } from './helpers.js';

let flow: TestFlow;
beforeAll(async () => {
  flow = await startTestFlow();
});
afterAll(async () => {
  await flow?.stop();
});

describe('GET /api/market/search', () => {
  it('finds an equity on NSE and BSE with its lot size and LTP, best match first', async () => {
    const r = await flow.api('GET', '/api/market/search?query=sbin');
    expect(r.status).toBe(200);
    const first = r.body.results[0];
    expect(first).toMatchObject({ symbol: 'SBIN', exchange: 'NSE', lotSize: 1 });
    expect(first.ltp).toBeGreaterThan(0);
    expect(r.body.results.map((s: { exchange: string }) => s.exchange)).toContain('BSE');
  });

  it('narrows to one exchange: the index future on NFO', async () => {
    const r = await flow.api('GET', '/api/market/search?query=NIFTY&exchange=NFO');
    expect(r.status).toBe(200);
    expect(r.body.results.length).toBeGreaterThan(0);
    for (const s of r.body.results) expect(s.exchange).toBe('NFO');
    expect(r.body.results[0].symbol).toMatch(/^NIFTY\d{2}[A-Z]{3}\d{2}FUT$/);
    expect(r.body.results[0].lotSize).toBeGreaterThan(1);
  });

  it('answers nothing found as an empty list, and refuses a bad exchange', async () => {
    expect((await flow.api('GET', '/api/market/search?query=ZZZNOTHING')).body.results).toEqual([]);
    expect((await flow.api('GET', '/api/market/search?query=SBIN&exchange=nse;drop')).status).toBe(400);
    expect((await flow.api('GET', '/api/market/search')).status).toBe(400);
  });
});

describe('GET /api/market/quotes', () => {
  it('gives the LTP of each symbol asked, and an error for one the broker does not know', async () => {
    const r = await flow.api('GET', '/api/market/quotes?symbols=NSE:SBIN,NSE_INDEX:NIFTY,NSE:NOSUCHSCRIP');
    expect(r.status).toBe(200);
    const [sbin, nifty, none] = r.body.quotes;
    expect(sbin).toMatchObject({ symbol: 'SBIN', exchange: 'NSE' });
    expect(sbin.ltp).toBeGreaterThan(0);
    expect(nifty.ltp).toBeGreaterThan(1000);
    expect(none).toMatchObject({ symbol: 'NOSUCHSCRIP', ltp: null });
    expect(none.error).toMatch(/NOSUCHSCRIP/);
  });

  it('refuses a list that is not EXCHANGE:SYMBOL or is too long', async () => {
    expect((await flow.api('GET', '/api/market/quotes?symbols=SBIN')).status).toBe(400);
    const many = Array.from({ length: 51 }, (_, i) => `NSE:S${i}`).join(',');
    const r = await flow.api('GET', `/api/market/quotes?symbols=${many}`);
    expect(r.status).toBe(400);
    expect(r.body.error.message).toContain('at most 50');
  });

  it('parses symbols upper-cased and keeps their order', () => {
    expect(parseSymbols('NSE:sbin, NFO:NIFTY28NOV2424000CE')).toEqual([{ exchange: 'NSE', symbol: 'SBIN' }, { exchange: 'NFO', symbol: 'NIFTY28NOV2424000CE' }]);
  });
});
