import { describe, expect, it } from 'vitest';
import { createGuard } from '../../src/runtime/guard.js';

const base = { killSwitch: () => false, now: () => new Date('2026-11-26T05:00:00Z'), timezone: 'Asia/Kolkata', ordersSince: () => 0 };
const order = (request: Record<string, unknown>, ordersThisRun = 0, method: 'placeOrder' | 'cancelAllOrders' | 'basketOrder' = 'placeOrder') =>
  ({ method, request, nodeId: 'n', ordersThisRun });

describe('risk limits', () => {
  it('the kill switch refuses new orders but lets cancels and square-offs through', async () => {
    const guard = createGuard({ ...base, limits: {}, killSwitch: () => true });
    expect(await guard(order({ quantity: 1 }))).toMatch(/kill switch/);
    expect(await guard(order({}, 0, 'cancelAllOrders'))).toBeNull();
  });

  it('maxQuantityPerOrder looks at every row of a basket', async () => {
    const guard = createGuard({ ...base, limits: { maxQuantityPerOrder: 10 } });
    expect(await guard(order({ quantity: 10 }))).toBeNull();
    expect(await guard(order({ orders: [{ quantity: 5 }, { quantity: 11 }] }, 0, 'basketOrder'))).toBe('maxQuantityPerOrder 10 exceeded (quantity 11)');
  });

  it('maxOrdersPerRun counts the orders already sent in this run', async () => {
    const guard = createGuard({ ...base, limits: { maxOrdersPerRun: 2 } });
    expect(await guard(order({ quantity: 1 }, 1))).toBeNull();
    expect(await guard(order({ quantity: 1 }, 2))).toBe('maxOrdersPerRun 2 reached in this run');
  });

  it('maxOrdersPerDay counts from midnight IST', async () => {
    const seen: number[] = [];
    const guard = createGuard({ ...base, limits: { maxOrdersPerDay: 3 }, ordersSince: (since) => (seen.push(since), 3) });
    expect(await guard(order({ quantity: 1 }))).toBe('maxOrdersPerDay 3 reached (3 today)');
    expect(new Date(seen[0]).toISOString()).toBe('2026-11-25T18:30:00.000Z'); // 00:00 IST on the 26th
  });
});
