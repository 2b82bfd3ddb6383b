// What the editor does to the stored workflow besides saving it: activate (saving first), restore
// a version as the draft, deactivate, and run now.

import { ApiError, api } from '../api';
import { useToast } from '../components/Toast';
import { navigate } from '../router';
import type { ActivateOptions } from './ActivateDialog';
import type { WorkflowDoc } from './useWorkflowDoc';

/** `onWebhook`: called after an activation of a workflow with a webhook trigger (to show its URL). */
export function useWorkflowActions(doc: WorkflowDoc, hasWebhookTrigger: boolean, onWebhook: () => void) {
  const notify = useToast();
  const { id, wf, dirty } = doc;

  const activate = async (opts: ActivateOptions) => {
    if (dirty && !(await doc.save())) return;
    doc.setBusy(true);
    try {
      const r = await api.activate(id, opts);
      doc.setWf((w) => w && { ...w, active: true, version: r.version, concurrency: opts.concurrency, limits: opts.limits, webhook: r.webhook && { url: r.webhook.url, token: r.webhook.token, authType: r.webhook.authType } });
      doc.setUnpublished(false);
      notify(`Active: version ${r.version}`, 'ok');
      if (r.webhook) {
        doc.setWebhook(r.webhook);
        if (hasWebhookTrigger) onWebhook();
      }
    } catch (e) {
      if (e instanceof ApiError && e.problems.length) {
        doc.setProblems(e.problems);
        notify(`Cannot activate: ${e.problems.length} problem(s), shown on the nodes`, 'error');
      } else notify((e as Error).message, 'error');
    } finally {
      doc.setBusy(false);
    }
  };

  const restore = async (version: number) => {
    if (dirty && !window.confirm(`Restore v${version} as the draft? Your unsaved changes will be lost.`)) return;
    try {
      await api.restoreVersion(id, version);
      doc.reload();
      notify(`Draft restored from v${version}${wf?.active ? ': activate to run it' : ''}`, 'ok');
    } catch (e) {
      notify((e as Error).message, 'error');
    }
  };

  const deactivate = async () => {
    try {
      await api.deactivate(id);
      doc.setWf((w) => w && { ...w, active: false });
      notify('Deactivated: triggers stopped', 'ok');
    } catch (e) {
      notify((e as Error).message, 'error');
    }
  };

  const runNow = async (payload?: Record<string, unknown>) => {
    if (dirty && !wf?.active && !(await doc.save())) return;
    try {
      const r = await api.execute(id, payload);
      navigate({ page: 'runs', id, executionId: r.executionId });
    } catch (e) {
      notify((e as Error).message, 'error');
    }
  };

  return { activate, restore, deactivate, runNow };
}
