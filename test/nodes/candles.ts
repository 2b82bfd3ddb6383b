// Fixed daily candles shared by the data-node specs: a known "now" and a weekday series whose
// closes count 1, 2, 3 … so every window and offset can be read off by eye.

import type { Candle } from '../../src/broker/types.js';
import { stubBroker } from './context.js';

export const NOW = new Date('2025-01-15T04:30:00Z'); // Wednesday 10:00 IST

/** Midnight IST of a date, in epoch seconds (how daily candles are stamped). */
export const istMidnight = (date: string) => (Date.parse(`${date}T00:00:00Z`) - 330 * 60_000) / 1000;

/** Daily weekday candles from 2024-12-02 to 2025-01-15 (today, still forming); close = 1, 2, 3 … */
export function dailyBars(): Candle[] {
  const out: Candle[] = [];
  for (let t = Date.parse('2024-12-02T00:00:00Z'); t <= Date.parse('2025-01-15T00:00:00Z'); t += 86_400_000) {
    const d = new Date(t);
    if (d.getUTCDay() === 0 || d.getUTCDay() === 6) continue;
    const close = out.length + 1;
    out.push({ timestamp: istMidnight(d.toISOString().slice(0, 10)), open: close - 0.5, high: close + 1, low: close - 1, close, volume: 100, oi: 0 });
  }
  return out;
}

/** A broker whose history answers the given candles (the daily series by default). */
export const historyBroker = (bars = dailyBars()) => stubBroker({ history: () => ({ status: 'success', data: bars }) });
