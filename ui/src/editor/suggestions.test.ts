import { describe, expect, it } from 'vitest';
import { catalogue as serverCatalogue, defaultRegistry } from '../../../src/nodes/registry.js';
import type { NodeType, WfNode } from '../types';
import { applySuggestion, declaredPaths, describedPaths, filterSuggestions, openTemplate, templateSuggestions, valuePaths } from './suggestions';

const catalogue = new Map((serverCatalogue(defaultRegistry) as unknown as NodeType[]).map((n) => [n.type, n]));
const node = (id: string, type: string, data: Record<string, unknown> = {}): WfNode => ({ id, type, position: { x: 0, y: 0 }, data });

describe('{{…}} suggestions', () => {
  const nodes = [
    node('hook', 'webhookTrigger'),
    node('quote', 'getQuote', { symbol: 'SBIN', outputVariable: 'q' }),
    node('buy', 'placeOrder', { symbol: '{{webhook.ticker}}', outputVariable: 'entry' }),
    node('say', 'log'),
    node('later', 'funds', { outputVariable: 'cash' }),
  ];
  const edges = [
    { id: '1', source: 'hook', target: 'quote' }, { id: '2', source: 'quote', target: 'buy' },
    { id: '3', source: 'buy', target: 'say' }, { id: '4', source: 'say', target: 'later' },
  ];

  it('offer upstream outputs with the paths their descriptions name, and not downstream ones', () => {
    const values = templateSuggestions('say', nodes, edges, catalogue).map((s) => s.value);
    expect(values).toEqual(expect.arrayContaining(['{{q}}', '{{q.data.ltp}}', '{{entry}}', '{{entry.orderid}}']));
    expect(values.some((v) => v.startsWith('{{cash'))).toBe(false);
  });

  it('offer the webhook keys, including ones the workflow already reads, and the built-ins', () => {
    const values = templateSuggestions('say', nodes, edges, catalogue).map((s) => s.value);
    expect(values).toEqual(expect.arrayContaining(['{{webhook.symbol}}', '{{webhook.action}}', '{{webhook.ticker}}', '{{date}}', '{{time}}']));
  });

  it('read {{name.path}} hints from a description', () => {
    expect(describedPaths('Last price: {{name.data.ltp}}, {{name.data.prev_close}} and {{name}}')).toEqual(['data.ltp', 'data.prev_close']);
  });

  it('open at an unclosed {{ before the caret, and replace it with the pick', () => {
    expect(openTemplate('Buy {{web', 9)).toEqual({ start: 4, query: 'web' });
    expect(openTemplate('Buy {{webhook.symbol}} now', 25)).toBeNull();
    expect(applySuggestion('Buy {{web}} now', 4, 9, '{{webhook.symbol}}')).toEqual({ text: 'Buy {{webhook.symbol}} now', caret: 22 });
    const list = [{ value: '{{webhook.symbol}}', hint: '' }, { value: '{{q.data.ltp}}', hint: '' }, { value: '{{symbolic}}', hint: '' }];
    expect(filterSuggestions(list, 'sym').map((s) => s.value)).toEqual(['{{symbolic}}', '{{webhook.symbol}}']);
  });

  it('offer the fields of an output before the whole object', () => {
    const values = templateSuggestions('say', nodes, edges, catalogue).map((s) => s.value);
    expect(values.indexOf('{{entry.orderid}}')).toBeLessThan(values.indexOf('{{entry}}'));
    expect(values.indexOf('{{q.data.ltp}}')).toBeLessThan(values.indexOf('{{q}}'));
  });

  it('offer the fields a node returned in the last run, with the value it had', () => {
    const last = new Map<string, unknown>([['buy', { status: 'success', orderid: '2611', mode: 'analyze' }], ['quote', { status: 'success', data: { ltp: 918.55, bids: [{ price: 918.5 }] } }]]);
    const list = templateSuggestions('say', nodes, edges, catalogue, last);
    expect(list.find((s) => s.value === '{{entry.mode}}')?.hint).toBe('Place order · last run: analyze');
    expect(list.map((s) => s.value)).toEqual(expect.arrayContaining(['{{q.data.bids[0].price}}', '{{entry.status}}']));
    expect(valuePaths({ a: { b: [1] } }).map((p) => p.path)).toEqual(['a', 'a.b', 'a.b[0]']);
  });

  it('read the output keys the catalogue declares (a broker answer\'s documented shape)', () => {
    expect(declaredPaths(catalogue.get('getQuote'))).toEqual(['status', 'message', 'mode', 'data']);
    expect(declaredPaths(catalogue.get('placeOrder'))).toContain('orderid');
    expect(declaredPaths(catalogue.get('log'))).toEqual([]);
  });
});
