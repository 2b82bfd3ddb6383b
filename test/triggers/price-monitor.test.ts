import { describe, expect, it } from 'vitest';
import type { MultiQuotesAnswer, QuoteAnswer, QuoteData, SymbolRef } from '../../src/broker/types.js';
import { PriceMonitor, priceAlertFromNode, validatePriceAlert, type PriceAlert, type PriceAlertPayload } from '../../src/triggers/price-monitor.js';
import { stubBroker } from './stub-broker.js';

const quote = (ltp: number): QuoteData => ({ open: ltp, high: ltp, low: ltp, ltp, ask: ltp, bid: ltp, prev_close: ltp, volume: 0, oi: 0 });

/** A market whose prices the test sets; counts the calls the monitor makes. */
function market(options: { multiQuotesFails?: boolean } = {}) {
  const prices = new Map<string, number>();
  const calls = { multiQuotes: [] as SymbolRef[][], quotes: 0 };
  const broker = stubBroker({
    async multiQuotes(req: { symbols: SymbolRef[] }): Promise<MultiQuotesAnswer> {
      calls.multiQuotes.push(req.symbols);
      if (options.multiQuotesFails) return { status: 'error', message: 'multiquotes is not supported by this broker' };
      return {
        status: 'success',
        results: req.symbols.map((s) => {
          const ltp = prices.get(`${s.exchange}:${s.symbol}`);
          return ltp === undefined ? { symbol: s.symbol, exchange: s.exchange, error: 'no such symbol' } : { symbol: s.symbol, exchange: s.exchange, data: quote(ltp) };
        }),
      };
    },
    async quotes(req: SymbolRef): Promise<QuoteAnswer> {
      calls.quotes++;
      const ltp = prices.get(`${req.exchange}:${req.symbol}`);
      return ltp === undefined ? { status: 'error', message: 'no such symbol' } : { status: 'success', data: quote(ltp) };
    },
  });
  return { broker, calls, set: (symbol: string, ltp: number, exchange = 'NSE') => prices.set(`${exchange}:${symbol}`, ltp) };
}

function monitorOn(m: ReturnType<typeof market>, extra: { batchSize?: number } = {}) {
  let nowMs = Date.parse('2026-05-04T04:00:00Z');
  const fired: Array<{ alert: PriceAlert; payload: PriceAlertPayload }> = [];
  const retired: Array<[string, string]> = [];
  const monitor = new PriceMonitor({
    broker: m.broker,
    now: () => new Date(nowMs),
    onFire: (alert, payload) => fired.push({ alert, payload }),
    onRetire: (alert, reason) => retired.push([alert.nodeId, reason]),
    ...extra,
  });
  return { monitor, fired, retired, advance: (ms: number) => { nowMs += ms; } };
}

const alert = (over: Partial<PriceAlert>): PriceAlert => ({
  workflowId: 'wf1', nodeId: 'alert', symbol: 'RELIANCE', exchange: 'NSE', condition: 'greater_than', price: 1500, trigger: 'once', ...over,
});

