// DESIGN.md §4 as a specification of the graph walk.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compileWorkflow, runWorkflow, type RunOptions } from '../../src/engine/index.js';
import { validateWorkflow } from '../../src/workflow/validate.js';
import { countingBroker, registry, trig, wf } from '../helpers/graph.js';
import { f } from '../../src/contract/fields.js';
import { createRegistry } from '../../src/nodes/registry.js';
import { fromBroker } from '../../src/nodes/shared.js';
import { defineNode, type NodeDefinition } from '../../src/nodes/types.js';
import type { Workflow } from '../../src/workflow/schema.js';

function run(w: Workflow, opts: Partial<RunOptions> = {}) {
  const v = validateWorkflow(w, registry);
  expect(v.problems.filter((p) => p.severity === 'error')).toEqual([]);
  return runWorkflow(compileWorkflow(v.workflow!, registry), { broker: countingBroker(), trigger: { kind: 'webhook', payload: {} }, ...opts });
}
const ran = (r: Awaited<ReturnType<typeof run>>) => r.steps.filter((s) => s.status !== 'skipped').map((s) => s.nodeId);
const statusOf = (r: Awaited<ReturnType<typeof run>>, id: string) => r.steps.find((s) => s.nodeId === id)?.status;

describe('the graph walk', () => {
  it('a diamond runs its join once', async () => {
    const r = await run(wf(
      [['t', 'testTrigger'], ['a', 'testAct'], ['b', 'testAct'], ['join', 'testAct']],
      [['t', 'a'], ['t', 'b'], ['a', 'join'], ['b', 'join']],
    ));
    expect(r.status).toBe('completed');
    expect(ran(r)).toEqual(['t', 'a', 'b', 'join']);
    expect(r.steps.filter((s) => s.nodeId === 'join')).toHaveLength(1);
  });

  it('a gate waits for a slow input and evaluates once', async () => {
    const r = await run(wf(
      [['t', 'testTrigger'], ['slow', 'testCond', { value: true, waitMs: 50 }], ['fast', 'testCond', { value: true }], ['gate', 'testAnd'], ['buy', 'testAct']],
      [['t', 'slow'], ['t', 'fast'], ['slow', 'gate'], ['fast', 'gate'], ['gate', 'buy', 'true']],
    ));
    expect(ran(r)).toEqual(['t', 'slow', 'fast', 'gate', 'buy']);
    expect(r.steps.find((s) => s.nodeId === 'gate')?.output).toMatchObject({ condition: true });
  });

  it('a gate whose input did not run stays unrun, and so does what is below it', async () => {
    const r = await run(wf(
      [['t', 'testTrigger'], ['c', 'testCond', { value: false }], ['maybe', 'testCond', { value: true }], ['other', 'testCond', { value: true }],
        ['gate', 'testAnd'], ['yes', 'testAct'], ['no', 'testAct']],
      [['t', 'c'], ['t', 'other'], ['c', 'maybe', 'true'], ['maybe', 'gate'], ['other', 'gate'], ['gate', 'yes', 'true'], ['gate', 'no', 'false']],
    ));
    expect(statusOf(r, 'maybe')).toBe('skipped');
    expect([statusOf(r, 'gate'), statusOf(r, 'yes'), statusOf(r, 'no')]).toEqual(['skipped', 'skipped', 'skipped']);
    expect(r.status).toBe('completed');
  });

  it('an edge into a gate carries its source boolean whatever handle it leaves from: an OR of two false conditions wired from true fires its false edges', async () => {
    const r = await run(wf(
      [['t', 'testTrigger'], ['a', 'testCond', { value: false }], ['b', 'testCond', { value: false }], ['or', 'testOr'], ['buy', 'testAct'], ['sell', 'testAct']],
      [['t', 'a'], ['t', 'b'], ['a', 'or', 'true'], ['b', 'or', 'true'], ['or', 'buy', 'true'], ['or', 'sell', 'false']],
    ));
    expect(r.steps.find((s) => s.nodeId === 'or')?.output).toMatchObject({ condition: false });
    expect([statusOf(r, 'buy'), statusOf(r, 'sell')]).toEqual(['skipped', 'completed']);
  });

  it('an OR with one true and one false input answers true, once', async () => {
    const r = await run(wf(
      [['t', 'testTrigger'], ['a', 'testCond', { value: true }], ['b', 'testCond', { value: false }], ['or', 'testOr'], ['buy', 'testAct']],
      [['t', 'a'], ['t', 'b'], ['a', 'or', 'true'], ['b', 'or', 'false'], ['or', 'buy', 'true']],
    ));
    expect(r.steps.filter((s) => s.nodeId === 'or')).toHaveLength(1);
    expect(statusOf(r, 'buy')).toBe('completed');
  });

  it('condition.true into NOT with a false condition yields true (yes fires)', async () => {
    const r = await run(wf(
      [['t', 'testTrigger'], ['c', 'testCond', { value: false }], ['not', 'testNot'], ['y', 'testAct'], ['n', 'testAct']],
      [['t', 'c'], ['c', 'not', 'true'], ['not', 'y', 'yes'], ['not', 'n', 'no']],
    ));
    expect(r.steps.find((s) => s.nodeId === 'not')?.output).toMatchObject({ condition: true });
    expect([statusOf(r, 'y'), statusOf(r, 'n')]).toEqual(['completed', 'skipped']);
  });

  it('a gate fed by a condition that errored stays unrun: an unknown input never reaches NOT as false', async () => {
    const r = await run(wf(
      [['t', 'testTrigger'], ['c', 'testCond', { fail: true }], ['not', 'testNot'], ['buy', 'testAct']],
      [['t', 'c'], ['c', 'not'], ['not', 'buy', 'yes']],
    ));
    expect([statusOf(r, 'not'), statusOf(r, 'buy')]).toEqual(['skipped', 'skipped']);
    expect(r.status).toBe('failed');
  });

  it('the false branch runs and the true branch does not', async () => {
    const r = await run(wf(
      [['t', 'testTrigger'], ['c', 'testCond', { value: false }], ['onTrue', 'testAct'], ['onFalse', 'testAct'], ['after', 'testAct']],
      [['t', 'c'], ['c', 'onTrue', 'true'], ['c', 'onFalse', 'false'], ['onTrue', 'after']],
    ));
    expect(statusOf(r, 'onFalse')).toBe('completed');
    expect(statusOf(r, 'onTrue')).toBe('skipped');
    expect(statusOf(r, 'after')).toBe('skipped'); // skipping propagates
  });

  it('yes and no are synonyms of true and false', async () => {
    const r = await run(wf(
      [['t', 'testTrigger'], ['c', 'testCond', { value: true }], ['y', 'testAct'], ['n', 'testAct']],
      [['t', 'c'], ['c', 'y', 'yes'], ['c', 'n', 'no']],
    ));
    expect([statusOf(r, 'y'), statusOf(r, 'n')]).toEqual(['completed', 'skipped']);
  });

  it('an edge with no handle always fires, even from a condition', async () => {
    for (const value of [true, false]) {
      const r = await run(wf([['t', 'testTrigger'], ['c', 'testCond', { value }], ['log', 'testAct']], [['t', 'c'], ['c', 'log']]));
      expect(statusOf(r, 'log')).toBe('completed');
    }
  });

  it('walks depth first, children in edge order, the same way every time', async () => {
    const w = wf(
      [['t', 'testTrigger'], ['a', 'testAct'], ['a1', 'testAct'], ['a2', 'testAct'], ['b', 'testAct'], ['b1', 'testAct']],
      [['t', 'a'], ['t', 'b'], ['a', 'a1'], ['a', 'a2'], ['b', 'b1']],
    );
    const first = ran(await run(w));
    expect(first).toEqual(['t', 'a', 'a1', 'a2', 'b', 'b1']);
    expect(ran(await run(w))).toEqual(first);
  });

  it('starts at the trigger that fired; other triggers and their branches are skipped', async () => {
    const w = wf(
      [['hook', 'testTrigger'], ['clock', 'testSchedule'], ['fromHook', 'testAct'], ['fromClock', 'testAct']],
      [['hook', 'fromHook'], ['clock', 'fromClock']],
    );
    const r = await run(w, { trigger: { kind: 'schedule' } });
    expect(ran(r)).toEqual(['clock', 'fromClock']);
    const manual = await run(w, { trigger: { kind: 'manual' } });
    expect(ran(manual).sort()).toEqual(['clock', 'fromClock', 'fromHook', 'hook']);
  });
});

