// Asks for the API token once per browser tab (printed at first start, kept in <data>/api-token).

import { useState, type FormEvent } from 'react';
import { ApiError, api, setToken } from '../api';

export function TokenGate() {
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const token = value.trim();
    if (!token) return;
    setBusy(true);
    setError(null);
    try {
      await api.checkToken(token);
      setToken(token);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? 'That token is not this server’s API token.' : (err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="token-gate card">
      <div className="brand" style={{ marginBottom: 12 }}><span className="brand-mark" />Flow</div>
      <form className="col" onSubmit={submit}>
        <label className={`field ${error ? 'invalid' : ''}`}>
          <span className="field-label">API token</span>
          <input name="token" type="password" autoFocus autoComplete="off" value={value} onChange={(e) => setValue(e.target.value)} placeholder="paste the token" />
          {error && <span className="field-error">{error}</span>}
          <span className="field-help">Printed when the server first started, and kept in <code>data/api-token</code>. It stays in this tab only.</span>
        </label>
        <div className="row"><span className="grow" /><button className="primary" type="submit" disabled={busy || !value.trim()}>Connect</button></div>
      </form>
    </div>
  );
}
