import { describe, expect, it } from 'vitest';
import type { WfNode } from '../types';
import { alertUrl, tradingViewAlert } from './tradingview';

const nodes: WfNode[] = [
  { id: 'a', type: 'placeOrder', position: { x: 0, y: 0 }, data: { symbol: '{{webhook.symbol}}', action: '{{ webhook.action }}', quantity: '{{webhook.qty}}', strategyTag: '{{webhook.note}}' } },
];

describe('the TradingView alert', () => {
  it('fills the keys the workflow reads with TradingView placeholders and adds the secret', () => {
    expect(JSON.parse(tradingViewAlert({ secret: 's3cret', authType: 'payload' }, nodes))).toEqual({
      symbol: '{{ticker}}', action: '{{strategy.order.action}}', qty: '{{strategy.order.contracts}}', note: '', secret: 's3cret',
    });
  });

  it('keeps the secret out of the body when it rides in the URL', () => {
    expect(JSON.parse(tradingViewAlert({ secret: 's', authType: 'url' }, []))).toEqual({ symbol: '{{ticker}}', action: '{{strategy.order.action}}' });
    expect(alertUrl({ url: 'http://h/flow/webhook/t', secret: 'a b', authType: 'url' })).toBe('http://h/flow/webhook/t?secret=a%20b');
    expect(alertUrl({ url: 'http://h/flow/webhook/t', secret: 'a', authType: 'payload' })).toBe('http://h/flow/webhook/t');
  });
});