describe('errors', () => {
  it('a failed node stops its own branch only: siblings run and the run ends failed (onError stop is the default)', async () => {
    const r = await run(wf(
      [['t', 'testTrigger'], ['bad', 'testAct', { fail: true }], ['next', 'testAct'], ['sibling', 'testAct']],
      [['t', 'bad'], ['bad', 'next'], ['t', 'sibling']],
    ));
    expect(r.status).toBe('failed');
    expect(r.failedNodeId).toBe('bad');
    expect(r.error).toMatch(/^bad testAct: boom/);
    expect(ran(r)).toEqual(['t', 'bad', 'sibling']);
    expect(statusOf(r, 'next')).toBe('skipped');
  });

  it('a failed alert before an order in edge order does not prevent the order', async () => {
    const broker = countingBroker();
    const r = await run(wf(
      [['t', 'testTrigger'], ['alert', 'testAct', { fail: true }], ['buy', 'testOrder', { symbol: 'SBIN' }]],
      [['t', 'alert'], ['t', 'buy']],
    ), { broker });
    expect(broker.calls.map((c) => c.method)).toEqual(['placeOrder']);
    expect(r.status).toBe('failed');
  });

  it('a join reached by another fired edge still runs once when one of its parents failed', async () => {
    const r = await run(wf(
      [['t', 'testTrigger'], ['bad', 'testAct', { fail: true }], ['good', 'testAct'], ['join', 'testAct'], ['after', 'testAct']],
      [['t', 'bad'], ['t', 'good'], ['bad', 'join'], ['good', 'join'], ['join', 'after']],
    ));
    expect(r.steps.filter((s) => s.nodeId === 'join').map((s) => s.status)).toEqual(['completed']);
    expect(statusOf(r, 'after')).toBe('completed');
    expect(r.status).toBe('failed');
  });

  it('every failure is in the run error; the first names failedNodeId', async () => {
    const r = await run(wf(
      [['t', 'testTrigger'], ['a', 'testAct', { fail: true }], ['b', 'testAct', { fail: true }]],
      [['t', 'a'], ['t', 'b']],
    ));
    expect(r.failedNodeId).toBe('a');
    expect(r.error).toMatch(/^a testAct: boom; b testAct: boom/);
  });

  it('onError continue lets downstream run as if the node succeeded', async () => {
    const r = await run(wf(
      [['t', 'testTrigger'], ['bad', 'testAct', { fail: true, onError: 'continue' }], ['next', 'testAct']],
      [['t', 'bad'], ['bad', 'next']],
    ));
    expect(r.status).toBe('completed');
    expect(statusOf(r, 'bad')).toBe('failed');
    expect(statusOf(r, 'next')).toBe('completed');
  });

  it('onError branch fires only the error edges', async () => {
    const r = await run(wf(
      [['t', 'testTrigger'], ['bad', 'testAct', { fail: true, onError: 'branch' }], ['next', 'testAct'], ['handler', 'testAct']],
      [['t', 'bad'], ['bad', 'next'], ['bad', 'handler', 'error']],
    ));
    expect(r.status).toBe('completed');
    expect([statusOf(r, 'next'), statusOf(r, 'handler')]).toEqual(['skipped', 'completed']);
  });

  it('a condition that cannot be evaluated takes neither branch, fires its handle-less edges, and the run ends failed', async () => {
    const r = await run(wf(
      [['t', 'testTrigger'], ['c', 'testCond', { fail: true }], ['y', 'testAct'], ['n', 'testAct'], ['always', 'testAct']],
      [['t', 'c'], ['c', 'y', 'true'], ['c', 'n', 'false'], ['c', 'always']],
    ));
    expect([statusOf(r, 'y'), statusOf(r, 'n'), statusOf(r, 'always')]).toEqual(['skipped', 'skipped', 'completed']);
    expect(r.status).toBe('failed');
    expect(r.failedNodeId).toBe('c');
  });

  it('under onError continue a condition that errors takes neither branch and the run completes', async () => {
    const r = await run(wf(
      [['t', 'testTrigger'], ['c', 'testCond', { fail: true, onError: 'continue' }], ['y', 'testAct'], ['n', 'testAct'], ['always', 'testAct']],
      [['t', 'c'], ['c', 'y', 'true'], ['c', 'n', 'false'], ['c', 'always']],
    ));
    expect([statusOf(r, 'y'), statusOf(r, 'n'), statusOf(r, 'always')]).toEqual(['skipped', 'skipped', 'completed']);
    expect(r.status).toBe('completed');
  });

  it('a node past its timeout fails', async () => {
    const r = await run(wf([['t', 'testTrigger'], ['slow', 'testAct', { waitMs: 5_000 }]], [['t', 'slow']]), { defaultTimeoutMs: 50 });
    expect(r.status).toBe('failed');
    expect(r.error).toMatch(/timed out after 50 ms/);
  });

  it('cancelling aborts the node in flight and stops the run', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const started = Date.now();
    const r = await run(wf([['t', 'testTrigger'], ['wait', 'testAct', { waitMs: 10_000 }], ['after', 'testAct']], [['t', 'wait'], ['wait', 'after']]), { signal: controller.signal });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(r.status).toBe('canceled');
    expect(ran(r)).not.toContain('after');
  });
});

