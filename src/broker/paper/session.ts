// The paper market's hours, as OpenAlgo's sandbox (analyzer mode) keeps them: an MIS order that opens
// or adds to a position is refused from the exchange's square-off time until 09:00 IST; one that
// reduces or closes a position, and CNC/NRML orders, are taken at any hour (sandbox/order_manager.py).

import type { OrderSpec } from './validate.js';
import { istMinuteOfDay } from './clock.js';

/** Square-off times in minutes of the IST day (OpenAlgo's defaults). */
const SQUARE_OFF_MIN: Readonly<Record<string, number>> = {
  NSE: 15 * 60 + 15, BSE: 15 * 60 + 15, NFO: 15 * 60 + 15, BFO: 15 * 60 + 15,
  CDS: 16 * 60 + 45, BCD: 16 * 60 + 45, MCX: 23 * 60 + 30, NCDEX: 17 * 60,
};
const TRADING_RESUMES_MIN = 9 * 60;

const hhmm = (min: number) => `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`;

/** Why the paper market refuses this order now, or null; `position` is the net quantity held in it. */
export function afterHoursRefusal(spec: Pick<OrderSpec, 'product' | 'exchange' | 'action'>, ms: number, position: number): string | null {
  if (spec.product !== 'MIS') return null;
  const squareOff = SQUARE_OFF_MIN[spec.exchange];
  if (squareOff === undefined) return null;
  const minute = istMinuteOfDay(ms);
  if (minute >= TRADING_RESUMES_MIN && minute < squareOff) return null;
  const reducing = spec.action === 'BUY' ? position < 0 : position > 0;
  if (reducing) return null;
  return `MIS orders cannot be placed after square-off time (${hhmm(squareOff)} IST). Trading resumes at 09:00 AM IST. (paper market; FLOW_PAPER_ALWAYS_OPEN=1 keeps it open for testing)`;
}
