// Webhook management as OpenAlgo's, without re-activating: turn it off and on, change how alerts
// authenticate, or replace the secret or the URL (each breaks the alerts that use the old one).

import { useState } from 'react';
import { api } from '../api';
import type { AuthType, WebhookInfo } from '../types';

const AUTH_LABEL: Record<AuthType, string> = { payload: 'secret in the alert body', url: 'secret in the URL', hmac: 'HMAC signature' };

export function WebhookControls({ workflowId, webhook, onChange }: { workflowId: string; webhook: WebhookInfo; onChange: (w: WebhookInfo) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const enabled = webhook.enabled !== false;
  const act = async (change: () => Promise<WebhookInfo>, warning?: string) => {
    if (warning && !window.confirm(warning)) return;
    setBusy(true);
    setError(null);
    try {
      onChange(await change());
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="col" data-testid="webhook-controls">
      <div className="row" style={{ gap: 8, flexWrap: 'wrap', alignItems: 'center' }}>
        <span className={`status ${enabled ? 'st-completed' : 'st-skipped'}`} data-testid="webhook-state"><span className="dot" />{enabled ? 'receiving alerts' : 'turned off: alerts answer 403'}</span>
        <button disabled={busy} data-testid="webhook-toggle" onClick={() => act(() => api.manageWebhook(workflowId, enabled ? 'disable' : 'enable'))}>{enabled ? 'Turn off' : 'Turn on'}</button>
      </div>
      <label className="field">
        <span className="field-label">How alerts prove they are yours</span>
        <select disabled={busy} value={webhook.authType} data-testid="webhook-auth" onChange={(e) => act(() => api.setWebhookAuth(workflowId, e.target.value as AuthType))}>
          {(Object.keys(AUTH_LABEL) as AuthType[]).map((a) => <option key={a} value={a}>{AUTH_LABEL[a]}</option>)}
        </select>
      </label>
      <div className="row" style={{ gap: 8, flexWrap: 'wrap' }}>
        <button disabled={busy} data-testid="webhook-new-secret"
          onClick={() => act(() => api.manageWebhook(workflowId, 'regenerate-secret'), 'A new secret: alerts that send the old one are refused (401) until you update them in TradingView. Go on?')}>New secret</button>
        <button disabled={busy} data-testid="webhook-new-url"
          onClick={() => act(() => api.manageWebhook(workflowId, 'regenerate-token'), 'A new webhook URL: the old one stops working (404) until you update your alerts in TradingView. Go on?')}>New URL</button>
      </div>
      {error && <div className="banner warn">{error}</div>}
    </div>
  );
}