describe('conditions (OpenAlgo _evaluate_condition)', () => {
  it('crosses_above fires once, on the tick that crosses, with that tick as trigger_price, and then retires', async () => {
    const m = market();
    const { monitor, fired, retired } = monitorOn(m);
    monitor.add(alert({ condition: 'crossing_up', price: 1500 }));
    for (const ltp of [1490, 1499, 1501, 1490, 1510]) {
      m.set('RELIANCE', ltp);
      await monitor.tick();
    }
    expect(fired).toHaveLength(1);
    expect(fired[0].payload).toMatchObject({ trigger_type: 'price_alert', trigger_price: 1501, symbol: 'RELIANCE', exchange: 'NSE', ltp: 1501, condition: 'crossing_up', target_price: 1500, source: 'poll' });
    expect(fired[0].payload.triggered_at).toMatch(/^2026-05-04T09:30:00\.000\+05:30$/);
    expect(retired).toEqual([['alert', 'fired']]);
    expect(monitor.list()).toEqual([]);
  });

  it('a crossing with no previous price is judged on the level: armed beyond it, the first tick fires', async () => {
    const m = market();
    const { monitor, fired } = monitorOn(m);
    monitor.add(alert({ nodeId: 'up', condition: 'crossing_up', price: 1500 }));
    monitor.add(alert({ nodeId: 'down', condition: 'crossing_down', price: 1700 }));
    m.set('RELIANCE', 1600);
    await monitor.tick();
    expect(fired.map((f) => f.alert.nodeId).sort()).toEqual(['down', 'up']);
  });

  it('crossing_down, crossing (0.1 % of the LTP), channels, moving and tick-to-tick percent moves', async () => {
    const m = market();
    const { monitor, fired } = monitorOn(m);
    const every = { trigger: 'every_time' as const, price: undefined };
    monitor.add(alert({ nodeId: 'down', condition: 'crossing_down', price: 100, trigger: 'every_time' }));
    monitor.add(alert({ nodeId: 'near', condition: 'crossing', price: 96.05, trigger: 'every_time' }));
    monitor.add(alert({ nodeId: 'enter', condition: 'entering_channel', priceLower: 90, priceUpper: 95, ...every }));
    monitor.add(alert({ nodeId: 'outside', condition: 'outside_channel', priceLower: 95, priceUpper: 105, ...every }));
    monitor.add(alert({ nodeId: 'up', condition: 'moving_up', ...every }));
    monitor.add(alert({ nodeId: 'pct', condition: 'moving_down_percent', percentage: 2, ...every }));
    const seen: string[][] = [];
    for (const ltp of [101, 99, 96, 94, 95.5]) {
      m.set('RELIANCE', ltp);
      const before = fired.length;
      await monitor.tick();
      seen.push(fired.slice(before).map((f) => f.alert.nodeId).sort());
    }
    // 101: nothing has a previous tick yet; 99: crosses below 100, down 1.98 % (< 2); 96: within 0.096 of 96.05, down 3.03 %;
    // 94: inside 90-95, outside 95-105, down 2.08 %; 95.5: up, outside 90-95 again, inside 95-105.
    expect(seen).toEqual([[], ['down'], ['near', 'pct'], ['enter', 'outside', 'pct'], ['up']]);
    expect(fired.find((f) => f.alert.nodeId === 'pct')?.payload).toMatchObject({ trigger_price: 96, percentage: 2, target_price: null });
    expect(fired.find((f) => f.alert.nodeId === 'enter')?.payload).toMatchObject({ trigger_price: 94, price_lower: 90, price_upper: 95 });
  });

  it('every_time has no cooldown: a level condition fires on every price that satisfies it', async () => {
    const m = market();
    const { monitor, fired } = monitorOn(m);
    monitor.add(alert({ condition: 'greater_than', price: 1500, trigger: 'every_time' }));
    m.set('RELIANCE', 1510);
    await monitor.tick();
    await monitor.tick();
    m.set('RELIANCE', 1490);
    await monitor.tick();
    expect(fired).toHaveLength(2);
    expect(monitor.list()).toHaveLength(1);
  });

  it('every_time crossing needs a fresh cross: the price that fired becomes the previous one', async () => {
    const m = market();
    const { monitor, fired } = monitorOn(m);
    monitor.add(alert({ condition: 'crossing_up', price: 1500, trigger: 'every_time' }));
    for (const ltp of [1490, 1510, 1520, 1495, 1505]) {
      m.set('RELIANCE', ltp);
      await monitor.tick();
    }
    expect(fired.map((f) => f.payload.trigger_price)).toEqual([1510, 1505]);
  });
});

describe('expiry', () => {
  it('an expired alert does not fire and is dropped', async () => {
    const m = market();
    const { monitor, fired, retired, advance } = monitorOn(m);
    monitor.add(alert({ condition: 'greater_than', price: 1500, expiration: '1h' }));
    m.set('RELIANCE', 1400);
    await monitor.tick();
    advance(3_600_000);
    m.set('RELIANCE', 1600);
    await monitor.tick();
    expect(fired).toEqual([]);
    expect(retired).toEqual([['alert', 'expired']]);
    expect(monitor.list()).toEqual([]);
    const callsBefore = m.calls.multiQuotes.length;
    await monitor.tick();
    expect(m.calls.multiQuotes.length).toBe(callsBefore); // nothing left to quote
  });

  it('expiresAt sets an absolute expiry', async () => {
    const m = market();
    const { monitor, fired } = monitorOn(m);
    monitor.add(alert({ condition: 'greater_than', price: 1500, expiresAt: '2026-05-04T03:59:00Z' }));
    m.set('RELIANCE', 1600);
    await monitor.tick();
    expect(fired).toEqual([]);
  });
});

