// The engine with the real node registry and the paper broker: workflows as a trader writes them.
import { describe, expect, it } from 'vitest';
import { PaperBroker } from '../../src/broker/paper/index.js';
import { compileWorkflow, runWorkflow } from '../../src/engine/index.js';
import { defaultRegistry } from '../../src/nodes/registry.js';
import { validateWorkflow } from '../../src/workflow/validate.js';
import { countingBroker } from '../helpers/graph.js';

const node = (id: string, type: string, data: Record<string, unknown> = {}) => ({ id, type, position: { x: 0, y: 0 }, data });
const edge = (source: string, target: string, sourceHandle?: string) => ({ id: `${source}-${target}`, source, target, sourceHandle });

async function run(nodes: ReturnType<typeof node>[], edges: ReturnType<typeof edge>[], payload: Record<string, unknown> = {}) {
  const v = validateWorkflow({ name: 'spec', nodes, edges }, defaultRegistry);
  expect(v.problems.filter((p) => p.severity === 'error')).toEqual([]);
  const broker = countingBroker(new PaperBroker());
  const result = await runWorkflow(compileWorkflow(v.workflow!, defaultRegistry), { broker, trigger: { kind: 'webhook', payload } });
  return { result, broker };
}

describe('real nodes', () => {
  it('an order field whose {{…}} did not resolve fails before the broker, on the real order nodes', async () => {
    for (const [type, data, field] of [
      ['placeOrder', { symbol: '{{webhook.sym}}', quantity: 1 }, 'symbol'],
      ['basketOrder', { orders: '{{webhook.lines}}' }, 'orders'],
      ['modifyOrder', { orderId: '{{webhook.oid}}' }, 'orderId'],
      ['optionsOrder', { expiryDate: '{{webhook.expiry}}' }, 'expiryDate'],
    ] as const) {
      const { result, broker } = await run([node('t', 'webhookTrigger'), node('o', type, data)], [edge('t', 'o')]);
      expect(result.error).toMatch(new RegExp(`^o ${type}: ${field} '.*' did not resolve .*; no order was sent$`));
      expect(broker.calls).toEqual([]);
    }
  });

  it('a mathExpression result feeds an order quantity as a number', async () => {
    const { result, broker } = await run(
      [node('t', 'webhookTrigger'), node('m', 'mathExpression', { expression: '{{webhook.lots}} * 5', outputVariable: 'qty' }),
        node('buy', 'placeOrder', { symbol: 'SBIN', exchange: 'NSE', action: 'BUY', quantity: '{{qty}}', priceType: 'MARKET', product: 'MIS' })],
      [edge('t', 'm'), edge('m', 'buy')], { lots: 3 },
    );
    expect(result.status).toBe('completed');
    expect(broker.calls.find((c) => c.method === 'placeOrder')!.req).toMatchObject({ quantity: 15 });
  });

  it('a rejected order fails its node, stops the run and sends nothing after it', async () => {
    const { result, broker } = await run(
      [node('t', 'webhookTrigger'), node('bad', 'placeOrder', { symbol: 'NOSUCHSTOCK', exchange: 'NSE', action: 'BUY', quantity: 1 }),
        node('next', 'placeOrder', { symbol: 'SBIN', exchange: 'NSE', action: 'BUY', quantity: 1 })],
      [edge('t', 'bad'), edge('bad', 'next')],
    );
    expect(result.status).toBe('failed');
    expect(result.failedNodeId).toBe('bad');
    expect(result.orders.map((o) => o.status)).toEqual(['rejected']);
    expect(broker.calls.filter((c) => c.method === 'placeOrder')).toHaveLength(1);
  });

  it('a position check routes the true branch on a fresh account, and the order lands in the paper book', async () => {
    const { result, broker } = await run(
      [node('t', 'webhookTrigger'), node('pc', 'positionCheck', { symbol: '{{webhook.symbol}}', exchange: 'NSE', product: 'MIS', condition: 'not_exists' }),
        node('buy', 'placeOrder', { symbol: '{{webhook.symbol}}', exchange: 'NSE', action: 'BUY', quantity: 10, outputVariable: 'o' }),
        node('skip', 'log', { message: 'already in' })],
      [edge('t', 'pc'), edge('pc', 'buy', 'true'), edge('pc', 'skip', 'false')], { symbol: 'SBIN' },
    );
    // A skip is recorded when it is decided, before the branch that did fire runs.
    expect(result.steps.map((s) => `${s.nodeId}:${s.status}`)).toEqual(['t:completed', 'pc:completed', 'skip:skipped', 'buy:completed']);
    const positions = await broker.positionBook();
    expect(positions.data).toEqual([expect.objectContaining({ symbol: 'SBIN', quantity: 10 })]);
    expect((result.variables.o as { orderid: string }).orderid).toBe(result.orders[0].orderIds[0]);
  });

  it('a quantity that resolves to 12.7 is sent as 12, and the step and the log say so (OpenAlgo get_int: int(float(x)))', async () => {
    const { result, broker } = await run(
      [node('t', 'webhookTrigger'), node('buy', 'placeOrder', { symbol: 'SBIN', exchange: 'NSE', action: 'BUY', quantity: '{{webhook.qty}}' })],
      [edge('t', 'buy')], { qty: 12.7 },
    );
    expect(result.status).toBe('completed');
    expect(broker.calls.find((c) => c.method === 'placeOrder')!.req).toMatchObject({ quantity: 12 });
    const step = result.steps.find((s) => s.nodeId === 'buy')!;
    expect(step.notes).toEqual(['quantity 12.7 truncated to 12 (a whole quantity, as OpenAlgo)']);
    expect(result.logs).toContainEqual(expect.objectContaining({ level: 'warn', nodeId: 'buy', message: expect.stringContaining('12.7 truncated to 12') }));
  });

  it('a quantity that truncates to 0 fails the node before any broker call', async () => {
    const { result, broker } = await run(
      [node('t', 'webhookTrigger'), node('buy', 'placeOrder', { symbol: 'SBIN', exchange: 'NSE', action: 'BUY', quantity: '{{webhook.qty}}' })],
      [edge('t', 'buy')], { qty: '0.4' },
    );
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/buy placeOrder: quantity .*must be at least 1 \(got 0.4, which truncates to 0\)/);
    expect(broker.calls.filter((c) => c.method === 'placeOrder')).toHaveLength(0);
  });

  it('a mathExpression without outputVariable stores its number under result (OpenAlgo execute_math_expression)', async () => {
    const { result, broker } = await run(
      [node('t', 'webhookTrigger'), node('m', 'mathExpression', { expression: '{{webhook.lots}} * 25' }),
        node('buy', 'placeOrder', { symbol: 'SBIN', exchange: 'NSE', action: 'BUY', quantity: '{{result}}' })],
      [edge('t', 'm'), edge('m', 'buy')], { lots: 2 },
    );
    expect(result.variables.result).toBe(50);
    expect(broker.calls.find((c) => c.method === 'placeOrder')!.req).toMatchObject({ quantity: 50 });
  });
});