describe('orders', () => {
  it('an unresolved {{webhook.qty}} on an order field fails the node with zero broker calls', async () => {
    const broker = countingBroker();
    const r = await run(wf([['t', 'testTrigger'], ['buy', 'testOrder', { symbol: 'SBIN', quantity: '{{webhook.qty}}' }]], [['t', 'buy']]), {
      broker, trigger: { kind: 'webhook', payload: { symbol: 'SBIN' } },
    });
    expect(r.status).toBe('failed');
    expect(r.error).toContain("quantity '{{webhook.qty}}' did not resolve ({{webhook.qty}}); no order was sent");
    expect(broker.calls).toHaveLength(0);
    expect(r.orders).toHaveLength(0);
  });

  it('an unresolved reference on an order field fails even where the text would parse (a symbol); elsewhere it is used as written', async () => {
    const broker = countingBroker();
    const r = await run(wf([['t', 'testTrigger'], ['buy', 'testOrder', { symbol: '{{webhook.sym}}' }]], [['t', 'buy']]), { broker });
    expect(r.error).toBe("buy testOrder: symbol '{{webhook.sym}}' did not resolve ({{webhook.sym}}); no order was sent");
    expect(broker.calls).toHaveLength(0);
    const sent = await run(wf([['t', 'testTrigger'], ['buy', 'testOrder', { symbol: 'SBIN', note: '{{webhook.nope}}' }]], [['t', 'buy']]), { broker });
    expect(sent.status).toBe('completed');
    expect(sent.steps[1].notes).toEqual([expect.stringMatching(/^note has a reference that did not resolve/)]);
    expect(broker.calls).toHaveLength(1);
  });

  it('a field a node marks order-defining is guarded, whatever its name and category: the mark, not a list, decides', async () => {
    const venueOrder = defineNode({
      type: 'venueOrder', category: 'utility', label: 'Venue order', description: '',
      fields: { venue: { ...f.string({ default: 'NSE' }), order: true }, symbol: f.string({ default: 'SBIN' }) },
      async run(ctx, p) {
        return fromBroker(await ctx.broker.placeOrder(
          { strategy: 't', symbol: p.symbol, exchange: p.venue, action: 'BUY', quantity: 1, pricetype: 'MARKET', product: 'MIS' }, { signal: ctx.signal },
        ));
      },
    });
    const reg = createRegistry([trig, venueOrder] as NodeDefinition<any>[]);
    const broker = countingBroker();
    const go = (data: Record<string, unknown>) => {
      const w = validateWorkflow(wf([['t', 'testTrigger'], ['buy', 'venueOrder', data]], [['t', 'buy']]), reg).workflow!;
      return runWorkflow(compileWorkflow(w, reg), { broker, trigger: { kind: 'webhook', payload: {} } });
    };
    const refused = await go({ venue: '{{webhook.venue}}' });
    expect(refused.error).toBe("buy venueOrder: venue '{{webhook.venue}}' did not resolve ({{webhook.venue}}); no order was sent");
    expect(broker.calls).toHaveLength(0);
    // The unmarked symbol is sent as written (and recorded as a note).
    expect((await go({ symbol: '{{webhook.sym}}' })).status).toBe('completed');
    expect(broker.calls.map((c) => (c.req as { symbol: string }).symbol)).toEqual(['{{webhook.sym}}']);
  });

  it('a resolved order is recorded as an intent before the call and completed after', async () => {
    const broker = countingBroker();
    const seen: string[] = [];
    const r = await run(wf([['t', 'testTrigger'], ['buy', 'testOrder', { symbol: '{{webhook.symbol}}', quantity: '{{webhook.qty}}' }]], [['t', 'buy']]), {
      broker, executionId: 'ex1', trigger: { kind: 'webhook', payload: { symbol: 'SBIN', qty: 5 } },
      hooks: {
        orderIntent: (o) => void seen.push(`intent ${o.key} ${o.status} calls=${broker.calls.length}`),
        orderResolved: (o) => void seen.push(`resolved ${o.status} ${o.orderIds.join(',')}`),
      },
    });
    expect(r.status).toBe('completed');
    expect(seen).toEqual(['intent ex1.buy.1 sent calls=0', 'resolved accepted OID1']);
    expect(broker.calls[0].req).toMatchObject({ symbol: 'SBIN', quantity: 5 });
    expect(broker.calls[0].opts).toMatchObject({ clientOrderKey: 'ex1.buy.1' });
  });

  it('an intent that cannot be recorded is never sent', async () => {
    const broker = countingBroker();
    const r = await run(wf([['t', 'testTrigger'], ['buy', 'testOrder', { symbol: 'SBIN' }]], [['t', 'buy']]), {
      broker, hooks: { orderIntent: () => { throw new Error('disk full'); } },
    });
    expect(r.status).toBe('failed');
    expect(broker.calls).toHaveLength(0);
  });

  it('a guard refusal fails the node with the limit name and sends nothing', async () => {
    const broker = countingBroker();
    const r = await run(wf([['t', 'testTrigger'], ['buy', 'testOrder', { symbol: 'SBIN', quantity: 500 }]], [['t', 'buy']]), {
      broker, guard: ({ request }) => (Number(request.quantity) > 100 ? 'maxQuantityPerOrder 100 exceeded (500)' : null),
    });
    expect(r.error).toContain('maxQuantityPerOrder');
    expect(broker.calls).toHaveLength(0);
  });

  it('an order whose outcome is unknown fails the node with that word and is not re-sent', async () => {
    const broker = countingBroker({ placeOrder: async () => { throw new Error('socket hang up'); } });
    const r = await run(wf([['t', 'testTrigger'], ['buy', 'testOrder', { symbol: 'SBIN' }]], [['t', 'buy']]), { broker });
    expect(r.status).toBe('failed');
    expect(r.error).toMatch(/unknown/);
    expect(r.orders[0].status).toBe('unknown');
    expect(broker.calls).toHaveLength(1);
  });
});

