import { expect, it } from 'vitest';
import { OpenAlgoBroker, startOpenAlgoServer } from '../../src/broker/openalgo/index.js';
import { PaperBroker } from '../../src/broker/paper/index.js';
import type { Broker } from '../../src/broker/types.js';
import { brokerContract, type ContractSubject } from './contract.js';

const KEY = 'contract-key-0123456789';
// Monday 25 Nov 2024, 10:00 IST: the market is open, so market orders fill at once.
const IN_SESSION = new Date('2024-11-25T04:30:00Z');
const paper = () => new PaperBroker({ seed: 7, now: () => IN_SESSION });

/** The broker served by startOpenAlgoServer and reached through OpenAlgoBroker over loopback. */
async function overHttp(broker: Broker): Promise<ContractSubject> {
  const server = await startOpenAlgoServer({ broker, apiKey: KEY, port: 0 });
  const client = new OpenAlgoBroker({ host: server.url, apiKey: KEY, sendClientOrderKey: true });
  return {
    broker: client,
    close: async () => {
      await client.close();
      await server.close();
    },
  };
}

brokerContract('paper broker, in process', async () => ({ broker: paper() }));
brokerContract('paper broker over OpenAlgo HTTP', () => overHttp(paper()));

it('the same calls give the same answers in process and over HTTP', async () => {
  const script = async (b: Broker) => {
    const equity = { symbol: 'SBIN', exchange: 'NSE' };
    const placed = await b.placeOrder({ strategy: 's', ...equity, action: 'BUY', quantity: 2, pricetype: 'MARKET', product: 'MIS' }, { clientOrderKey: 'k1' });
    const limit = await b.placeOrder({ strategy: 's', ...equity, action: 'SELL', quantity: 1, pricetype: 'LIMIT', product: 'MIS', price: 5000 });
    return [
      placed, limit,
      await b.placeOrder({ strategy: 's', ...equity, action: 'BUY', quantity: 2, pricetype: 'MARKET', product: 'MIS' }, { clientOrderKey: 'k1' }),
      await b.orderStatus({ orderid: placed.orderid!, strategy: 's' }),
      await b.orderBook(), await b.tradeBook(), await b.positionBook(), await b.funds(), await b.holdings(),
      await b.quotes(equity), await b.depth(equity), await b.symbol(equity),
      await b.multiQuotes({ symbols: [equity, { symbol: 'NOSUCH', exchange: 'NSE' }] }),
      await b.history({ ...equity, interval: '5m', start_date: '2024-11-22', end_date: '2024-11-25' }),
      await b.expiry({ symbol: 'NIFTY', exchange: 'NFO', instrumenttype: 'options' }),
      await b.optionChain({ underlying: 'NIFTY', exchange: 'NSE_INDEX', expiry_date: '28NOV24', strike_count: 3 }),
      await b.cancelAllOrders({ strategy: 's' }),
      await b.closePosition({ strategy: 's' }),
      await b.openPosition({ strategy: 's', ...equity, product: 'MIS' }),
    ];
  };
  const direct = await script(paper());
  const remote = await overHttp(paper());
  try {
    expect(await script(remote.broker)).toEqual(direct);
  } finally {
    await remote.close?.();
  }
});
