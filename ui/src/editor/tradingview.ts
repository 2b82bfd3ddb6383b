// The alert message a trader pastes into TradingView: the keys the workflow reads as
// {{webhook.key}}, filled with TradingView's own placeholders, plus the secret when it rides in the body.

import type { WebhookInfo, WfNode } from '../types';

const PLACEHOLDERS: Record<string, string> = {
  symbol: '{{ticker}}',
  ticker: '{{ticker}}',
  action: '{{strategy.order.action}}',
  side: '{{strategy.order.action}}',
  quantity: '{{strategy.order.contracts}}',
  qty: '{{strategy.order.contracts}}',
  contracts: '{{strategy.order.contracts}}',
  price: '{{close}}',
  close: '{{close}}',
  exchange: '{{exchange}}',
  interval: '{{interval}}',
  time: '{{timenow}}',
  position: '{{strategy.market_position}}',
  comment: '{{strategy.order.comment}}',
};

export function webhookKeys(nodes: ReadonlyArray<WfNode>): string[] {
  const keys: string[] = [];
  const text = JSON.stringify(nodes.map((n) => n.data));
  for (const m of text.matchAll(/\{\{\s*webhook\.([A-Za-z0-9_]+)/g)) if (!keys.includes(m[1])) keys.push(m[1]);
  return keys;
}

/** The alert JSON, pretty-printed; unknown keys are left for the trader to fill. */
export function tradingViewAlert(webhook: Pick<WebhookInfo, 'secret' | 'authType'>, nodes: ReadonlyArray<WfNode>): string {
  const keys = webhookKeys(nodes);
  const body: Record<string, string> = {};
  for (const k of keys.length ? keys : ['symbol', 'action']) body[k] = PLACEHOLDERS[k.toLowerCase()] ?? '';
  if (webhook.authType === 'payload' && webhook.secret) body.secret = webhook.secret;
  return JSON.stringify(body, null, 2);
}

/** The URL TradingView posts to: with `?secret=` when the secret rides in the URL. */
export function alertUrl(webhook: Pick<WebhookInfo, 'url' | 'secret' | 'authType'>): string {
  return webhook.authType === 'url' && webhook.secret ? `${webhook.url}?secret=${encodeURIComponent(webhook.secret)}` : webhook.url;
}
