import { describe, expect, it } from 'vitest';
import { decorateBroker } from '../../src/broker/decorate.js';
import { PaperBroker } from '../../src/broker/paper/index.js';
import { createMetrics, instrumentBroker } from '../../src/server/metrics.js';

describe('decorateBroker', () => {
  it('replaces the chosen methods and passes every other call and property to the broker, bound to it', async () => {
    const paper = new PaperBroker();
    const seen: string[] = [];
    const decorated = decorateBroker(paper, ['funds'], (method, original) => async (...args: unknown[]) => {
      seen.push(method);
      return original(...args);
    });
    expect((await decorated.funds()).status).toBe('success');
    // Not decorated: called through, with the paper broker as `this` (its state is private).
    expect((await decorated.quotes({ symbol: 'SBIN', exchange: 'NSE' })).status).toBe('success');
    expect(seen).toEqual(['funds']);
    expect(decorated.kind).toBe('paper');
    expect(decorated.description).toBe(paper.description);
  });

  it('times every broker call for the metrics, by endpoint, and counts the ones that fail', async () => {
    const metrics = createMetrics();
    const broker = instrumentBroker(new PaperBroker(), metrics);
    await broker.funds();
    await broker.quotes({ symbol: 'SBIN', exchange: 'NSE' });
    await broker.orderStatus({ orderid: 'no-such-order', strategy: 'test' });
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/flow_broker_call_seconds_count\{endpoint="funds"\} 1/);
    expect(text).toMatch(/flow_broker_call_seconds_count\{endpoint="quotes"\} 1/);
    expect(text).toMatch(/flow_broker_errors_total\{endpoint="orderstatus"\} 1/);
    expect(text).not.toMatch(/flow_broker_errors_total\{endpoint="funds"\}/);
  });
});
