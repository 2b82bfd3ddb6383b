// Live prices in the UI: the LTP of a few symbols, polled from GET /api/market/quotes while the tab
// is visible (the server shares one broker call a second across tabs), and a symbol search with
// exchange, lot size and LTP (OpenAlgo's `search`). Self-contained: any page or panel can use them.

import { useEffect, useMemo, useRef, useState } from 'react';
import { api } from '../api';
import type { Quote, SymbolResult } from '../types';

const POLL_MS = 2_000;
const key = (exchange: string, symbol: string) => `${exchange.toUpperCase()}:${symbol.toUpperCase()}`;

/** A symbol and exchange as written, when both are plain values (a `{{…}}` is known only at run time). */
export function literalRef(symbol: unknown, exchange: unknown): { symbol: string; exchange: string } | null {
  if (typeof symbol !== 'string' || typeof exchange !== 'string') return null;
  const s = symbol.trim();
  const e = exchange.trim();
  if (!s || !e || s.includes('{{') || e.includes('{{') || !/^[A-Za-z0-9&_.-]{1,60}$/.test(s) || !/^[A-Z_]{2,12}$/.test(e)) return null;
  return { symbol: s.toUpperCase(), exchange: e };
}

/** The latest quote of each symbol ("NSE:SBIN"), refreshed every 2 s while the page is visible. */
export function useQuotes(symbols: readonly string[]): Map<string, Quote> {
  const list = useMemo(() => [...new Set(symbols.map((s) => s.toUpperCase()))].slice(0, 50).join(','), [symbols]);
  const [quotes, setQuotes] = useState<Map<string, Quote>>(new Map());
  useEffect(() => {
    if (!list) {
      setQuotes(new Map());
      return;
    }
    let live = true;
    const load = () => {
      if (document.visibilityState === 'hidden') return;
      api.quotes(list).then((qs) => live && setQuotes(new Map(qs.map((q) => [key(q.exchange, q.symbol), q]))), () => {});
    };
    load();
    const t = setInterval(load, POLL_MS);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, [list]);
  return quotes;
}

/** "LTP 812.35" with the day's change, green up and red down; a tick flashes which way it moved. */
export function LtpText({ quote }: { quote: Quote | undefined }) {
  const last = useRef<number | null>(null);
  const [move, setMove] = useState<'up' | 'down' | ''>('');
  const ltp = quote?.ltp ?? null;
  useEffect(() => {
    if (ltp !== null && last.current !== null && ltp !== last.current) setMove(ltp > last.current ? 'up' : 'down');
    last.current = ltp;
  }, [ltp]);
  if (!quote) return <span className="ltp faint">LTP …</span>;
  if (ltp === null) return <span className="ltp faint" title={quote.error}>LTP —</span>;
  const change = quote.prevClose ? ((ltp - quote.prevClose) / quote.prevClose) * 100 : null;
  return (
    <span className={`ltp ${move}`} data-testid="ltp" data-ltp={ltp} title={`${quote.exchange}:${quote.symbol}${quote.prevClose ? ` · previous close ${quote.prevClose}` : ''}`}>
      {ltp.toFixed(2)}{change !== null && <span className={change >= 0 ? 'pos' : 'neg'}> {change >= 0 ? '+' : ''}{change.toFixed(2)}%</span>}
    </span>
  );
}

/** The live LTP of one symbol. */
export function Ltp({ symbol, exchange }: { symbol: string; exchange: string }) {
  const quotes = useQuotes([key(exchange, symbol)]);
  return <LtpText quote={quotes.get(key(exchange, symbol))} />;
}

/**
 * The live LTP of a node's symbol (a price alert, an order, a quote), for the editor's node card or
 * side panel: nothing when the node has no plain symbol and exchange.
 */
export function NodeLtp({ data }: { data: Record<string, unknown> }) {
  const ref = literalRef(data.symbol, data.exchange ?? 'NSE');
  if (!ref) return null;
  return <span className="node-ltp" data-testid="node-ltp">LTP <Ltp {...ref} /></span>;
}

/** A search box for symbols: results with exchange, type, lot size and live LTP; picking one calls onPick. */
export function SymbolSearch({ onPick, exchange, placeholder = 'Search symbol (SBIN, NIFTY…)', autoFocus }: {
  onPick: (s: SymbolResult) => void; exchange?: string; placeholder?: string; autoFocus?: boolean;
}) {
  const [text, setText] = useState('');
  const [results, setResults] = useState<SymbolResult[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState(false);
  useEffect(() => {
    const q = text.trim();
    if (!q) {
      setResults([]);
      return;
    }
    let live = true;
    const t = setTimeout(() => {
      api.searchSymbols(q, exchange).then((r) => {
        if (!live) return;
        setResults(r);
        setError(null);
      }, (e: Error) => live && setError(e.message));
    }, 250);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [text, exchange]);
  const shown = results.slice(0, 12);
  const quotes = useQuotes(open ? shown.map((r) => key(r.exchange, r.symbol)) : []);
  const pick = (s: SymbolResult) => {
    onPick(s);
    setText('');
    setOpen(false);
  };
  return (
    <div className="suggest-wrap symbol-search" data-testid="symbol-search">
      <input
        type="search" value={text} placeholder={placeholder} autoFocus={autoFocus} aria-label="Search symbol"
        onChange={(e) => { setText(e.target.value); setOpen(true); }}
        onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onKeyDown={(e) => { if (e.key === 'Enter' && shown[0]) pick(shown[0]); if (e.key === 'Escape') setOpen(false); }}
      />
      {open && text.trim() && (
        <div className="suggest" role="listbox">
          {error && <div className="suggest-item neg">{error}</div>}
          {!error && shown.length === 0 && <div className="suggest-item muted">No symbol matches.</div>}
          {shown.map((s) => (
            <button key={key(s.exchange, s.symbol)} type="button" className="suggest-item symbol-result" role="option" data-testid="symbol-result" data-symbol={s.symbol} data-exchange={s.exchange}
              onMouseDown={(e) => e.preventDefault()} onClick={() => pick(s)}>
              <span className="mono">{s.symbol}</span>
              <span className="pill kind">{s.exchange}</span>
              <span className="faint truncate">{[s.instrumentType, s.expiry, s.lotSize > 1 ? `lot ${s.lotSize}` : ''].filter(Boolean).join(' · ')}</span>
              <span className="grow" />
              <LtpText quote={quotes.get(key(s.exchange, s.symbol)) ?? (s.ltp === null ? undefined : { symbol: s.symbol, exchange: s.exchange, ltp: s.ltp, prevClose: null })} />
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
