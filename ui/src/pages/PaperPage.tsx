// The paper broker's account: funds, positions, orders and trades, with a reset.

import { useCallback, useEffect, useState } from 'react';
import { api } from '../api';
import { useToast } from '../components/Toast';
import { money } from '../format';
import type { PaperAccount, Row } from '../types';

const FUNDS: Array<[string, string]> = [
  ['availablecash', 'Available cash'],
  ['utiliseddebits', 'Used margin'],
  ['m2mrealized', 'Realised P&L'],
  ['m2munrealized', 'Unrealised P&L'],
];

interface Column { key: string; label: string; num?: boolean; money?: boolean; signed?: boolean }

function Table({ rows, columns, empty, testId }: { rows: Row[]; columns: Column[]; empty: string; testId: string }) {
  if (!rows.length) return <div className="empty" data-testid={testId}>{empty}</div>;
  return (
    <table className="grid" data-testid={testId}>
      <thead><tr>{columns.map((c) => <th key={c.key} className={c.num ? 'num' : ''}>{c.label}</th>)}</tr></thead>
      <tbody>
        {rows.map((r, i) => (
          <tr key={i}>
            {columns.map((c) => {
              const v = r[c.key];
              const n = Number(v);
              const cls = [c.num ? 'num' : '', c.signed && n > 0 ? 'pos' : '', c.signed && n < 0 ? 'neg' : ''].join(' ');
              return <td key={c.key} className={cls}>{v === undefined || v === null || v === '' ? '—' : c.money ? money(v) : String(v)}</td>;
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function PaperPage() {
  const [account, setAccount] = useState<PaperAccount | null>(null);
  const [error, setError] = useState<string | null>(null);
  const notify = useToast();
  const load = useCallback(() => api.paperAccount().then((a) => {
    setAccount(a);
    setError(null);
  }, (e: Error) => setError(e.message)), []);
  useEffect(() => {
    load();
    const t = setInterval(load, 3000);
    return () => clearInterval(t);
  }, [load]);

  const reset = async () => {
    if (!confirm('Reset the paper account? Positions, orders and trades are cleared and cash goes back to the starting balance.')) return;
    try {
      setAccount(await api.paperReset());
      notify('Paper account reset', 'ok');
    } catch (e) {
      notify((e as Error).message, 'error');
    }
  };

  const funds = account?.funds.data ?? {};
  const positions = account?.positions.data ?? [];
  const orders = account?.orders.data?.orders ?? [];
  const trades = account?.trades.data ?? [];
  return (
    <div className="page">
      <div className="page-head">
        <h1 className="grow">Paper account</h1>
        <span className="muted">simulated NSE/NFO market; orders from workflows land here</span>
        <button className="danger" onClick={reset} disabled={!account}>Reset account</button>
      </div>
      {error && <div className="empty">{error}</div>}
      {account && (
        <>
          <div className="cards">
            {FUNDS.map(([k, label]) => {
              const n = Number(funds[k]);
              const signed = k.startsWith('m2m');
              return (
                <div className="card" key={k}>
                  <div className="stat-label">{label}</div>
                  <div className={`stat-value ${signed && n > 0 ? 'pos' : signed && n < 0 ? 'neg' : ''}`}>₹ {money(funds[k] ?? 0)}</div>
                </div>
              );
            })}
          </div>
          <div className="section">
            <h2>Positions</h2>
            <Table testId="positions" rows={positions} empty="No open positions."
              columns={[{ key: 'symbol', label: 'Symbol' }, { key: 'exchange', label: 'Exchange' }, { key: 'product', label: 'Product' }, { key: 'quantity', label: 'Qty', num: true, signed: true }, { key: 'average_price', label: 'Avg price', num: true, money: true }, { key: 'ltp', label: 'LTP', num: true, money: true }, { key: 'pnl', label: 'P&L', num: true, money: true, signed: true }]} />
          </div>
          <div className="section">
            <h2>Orders {account.orders.data?.statistics && <span className="muted" style={{ fontWeight: 400 }}>· {account.orders.data.statistics.total_completed_orders ?? 0} complete, {account.orders.data.statistics.total_open_orders ?? 0} open, {account.orders.data.statistics.total_rejected_orders ?? 0} rejected</span>}</h2>
            <Table testId="orders" rows={[...orders].reverse()} empty="No orders yet."
              columns={[{ key: 'timestamp', label: 'Time' }, { key: 'orderid', label: 'Order id' }, { key: 'action', label: 'Side' }, { key: 'symbol', label: 'Symbol' }, { key: 'exchange', label: 'Exch' }, { key: 'product', label: 'Product' }, { key: 'pricetype', label: 'Type' }, { key: 'quantity', label: 'Qty', num: true }, { key: 'filled_quantity', label: 'Filled', num: true }, { key: 'average_price', label: 'Avg price', num: true, money: true }, { key: 'order_status', label: 'Status' }, { key: 'strategy', label: 'Strategy' }]} />
          </div>
          <div className="section">
            <h2>Trades</h2>
            <Table testId="trades" rows={[...trades].reverse()} empty="No trades yet."
              columns={[{ key: 'timestamp', label: 'Time' }, { key: 'orderid', label: 'Order id' }, { key: 'action', label: 'Side' }, { key: 'symbol', label: 'Symbol' }, { key: 'exchange', label: 'Exch' }, { key: 'product', label: 'Product' }, { key: 'quantity', label: 'Qty', num: true }, { key: 'average_price', label: 'Price', num: true, money: true }, { key: 'trade_value', label: 'Value', num: true, money: true }]} />
          </div>
        </>
      )}
    </div>
  );
}
