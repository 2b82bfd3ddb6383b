import { useState } from 'react';
import { Modal } from '../components/Modal';
import type { AuthType, Concurrency, Limits, WorkflowInfo } from '../types';

export interface ActivateOptions {
  authType: AuthType;
  concurrency: Concurrency;
  limits: Limits;
}

const LIMITS: Array<{ key: keyof Limits; label: string }> = [
  { key: 'maxQuantityPerOrder', label: 'Max quantity per order' },
  { key: 'maxOrdersPerRun', label: 'Max orders per run' },
  { key: 'maxOrdersPerDay', label: 'Max orders per day' },
];

export function ActivateDialog({ wf, dirty, onClose, onActivate }: { wf: WorkflowInfo; dirty: boolean; onClose: () => void; onActivate: (o: ActivateOptions) => void }) {
  const [authType, setAuthType] = useState<AuthType>(wf.webhook?.authType ?? 'payload');
  const [concurrency, setConcurrency] = useState<Concurrency>(wf.concurrency ?? 'queue');
  const [limits, setLimits] = useState<Record<string, string>>(Object.fromEntries(Object.entries(wf.limits ?? {}).map(([k, v]) => [k, String(v)])));
  const bad = Object.entries(limits).filter(([, v]) => v.trim() !== '' && !(Number.isInteger(Number(v)) && Number(v) >= 1)).map(([k]) => k);
  const submit = () => {
    const out: Limits = {};
    for (const { key } of LIMITS) if (limits[key]?.trim()) out[key] = Number(limits[key]);
    onActivate({ authType, concurrency, limits: out });
  };
  return (
    <Modal
      title={wf.active ? 'Publish the saved draft' : 'Activate workflow'}
      onClose={onClose}
      footer={<><button onClick={onClose}>Cancel</button><button className="success" disabled={bad.length > 0} onClick={submit} data-testid="activate-confirm">{dirty ? 'Save and activate' : 'Activate'}</button></>}
    >
      <div className="muted">Activating freezes the saved workflow as a new version; its triggers (webhook, schedule, price alert) start firing. Edits after this are drafts until you activate again.</div>
      <div className="row" style={{ alignItems: 'flex-start' }}>
        <label className="field grow">
          <span className="field-label">Webhook secret travels</span>
          <select value={authType} onChange={(e) => setAuthType(e.target.value as AuthType)}>
            <option value="payload">in the alert body ("secret")</option>
            <option value="url">in the URL (?secret=)</option>
            <option value="hmac">as an HMAC signature header</option>
          </select>
        </label>
        <label className="field grow">
          <span className="field-label">When a run is already going</span>
          <select value={concurrency} onChange={(e) => setConcurrency(e.target.value as Concurrency)}>
            <option value="queue">queue the new run</option>
            <option value="parallel">run in parallel</option>
            <option value="skip">skip the new run</option>
          </select>
        </label>
      </div>
      <h3 style={{ marginTop: 4 }}>Risk limits (blank = none)</h3>
      <div className="row" style={{ alignItems: 'flex-start' }}>
        {LIMITS.map(({ key, label }) => (
          <label key={key} className={`field grow ${bad.includes(key) ? 'invalid' : ''}`}>
            <span className="field-label">{label}</span>
            <input inputMode="numeric" value={limits[key] ?? ''} onChange={(e) => setLimits({ ...limits, [key]: e.target.value })} />
            {bad.includes(key) && <span className="field-error">must be a whole number of at least 1</span>}
          </label>
        ))}
      </div>
    </Modal>
  );
}
