import { useState } from 'react';

/** A read-only value with a Copy button. */
export function CopyField({ value, multiline, label, testId }: { value: string; multiline?: boolean; label: string; testId?: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
    } catch {
      // Clipboard needs a secure context; select the text so Ctrl+C still works.
      const el = document.querySelector<HTMLInputElement | HTMLTextAreaElement>(`[data-copy="${label}"]`);
      el?.select();
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };
  return (
    <div className="field">
      <div className="field-label">{label}</div>
      <div className="copy">
        {multiline
          ? <textarea readOnly value={value} rows={Math.min(10, value.split('\n').length)} data-copy={label} data-testid={testId} />
          : <input readOnly value={value} data-copy={label} data-testid={testId} className="mono" onFocus={(e) => e.currentTarget.select()} />}
        <button className="small" onClick={copy} style={{ alignSelf: 'flex-start' }}>{copied ? 'Copied' : 'Copy'}</button>
      </div>
    </div>
  );
}
