import { describe, expect, it } from 'vitest';
import { catalogue as serverCatalogue, defaultRegistry } from '../../../src/nodes/registry.js';
import type { NodeType, WfNode } from '../types';
import { unknownOutputReferences } from './references';

const catalogue = new Map((serverCatalogue(defaultRegistry) as unknown as NodeType[]).map((n) => [n.type, n]));
const node = (id: string, type: string, data: Record<string, unknown> = {}): WfNode => ({ id, type, position: { x: 0, y: 0 }, data });

describe('references to outputs a node does not produce', () => {
  it("flag {{entry.price}} after a placeOrder (it answers status and orderid), at the field that holds it", () => {
    const nodes = [
      node('hook', 'webhookTrigger'),
      node('buy', 'placeOrder', { symbol: 'SBIN', outputVariable: 'entry' }),
      node('tell', 'telegramAlert', { message: 'Bought {{entry}} #{{ entry.orderid }} at {{entry.price}}' }),
    ];
    const found = unknownOutputReferences(nodes, catalogue);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ code: 'unknown_output', severity: 'warning', nodeId: 'tell', field: 'message' });
    expect(found[0].message).toMatch(/^\{\{entry\.price\}\} refers to 'price', which Place order \(buy\) does not answer \(it answers .*orderid/);
  });

  it('look inside lists and objects (an options leg), and check a quote by its top-level key only', () => {
    const nodes = [
      node('q', 'getQuote', { symbol: 'NIFTY', outputVariable: 'quote' }),
      node('legs', 'optionsMultiOrder', { legs: [{ offset: 'ATM', quantity: '{{quote.ltp}}' }, { offset: '{{quote.data.ltp}}' }] }),
    ];
    expect(unknownOutputReferences(nodes, catalogue).map((p) => [p.nodeId, p.field, p.message.slice(0, 40)])).toEqual([['legs', 'legs', "{{quote.ltp}} refers to 'ltp', which Quo"]]);
  });

  it('do not judge what Flow cannot know: undeclared outputs, a name a Variable node also sets, webhook and built-ins', () => {
    const nodes = [
      node('http', 'httpRequest', { url: 'https://example.test', outputVariable: 'resp' }),
      node('buy', 'placeOrder', { symbol: 'SBIN', outputVariable: 'entry' }),
      node('set', 'variable', { variableName: 'entry', operation: 'set', value: '{"price": 1}' }),
      node('say', 'log', { message: '{{resp.body.x}} {{entry.price}} {{webhook.price}} {{time}} {{ entry..x }}' }),
    ];
    expect(unknownOutputReferences(nodes, catalogue)).toEqual([]);
  });
});
