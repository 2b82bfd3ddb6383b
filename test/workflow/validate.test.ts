import { describe, expect, it } from 'vitest';
import { validateWorkflow } from '../../src/workflow/validate.js';
import { registry, wf } from '../helpers/graph.js';

const codes = (input: unknown) => validateWorkflow(input, registry).problems.map((p) => [p.code, p.edgeId, p.nodeId, p.field].filter(Boolean).join(' '));

describe('validation', () => {
  it('accepts a well-formed workflow and keeps UI fields', () => {
    const w = wf([['t', 'testTrigger'], ['a', 'testAct']], [['t', 'a']]);
    (w.nodes[0] as Record<string, unknown>).measured = { width: 10, height: 5 };
    const v = validateWorkflow(w, registry);
    expect(v.valid).toBe(true);
    expect(v.workflow!.nodes[0]).toHaveProperty('measured');
  });

  it('rejects a cycle naming the nodes on it', () => {
    expect(codes(wf([['t', 'testTrigger'], ['a', 'testAct'], ['b', 'testAct'], ['c', 'testAct']], [['t', 'a'], ['a', 'b'], ['b', 'a'], ['b', 'c']])))
      .toEqual(['cycle a', 'cycle b']);
  });

  it('rejects a dangling edge naming the edge and its end', () => {
    expect(codes(wf([['t', 'testTrigger']], [['t', 'ghost']]))).toContain('dangling_edge e1 target');
  });

  it('reports every problem at once', () => {
    const w = wf(
      [['t', 'testTrigger'], ['t', 'testAct'], ['x', 'mystery'], ['o', 'testOrder', { quantity: 0 }], ['a', 'testAct']],
      [['t', 'o'], ['o', 'a', 'true']],
    );
    expect(codes(w)).toEqual(expect.arrayContaining([
      'duplicate_node_id t', 'unknown_node_type x type', 'invalid_field o symbol', 'invalid_field o quantity', 'invalid_handle e2 o sourceHandle',
    ]));
  });

  it('requires a trigger and warns about unreachable nodes', () => {
    expect(codes(wf([['a', 'testAct']], []))).toContain('no_trigger');
    const v = validateWorkflow(wf([['t', 'testTrigger'], ['lonely', 'testAct']], []), registry);
    expect(v.valid).toBe(true);
    expect(v.problems).toEqual([expect.objectContaining({ code: 'unreachable_node', severity: 'warning', nodeId: 'lonely' })]);
  });

  it('leaves {{...}} values to run time', () => {
    expect(validateWorkflow(wf([['t', 'testTrigger'], ['o', 'testOrder', { symbol: '{{webhook.symbol}}', quantity: '{{webhook.qty}}' }]], [['t', 'o']]), registry).valid).toBe(true);
  });

  it('explains a shape that is not a workflow', () => {
    const v = validateWorkflow({ workflow: { name: 'x', nodes: [], edges: [] } }, registry);
    expect(v.valid).toBe(false);
    expect(v.problems.map((p) => p.message)).toEqual(expect.arrayContaining([expect.stringMatching(/^name: /)]));
    expect(codes({ name: 'x', nodes: [{ id: 'n1' }], edges: [] })).toContain('invalid_format n1 type');
  });

  it('an error handle is allowed only with onError branch', () => {
    const ok = wf([['t', 'testTrigger'], ['a', 'testAct', { onError: 'branch' }], ['h', 'testAct']], [['t', 'a'], ['a', 'h', 'error']]);
    expect(validateWorkflow(ok, registry).valid).toBe(true);
    const bad = wf([['t', 'testTrigger'], ['a', 'testAct'], ['h', 'testAct']], [['t', 'a'], ['a', 'h', 'error']]);
    expect(codes(bad)).toContain('invalid_handle e2 a sourceHandle');
  });
});
