import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PaperBroker } from '../../src/broker/paper/index.js';
import { nodes } from '../../src/nodes/conditions.js';
import { input, ParamError, parseParams, prepare, runNode, stubBroker } from './context.js';

const def = (type: string) => nodes.find((n) => n.type === type)!;
const NOW = new Date('2025-01-15T04:30:00Z'); // Wednesday 10:00 IST

// The process zone must not matter: everything is in the exchange zone.
const savedTz = process.env.TZ;
beforeAll(() => {
  process.env.TZ = 'America/New_York';
});
afterAll(() => {
  process.env.TZ = savedTz;
});

describe('priceCondition', () => {
  const quote = (data: Record<string, number>) => stubBroker({ quotes: () => ({ status: 'success', data }) });

  it('compares a quote field with the value', async () => {
    const broker = quote({ ltp: 1510, open: 1490, high: 1520, low: 1480, prev_close: 1500 });
    const gt = await runNode(def('priceCondition'), { symbol: 'RELIANCE', field: 'ltp', operator: '>', value: 1500 }, { broker });
    expect(gt.result).toMatchObject({ status: 'success', condition: true, field_value: 1510 });
    const low = await runNode(def('priceCondition'), { symbol: 'RELIANCE', field: 'low', operator: '>=', value: '1481' }, { broker });
    expect(low.result.condition).toBe(false);
  });

  it('computes change_percent from ltp and prev_close', async () => {
    const broker = quote({ ltp: 1530, prev_close: 1500 });
    const { result } = await runNode(def('priceCondition'), { symbol: 'RELIANCE', field: 'change_percent', operator: '>=', value: 2 }, { broker });
    expect(result).toMatchObject({ condition: true, field_value: 2 });
  });

  it('errors (no branch) when the quote lacks the field', async () => {
    const broker = quote({ ltp: 1530, prev_close: 0 });
    const { result } = await runNode(def('priceCondition'), { symbol: 'RELIANCE', field: 'change_percent' }, { broker });
    expect(result.status).toBe('error');
    expect(result.condition).toBeUndefined();
  });

  it('accepts word operators from older configs', () => {
    expect(parseParams(def('priceCondition'), { symbol: 'X', operator: 'gte' }).operator).toBe('>=');
  });
});

describe('positionCheck', () => {
  const open = (quantity: string) => stubBroker({ openPosition: () => ({ status: 'success', quantity }) });

  it("maps the seed's checkType/quantity names and quantity_gt values", () => {
    const p = parseParams(def('positionCheck'), { symbol: 'SBIN', checkType: 'quantity_gt', quantity: 5 });
    expect(p).toMatchObject({ condition: 'quantity_above', threshold: 5 });
    expect(parseParams(def('positionCheck'), { symbol: 'SBIN', checkType: 'quantity_lt' }).condition).toBe('quantity_below');
    // The current name wins over the alias.
    expect(parseParams(def('positionCheck'), { symbol: 'SBIN', condition: 'not_exists', checkType: 'exists' }).condition).toBe('not_exists');
  });

  it('evaluates exists, not_exists and quantity thresholds on the signed quantity', async () => {
    const run = (data: Record<string, unknown>, q: string) => runNode(def('positionCheck'), { symbol: 'SBIN', ...data }, { broker: open(q) }).then((r) => r.result.condition);
    expect(await run({ condition: 'exists' }, '-10')).toBe(true);
    expect(await run({ condition: 'not_exists' }, '0')).toBe(true);
    expect(await run({ checkType: 'quantity_gt', quantity: 5 }, '10')).toBe(true);
    expect(await run({ checkType: 'quantity_gt', quantity: 5 }, '-10')).toBe(false);
    expect(await run({ condition: 'quantity_below', threshold: 0 }, '-10')).toBe(true);
  });

  it('reads P&L from the position book for pnl conditions', async () => {
    const broker = stubBroker({ positionBook: () => ({ status: 'success', data: [{ symbol: 'SBIN', exchange: 'NSE', product: 'MIS', quantity: 10, average_price: 500, ltp: 490, pnl: -100 }] }) });
    const { result } = await runNode(def('positionCheck'), { symbol: 'SBIN', condition: 'pnl_below', threshold: -50 }, { broker });
    expect(result).toMatchObject({ status: 'success', condition: true, pnl: -100, quantity: 10 });
  });

  it('errors on a quantity it cannot read', async () => {
    const { result } = await runNode(def('positionCheck'), { symbol: 'SBIN' }, { broker: open('n/a') });
    expect(result.status).toBe('error');
  });

  it('works against the paper broker', async () => {
    const broker = new PaperBroker({ now: () => NOW });
    await broker.placeOrder({ strategy: 's', symbol: 'SBIN', exchange: 'NSE', action: 'BUY', quantity: 3, pricetype: 'MARKET', product: 'MIS' });
    const { result } = await runNode(def('positionCheck'), { symbol: 'SBIN', condition: 'exists' }, { broker, now: NOW });
    expect(result).toMatchObject({ condition: true, quantity: 3 });
  });
});

