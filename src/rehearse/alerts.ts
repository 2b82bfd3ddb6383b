// Past webhook alerts for a rehearsal, from a file: TradingView's alert log export (CSV with Ticker,
// Description and Time columns; the description is the alert message, JSON or text) or JSON lines
// `{"time": …, "payload": {…}}`. A time without a zone is read in the exchange zone.

import { zonedTimeToDate } from '../market/clock.js';

export interface PastAlert {
  /** Epoch milliseconds. */
  at: number;
  payload: Record<string, unknown>;
}

export class AlertsError extends Error {}

/** Parses one time: epoch seconds or milliseconds, an ISO date-time with or without a zone. */
export function parseAlertTime(raw: unknown, timezone: string): number | null {
  if (typeof raw === 'number' && Number.isFinite(raw)) return raw > 1e12 ? raw : raw * 1000;
  if (typeof raw !== 'string') return null;
  const text = raw.trim();
  if (/^\d{9,13}$/.test(text)) return parseAlertTime(Number(text), timezone);
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(text);
  if (!m) return null;
  if (m[7]) {
    const t = Date.parse(text.replace(' ', 'T'));
    return Number.isNaN(t) ? null : t;
  }
  return zonedTimeToDate(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0), timezone).getTime();
}

/** RFC 4180 rows: quoted fields may hold commas, doubled quotes and line breaks. */
function csvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(field); field = ''; }
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      field = '';
      if (row.some((f) => f.trim() !== '')) rows.push(row);
      row = [];
    } else field += ch;
  }
  row.push(field);
  if (row.some((f) => f.trim() !== '')) rows.push(row);
  return rows;
}

function messagePayload(message: string): Record<string, unknown> {
  try {
    const v = JSON.parse(message);
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch { /* a plain-text alert */ }
  return { text: message };
}

function fromCsv(text: string, timezone: string): PastAlert[] {
  const rows = csvRows(text.replace(/^\uFEFF/, ''));
  if (rows.length === 0) return [];
  const header = rows[0].map((h) => h.trim().toLowerCase());
  const col = (...names: string[]) => header.findIndex((h) => names.includes(h));
  const time = col('time', 'date', 'timestamp');
  const message = col('description', 'message', 'alert message');
  const ticker = col('ticker', 'symbol');
  if (time < 0 || message < 0) throw new AlertsError(`alerts CSV: needs a Time and a Description (or Message) column; found ${rows[0].join(', ')}`);
  return rows.slice(1).map((r, i) => {
    const at = parseAlertTime(r[time] ?? '', timezone);
    if (at === null) throw new AlertsError(`alerts CSV line ${i + 2}: '${r[time]}' is not a date-time`);
    const payload = messagePayload(r[message] ?? '');
    // TradingView's ticker is EXCHANGE:SYMBOL; it fills in what the message does not say.
    const t = ticker >= 0 ? String(r[ticker] ?? '').trim() : '';
    if (t && payload.symbol === undefined) {
      const [exchange, symbol] = t.includes(':') ? t.split(':', 2) : ['', t];
      payload.symbol = symbol;
      if (exchange && payload.exchange === undefined) payload.exchange = exchange;
    }
    return { at, payload };
  });
}

function fromJsonLines(text: string, timezone: string): PastAlert[] {
  const out: PastAlert[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      throw new AlertsError(`alerts line ${i + 1}: not JSON (${(e as Error).message})`);
    }
    const o = v as { time?: unknown; payload?: unknown };
    const at = parseAlertTime(o?.time, timezone);
    if (at === null) throw new AlertsError(`alerts line ${i + 1}: time '${String(o?.time)}' is not a date-time`);
    if (!o.payload || typeof o.payload !== 'object' || Array.isArray(o.payload)) throw new AlertsError(`alerts line ${i + 1}: payload must be a JSON object`);
    out.push({ at, payload: o.payload as Record<string, unknown> });
  });
  return out;
}

/** Parses an alerts file (JSON lines when its first non-blank character is `{`, CSV otherwise), oldest first. */
export function parseAlerts(text: string, timezone: string): PastAlert[] {
  const jsonLines = text.trimStart().startsWith('{');
  const alerts = jsonLines ? fromJsonLines(text, timezone) : fromCsv(text, timezone);
  // Stable: alerts at the same instant keep the file's order.
  return alerts.map((a, i) => ({ a, i })).sort((x, y) => x.a.at - y.a.at || x.i - y.i).map((x) => x.a);
}