describe('secrets', () => {
  it('the webhook secret never appears in variables, logs or steps', async () => {
    const r = await run(wf([['t', 'testTrigger', { outputVariable: 'hook' }], ['say', 'testAct', { message: 'secret={{webhook.secret}} sym={{webhook.symbol}}' }]], [['t', 'say']]), {
      trigger: { kind: 'webhook', payload: { symbol: 'SBIN', secret: 'hunter2-very-secret' } },
    });
    expect(JSON.stringify(r)).not.toContain('hunter2-very-secret');
    expect(r.logs.map((l) => l.message).join('\n')).toContain('sym=SBIN');
  });
});

describe('property: random acyclic graphs', () => {
  it('every node runs at most once, by the rules of DESIGN §4 for branches, gates and failures, and nothing is left pending', async () => {
    const graph = fc.integer({ min: 2, max: 12 }).chain((n) =>
      fc.record({
        n: fc.constant(n),
        values: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
        kinds: fc.array(fc.constantFrom('cond', 'cond', 'cond', 'fail', 'and', 'or'), { minLength: n, maxLength: n }),
        edges: fc.uniqueArray(
          fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: n - 1 }), fc.constantFrom(undefined, 'true', 'false'))
            .filter(([a, b]) => a < b && b > 0),
          { selector: ([a, b]) => `${a}-${b}`, maxLength: 30 },
        ),
      }));
    await fc.assert(fc.asyncProperty(graph, async ({ n, values, kinds, edges }) => {
      const type = (i: number) => (i === 0 ? 'trigger' : kinds[i]);
      const nodes: Array<[string, string, Record<string, unknown>]> = [['n0', 'testTrigger', {}]];
      for (let i = 1; i < n; i++) {
        const k = type(i);
        nodes.push([`n${i}`, k === 'and' ? 'testAnd' : k === 'or' ? 'testOr' : 'testCond', k === 'fail' ? { fail: true } : k === 'cond' ? { value: values[i] } : {}]);
      }
      const w = wf(nodes, edges.map(([a, b, h]) => [`n${a}`, `n${b}`, a === 0 ? undefined : h]));
      const r = await runWorkflow(compileWorkflow(w, registry), { broker: countingBroker(), trigger: { kind: 'webhook' } });
      const byNode = new Map<string, string[]>();
      for (const s of r.steps) byNode.set(s.nodeId, [...(byNode.get(s.nodeId) ?? []), s.status]);
      for (let i = 0; i < n; i++) expect(byNode.get(`n${i}`)).toHaveLength(1); // once, and never left pending
      const status = (i: number) => byNode.get(`n${i}`)![0];
      const bool = (i: number) => r.steps.find((s) => s.nodeId === `n${i}`)?.output as { condition?: boolean } | undefined;
      for (let b = 1; b < n; b++) {
        const incoming = edges.filter(([, t]) => t === b);
        const gate = type(b) === 'and' || type(b) === 'or';
        let runs: boolean;
        if (gate) {
          // A gate runs when every source has a boolean, whatever handle the edge leaves from.
          runs = incoming.length > 0 && incoming.every(([a]) => status(a) === 'completed' && typeof bool(a)?.condition === 'boolean');
        } else {
          runs = incoming.some(([a, , h]) => {
            if (a === 0 || h === undefined) return status(a) === 'completed' || status(a) === 'failed'; // a failed condition's unnamed edges fire
            return status(a) === 'completed' && bool(a)?.condition === (h === 'true');
          });
        }
        expect(status(b)).toBe(runs ? (type(b) === 'fail' ? 'failed' : 'completed') : 'skipped');
        if (gate && runs) {
          const inputs = incoming.map(([a]) => bool(a)!.condition!);
          expect(bool(b)?.condition).toBe(type(b) === 'and' ? inputs.every(Boolean) : inputs.some(Boolean));
        }
      }
      expect(r.status).toBe(r.steps.some((s) => s.status === 'failed') ? 'failed' : 'completed');
      // Order of steps respects edges: a source settles before its target.
      const pos = new Map(r.steps.map((s, i) => [s.nodeId, i]));
      for (const [a, b] of edges) expect(pos.get(`n${a}`)!).toBeLessThan(pos.get(`n${b}`)!);
    }), { numRuns: 200 });
  });
});
