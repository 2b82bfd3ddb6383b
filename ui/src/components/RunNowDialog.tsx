// "Run now": a manual run, or a webhook run with a payload typed here.

import { useState } from 'react';
import { Modal } from './Modal';

export function RunNowDialog({ hasWebhook, note, onClose, onRun }: { hasWebhook: boolean; note?: string; onClose: () => void; onRun: (payload?: Record<string, unknown>) => void }) {
  const [text, setText] = useState(hasWebhook ? '{\n  "symbol": "SBIN",\n  "action": "BUY"\n}' : '');
  const [error, setError] = useState<string | null>(null);
  const run = () => {
    if (!text.trim()) return onRun(undefined);
    try {
      const v = JSON.parse(text) as unknown;
      if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('the payload must be a JSON object');
      onRun(v as Record<string, unknown>);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <Modal title="Run now" onClose={onClose} footer={<><button onClick={onClose}>Cancel</button><button className="primary" onClick={run} data-testid="run-confirm">Run</button></>}>
      {note && <div className="banner">{note}</div>}
      <label className={`field ${error ? 'invalid' : ''}`}>
        <span className="field-label">Webhook payload (optional: blank runs it as a manual run)</span>
        <textarea rows={7} value={text} onChange={(e) => { setText(e.target.value); setError(null); }} />
        {error && <span className="field-error">{error}</span>}
        <span className="field-help">With a payload the run starts at the webhook trigger and reads it as {'{{webhook.…}}'}.</span>
      </label>
    </Modal>
  );
}
