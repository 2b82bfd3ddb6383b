// Margin the paper account blocks for opening exposure: deliberately simple, plausible figures.

import type { Product } from '../types.js';
import type { Instrument } from './instruments.js';

const MIS_EQUITY_RATE = 0.2;
const FUTURES_RATE = 0.12;
/** Short options block this fraction of the underlying's notional. */
const SHORT_OPTION_RATE = 0.12;

/**
 * Margin for opening `quantity` units long or short at `price`; `spot` is the underlying's LTP.
 * CNC blocks the full value, MIS equity 20%, futures 12%, long options their premium, short
 * options 12% of the underlying's value.
 */
export function openingMargin(inst: Instrument, product: Product, side: 'long' | 'short', quantity: number, price: number, spot: number): number {
  if (quantity <= 0) return 0;
  switch (inst.type) {
    case 'EQ': return quantity * price * (product === 'CNC' ? 1 : MIS_EQUITY_RATE);
    case 'FUT': return quantity * price * FUTURES_RATE;
    case 'CE':
    case 'PE': return side === 'long' ? quantity * price : quantity * spot * SHORT_OPTION_RATE;
    default: return 0;
  }
}

/** How much of a signed fill opens new exposure against a signed position (the rest closes). */
export function openingQuantity(position: number, signedFill: number): number {
  if (position === 0 || Math.sign(position) === Math.sign(signedFill)) return Math.abs(signedFill);
  return Math.max(0, Math.abs(signedFill) - Math.abs(position));
}
