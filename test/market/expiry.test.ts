import { describe, expect, it } from 'vitest';
import { apiExpiry, exchangesFor, parseExpiry, pickExpiry } from '../../src/market/expiry.js';
import { parseExpiryDate } from '../../src/broker/paper/clock.js';

describe('expiry presets', () => {
  const list = ['16-JAN-25', '23-JAN-25', '30-JAN-25', '06-FEB-25', '27-FEB-25', '27-MAR-25'];
  it('current_week is the first, next_week the second', () => {
    expect(pickExpiry(list, 'current_week', '2025-01-15')).toBe('16-JAN-25');
    expect(pickExpiry(list, 'next_week', '2025-01-15')).toBe('23-JAN-25');
  });
  it("current_month is the last expiry in today's calendar month, next_month the last of the following month (OpenAlgo _resolve_expiry_date)", () => {
    expect(pickExpiry(list, 'current_month', '2025-01-15')).toBe('30-JAN-25');
    expect(pickExpiry(list, 'next_month', '2025-01-15')).toBe('27-FEB-25');
    // On 31 January the January contracts have expired: current_month has none, next_month is February's.
    expect(pickExpiry(list, 'current_month', '2025-01-31')).toBeNull();
    expect(pickExpiry(list, 'next_month', '2025-01-31')).toBe('27-FEB-25');
  });
  it('never picks an expiry that is already past, and sorts an unsorted list', () => {
    expect(pickExpiry(['23-JAN-25', '09-JAN-25', '16-JAN-25'], 'current_week', '2025-01-15')).toBe('16-JAN-25');
    expect(pickExpiry(['30-DEC-24'], 'next_month', '2025-01-15')).toBeNull();
  });
  it('converts to the API form', () => {
    expect(apiExpiry('28-NOV-24')).toBe('28NOV24');
    expect(apiExpiry('28-nov-2024')).toBe('28NOV24');
  });
});

describe('expiry text', () => {
  it('reads the list form, the symbol form and a four-digit year', () => {
    expect(parseExpiry('28-NOV-24')).toBe('2024-11-28');
    expect(parseExpiry('28NOV24')).toBe('2024-11-28');
    expect(parseExpiry(' 3-Feb-2026 ')).toBe('2026-02-03');
  });
  it('refuses what is not a real date, so a typo never resolves to a contract', () => {
    expect(parseExpiry('31-APR-26')).toBeNull();
    expect(parseExpiry('29-FEB-25')).toBeNull();
    expect(parseExpiry('29-FEB-24')).toBe('2024-02-29');
    expect(parseExpiry('00-JAN-26')).toBeNull();
    expect(parseExpiry('12-XYZ-26')).toBeNull();
    expect(apiExpiry('31-APR-26')).toBe('31APR26'); // passed through as written: the broker answers for it
  });
  it('the paper broker reads expiries with the same rule', () => {
    expect(parseExpiryDate('31-APR-26')).toBeNull();
    expect(parseExpiryDate('28NOV24')).toBe(Date.UTC(2024, 10, 28) / 86_400_000);
  });
});

describe('where options trade', () => {
  it('SENSEX, BANKEX and SENSEX50 on BFO over BSE_INDEX; NSE indices on NFO over NSE_INDEX; stocks over NSE', () => {
    expect(exchangesFor('SENSEX')).toEqual({ underlyingExchange: 'BSE_INDEX', foExchange: 'BFO' });
    expect(exchangesFor('BANKEX')).toEqual({ underlyingExchange: 'BSE_INDEX', foExchange: 'BFO' });
    expect(exchangesFor('NIFTY')).toEqual({ underlyingExchange: 'NSE_INDEX', foExchange: 'NFO' });
    expect(exchangesFor('RELIANCE')).toEqual({ underlyingExchange: 'NSE', foExchange: 'NFO' });
  });
});
