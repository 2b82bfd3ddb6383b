// The editor's dialogs: keyboard shortcuts, activate, run now, and the webhook to paste into
// TradingView after an activation.

import { Modal } from '../components/Modal';
import { RunNowDialog } from '../components/RunNowDialog';
import { ActivateDialog, type ActivateOptions } from './ActivateDialog';
import type { WfNode } from '../types';
import type { EditorDialog } from './EditorToolbar';
import { ShortcutsDialog } from './ShortcutsDialog';
import type { WorkflowDoc } from './useWorkflowDoc';
import { WebhookPanel } from './WebhookPanel';

export function EditorDialogs({ dialog, doc, nodes, onClose, onActivate, onRun }: {
  dialog: EditorDialog;
  doc: WorkflowDoc;
  nodes: WfNode[];
  onClose: () => void;
  onActivate: (opts: ActivateOptions) => void;
  onRun: (payload?: Record<string, unknown>) => void;
}) {
  const { wf, dirty, unpublished, webhook } = doc;
  if (!wf || !dialog) return null;
  if (dialog === 'keys') return <ShortcutsDialog onClose={onClose} />;
  if (dialog === 'activate') return <ActivateDialog wf={wf} dirty={dirty} onClose={onClose} onActivate={onActivate} />;
  if (dialog === 'run') {
    return (
      <RunNowDialog
        hasWebhook={nodes.some((n) => n.type === 'webhookTrigger')}
        note={wf.active ? `Runs the active version v${wf.version}${dirty || unpublished ? ' (not your newer draft: publish it first to run it)' : ''}.` : dirty ? 'Saves your changes, then runs the draft.' : 'Runs the saved draft.'}
        onClose={onClose}
        onRun={onRun}
      />
    );
  }
  if (!webhook) return null;
  return (
    <Modal title="Active: paste this into TradingView" onClose={onClose} footer={<button className="primary" onClick={onClose}>Done</button>}>
      <div className="muted">Create an alert in TradingView, tick <b>Webhook URL</b>, paste the URL, and use this message. The secret is shown here and in the side panel while the workflow is active.</div>
      <WebhookPanel webhook={webhook} nodes={nodes} />
    </Modal>
  );
}
