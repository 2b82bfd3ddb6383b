// The client's limiter keeps a burst of orders inside OpenAlgo's 10/s moving window:
// they wait for a slot instead of failing, and the server never answers 429.

import { afterEach, expect, it } from 'vitest';
import { OpenAlgoBroker, startOpenAlgoServer, type OpenAlgoServer } from '../../src/broker/openalgo/index.js';
import type { CallOptions, PlaceOrderRequest } from '../../src/broker/types.js';
import { StubBroker } from './stub-broker.js';

const KEY = 'rate-key';
let server: OpenAlgoServer | undefined;
let client: OpenAlgoBroker | undefined;
afterEach(async () => {
  await client?.close();
  await server?.close();
});

it('30 orders issued at once reach the server at no more than 10 per second, and all succeed', async () => {
  const arrivals: number[] = [];
  const sequence: number[] = [];
  const broker = new StubBroker();
  const place = broker.placeOrder.bind(broker);
  broker.placeOrder = (req: PlaceOrderRequest, opts?: CallOptions) => {
    arrivals.push(performance.now());
    sequence.push(Number(req.quantity));
    return place(req, opts);
  };
  // the server enforces OpenAlgo's default 10 orders/s: a burst would meet 429s
  server = await startOpenAlgoServer({ broker, apiKey: KEY, port: 0 });
  client = new OpenAlgoBroker({ host: server.url, apiKey: KEY });

  const order: PlaceOrderRequest = { strategy: 's', symbol: 'SBIN', exchange: 'NSE', action: 'BUY', quantity: 1, pricetype: 'MARKET', product: 'MIS' };
  const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => client!.placeOrder({ ...order, quantity: i + 1 })));

  expect(answers.map((a) => a.status)).toEqual(Array(30).fill('success'));
  expect(new Set(answers.map((a) => a.orderid)).size).toBe(30);
  expect(arrivals).toHaveLength(30);
  // the first ten go at once; the ones that waited reach the broker in the order they were issued
  expect([...sequence.slice(0, 10)].sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
  expect(sequence.slice(10)).toEqual(Array.from({ length: 20 }, (_, i) => i + 11));
  arrivals.sort((a, b) => a - b);
  expect(arrivals[29] - arrivals[0]).toBeGreaterThanOrEqual(1900);
  for (let i = 10; i < 30; i++) expect(arrivals[i] - arrivals[i - 10]).toBeGreaterThanOrEqual(1000);
});