describe('fundCheck', () => {
  const funds = (availablecash: string) => stubBroker({ funds: () => ({ status: 'success', data: { availablecash, collateral: '0', m2mrealized: '0', m2munrealized: '0', utiliseddebits: '0' } }) });

  it('is true when available cash is at least the minimum', async () => {
    expect((await runNode(def('fundCheck'), { minAvailable: 50000 }, { broker: funds('50000.00') })).result.condition).toBe(true);
    expect((await runNode(def('fundCheck'), { minAvailable: '50000.01' }, { broker: funds('50000.00') })).result.condition).toBe(false);
  });

  it('fails closed when the minimum is missing or blank', () => {
    expect(() => parseParams(def('fundCheck'), {})).toThrow(/^minAvailable is required/);
    expect(() => parseParams(def('fundCheck'), { minAvailable: '' })).toThrow(ParamError);
  });

  it('errors when the broker gives no number', async () => {
    const { result } = await runNode(def('fundCheck'), { minAvailable: 1 }, { broker: funds('') });
    expect(result.status).toBe('error');
    expect(result.condition).toBeUndefined();
  });
});

describe('timeWindow (exchange time, whatever the process zone)', () => {
  const at = (iso: string) => ({ now: new Date(iso) });

  it('is true inside 09:15–15:30 IST and false outside', async () => {
    expect(new Date('2025-01-15T04:30:00Z').getHours()).toBe(23); // the process really is in New York
    const inside = await runNode(def('timeWindow'), {}, at('2025-01-15T04:30:00Z')); // 10:00 IST
    expect(inside.result).toMatchObject({ condition: true, time: '10:00:00' });
    const before = await runNode(def('timeWindow'), {}, at('2025-01-15T03:44:00Z')); // 09:14 IST
    expect(before.result.condition).toBe(false);
    const edge = await runNode(def('timeWindow'), {}, at('2025-01-15T10:00:00Z')); // 15:30:00 IST
    expect(edge.result.condition).toBe(true);
    const after = await runNode(def('timeWindow'), {}, at('2025-01-15T10:01:00Z')); // 15:31 IST
    expect(after.result.condition).toBe(false);
  });

  it('inverts, and wraps a window past midnight', async () => {
    expect((await runNode(def('timeWindow'), { invertCondition: true }, at('2025-01-15T11:00:00Z'))).result.condition).toBe(true);
    expect((await runNode(def('timeWindow'), { startTime: '22:00', endTime: '02:00' }, at('2025-01-15T18:30:00Z'))).result.condition).toBe(true); // 00:00 IST
    expect((await runNode(def('timeWindow'), { startTime: '22:00', endTime: '02:00' }, at('2025-01-15T06:30:00Z'))).result.condition).toBe(false); // 12:00 IST
  });

  it("restricts to the seed's days, given as names or numbers", async () => {
    // 2025-01-18 is a Saturday (IST); at 10:00 IST.
    const sat = at('2025-01-18T04:30:00Z');
    expect((await runNode(def('timeWindow'), { days: ['mon', 'tue', 'wed', 'thu', 'fri'] }, sat)).result.condition).toBe(false);
    expect((await runNode(def('timeWindow'), { days: [5] }, sat)).result.condition).toBe(true);
    expect((await runNode(def('timeWindow'), {}, sat)).result.condition).toBe(true);
    expect(() => parseParams(def('timeWindow'), { days: ['funday'] })).toThrow(/^days 'funday' is not a day/);
  });
});

