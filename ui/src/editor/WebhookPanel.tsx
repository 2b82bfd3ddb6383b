// What a trader pastes into TradingView once the workflow is active, and a warning when the URL the
// server hands out is one TradingView cannot reach.

import { CopyField } from '../components/CopyField';
import type { WebhookInfo, WfNode } from '../types';
import { reachability } from './reachability';
import { alertUrl, tradingViewAlert } from './tradingview';

export function WebhookPanel({ webhook, nodes }: { webhook: WebhookInfo; nodes: ReadonlyArray<WfNode> }) {
  const reach = reachability(webhook.url);
  const unreachable = reach.problems.some((p) => !p.includes('unencrypted'));
  return (
    <div className="col" data-testid="webhook-panel">
      <CopyField label="Webhook URL" value={alertUrl(webhook)} testId="webhook-url" />
      {reach.problems.length > 0 && (
        <div className={`banner ${unreachable ? 'warn' : ''}`} data-testid="public-url-warning">
          <b>{unreachable ? 'TradingView cannot reach this URL.' : 'Almost there.'}</b> {reach.problems.join('; ')}.
          {unreachable && (
            <> Set <span className="kbd">FLOW_PUBLIC_URL</span> to the https address TradingView should post to (e.g. https://flow.example.com)
              and restart Flow; put a reverse proxy with TLS (e.g. Caddy) or a tunnel in front of it. Flow itself stays on 127.0.0.1.
              Until then this URL works only from this machine or your network (your own scripts, “Run now”).</>
          )}
        </div>
      )}
      {webhook.secret && <CopyField label={`Secret (${webhook.authType === 'payload' ? 'sent in the alert body' : webhook.authType === 'url' ? 'in the URL' : 'HMAC key: X-Flow-Signature: sha256=…'})`} value={webhook.secret} testId="webhook-secret" />}
      <CopyField label="TradingView alert message" value={tradingViewAlert(webhook, nodes)} multiline testId="webhook-alert" />
      {webhook.authType === 'hmac' && <div className="hint">TradingView cannot sign requests; HMAC suits your own scripts.</div>}
    </div>
  );
}
