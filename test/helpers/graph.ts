// Small node types and a call-counting broker for specifying the engine's walk, independent of real nodes.

import type { Broker } from '../../src/broker/types.js';
import { f } from '../../src/contract/fields.js';
import { createRegistry } from '../../src/nodes/registry.js';
import { defineNode, type NodeDefinition } from '../../src/nodes/types.js';
import type { Workflow } from '../../src/workflow/schema.js';

/** Wraps a broker (or nothing) so every call is counted by method name. */
export function countingBroker(inner?: Partial<Broker>): Broker & { calls: Array<{ method: string; req: unknown; opts: unknown }> } {
  const calls: Array<{ method: string; req: unknown; opts: unknown }> = [];
  const target = { kind: 'paper', description: 'counting', calls } as unknown as Broker & { calls: typeof calls };
  return new Proxy(target, {
    get(t, prop) {
      if (prop in t) return (t as unknown as Record<string | symbol, unknown>)[prop];
      const fn = (inner as Record<string | symbol, unknown> | undefined)?.[prop];
      return async (req: unknown, opts: unknown) => {
        calls.push({ method: String(prop), req, opts });
        if (typeof fn === 'function') return (fn as (...a: unknown[]) => unknown).call(inner, req, opts);
        return { status: 'success', orderid: `OID${calls.length}` };
      };
    },
  });
}

export const trig = defineNode({
  type: 'testTrigger', category: 'trigger', label: 'Test trigger', description: 'fires on webhooks', trigger: 'webhook',
  fields: {},
  async run(ctx) {
    return { status: 'success', data: ctx.trigger.payload };
  },
});

export const schedule = defineNode({
  type: 'testSchedule', category: 'trigger', label: 'Test schedule', description: 'fires on schedules', trigger: 'schedule',
  fields: {},
  async run() {
    return { status: 'success' };
  },
});

/** A condition whose answer is in its data; may wait first or fail. */
export const cond = defineNode({
  type: 'testCond', category: 'condition', label: 'Test condition', description: '', branches: 'true/false',
  fields: { value: f.boolean({ default: true }), waitMs: f.integer({ default: 0 }), fail: f.boolean({ default: false }) },
  async run(ctx, p) {
    if (p.waitMs) await ctx.sleep(p.waitMs);
    if (p.fail) return { status: 'error', message: 'condition could not be evaluated' };
    return { status: 'success', condition: p.value };
  },
});

export const act = defineNode({
  type: 'testAct', category: 'utility', label: 'Test action', description: '',
  fields: { message: f.string({ default: '' }), fail: f.boolean({ default: false }), waitMs: f.integer({ default: 0 }) },
  async run(ctx, p) {
    if (p.waitMs) await ctx.sleep(p.waitMs);
    ctx.log(`act ${ctx.nodeId}: ${p.message}`);
    if (p.fail) throw new Error('boom');
    return { status: 'success', message: p.message };
  },
});

export const order = defineNode({
  type: 'testOrder', category: 'order', label: 'Test order', description: '',
  // symbol and quantity define the order (an unresolved {{…}} fails before the broker); note does not.
  fields: { symbol: { ...f.string({ required: true }), order: true }, quantity: { ...f.integer({ min: 1, default: 1 }), order: true }, note: f.string({ default: '' }) },
  async run(ctx, p) {
    const answer = await ctx.broker.placeOrder(
      { strategy: ctx.workflowName, symbol: p.symbol, exchange: 'NSE', action: 'BUY', quantity: p.quantity, pricetype: 'MARKET', product: 'MIS' },
      { signal: ctx.signal },
    );
    return { ...answer, status: answer.status === 'success' ? 'success' : 'error' };
  },
});

export const and = defineNode({
  type: 'testAnd', category: 'condition', label: 'AND', description: '', branches: 'true/false', gate: true,
  fields: {},
  async run(ctx) {
    return { status: 'success', condition: ctx.inputs.length > 0 && ctx.inputs.every((i) => i.value) };
  },
});

export const or = defineNode({
  type: 'testOr', category: 'condition', label: 'OR', description: '', branches: 'true/false', gate: true,
  fields: {},
  async run(ctx) {
    return { status: 'success', condition: ctx.inputs.some((i) => i.value) };
  },
});

export const not = defineNode({
  type: 'testNot', category: 'condition', label: 'NOT', description: '', branches: 'yes/no', gate: true,
  fields: {},
  async run(ctx) {
    return { status: 'success', condition: !ctx.inputs[0]?.value };
  },
});

export const registry = createRegistry([trig, schedule, cond, act, order, and, or, not] as NodeDefinition<any>[]);

type N = [id: string, type: string, data?: Record<string, unknown>];
type E = [source: string, target: string, sourceHandle?: string];

/** Builds a workflow from terse node and edge lists. */
export function wf(nodes: N[], edges: E[], name = 'test'): Workflow {
  return {
    name,
    nodes: nodes.map(([id, type, data = {}], i) => ({ id, type, position: { x: 0, y: i * 100 }, data })),
    edges: edges.map(([source, target, sourceHandle], i) => ({ id: `e${i + 1}`, source, target, sourceHandle })),
  };
}
