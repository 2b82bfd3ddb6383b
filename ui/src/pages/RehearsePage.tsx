// Rehearse: the workflow's draft replayed on past market days (POST /api/workflows/:id/rehearse),
// with its P&L, the equity curve, the trades drawn on the price chart (TradingView's
// lightweight-charts), and what the simulation assumed and did not model.

import { useEffect, useRef, useState } from 'react';
import {
  CandlestickSeries, createChart, createSeriesMarkers, LineSeries, type IChartApi, type SeriesMarker, type UTCTimestamp,
} from 'lightweight-charts';
import { api, type RehearsalReport } from '../api';
import { money } from '../format';
import { Link } from '../router';

/** The charts draw UTC; shifted by IST's offset they read in exchange time. */
const IST = 19_800;
const istTime = (epochSeconds: number) => (epochSeconds + IST) as UTCTimestamp;

const isoDay = (d: Date) => d.toISOString().slice(0, 10);
function lastMonth(): { from: string; to: string } {
  const now = new Date();
  const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  const last = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 0));
  return { from: isoDay(first), to: isoDay(last) };
}

const CHART_OPTIONS = {
  height: 300,
  layout: { background: { color: 'transparent' }, textColor: '#cbd5e1' },
  grid: { vertLines: { color: 'rgba(148,163,184,0.12)' }, horzLines: { color: 'rgba(148,163,184,0.12)' } },
  timeScale: { timeVisible: true, secondsVisible: false },
};

function useChart(draw: (chart: IChartApi) => void, deps: unknown[]) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    const chart = createChart(ref.current, { ...CHART_OPTIONS, width: ref.current.clientWidth });
    draw(chart);
    chart.timeScale().fitContent();
    // A new width keeps the bar spacing: fit again, or the first days slide out of view.
    const resize = new ResizeObserver(() => {
      if (!ref.current) return;
      chart.applyOptions({ width: ref.current.clientWidth });
      chart.timeScale().fitContent();
    });
    resize.observe(ref.current);
    return () => { resize.disconnect(); chart.remove(); };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return ref;
}

function EquityChart({ report }: { report: RehearsalReport }) {
  const ref = useChart((chart) => {
    const line = chart.addSeries(LineSeries, { color: '#60a5fa', lineWidth: 2 });
    line.setData(report.equity.map((p) => ({ time: istTime(p.time), value: p.value })));
  }, [report]);
  return <div ref={ref} data-testid="equity-chart" />;
}

function PriceChart({ report, index }: { report: RehearsalReport; index: number }) {
  const prices = report.prices[index];
  const ref = useChart((chart) => {
    const series = chart.addSeries(CandlestickSeries, { upColor: '#22c55e', downColor: '#ef4444', wickUpColor: '#22c55e', wickDownColor: '#ef4444', borderVisible: false });
    const candles = prices.candles;
    series.setData(candles.map((c) => ({ time: istTime(c.timestamp), open: c.open, high: c.high, low: c.low, close: c.close })));
    // Each trade on the candle it fell in.
    const markers: SeriesMarker<UTCTimestamp>[] = [];
    for (const t of report.trades) {
      if (t.symbol !== prices.symbol || t.exchange !== prices.exchange) continue;
      const at = t.at / 1000;
      let lo = 0;
      let hi = candles.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (candles[mid].timestamp <= at) lo = mid; else hi = mid - 1;
      }
      if (!candles.length) continue;
      const buy = t.action === 'BUY';
      markers.push({ time: istTime(candles[lo].timestamp), position: buy ? 'belowBar' : 'aboveBar', color: buy ? '#22c55e' : '#f97316', shape: buy ? 'arrowUp' : 'arrowDown', text: `${t.action} ${t.quantity} @ ${t.price}` });
    }
    markers.sort((a, b) => (a.time as number) - (b.time as number));
    createSeriesMarkers(series, markers);
  }, [report, index]);
  return <div ref={ref} data-testid="price-chart" />;
}

