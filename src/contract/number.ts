// The one rule for a number that may arrive as text ("1234.50", " -2e3 "), as OpenAlgo and
// the editor's form inputs send them.

/** A decimal number, with optional sign, fraction and exponent; surrounding blanks allowed. */
export const NUMERIC = /^\s*[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?\s*$/i;

/** The number a value holds (a finite number, or numeric text), else null. */
export function parseNumber(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && NUMERIC.test(v)) return Number(v);
  return null;
}
