// The paper market's hours: OpenAlgo sandbox rules unless it is kept always open (FLOW_PAPER_ALWAYS_OPEN).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PaperBroker } from '../../src/broker/paper/index.js';
import type { PlaceOrderRequest } from '../../src/broker/types.js';
import { startTestFlow, type TestFlow } from '../server/helpers.js';

const at = (ist: string) => new Date(`2026-11-27T${ist}:00+05:30`); // a Friday
const order = (o: Partial<PlaceOrderRequest> = {}): PlaceOrderRequest => ({
  strategy: 'test', symbol: 'SBIN', exchange: 'NSE', action: 'BUY', quantity: 10, pricetype: 'MARKET', product: 'MIS', ...o,
});
function broker(alwaysOpen?: boolean) {
  let now = at('10:00');
  const b = new PaperBroker({ now: () => now, alwaysOpen });
  return { b, set: (ist: string) => (now = at(ist)) };
}

describe('paper market hours (OpenAlgo sandbox rules)', () => {
  it('refuses an MIS order that opens a position from the NSE square-off (15:15 IST) until 09:00, naming the rule and the setting', async () => {
    const { b, set } = broker(false);
    for (const t of ['15:15', '20:00', '02:00', '08:59']) {
      set(t);
      const r = await b.placeOrder(order());
      expect(r.status, t).toBe('error');
      expect(r.message).toBe('MIS orders cannot be placed after square-off time (15:15 IST). Trading resumes at 09:00 AM IST. (paper market; FLOW_PAPER_ALWAYS_OPEN=1 keeps it open for testing)');
    }
    expect((await b.orderBook()).data!.orders).toHaveLength(0);
    set('09:00');
    expect((await b.placeOrder(order())).status).toBe('success');
  });

  it('still takes, after square-off, an MIS order that reduces a position and CNC orders, but not one that opens a new MIS position', async () => {
    const { b, set } = broker(false);
    expect((await b.placeOrder(order())).status).toBe('success');
    set('15:40');
    expect((await b.placeOrder(order({ action: 'SELL', quantity: 10 }))).status).toBe('success');
    expect((await b.placeOrder(order({ product: 'CNC' }))).status).toBe('success');
    expect((await b.placeOrder(order({ action: 'BUY', quantity: 10 }))).status).toBe('error');
  });

  it('is always open by default for a broker built in code, and when asked', async () => {
    for (const alwaysOpen of [undefined, true]) {
      const { b, set } = broker(alwaysOpen);
      set('22:00');
      expect((await b.placeOrder(order())).status).toBe('success');
      expect(b.alwaysOpen).toBe(true);
    }
  });
});

describe('GET /api/health says which paper market is on', () => {
  let open: TestFlow;
  let hours: TestFlow;
  beforeAll(async () => {
    open = await startTestFlow({ FLOW_PAPER_ALWAYS_OPEN: '1' });
    hours = await startTestFlow({ FLOW_PAPER_ALWAYS_OPEN: '0' });
  });
  afterAll(async () => Promise.all([open.stop(), hours.stop()]));

  it('always_open with FLOW_PAPER_ALWAYS_OPEN=1, sandbox_hours without it, keeping the other fields', async () => {
    expect((await open.api('GET', '/api/health')).body).toMatchObject({ status: 'ok', broker: 'paper', paperMarket: 'always_open' });
    expect((await hours.api('GET', '/api/health')).body).toMatchObject({ status: 'ok', broker: 'paper', killSwitch: false, paperMarket: 'sandbox_hours' });
  });
});
