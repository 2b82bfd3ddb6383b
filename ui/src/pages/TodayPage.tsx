// Today: what a trader watches during market hours on one page: the kill switch and the market
// data source, today's runs by status (failed ones named), today's orders by outcome (unknown and
// not-sent ones first: they need a look at the broker's order book), open positions and P&L, the
// next scheduled fires and the active workflows. Reads GET /api/today, /api/workflows and /api/health.

import { useCallback, useEffect, useMemo, useState } from 'react';
import { api } from '../api';
import { Status } from '../components/Status';
import { StreamPill, streamView, useHealth } from '../components/StreamPill';
import type { useKillSwitch } from '../components/TopBar';
import { money, runTime, shortId, timeAgo, clock } from '../format';
import { Link } from '../router';
import { OrderStatus } from '../run/RunTables';
import type { OrderRecord, Row, Today, WorkflowListItem } from '../types';
import { filtersSearch, localDay } from './ExecutionsPage';
import { Watchlist } from './Watchlist';

const RUN_STATUSES = ['completed', 'failed', 'crashed', 'running', 'queued', 'canceled', 'skipped'] as const;
const ORDER_STATUSES = ['accepted', 'sent', 'rejected', 'unknown', 'not_sent'] as const;

/** The runs page of one run, or the executions page filtered to today's runs of one status. */
const todays = (status: string) => ({ page: 'executions' as const, search: filtersSearch({ workflowId: '', status, trigger: '', from: localDay(), to: localDay() }) });

function orderText(o: OrderRecord): string {
  const r = o.request ?? {};
  return [r.action, r.quantity, r.symbol, r.exchange && `· ${String(r.exchange)}`, r.pricetype ?? r.priceType, r.product].filter((x) => x !== undefined && x !== null && x !== '').join(' ') || o.method;
}

