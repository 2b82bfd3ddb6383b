import { describe, expect, it } from 'vitest';
import { catalogue as serverCatalogue, defaultRegistry } from '../../../src/nodes/registry.js';
import type { NodeType } from '../types';
import { days, nodeSummary, outputName } from './summary';

const catalogue = new Map((serverCatalogue(defaultRegistry) as unknown as NodeType[]).map((n) => [n.type, n]));
const summary = (type: string, data: Record<string, unknown>) => nodeSummary(catalogue.get(type), data);

describe('a node card states its key fields', () => {
  it('a price check shows its symbol, operator and threshold', () => {
    expect(summary('priceCondition', { symbol: 'SBIN', exchange: 'NSE', field: 'ltp', operator: '<', value: 500 }))
      .toEqual([['Symbol', 'SBIN · NSE'], ['If', 'ltp < 500']]);
  });

  it('a position check names its test and threshold; a schedule says when it fires', () => {
    expect(summary('positionCheck', { symbol: 'SBIN', condition: 'quantity_above', threshold: 50 })[1]).toEqual(['If', 'quantity above 50']);
    expect(summary('start', { scheduleType: 'interval', intervalValue: 5, intervalUnit: 'minutes', marketHoursOnly: true }))
      .toEqual([['When', 'every 5 minutes'], ['', 'market hours (NSE)']]);
    expect(summary('start', { scheduleType: 'daily', time: '09:20', days: [0, 1, 2, 3, 4], marketHoursOnly: false })).toEqual([['When', 'daily 09:20 Mon–Fri']]);
    expect(days(['mon', 'wed'])).toBe('Mon,Wed');
  });

  it('an order reads as quantity, side and symbol, and any node shows where its output goes', () => {
    expect(summary('placeOrder', { symbol: 'SBIN', action: 'BUY', quantity: 5, outputVariable: 'entry' }))
      .toEqual([['Qty', '5 · BUY'], ['Symbol', 'SBIN · NSE'], ['', 'MIS · MARKET']]);
    expect(outputName({ outputVariable: ' entry ' })).toBe('{{entry}}');
    expect(outputName({})).toBeNull();
  });
});
