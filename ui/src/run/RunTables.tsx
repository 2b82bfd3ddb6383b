// The run's log lines and order intents, as tables.

import type { ExecutionDetail } from '../types';
import { timeOnly } from '../format';

const INTENT_CLASS: Record<string, string> = { accepted: 'st-completed', pending: 'st-running', sent: 'st-running', rejected: 'st-failed', unknown: 'st-unknown', not_sent: 'st-not-sent' };

/** What each order state means for the trader's positions. */
const INTENT_HINT: Record<string, string> = {
  unknown: 'The broker’s answer never arrived: check the order book; it is never re-sent',
  not_sent: 'Never reached the broker (it was still waiting for a rate-limit slot when the run stopped): no order exists; it is not re-sent',
};
const INTENT_LABEL: Record<string, string> = { not_sent: 'not sent' };

/** An order intent's status, coloured by what it means for the trader's positions. */
export function OrderStatus({ status }: { status: string }) {
  return <span className={`status ${INTENT_CLASS[status] ?? 'st-failed'}`} title={INTENT_HINT[status]} data-status={status}><span className="dot" />{INTENT_LABEL[status] ?? status}</span>;
}

export function Logs({ detail, onPick }: { detail: ExecutionDetail; onPick?: (id: string) => void }) {
  if (!detail.logs.length) return <div className="muted">No log lines.</div>;
  return (
    <table className="logs">
      <tbody>
        {detail.logs.map((l, i) => (
          <tr key={i}>
            <td className="time">{timeOnly(l.time)}</td>
            <td><span className={`lvl lvl-${l.level}`}>{l.level}</span></td>
            <td className="mono faint nowrap">{l.nodeId && (onPick ? <a href="#" onClick={(e) => { e.preventDefault(); onPick(l.nodeId!); }}>{l.nodeId}</a> : l.nodeId)}</td>
            <td style={{ width: '100%' }}>{l.message}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Orders({ detail, onPick }: { detail: ExecutionDetail; onPick: (id: string) => void }) {
  if (!detail.orders.length) return <div className="muted">No order was placed in this run.</div>;
  return (
    <table className="grid" data-testid="orders">
      <thead><tr><th>Node</th><th>Method</th><th>Order</th><th>Status</th><th>Order ids</th><th>Error</th></tr></thead>
      <tbody>
        {detail.orders.map((o) => {
          const r = o.request;
          const what = [r.action, r.quantity, r.symbol, r.exchange && `· ${String(r.exchange)}`, r.pricetype, r.product].filter((x) => x !== undefined && x !== '').join(' ');
          return (
            <tr key={o.key}>
              <td><a href="#" className="mono" onClick={(e) => { e.preventDefault(); onPick(o.nodeId); }}>{o.nodeId}</a></td>
              <td className="mono">{o.method}</td>
              <td>{what || <span className="mono">{JSON.stringify(r)}</span>}</td>
              <td><OrderStatus status={o.status} /></td>
              <td className="mono">{o.orderIds?.join(', ') || '—'}</td>
              <td className="neg">{o.error ?? ''}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