export function TodayPage({ kill }: { kill: ReturnType<typeof useKillSwitch> }) {
  const [today, setToday] = useState<Today | null>(null);
  const [workflows, setWorkflows] = useState<WorkflowListItem[]>([]);
  const [error, setError] = useState<string | null>(null);
  const health = useHealth(10_000);

  const load = useCallback(() => {
    api.today().then((t) => {
      setToday(t);
      setError(null);
    }, (e: Error) => setError(e.message));
    api.listWorkflows().then(setWorkflows, () => {});
  }, []);
  useEffect(() => {
    load();
    const t = setInterval(load, 10_000);
    return () => clearInterval(t);
  }, [load]);

  const names = useMemo(() => new Map(workflows.map((w) => [w.id, w.name])), [workflows]);
  const active = workflows.filter((w) => w.active);
  const name = (id?: string) => (id && names.get(id)) ?? id ?? '—';
  const positions: Row[] = today?.positions.status === 'success' ? today.positions.data.filter((p) => Number(p.quantity) !== 0) : [];
  const pnl = today?.positions.status === 'success' ? today.positions.data.reduce((sum, p) => sum + (Number(p.pnl) || 0), 0) : null;
  const attention = today?.orders.attention ?? [];
  const failed = today?.runs.failed ?? [];
  const stream = streamView(health?.marketData);

  return (
    <div className="page" data-testid="today">
      <div className="page-head">
        <h1>Today</h1>
        {today && <span className="muted">{today.date} · {today.timezone}</span>}
        <span className="grow" />
        <StreamPill health={health} />
        <label className={`switch ${kill.enabled ? 'on' : ''}`} title="When on, every order is refused" data-testid="today-kill-switch">
          <span>Kill switch {kill.enabled ? 'ON' : 'off'}</span>
          <input type="checkbox" hidden checked={!!kill.enabled} onChange={kill.toggle} disabled={kill.enabled === null} />
          <span className="track" />
        </label>
      </div>
      {error && <div className="run-error">{error}</div>}

      <div className="cards">
        <div className="card" data-testid="today-active">
          <div className="stat-label">Active workflows</div>
          <div className="stat-value">{active.length}</div>
          <div className="muted">{workflows.length - active.length} inactive</div>
        </div>
        <div className="card" data-testid="today-runs">
          <div className="stat-label">Runs today</div>
          <div className="stat-value">{today ? `${today.runs.total}${today.runs.truncated ? '+' : ''}` : '…'}</div>
          <div className="chips">
            {RUN_STATUSES.filter((s) => today?.runs.byStatus[s]).map((s) => (
              <Link key={s} to={todays(s)} className="chip-link" title={`Today's ${s} runs`}><Status status={s} label={`${today!.runs.byStatus[s]} ${s}`} /></Link>
            ))}
          </div>
        </div>
        <div className="card" data-testid="today-orders">
          <div className="stat-label">Orders today</div>
          <div className="stat-value">{today?.orders.total ?? '…'}</div>
          <div className="chips">
            {ORDER_STATUSES.filter((s) => today?.orders.byStatus[s]).map((s) => (
              <span key={s} data-testid={`orders-${s}`}><OrderStatus status={s} /> {today!.orders.byStatus[s]}</span>
            ))}
          </div>
        </div>
        <div className="card" data-testid="today-pnl">
          <div className="stat-label" title="The sum of the position book's P&amp;L, closed positions of the day included">P&amp;L today</div>
          <div className={`stat-value ${pnl && pnl > 0 ? 'pos' : pnl && pnl < 0 ? 'neg' : ''}`}>{pnl === null ? '—' : money(pnl)}</div>
          <div className="muted">{today?.positions.status === 'error' ? `positions unavailable: ${today.positions.message}` : `${positions.length} open position${positions.length === 1 ? '' : 's'} · ${health?.broker ?? ''}`}</div>
        </div>
        <div className="card" data-testid="today-stream">
          <div className="stat-label">Market data</div>
          <div className={`stat-value stream-text-${stream.mode}`}>{stream.label}</div>
          <div className="muted" style={{ whiteSpace: 'pre-line' }}>{health?.marketData ? `${health.marketData.priceAlerts.stream + health.marketData.priceAlerts.poll} price alert(s) · order updates: ${health.marketData.orderUpdates.source}` : ''}</div>
        </div>
      </div>

      {(attention.length > 0 || failed.length > 0) && (
        <div className="section attention" data-testid="today-attention">
          <h2>Needs attention</h2>
          {attention.length > 0 && (
            <table className="grid" data-testid="attention-orders">
              <thead><tr><th>Placed</th><th>Workflow</th><th>Order</th><th>Status</th><th>What to do</th><th>Run</th></tr></thead>
              <tbody>
                {attention.map((o) => (
                  <tr key={o.key}>
                    <td className="nowrap" title={clock(o.createdAt)}>{runTime(o.createdAt)}</td>
                    <td>{name(o.workflowId)}</td>
                    <td>{orderText(o)} <span className="mono faint">{o.nodeId}</span></td>
                    <td><OrderStatus status={o.status} /></td>
                    <td className="muted">{o.status === 'unknown' ? 'Check the broker’s order book, then record what it shows (it is never re-sent)' : 'Never reached the broker: no order exists; place it again by hand if still wanted'}</td>
                    <td>{o.workflowId && o.executionId ? <Link to={{ page: 'runs', id: o.workflowId, executionId: o.executionId }}>{shortId(o.executionId)}</Link> : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {failed.length > 0 && (
            <table className="grid" data-testid="failed-runs" style={{ marginTop: attention.length ? 10 : 0 }}>
              <thead><tr><th>Started</th><th>Workflow</th><th>Status</th><th>Error</th><th>Run</th></tr></thead>
              <tbody>
                {failed.map((e) => (
                  <tr key={e.executionId}>
                    <td className="nowrap" title={clock(e.createdAt)}>{runTime(e.createdAt)}</td>
                    <td>{name(e.workflowId)}</td>
                    <td><Status status={e.status} /></td>
                    <td className="neg truncate" style={{ maxWidth: 480 }} title={e.error ?? ''}>{e.error ?? ''}</td>
                    <td><Link to={{ page: 'runs', id: e.workflowId, executionId: e.executionId }}>{shortId(e.executionId)}</Link></td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}

      <div className="today-grid">
        <Watchlist />
        <div className="section">
          <h2>Open positions</h2>
          {positions.length === 0 ? <div className="empty">{today?.positions.status === 'error' ? today.positions.message : 'No open position.'}</div> : (
            <table className="grid" data-testid="today-positions">
              <thead><tr><th>Symbol</th><th>Product</th><th className="num">Qty</th><th className="num">Avg</th><th className="num">LTP</th><th className="num">P&amp;L</th></tr></thead>
              <tbody>
                {positions.map((p, i) => {
                  const n = Number(p.pnl);
                  return (
                    <tr key={i}>
                      <td>{String(p.symbol)} <span className="faint">{String(p.exchange ?? '')}</span></td>
                      <td>{String(p.product ?? '')}</td>
                      <td className="num">{String(p.quantity)}</td>
                      <td className="num">{money(p.average_price)}</td>
                      <td className="num">{p.ltp === undefined ? '—' : money(p.ltp)}</td>
                      <td className={`num ${n > 0 ? 'pos' : n < 0 ? 'neg' : ''}`}>{money(p.pnl)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
        </div>
      </div>

      <div className="today-grid">
        <div className="section">
          <h2>Next scheduled runs</h2>
          {!today?.schedules.length ? <div className="empty">No schedule is armed.</div> : (
            <table className="grid" data-testid="today-schedules">
              <thead><tr><th>When</th><th>Workflow</th><th>Node</th><th>Last run</th></tr></thead>
              <tbody>
                {today.schedules.map((s) => (
                  <tr key={`${s.workflowId}/${s.nodeId}`}>
                    <td className="nowrap" title={clock(s.nextRunAt)}>{runTime(s.nextRunAt)}</td>
                    <td><Link to={{ page: 'editor', id: s.workflowId }}>{name(s.workflowId)}</Link></td>
                    <td className="mono faint">{s.nodeId}</td>
                    <td className="muted">{s.lastRunAt ? timeAgo(s.lastRunAt) : 'never'}{s.missedCount ? ` · ${s.missedCount} missed` : ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
        <div className="section">
          <h2>Active workflows</h2>
          {!active.length ? <div className="empty">No workflow is active.</div> : (
            <table className="grid" data-testid="today-workflows">
              <thead><tr><th>Workflow</th><th>Triggers</th><th>Last run</th></tr></thead>
              <tbody>
                {active.map((w) => (
                  <tr key={w.id}>
                    <td><Link to={{ page: 'editor', id: w.id }}>{w.name}</Link> <span className="faint">v{w.version}</span></td>
                    <td className="muted">{w.triggers.join(', ') || '—'}</td>
                    <td>{w.lastExecution ? <Link to={{ page: 'runs', id: w.id, executionId: w.lastExecution.id }}><Status status={w.lastExecution.status} label={`${w.lastExecution.status} · ${timeAgo(w.lastExecution.createdAt)}`} /></Link> : <span className="muted">never ran</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      </div>

      <div className="section">
        <h2>Orders today <Link to={{ page: 'executions', search: filtersSearch({ workflowId: '', status: '', trigger: '', from: localDay(), to: localDay() }) }} className="small-link">all runs today →</Link></h2>
        {!today?.orders.recent.length ? <div className="empty">No order today.</div> : (
          <table className="grid" data-testid="today-orders-list">
            <thead><tr><th>Placed</th><th>Workflow</th><th>Order</th><th>Status</th><th>Run</th></tr></thead>
            <tbody>
              {today.orders.recent.map((o) => (
                <tr key={o.key}>
                  <td className="nowrap" title={clock(o.createdAt)}>{runTime(o.createdAt)}</td>
                  <td className="truncate" style={{ maxWidth: 180 }}>{name(o.workflowId)}</td>
                  <td>{orderText(o)}</td>
                  <td><OrderStatus status={o.status} /></td>
                  <td>{o.workflowId && o.executionId ? <Link to={{ page: 'runs', id: o.workflowId, executionId: o.executionId }}>{shortId(o.executionId)}</Link> : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </div>
  );
}