describe('a trigger wired below another node', () => {
  it('a priceAlert after a webhook runs as a step, after its source, once, and takes its true branch on the price now', async () => {
    const broker = countingBroker(new PaperBroker());
    // Listed before its source, so only the edges can put it second.
    const nodes = [
      node('alert', 'priceAlert', { symbol: 'SBIN', exchange: 'NSE', condition: 'greater_than', price: 1 }),
      node('hook', 'webhookTrigger'),
      node('buy', 'placeOrder', { symbol: 'SBIN', exchange: 'NSE', action: 'BUY', quantity: 1, priceType: 'MARKET', product: 'MIS' }),
    ];
    const v = validateWorkflow({ name: 'spec', nodes, edges: [edge('hook', 'alert'), edge('alert', 'buy', 'true')] }, defaultRegistry);
    expect(v.problems.filter((p) => p.severity === 'error')).toEqual([]);
    for (const trigger of [{ kind: 'manual' as const, payload: {} }, { kind: 'webhook' as const, payload: {} }]) {
      const result = await runWorkflow(compileWorkflow(v.workflow!, defaultRegistry), { broker, trigger });
      expect(result.steps.filter((s) => s.status !== 'skipped').map((s) => s.nodeId)).toEqual(['hook', 'alert', 'buy']);
      expect(result.status).toBe('completed');
    }
  });
});
