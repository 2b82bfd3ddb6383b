// A watchlist on the today page: symbols found with the broker's search, their LTP live. Kept in
// this browser (localStorage), as a trader's own screen setting, not on the server.

import { useEffect, useState } from 'react';
import { LtpText, SymbolSearch, useQuotes } from '../components/Ltp';

const STORE = 'flow.watchlist';
const DEFAULT = ['NSE_INDEX:NIFTY', 'NSE_INDEX:BANKNIFTY'];

function load(): string[] {
  try {
    const v = JSON.parse(localStorage.getItem(STORE) ?? 'null');
    return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string').slice(0, 50) : DEFAULT;
  } catch {
    return DEFAULT;
  }
}

export function Watchlist() {
  const [list, setList] = useState<string[]>(load);
  useEffect(() => {
    try {
      localStorage.setItem(STORE, JSON.stringify(list));
    } catch {
      // private mode: the list lasts this page only
    }
  }, [list]);
  const quotes = useQuotes(list);
  return (
    <div className="section" data-testid="watchlist">
      <div className="watch-head">
        <h2>Watchlist</h2>
        <span className="grow" />
        <SymbolSearch onPick={(s) => setList((l) => (l.includes(`${s.exchange}:${s.symbol}`) ? l : [...l, `${s.exchange}:${s.symbol}`].slice(-50)))} />
      </div>
      {list.length === 0 ? <div className="empty">Search a symbol to watch its price.</div> : (
        <table className="grid">
          <tbody>
            {list.map((k) => {
              const [exchange, symbol] = k.split(':');
              return (
                <tr key={k} data-testid="watch-row" data-symbol={symbol}>
                  <td>{symbol} <span className="faint">{exchange}</span></td>
                  <td className="num"><LtpText quote={quotes.get(k)} /></td>
                  <td className="num" style={{ width: 30 }}>
                    <button className="ghost small" title={`Stop watching ${symbol}`} aria-label={`Remove ${symbol}`} onClick={() => setList((l) => l.filter((x) => x !== k))}>×</button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
