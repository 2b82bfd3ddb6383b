// The output keys a node declares (the catalogue's `outputs`, which the editor checks references
// against) cover what the node really answers: run on the paper broker, success and error alike.

import { describe, expect, it } from 'vitest';
import { PaperBroker } from '../../src/broker/paper/index.js';
import { defaultRegistry } from '../../src/nodes/registry.js';
import { makeContext, runNode } from './context.js';

// 10:00 IST on Wednesday 15 Jan 2025.
const NOW = new Date('2025-01-15T04:30:00Z');

/** Stands for the id of a resting LIMIT order placed before each node runs. */
const RESTING = '<resting order>';

const RUNS: Record<string, Array<Record<string, unknown>>> = {
  placeOrder: [{ symbol: 'SBIN', quantity: 5 }, { symbol: 'NOSUCH', quantity: 5 }],
  smartOrder: [{ symbol: 'SBIN', quantity: 5, positionSize: 5 }],
  optionsOrder: [{ underlying: 'NIFTY', expiryType: 'next_week', offset: 'ATM', optionType: 'CE', action: 'BUY', quantity: 1 }],
  optionsMultiOrder: [{ strategy: 'straddle', quantity: 1 }],
  basketOrder: [{ orders: 'RELIANCE,NSE,BUY,10\nINFY,NSE,BUY', basketName: 'morning' }],
  splitOrder: [{ symbol: 'SBIN', quantity: 100, splitSize: 50 }],
  modifyOrder: [{ orderId: RESTING, newPrice: 505 }, { orderId: 'none', newPrice: 505 }],
  cancelOrder: [{ orderId: RESTING }, { orderId: 'none' }],
  cancelAllOrders: [{}],
  closePositions: [{ symbol: 'SBIN' }, {}],
  getQuote: [{ symbol: 'SBIN' }, { symbol: 'NOSUCH' }],
};

describe('declared outputs', () => {
  const declared = [...defaultRegistry.values()].filter((d) => d.outputs);

  it('are declared for the order nodes and the quote, each run here', () => {
    expect(declared.map((d) => d.type).sort()).toEqual(Object.keys(RUNS).sort());
  });

  for (const def of declared) {
    it(`${def.type} answers only keys it declares`, async () => {
      const broker = new PaperBroker({ now: () => NOW });
      // A resting LIMIT order for modify and cancel, and a position for closePositions.
      const resting = await broker.placeOrder({ strategy: 's', symbol: 'SBIN', exchange: 'NSE', action: 'BUY', quantity: 1, pricetype: 'LIMIT', product: 'MIS', price: 1 });
      await broker.placeOrder({ strategy: 's', symbol: 'SBIN', exchange: 'NSE', action: 'BUY', quantity: 2, pricetype: 'MARKET', product: 'MIS', price: 0 });
      const statuses: unknown[] = [];
      for (const raw of RUNS[def.type]) {
        const data = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, v === RESTING ? resting.orderid : v]));
        const { result } = await runNode(def, data, makeContext({ broker, now: NOW }));
        statuses.push(result.status);
        expect(Object.keys(result).filter((k) => !def.outputs!.includes(k)), `${def.type} ${JSON.stringify(data)} answered ${JSON.stringify(result)}`).toEqual([]);
      }
      expect(statuses).toContain('success');
    });
  }
});
