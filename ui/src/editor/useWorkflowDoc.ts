// The workflow being edited: loaded from the server, its draft (name, description and useGraph's
// graph), the server's own validation a moment after each change, a guard against leaving with
// unsaved changes, and save.

import { useEffect, useMemo, useRef, useState } from 'react';
import { api } from '../api';
import { useToast } from '../components/Toast';
import type { Problem, WebhookInfo, WfEdge, WfNode, WorkflowDetail, WorkflowJson } from '../types';
import { toWfEdge, toWfNode, type Graph } from './useGraph';

const docKey = (name: string, description: string, nodes: WfNode[], edges: WfEdge[]) => JSON.stringify({ name, description, nodes, edges });

export function useWorkflowDoc(id: string, graph: Graph, viewport: () => WorkflowJson['viewport']) {
  const notify = useToast();
  const { wfNodes, wfEdges } = graph;
  const [wf, setWf] = useState<WorkflowDetail | null>(null);
  // Bumped to load the workflow again from the server (after a version is restored as the draft).
  const [loads, setLoads] = useState(0);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [savedKey, setSavedKey] = useState('');
  const [problems, setProblems] = useState<Problem[]>([]);
  const [validatedKey, setValidatedKey] = useState('');
  const [webhook, setWebhook] = useState<WebhookInfo | null>(null);
  const [unpublished, setUnpublished] = useState(false);
  const [lastOutputs, setLastOutputs] = useState<ReadonlyMap<string, unknown>>(new Map());
  const [busy, setBusy] = useState(false);

  const key = useMemo(() => docKey(name, description, wfNodes, wfEdges), [name, description, wfNodes, wfEdges]);
  const dirty = wf !== null && key !== savedKey;
  const fresh = key === validatedKey;

  // ---- load ----
  useEffect(() => {
    let live = true;
    api.getWorkflow(id).then((w) => {
      if (!live) return;
      setWf(w);
      setName(w.name);
      setDescription(w.description ?? '');
      graph.load(w.nodes, w.edges);
      const loadedKey = docKey(w.name, w.description ?? '', w.nodes.map((n) => toWfNode({ ...n, data: n.data ?? {} })), w.edges.map((e) => toWfEdge({ ...e, sourceHandle: e.sourceHandle ?? null, targetHandle: e.targetHandle ?? null })));
      setSavedKey(loadedKey);
      setProblems(w.problems);
      setValidatedKey(loadedKey);
      if (w.active) {
        api.webhook(id).then((h) => live && setWebhook(h), () => {});
        // Is the saved draft the version that runs? If not, say so next to the Publish button.
        if (w.version) {
          api.getVersion(id, w.version).then((v) => {
            const same = JSON.stringify([v.definition.nodes, v.definition.edges]) === JSON.stringify([w.definition.nodes, w.definition.edges]);
            if (live) setUnpublished(!same);
          }, () => {});
        }
      }
    }, (e: Error) => live && setLoadError(e.message));
    // What each node returned in its latest runs: the fields {{…}} suggestions offer beyond the catalogue's.
    api.executions(id, { limit: 3, offset: 0 })
      .then((list) => Promise.all(list.map((x) => api.execution(x.executionId))))
      .then((runs) => {
        const seen = new Map<string, unknown>();
        for (const run of runs) for (const step of run.steps) if (step.status === 'completed' && step.output !== undefined && !seen.has(step.nodeId)) seen.set(step.nodeId, step.output);
        if (live) setLastOutputs(seen);
      }, () => {});
    return () => {
      live = false;
    };
    // graph.load is stable; the workflow is loaded once per id, and again after a restore.
  }, [id, loads]);

  // ---- live validation: the server's own rules, a moment after each change ----
  const validation = useRef(0);
  useEffect(() => {
    if (!wf) return;
    const ticket = ++validation.current;
    const t = setTimeout(() => {
      api.validate(JSON.parse(key) as WorkflowJson).then((r) => {
        if (ticket !== validation.current) return;
        setProblems(r.problems);
        setValidatedKey(key);
      }, () => {});
    }, 300);
    return () => clearTimeout(t);
  }, [key, wf]);

  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  const save = async (): Promise<WorkflowDetail | null> => {
    setBusy(true);
    try {
      const saved = await api.saveWorkflow(id, { ...(JSON.parse(key) as WorkflowJson), viewport: viewport() });
      setWf(saved);
      setSavedKey(key);
      setProblems(saved.problems);
      setValidatedKey(key);
      if (saved.active) setUnpublished(true);
      notify(saved.problems.some((p) => p.severity === 'error') ? 'Saved as a draft with problems: fix them before activating' : 'Saved', 'ok');
      return saved;
    } catch (e) {
      notify(`Not saved: ${(e as Error).message}`, 'error');
      return null;
    } finally {
      setBusy(false);
    }
  };

  return {
    id, wf, setWf, loadError, loads, reload: () => setLoads((n) => n + 1),
    name, setName, description, setDescription, key, dirty, fresh,
    problems, setProblems, webhook, setWebhook, unpublished, setUnpublished, lastOutputs, busy, setBusy, save,
  };
}

export type WorkflowDoc = ReturnType<typeof useWorkflowDoc>;
