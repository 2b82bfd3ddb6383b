// Risk limits (DESIGN.md §6): the kill switch and per-workflow order limits, checked before an
// order intent is recorded. A refusal fails the node with the limit's name; nothing is sent.

import type { OrderGuard } from '../engine/types.js';
import { zonedDate, zonedTimeToDate } from '../engine/time.js';
import type { RiskLimits } from '../store/types.js';

export interface GuardDeps {
  killSwitch(): boolean;
  limits: RiskLimits;
  /** Orders this workflow sent since an instant (ms), for maxOrdersPerDay (a store read). */
  ordersSince(sinceMs: number): number | Promise<number>;
  now(): Date;
  timezone: string;
}

/** The quantities an order request would trade (basket rows and legs count one by one). */
function quantities(request: Record<string, unknown>): number[] {
  const out: number[] = [];
  const q = Number(request.quantity);
  if (Number.isFinite(q)) out.push(q);
  for (const list of [request.orders, request.legs]) {
    if (Array.isArray(list)) for (const row of list) {
      const n = Number((row as Record<string, unknown>)?.quantity);
      if (Number.isFinite(n)) out.push(n);
    }
  }
  return out;
}

/** Methods that only reduce risk: never refused by limits (the kill switch still stops new orders). */
const CLOSING = new Set(['cancelOrder', 'cancelAllOrders', 'closePosition']);

export function createGuard(deps: GuardDeps): OrderGuard {
  return ({ method, request, ordersThisRun }) => {
    if (deps.killSwitch() && !CLOSING.has(method)) return 'kill switch is on: every order is refused';
    if (CLOSING.has(method)) return null;
    const { maxQuantityPerOrder, maxOrdersPerRun, maxOrdersPerDay } = deps.limits;
    if (maxQuantityPerOrder !== undefined) {
      const over = quantities(request).find((q) => q > maxQuantityPerOrder);
      if (over !== undefined) return `maxQuantityPerOrder ${maxQuantityPerOrder} exceeded (quantity ${over})`;
    }
    if (maxOrdersPerRun !== undefined && ordersThisRun >= maxOrdersPerRun) {
      return `maxOrdersPerRun ${maxOrdersPerRun} reached in this run`;
    }
    if (maxOrdersPerDay !== undefined) {
      const now = deps.now();
      const [y, m, d] = zonedDate(now, deps.timezone).split('-').map(Number);
      const since = zonedTimeToDate(y, m, d, 0, 0, 0, deps.timezone).getTime();
      return Promise.resolve(deps.ordersSince(since)).then((sent) =>
        sent >= maxOrdersPerDay ? `maxOrdersPerDay ${maxOrdersPerDay} reached (${sent} today)` : null);
    }
    return null;
  };
}
