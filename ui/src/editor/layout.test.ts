import { describe, expect, it } from 'vitest';
import type { WfEdge, WfNode } from '../types';
import { autoLayout } from './layout';

const n = (id: string, x = 0): WfNode => ({ id, type: 'log', position: { x, y: 0 }, data: {} });
const e = (source: string, target: string, sourceHandle?: string): WfEdge => ({ id: `${source}-${target}`, source, target, sourceHandle });

describe('auto-layout', () => {
  it('stacks a chain top to bottom in one column', () => {
    const p = autoLayout([n('a'), n('b'), n('c')], [e('a', 'b'), e('b', 'c')], { origin: { x: 100, y: 10 } });
    expect([...p.values()]).toEqual([{ x: 100, y: 10 }, { x: 100, y: 160 }, { x: 100, y: 310 }]);
  });

  it('puts a condition’s true branch left of its false branch, whatever their order in the file', () => {
    const p = autoLayout([n('if'), n('no', -500), n('yes', 500)], [e('if', 'no', 'false'), e('if', 'yes', 'true')]);
    expect(p.get('yes')!.x).toBeLessThan(p.get('no')!.x);
    expect(p.get('yes')!.y).toBe(p.get('no')!.y);
  });

  it('places a join below the longest path into it', () => {
    const p = autoLayout([n('t'), n('a'), n('b'), n('c'), n('join')], [e('t', 'a'), e('a', 'b'), e('b', 'join'), e('t', 'c'), e('c', 'join')]);
    expect(p.get('join')!.y).toBeGreaterThan(p.get('b')!.y);
  });

  it('still places every node of a graph with a cycle', () => {
    const p = autoLayout([n('a'), n('b'), n('c')], [e('a', 'b'), e('b', 'c'), e('c', 'b')]);
    expect(p.size).toBe(3);
    for (const v of p.values()) expect(Number.isFinite(v.x) && Number.isFinite(v.y)).toBe(true);
  });
});
