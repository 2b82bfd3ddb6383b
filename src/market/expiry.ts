// Expiries as the exchanges and OpenAlgo write them: "28-NOV-24" in expiry lists, "28NOV24" in
// symbols and requests; which expiry a preset (current_week …) names; where an underlying's options trade.

export const EXPIRY_TYPES = ['current_week', 'next_week', 'current_month', 'next_month'] as const;
export type ExpiryType = (typeof EXPIRY_TYPES)[number];

export const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] as const;

const BSE_UNDERLYINGS = new Set(['SENSEX', 'BANKEX', 'SENSEX50']);
const NSE_INDICES = new Set(['NIFTY', 'BANKNIFTY', 'FINNIFTY', 'MIDCPNIFTY', 'NIFTYNXT50']);

/** Where the underlying is quoted and where its options trade (SENSEX, BANKEX, SENSEX50 on BSE; the rest on NSE). */
export function exchangesFor(underlying: string): { underlyingExchange: string; foExchange: 'NFO' | 'BFO' } {
  if (BSE_UNDERLYINGS.has(underlying)) return { underlyingExchange: 'BSE_INDEX', foExchange: 'BFO' };
  return { underlyingExchange: NSE_INDICES.has(underlying) ? 'NSE_INDEX' : 'NSE', foExchange: 'NFO' };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Parses "28-NOV-24", "28NOV24", "28-Nov-2024" into a sortable YYYY-MM-DD; null when unreadable or not a real date. */
export function parseExpiry(text: string): string | null {
  const m = /^(\d{1,2})-?([A-Za-z]{3})-?(\d{2}|\d{4})$/.exec(text.trim());
  if (!m) return null;
  const month = MONTHS.indexOf(m[2].toUpperCase() as (typeof MONTHS)[number]) + 1;
  if (month === 0) return null;
  const year = m[3].length === 2 ? 2000 + Number(m[3]) : Number(m[3]);
  const day = Number(m[1]);
  if (day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return null;
  return `${year}-${pad(month)}-${pad(day)}`;
}

/** OpenAlgo's API form of an expiry: "28-NOV-24" → "28NOV24" (a four-digit year is shortened). */
export function apiExpiry(text: string): string {
  const iso = parseExpiry(text);
  if (!iso) return text.replace(/-/g, '').toUpperCase();
  const [y, m, d] = iso.split('-');
  return `${d}${MONTHS[Number(m) - 1]}${y.slice(2)}`;
}

/**
 * Picks the expiry a preset names from an expiry list: current_week = the first, next_week = the
 * second, current_month = the last in today's calendar month, next_month = the last of the month
 * after. Expiries before `today` (YYYY-MM-DD) are ignored: an expired contract is never chosen.
 */
export function pickExpiry(list: readonly string[], type: ExpiryType, today: string): string | null {
  const dated = list
    .map((raw) => ({ raw, iso: parseExpiry(raw) }))
    .filter((e): e is { raw: string; iso: string } => e.iso !== null && e.iso >= today)
    .sort((a, b) => (a.iso < b.iso ? -1 : a.iso > b.iso ? 1 : 0));
  if (dated.length === 0) return null;
  if (type === 'current_week') return dated[0].raw;
  if (type === 'next_week') return dated[1]?.raw ?? null;
  // By calendar month, as OpenAlgo's _resolve_expiry_date: after this month's last expiry,
  // current_month has none (the node fails) rather than sliding to next month's contract.
  const thisMonth = today.slice(0, 7);
  let month = thisMonth;
  if (type === 'next_month') {
    const [y, m] = thisMonth.split('-').map(Number);
    month = m === 12 ? `${y + 1}-01` : `${y}-${pad(m + 1)}`;
  }
  const inMonth = dated.filter((e) => e.iso.startsWith(month));
  return inMonth.length ? inMonth[inMonth.length - 1].raw : null;
}