describe('batching', () => {
  it('alerts on the same symbol share one multiQuotes call per tick', async () => {
    const m = market();
    const { monitor } = monitorOn(m);
    for (let i = 0; i < 10; i++) monitor.add(alert({ workflowId: `wf${i}`, price: 1500 + i }));
    m.set('RELIANCE', 1400);
    await monitor.tick();
    await monitor.tick();
    expect(m.calls.multiQuotes).toEqual([[{ symbol: 'RELIANCE', exchange: 'NSE' }], [{ symbol: 'RELIANCE', exchange: 'NSE' }]]);
    expect(m.calls.quotes).toBe(0);
  });

  it('symbols are split into batches of batchSize', async () => {
    const m = market();
    const { monitor } = monitorOn(m, { batchSize: 50 });
    for (let i = 0; i < 120; i++) monitor.add(alert({ workflowId: `wf${i}`, symbol: `SYM${i}` }));
    await monitor.tick();
    expect(m.calls.multiQuotes.map((b) => b.length)).toEqual([50, 50, 20]);
  });

  it('falls back to one quote per symbol when multiQuotes answers an error', async () => {
    const m = market({ multiQuotesFails: true });
    const { monitor, fired } = monitorOn(m);
    monitor.add(alert({ symbol: 'SBIN', price: 800 }));
    monitor.add(alert({ workflowId: 'wf2', symbol: 'INFY', price: 1500 }));
    m.set('SBIN', 810);
    m.set('INFY', 1400);
    await monitor.tick();
    expect(m.calls.quotes).toBe(2);
    expect(fired.map((f) => f.payload.symbol)).toEqual(['SBIN']);
  });

  it('a broker that throws is reported and the tick ends without firing', async () => {
    const errors: string[] = [];
    const broker = stubBroker({ multiQuotes: async () => { throw new Error('connect ECONNREFUSED'); } });
    const monitor = new PriceMonitor({ broker, onFire: () => { throw new Error('must not fire'); }, onError: (_e, ctx) => errors.push(ctx) });
    monitor.add(alert({}));
    await monitor.tick();
    expect(errors).toEqual(['multiQuotes']);
  });

  it('removing a workflow stops its alerts', async () => {
    const m = market();
    const { monitor, fired } = monitorOn(m);
    monitor.add(alert({ workflowId: 'wf1' }));
    monitor.add(alert({ workflowId: 'wf2' }));
    expect(monitor.remove('wf1')).toBe(1);
    m.set('RELIANCE', 1600);
    await monitor.tick();
    expect(fired.map((f) => f.alert.workflowId)).toEqual(['wf2']);
  });
});

describe('validation', () => {
  it('names the missing fields of each condition', () => {
    expect(validatePriceAlert(alert({ price: undefined })).map((p) => p.field)).toEqual(['price']);
    expect(validatePriceAlert(alert({ condition: 'inside_channel', priceLower: 110, priceUpper: 100 })).map((p) => p.field)).toEqual(['priceUpper']);
    expect(validatePriceAlert(alert({ condition: 'moving_up_percent' })).map((p) => p.field)).toEqual(['percentage']);
    expect(validatePriceAlert(alert({ condition: 'moving_up', price: undefined }))).toEqual([]);
    expect(() => new PriceMonitor({ broker: market().broker, onFire: () => {} }).add(alert({ symbol: '' }))).toThrow(/symbol is required/);
  });
});

describe('from a priceAlert node', () => {
  const ids = { workflowId: 'wf1', nodeId: 'node_1' };

  it('reads OpenAlgo\'s fields with their defaults', () => {
    expect(priceAlertFromNode(ids, { symbol: 'RELIANCE', condition: 'crosses_above', price: '1500', expiration: '1d' })).toEqual({
      ok: true,
      alert: { ...ids, symbol: 'RELIANCE', exchange: 'NSE', condition: 'crossing_up', price: 1500, trigger: 'once', expiration: '1d' },
    });
  });

  it('reads both vocabularies into OpenAlgo\'s canonical condition names', () => {
    const names: Record<string, string> = { above: 'greater_than', price_below: 'less_than', crosses_below: 'crossing_down', cross_above: 'crossing_up', crosses: 'crossing', 'Crossing-Down': 'crossing_down' };
    for (const [given, canonical] of Object.entries(names)) {
      const parsed = priceAlertFromNode(ids, { symbol: 'SBIN', condition: given, price: 800, trigger: 'every_time' });
      expect(parsed.ok && parsed.alert.condition).toBe(canonical);
    }
    const pct = priceAlertFromNode(ids, { symbol: 'SBIN', condition: 'moving_up_percent', percentage: 2 });
    expect(pct.ok && pct.alert).toMatchObject({ condition: 'moving_up_percent', percentage: 2 });
  });

  it('names every bad field', () => {
    const parsed = priceAlertFromNode(ids, { symbol: '{{webhook.symbol}}', condition: 'sideways', price: 'abc', expiration: '2d' });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problems.map((p) => p.field).sort()).toEqual(['condition', 'expiration', 'price', 'symbol']);
  });
});

