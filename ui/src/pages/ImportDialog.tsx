// Import a workflow in OpenAlgo's format, from a file or pasted JSON. Every validation problem is
// shown against its node; an invalid workflow can still be kept as a draft to fix in the editor.

import { useState } from 'react';
import { ApiError, api } from '../api';
import { Modal } from '../components/Modal';
import { ProblemList } from '../components/ProblemList';
import type { Problem, WorkflowDetail } from '../types';

export function ImportDialog({ onClose, onImported }: { onClose: () => void; onImported: (wf: WorkflowDetail) => void }) {
  const [tab, setTab] = useState<'file' | 'paste'>('file');
  const [text, setText] = useState('');
  const [fileName, setFileName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [busy, setBusy] = useState(false);

  const parse = (): unknown => {
    try {
      return JSON.parse(text);
    } catch (e) {
      setError(`This is not JSON: ${(e as Error).message}`);
      return undefined;
    }
  };

  const names = (() => {
    try {
      const wf = JSON.parse(text) as { nodes?: Array<{ id: string; type: string }> };
      return new Map((wf.nodes ?? []).map((n) => [n.id, `${n.id} (${n.type})`]));
    } catch {
      return new Map<string, string>();
    }
  })();

  const submit = async (asDraft: boolean) => {
    setError(null);
    setProblems([]);
    const body = parse();
    if (body === undefined) return;
    setBusy(true);
    try {
      const wf = asDraft ? await api.createWorkflow(body as never) : await api.importWorkflow(body);
      onImported(wf);
    } catch (e) {
      if (e instanceof ApiError && e.problems.length) {
        setError(asDraft ? 'The file is not in OpenAlgo’s workflow format.' : `Not imported: ${e.message}.`);
        setProblems(e.problems);
      } else setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const onFile = async (file: File | undefined) => {
    if (!file) return;
    setFileName(file.name);
    setText(await file.text());
    setError(null);
    setProblems([]);
  };

  const fixable = problems.length > 0 && !problems.some((p) => p.code === 'invalid_format');
  return (
    <Modal
      title="Import workflow"
      onClose={onClose}
      wide
      footer={
        <>
          {fixable && <button onClick={() => submit(true)} disabled={busy}>Keep as draft and fix in editor</button>}
          <button onClick={onClose}>Cancel</button>
          <button className="primary" onClick={() => submit(false)} disabled={busy || !text.trim()} data-testid="import-submit">Import</button>
        </>
      }
    >
      <div className="tabs">
        <button className={tab === 'file' ? 'on' : ''} onClick={() => setTab('file')}>File</button>
        <button className={tab === 'paste' ? 'on' : ''} onClick={() => setTab('paste')}>Paste JSON</button>
      </div>
      {tab === 'file' ? (
        <label className="field">
          <span className="field-label">An OpenAlgo Flow export (.json)</span>
          <input type="file" accept=".json,application/json" data-testid="import-file" onChange={(e) => onFile(e.target.files?.[0])} />
          {fileName && <span className="field-help">{fileName}: {text.length.toLocaleString()} characters, {names.size} nodes</span>}
        </label>
      ) : (
        <label className="field">
          <span className="field-label">Workflow JSON</span>
          <textarea rows={14} value={text} onChange={(e) => setText(e.target.value)} placeholder='{"name": "…", "nodes": [...], "edges": [...]}' data-testid="import-text" />
        </label>
      )}
      {error && <div className="field-error">{error}</div>}
      <ProblemList problems={problems} nodeLabel={(id) => names.get(id) ?? id} />
    </Modal>
  );
}