export function RehearsePage({ id }: { id: string }) {
  const [name, setName] = useState('');
  const [range, setRange] = useState(lastMonth);
  const [alerts, setAlerts] = useState('');
  const [capital, setCapital] = useState('1000000');
  const [slippage, setSlippage] = useState('0');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [report, setReport] = useState<RehearsalReport | null>(null);
  const [previous, setPrevious] = useState<RehearsalReport | null>(null);
  const [symbol, setSymbol] = useState(0);

  useEffect(() => { api.getWorkflow(id).then((w) => setName(w.name), () => setName(id)); }, [id]);

  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await api.rehearse(id, {
        from: range.from, to: range.to, capital: Number(capital), slippageBps: Number(slippage), ...(alerts.trim() ? { alerts } : {}),
      });
      setPrevious(report);
      setReport(r);
      setSymbol(0);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const loadAlerts = async (file: File | undefined) => { if (file) setAlerts(await file.text()); };
  const signed = (n: number) => (n > 0 ? 'pos' : n < 0 ? 'neg' : '');

  return (
    <div className="page" data-testid="rehearse-page">
      <div className="page-head">
        <h1 className="grow">Rehearse {name && <span className="muted" style={{ fontWeight: 400 }}>· {name}</span>}</h1>
        <Link to={{ page: 'editor', id }}>Back to the editor</Link>
      </div>
      <div className="card row" style={{ flexWrap: 'wrap', marginBottom: 14 }}>
        <label>From <input type="date" value={range.from} onChange={(e) => setRange({ ...range, from: e.target.value })} data-testid="rehearse-from" /></label>
        <label>To <input type="date" value={range.to} onChange={(e) => setRange({ ...range, to: e.target.value })} data-testid="rehearse-to" /></label>
        <label>Capital ₹ <input type="number" min={1} value={capital} onChange={(e) => setCapital(e.target.value)} style={{ width: 120 }} /></label>
        <label>Slippage (bps) <input type="number" min={0} value={slippage} onChange={(e) => setSlippage(e.target.value)} style={{ width: 70 }} /></label>
        <label title="TradingView's alert log export (CSV) or JSON lines {time, payload}">Past alerts <input type="file" accept=".csv,.jsonl,.json,.txt" onChange={(e) => loadAlerts(e.target.files?.[0])} /></label>
        {alerts && <span className="muted">{alerts.split('\n').filter((l) => l.trim()).length} lines of alerts</span>}
        <button className="primary" onClick={run} disabled={busy || !range.from || !range.to} data-testid="rehearse-run">{busy ? 'Rehearsing…' : 'Rehearse'}</button>
      </div>
      {error && <div className="empty" data-testid="rehearse-error">{error}</div>}
      {!report && !error && <div className="empty">Pick past market days and rehearse: the workflow's draft runs on them in simulated time, with the paper broker's fills and Indian charges. Nothing is traded or stored.</div>}
      {report && (
        <>
          <div className="cards" data-testid="rehearse-summary">
            <div className="card"><div className="stat-label">Net P&L</div><div className={`stat-value ${signed(report.pnl.net)}`} data-testid="rehearse-net">₹ {money(report.pnl.net)}</div>
              <div className="muted">{report.pnl.returnPct}% · gross ₹ {money(report.pnl.gross)}, charges ₹ {money(report.pnl.charges)}
                {previous && <> · before: ₹ {money(previous.pnl.net)}</>}</div></div>
            <div className="card"><div className="stat-label">Max drawdown</div><div className="stat-value neg">₹ {money(report.maxDrawdown.amount)}</div><div className="muted">{report.maxDrawdown.pct}%</div></div>
            <div className="card"><div className="stat-label">Trades</div><div className="stat-value">{report.trades.length}</div>
              <div className="muted">{report.winRate.roundTrips} round trips{report.winRate.pct !== null ? `, ${report.winRate.pct}% won` : ''}</div></div>
            <div className="card"><div className="stat-label">Runs</div><div className="stat-value">{report.counts.runs}</div>
              <div className="muted">{report.counts.failed} failed · in the market {report.exposure.timeInMarketPct}% of the time</div></div>
          </div>
          {report.deactivated && <div className="empty">Deactivated at {report.deactivated.time.slice(0, 19).replace('T', ' ')}: {report.deactivated.reason}</div>}
          <div className="section">
            <h2>Equity</h2>
            <EquityChart report={report} />
          </div>
          {report.prices.length > 0 && (
            <div className="section">
              <h2>Price and trades {report.prices.length > 1 && (
                <select value={symbol} onChange={(e) => setSymbol(Number(e.target.value))}>
                  {report.prices.map((p, i) => <option key={i} value={i}>{p.exchange}:{p.symbol}</option>)}
                </select>)} <span className="muted" style={{ fontWeight: 400 }}>{report.prices[symbol].interval} candles, IST</span></h2>
              <PriceChart report={report} index={symbol} />
            </div>
          )}
          <div className="section">
            <h2>P&L by day</h2>
            <table className="grid" data-testid="rehearse-days">
              <thead><tr><th>Day</th><th className="num">Net</th><th className="num">Trades</th></tr></thead>
              <tbody>{report.pnl.byDay.map((d) => <tr key={d.date}><td>{d.date}</td><td className={`num ${signed(d.net)}`}>{money(d.net)}</td><td className="num">{d.trades}</td></tr>)}</tbody>
            </table>
          </div>
          <div className="section">
            <h2>Trades</h2>
            {report.trades.length === 0 ? <div className="empty">No trades.</div> : (
              <table className="grid" data-testid="rehearse-trades">
                <thead><tr><th>Time (IST)</th><th>Action</th><th>Symbol</th><th>Product</th><th className="num">Qty</th><th className="num">Price</th><th className="num">Charges</th><th>Run</th></tr></thead>
                <tbody>{report.trades.map((t) => (
                  <tr key={t.orderid}>
                    <td>{t.time.slice(0, 19).replace('T', ' ')}</td><td>{t.action}</td><td>{t.exchange}:{t.symbol}</td><td>{t.product}</td>
                    <td className="num">{t.quantity}</td><td className="num">{money(t.price)}</td><td className="num">{money(t.charges)}</td>
                    <td className="muted">{t.executionId} {t.nodeId}</td>
                  </tr>
                ))}</tbody>
              </table>
            )}
          </div>
          <div className="section">
            <h2>Assumed</h2>
            <ul className="muted">{report.assumptions.map((a, i) => <li key={i}>{a}</li>)}</ul>
            <h2>Not modelled</h2>
            <ul className="muted">{report.notModelled.map((a, i) => <li key={i}>{a}</li>)}</ul>
          </div>
        </>
      )}
    </div>
  );
}