describe('cost of a tick', () => {
  it('1,000 alerts over 200 symbols take well under 5 ms of CPU per tick beyond the broker call', async () => {
    const symbols = Array.from({ length: 200 }, (_, i) => ({ symbol: `SYM${i}`, exchange: 'NSE' }));
    // Prebuilt answers, so the measured time is the monitor's own work.
    const answers = [100, 110].map((ltp) => new Map(
      [0, 1, 2, 3].map((b) => [b, { status: 'success' as const, results: symbols.slice(b * 50, b * 50 + 50).map((s) => ({ ...s, data: quote(ltp) })) }]),
    ));
    let tickNo = 0;
    const broker = stubBroker({
      multiQuotes: async (req: { symbols: SymbolRef[] }) => answers[tickNo % 2].get(Number(req.symbols[0].symbol.slice(3)) / 50)!,
    });
    let fires = 0;
    const monitor = new PriceMonitor({ broker, onFire: () => { fires++; } });
    const conditions = ['crossing_up', 'crossing_down', 'inside_channel', 'greater_than', 'less_than'] as const;
    for (let i = 0; i < 1000; i++) {
      monitor.add({
        workflowId: `wf${i}`, nodeId: 'n', ...symbols[i % 200], condition: conditions[i % 5], price: conditions[i % 5] === 'less_than' || conditions[i % 5] === 'crossing_down' ? 50 : 200 + i, priceLower: 1, priceUpper: 2,
        trigger: 'every_time',
      });
    }
    expect(monitor.symbolCount).toBe(200);
    for (let i = 0; i < 20; i++, tickNo++) await monitor.tick(); // warm up
    const ticks = 200;
    const start = process.cpuUsage();
    for (let i = 0; i < ticks; i++, tickNo++) await monitor.tick();
    const used = process.cpuUsage(start);
    const msPerTick = (used.user + used.system) / 1000 / ticks;
    expect(fires).toBe(0); // nothing matched: every alert was evaluated in full
    expect(msPerTick).toBeLessThan(2);
  });
});

describe('with a stream', () => {
  it('polls a symbol until its first tick, then only the stream; polls again while the stream is down', async () => {
    const { MemoryStream } = await import('../../src/stream/memory.js');
    const m = market();
    const stream = new MemoryStream();
    const fired: PriceAlertPayload[] = [];
    const monitor = new PriceMonitor({ broker: m.broker, stream, onFire: (_a, p) => fired.push(p) });
    monitor.add(alert({ condition: 'crossing_up', price: 1500, trigger: 'every_time' }));
    m.set('RELIANCE', 1490);
    await monitor.tick();
    expect(m.calls.multiQuotes).toHaveLength(1); // no tick yet: the first price comes from a poll
    stream.publish({ symbol: 'RELIANCE', exchange: 'NSE', mode: 1, ltp: 1495, data: {} });
    expect(monitor.list()[0]).toMatchObject({ source: 'stream', lastLtp: 1495 });
    await monitor.tick();
    expect(m.calls.multiQuotes).toHaveLength(1);
    stream.publish({ symbol: 'RELIANCE', exchange: 'NSE', mode: 2, ltp: 1501, data: {} }); // a Quote tick carries the LTP too
    expect(fired.map((f) => [f.trigger_price, f.source])).toEqual([[1501, 'stream']]);
    stream.setState('down');
    expect(monitor.list()[0].source).toBe('poll');
    m.set('RELIANCE', 1490);
    await monitor.tick();
    expect(m.calls.multiQuotes).toHaveLength(2);
    stream.setState('live');
    stream.publish({ symbol: 'RELIANCE', exchange: 'NSE', mode: 1, ltp: 1502, data: {} }); // judged against the polled 1490
    expect(fired.map((f) => [f.trigger_price, f.source])).toEqual([[1501, 'stream'], [1502, 'stream']]);
    monitor.stop();
    expect(stream.subscriptions()).toEqual([]);
  });
});
