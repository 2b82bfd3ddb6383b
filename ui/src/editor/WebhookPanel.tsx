// What a trader pastes into TradingView once the workflow is active.

import { CopyField } from '../components/CopyField';
import type { WebhookInfo, WfNode } from '../types';
import { alertUrl, tradingViewAlert } from './tradingview';

export function WebhookPanel({ webhook, nodes }: { webhook: WebhookInfo; nodes: ReadonlyArray<WfNode> }) {
  return (
    <div className="col" data-testid="webhook-panel">
      <CopyField label="Webhook URL" value={alertUrl(webhook)} testId="webhook-url" />
      {webhook.secret && <CopyField label={`Secret (${webhook.authType === 'payload' ? 'sent in the alert body' : webhook.authType === 'url' ? 'in the URL' : 'HMAC key: X-Flow-Signature: sha256=…'})`} value={webhook.secret} testId="webhook-secret" />}
      <CopyField label="TradingView alert message" value={tradingViewAlert(webhook, nodes)} multiline testId="webhook-alert" />
      {webhook.authType === 'hmac' && <div className="hint">TradingView cannot sign requests; HMAC suits your own scripts.</div>}
    </div>
  );
}
