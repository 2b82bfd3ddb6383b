import { describe, expect, it } from 'vitest';
import type { NodeType, WfEdge, WfNode } from '../types';
import { ancestors, copySelection, insertOnEdge, nextNodeId, pasteClip, sourceHandles, targetHandles } from './graph';

const n = (id: string, x = 0, y = 0): WfNode => ({ id, type: 'log', position: { x, y }, data: { message: id } });
const e = (id: string, source: string, target: string, sourceHandle?: string): WfEdge => ({ id, source, target, ...(sourceHandle ? { sourceHandle } : {}) });
const def = (over: Partial<NodeType>): NodeType => ({ type: 't', category: 'utility', label: 'T', description: '', trigger: null, gate: false, handles: [], aliases: {}, fields: [], ...over });

describe('graph editing', () => {
  it('numbers new nodes after the highest node_N', () => {
    expect(nextNodeId([])).toBe('node_1');
    expect(nextNodeId([n('node_2'), n('node_9'), n('custom')])).toBe('node_10');
  });

  it('pastes copies with fresh ids, keeping the edges between them and dropping edges to the outside', () => {
    const nodes = [n('node_1'), n('node_2', 0, 100), n('node_3', 0, 200)];
    const edges = [e('e1', 'node_1', 'node_2'), e('e2', 'node_2', 'node_3', 'true')];
    const clip = copySelection(nodes, edges, new Set(['node_2', 'node_3']));
    expect(clip.edges).toEqual([{ id: 'e2', source: 'node_2', target: 'node_3', sourceHandle: 'true' }]);
    const out = pasteClip(clip, nodes, edges);
    expect(out.nodes.map((x) => [x.id, x.position])).toEqual([['node_4', { x: 40, y: 140 }], ['node_5', { x: 40, y: 240 }]]);
    expect(out.edges).toEqual([{ id: 'e3', source: 'node_4', target: 'node_5', sourceHandle: 'true' }]);
    // The copy's data is its own.
    out.nodes[0].data.message = 'changed';
    expect(nodes[1].data.message).toBe('node_2');
  });

  it('gives conditions their branch outputs, and an error output when onError is branch', () => {
    expect(sourceHandles(def({ handles: ['true', 'false'] }), {})).toEqual(['true', 'false']);
    expect(sourceHandles(def({}), {})).toEqual([null]);
    expect(sourceHandles(def({}), { onError: 'branch' })).toEqual([null, 'error']);
  });

  it('gives gates one numbered input per inputCount, and triggers none', () => {
    const gate = def({ gate: true, fields: [{ name: 'inputCount', kind: 'integer', label: 'Inputs', default: 2, min: 2, max: 5 }] });
    expect(targetHandles(gate, {})).toEqual(['input-0', 'input-1']);
    expect(targetHandles(gate, { inputCount: 4 })).toEqual(['input-0', 'input-1', 'input-2', 'input-3']);
    expect(targetHandles(def({ gate: true }), {})).toEqual(['input-0']);
    expect(targetHandles(def({ trigger: 'webhook' }), {})).toEqual([]);
    expect(targetHandles(def({}), {})).toEqual([null]);
  });

  it('finds every upstream node and none downstream', () => {
    const edges = [e('1', 'a', 'b'), e('2', 'b', 'c'), e('3', 'x', 'c'), e('4', 'c', 'd')];
    expect(new Set(ancestors('c', edges))).toEqual(new Set(['a', 'b', 'x']));
    expect(ancestors('a', edges)).toEqual([]);
  });
});

describe('inserting a node on an edge', () => {
  const at = (id: string, type: string, y: number) => ({ id, type, position: { x: 100, y }, data: {} });
  const nodes = [at('cond', 'priceCondition', 0), at('buy', 'placeOrder', 150), at('say', 'log', 300)];
  const edges = [{ id: 'e1', source: 'cond', target: 'buy', sourceHandle: 'true' }, { id: 'e2', source: 'buy', target: 'say' }];

  it('rewires source → new → target, keeping the branch handle on the first half', () => {
    const out = insertOnEdge(nodes, edges, 'e1', { id: 'node_1', type: 'delay', data: {} })!;
    expect(out.edges).toEqual([
      { id: 'e2', source: 'buy', target: 'say' },
      { id: 'e3', source: 'cond', target: 'node_1', sourceHandle: 'true' },
      { id: 'e4', source: 'node_1', target: 'buy' },
    ]);
    expect(out.nodes.find((n) => n.id === 'node_1')!.position).toEqual({ x: 100, y: 150 });
  });

  it('moves the target and everything below it down to make room', () => {
    const out = insertOnEdge(nodes, edges, 'e1', { id: 'node_1', type: 'delay', data: {} })!;
    expect(out.nodes.map((n) => [n.id, n.position.y])).toEqual([['cond', 0], ['buy', 300], ['say', 450], ['node_1', 150]]);
  });

  it('answers null for an edge that is gone', () => {
    expect(insertOnEdge(nodes, edges, 'e9', { id: 'node_1', type: 'delay', data: {} })).toBeNull();
  });
});
