// Navigation, the market data source, the broker in use, and the kill switch, on every page.

import { useCallback, useEffect, useState } from 'react';
import { api, setToken } from '../api';
import { Link, type Route } from '../router';
import type { OrderRecord } from '../types';
import { StreamPill, useHealth } from './StreamPill';
import { useToast } from './Toast';

export function useKillSwitch() {
  const [enabled, setEnabled] = useState<boolean | null>(null);
  const notify = useToast();
  useEffect(() => {
    let live = true;
    const load = () => api.killSwitch().then((r) => live && setEnabled(r.enabled), () => {});
    load();
    const t = setInterval(load, 10_000);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, []);
  const toggle = useCallback(async () => {
    const next = !enabled;
    if (next && !confirm('Turn the kill switch ON? Every order from every workflow is refused until it is turned off.')) return;
    try {
      const r = await api.setKillSwitch(next);
      setEnabled(r.enabled);
      notify(r.enabled ? 'Kill switch ON: orders are refused' : 'Kill switch off: orders flow again', r.enabled ? 'error' : 'ok');
    } catch (e) {
      notify((e as Error).message, 'error');
    }
  }, [enabled, notify]);
  return { enabled, toggle };
}

/** Orders whose outcome is unknown (a timeout or dropped connection): they must be checked by hand. */
function useUnknownOrders(): OrderRecord[] {
  const [orders, setOrders] = useState<OrderRecord[]>([]);
  useEffect(() => {
    let live = true;
    const load = () => api.unknownOrders().then((o) => live && setOrders(o), () => {});
    load();
    const t = setInterval(load, 10_000);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, []);
  return orders;
}

export function TopBar({ route, kill }: { route: Route; kill: ReturnType<typeof useKillSwitch> }) {
  const health = useHealth();
  const unknown = useUnknownOrders();
  const first = unknown[0];
  const onWorkflows = route.page === 'workflows' || route.page === 'editor' || route.page === 'runs';
  return (
    <header className="topbar">
      <Link to={{ page: 'workflows' }} className="brand"><span className="brand-mark" />Flow</Link>
      <nav className="nav">
        <Link to={{ page: 'today' }} className={route.page === 'today' ? 'active' : ''}>Today</Link>
        <Link to={{ page: 'workflows' }} className={onWorkflows ? 'active' : ''}>Workflows</Link>
        <Link to={{ page: 'executions' }} className={route.page === 'executions' ? 'active' : ''}>Executions</Link>
        <Link to={{ page: 'alerts' }} className={route.page === 'alerts' ? 'active' : ''} title="What a failed run starts: an alert workflow or a Telegram message">Alerts</Link>
        <Link to={{ page: 'paper' }} className={route.page === 'paper' ? 'active' : ''}>Paper account</Link>
      </nav>
      <span className="grow" />
      {first?.workflowId && (
        <Link
          to={{ page: 'runs', id: first.workflowId, executionId: first.executionId }}
          className="pill danger"
          data-testid="unknown-orders"
          title={`Outcome unknown (timeout or dropped connection); never re-sent. Check the broker's order book, then record the result (POST /api/orders/:key/resolve).\n${unknown.map((o) => `${o.nodeId} ${o.method} ${o.key}`).join('\n')}`}
        >
          {unknown.length} unknown order{unknown.length === 1 ? '' : 's'}
        </Link>
      )}
      <StreamPill health={health} />
      {health && (
        <span className="pill" data-testid="broker-pill" title={health.paperMarket === 'sandbox_hours'
          ? 'Paper market keeps OpenAlgo sandbox hours: MIS orders that open a position are refused from square-off until 09:00 IST (FLOW_PAPER_ALWAYS_OPEN=1 keeps it open)'
          : health.paperMarket === 'always_open' ? 'Paper market always open (FLOW_PAPER_ALWAYS_OPEN=1): orders fill at any hour' : health.brokerDescription}>
          broker: {health.broker}{health.paperMarket === 'always_open' ? ' · always open' : health.paperMarket === 'sandbox_hours' ? ' · sandbox hours' : ''}
        </span>
      )}
      <label className={`switch ${kill.enabled ? 'on' : ''}`} title="When on, every order is refused" data-testid="kill-switch">
        <span>Kill switch {kill.enabled ? 'ON' : 'off'}</span>
        <input type="checkbox" hidden checked={!!kill.enabled} onChange={kill.toggle} disabled={kill.enabled === null} />
        <span className="track" />
      </label>
      <button className="ghost small" onClick={() => setToken(null)} title="Forget the API token in this tab">Sign out</button>
    </header>
  );
}
