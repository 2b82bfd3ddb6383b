// GET /api/today: what a trader looks at during market hours, in one read-only answer: today's runs
// by status, today's orders by outcome (those needing attention named), the next scheduled fires
// and the broker's positions. "Today" is the exchange's day (FLOW_TIMEZONE), not the server's.

import type { FastifyInstance } from 'fastify';
import { DEFAULT_TIMEZONE, zonedDate, zonedTimeToDate } from '../../market/clock.js';
import type { ExecutionStatus, ExecutionSummary, OrderIntent } from '../../store/types.js';
import type { ApiDeps } from '../api.js';
import { presentOrder, presentSummary } from '../present.js';

/** Runs read per day at most: the counts say `truncated` beyond it (a poll must stay cheap). */
const MAX_RUNS = 2_000;
const PAGE = 500;
const LIST = 50;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export async function todayRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const { store } = deps;
  const timezone = deps.timezone ?? DEFAULT_TIMEZONE;

  app.get('/today', async () => {
    const now = new Date();
    const date = zonedDate(now, timezone);
    const [y, m, d] = date.split('-').map(Number);
    const from = zonedTimeToDate(y, m, d, 0, 0, 0, timezone).getTime();

    const runs: ExecutionSummary[] = [];
    for (let offset = 0; offset < MAX_RUNS; offset += PAGE) {
      const page = await store.searchExecutions({ from, limit: PAGE, offset });
      runs.push(...page);
      if (page.length < PAGE) break;
    }
    const byStatus: Partial<Record<ExecutionStatus, number>> = {};
    for (const r of runs) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;

    // Orders are recorded per run; a run of today holds today's orders.
    const orders: OrderIntent[] = [];
    for (const r of runs) orders.push(...await store.listIntents(r.id));
    orders.sort((a, b) => b.createdAt - a.createdAt);
    const ordersByStatus: Record<string, number> = {};
    for (const o of orders) {
      const s = presentOrder(o).status;
      ordersByStatus[s] = (ordersByStatus[s] ?? 0) + 1;
    }
    // To check in the broker's order book: unknown outcomes of any day (until resolved), not_sent ones of today.
    const unknown = await store.listUnknownIntents();
    const attention = [...unknown, ...orders.filter((o) => o.status === 'not_sent')].sort((a, b) => b.createdAt - a.createdAt);

    const active = new Set((await store.listWorkflows()).filter((w) => w.active).map((w) => w.id));
    const schedules = (await store.listSchedules())
      .filter((s) => active.has(s.workflowId) && s.nextRunAt !== null)
      .sort((a, b) => a.nextRunAt! - b.nextRunAt!)
      .slice(0, 20)
      .map((s) => ({ workflowId: s.workflowId, nodeId: s.nodeId, nextRunAt: iso(s.nextRunAt), lastRunAt: iso(s.lastRunAt), missedCount: s.missedCount }));

    return {
      date, timezone, from: iso(from),
      runs: {
        total: runs.length, byStatus, truncated: runs.length >= MAX_RUNS,
        failed: runs.filter((r) => r.status === 'failed' || r.status === 'crashed').slice(0, LIST).map(presentSummary),
        recent: runs.slice(0, 10).map(presentSummary),
      },
      orders: {
        total: orders.length, byStatus: ordersByStatus,
        recent: orders.slice(0, LIST).map(presentOrder),
        attention: attention.slice(0, LIST).map(presentOrder),
      },
      schedules,
      positions: await positions(deps),
    };
  });
}

/** The default broker's open positions and P&L, or why they could not be read (never a failed page). */
async function positions(deps: ApiDeps): Promise<{ status: 'success'; data: unknown } | { status: 'error'; message: string }> {
  try {
    const answer = await deps.broker.positionBook({ signal: AbortSignal.timeout(3_000) });
    if (answer.status !== 'success') return { status: 'error', message: String((answer as { message?: unknown }).message ?? 'the broker refused') };
    return { status: 'success', data: answer.data };
  } catch (e) {
    return { status: 'error', message: (e as Error).message };
  }
}