describe('timeCondition', () => {
  it('compares the IST clock with the target (== is the whole minute)', async () => {
    const now = new Date('2025-01-15T04:00:30Z'); // 09:30:30 IST
    expect((await runNode(def('timeCondition'), { operator: '>=', targetTime: '09:30' }, { now })).result.condition).toBe(true);
    expect((await runNode(def('timeCondition'), { operator: '==', targetTime: '09:30' }, { now })).result.condition).toBe(true);
    expect((await runNode(def('timeCondition'), { operator: '<', targetTime: '09:30' }, { now })).result.condition).toBe(false);
    expect(def('timeCondition').branches).toBe('yes/no');
  });

  it('honours seconds: at 15:29:30, >= 15:29:59 is false and < 15:29:59 true; == still matches the minute (OpenAlgo execute_time_condition)', async () => {
    const now = new Date('2025-01-15T09:59:30Z'); // 15:29:30 IST
    const ge = await runNode(def('timeCondition'), { operator: '>=', targetTime: '15:29:59', conditionType: 'exit' }, { now });
    expect(ge.result).toMatchObject({ condition: false, condition_type: 'exit', current_time: '15:29:30', target_time: '15:29:59', operator: '>=' });
    expect((await runNode(def('timeCondition'), { operator: '<', targetTime: '15:29:59' }, { now })).result.condition).toBe(true);
    expect((await runNode(def('timeCondition'), { operator: '==', targetTime: '15:29:59' }, { now })).result.condition).toBe(true);
  });
});

describe('varCondition', () => {
  const run = (leftValue: unknown, operator: string, rightValue: unknown) => runNode(def('varCondition'), { leftValue, operator, rightValue }).then((r) => r.result);

  it('compares numbers numerically, whether numbers or numeric text', async () => {
    expect((await run('9', '<', '10')).condition).toBe(true); // not text order
    expect((await run(28.5, '<', '30')).condition).toBe(true);
    expect((await run('1e3', '==', 1000)).condition).toBe(true);
  });

  it('compares text with == and !=', async () => {
    expect((await run('BUY', '==', 'BUY')).condition).toBe(true);
    expect((await run('BUY', '!=', 'SELL')).condition).toBe(true);
  });

  it('errors, taking no branch, for non-numbers with < > <= >= or an unresolved reference', async () => {
    expect(await run('abc', '>', '1')).toMatchObject({ status: 'error', message: expect.stringMatching(/leftValue 'abc' is not a number/) });
    expect(await run('{{rsi.latest.value}}', '<', '30')).toMatchObject({ status: 'error', message: expect.stringMatching(/did not resolve/) });
    expect(await run('{{x}}', '==', '{{x}}')).toMatchObject({ status: 'error' });
    expect(await run('', '>', '0')).toMatchObject({ status: 'error' });
  });
});

describe('gates', () => {
  const gate = (type: string, inputs: boolean[]) => runNode(def(type), {}, { inputs: inputs.map((v, i) => input(`c${i}`, v)) }).then((r) => r.result);

  it('AND is all inputs true; a source that did not run counts as false', async () => {
    expect((await gate('andGate', [true, true, true])).condition).toBe(true);
    expect((await gate('andGate', [true, false])).condition).toBe(false);
    const { result } = await runNode(def('andGate'), {}, { inputs: [input('a', true), input('b', false, false)] });
    expect(result.condition).toBe(false);
  });

  it('OR is any input true', async () => {
    expect((await gate('orGate', [false, true])).condition).toBe(true);
    expect((await gate('orGate', [false, false])).condition).toBe(false);
  });

  it('NOT negates its single input and errors otherwise', async () => {
    expect((await gate('notGate', [false])).condition).toBe(true);
    expect((await gate('notGate', [true])).condition).toBe(false);
    expect(await gate('notGate', [true, false])).toMatchObject({ status: 'error' });
    expect(await gate('notGate', [])).toMatchObject({ status: 'error' });
  });

  it('declare the gate flag and their handles', () => {
    expect(def('andGate')).toMatchObject({ gate: true, branches: 'true/false' });
    expect(def('orGate')).toMatchObject({ gate: true, branches: 'true/false' });
    expect(def('notGate')).toMatchObject({ gate: true, branches: 'yes/no' });
    expect(() => prepare(def('andGate'), { inputCount: 6 })).toThrow(/inputCount/);
  });
});
