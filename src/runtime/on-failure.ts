// What happens when a run fails (n8n's "error workflow"): a workflow's setting names another workflow
// to run, with the failed run as its trigger payload ({{webhook.executionId}}, {{webhook.error}}, …),
// and/or a Telegram alert. One default for every workflow, and a per-workflow setting that replaces it.
// Settings live in the store's key-value settings, so no workflow format or table changes.
// A run started by a failure (trigger kind `error`) never starts another: no alert loops.

import type { EventEmitter } from 'node:events';
import type { RunEvent, RunResult, TriggerInfo } from '../engine/types.js';
import type { Notifier } from '../nodes/types.js';
import type { Store } from '../store/types.js';

export interface OnFailure {
  /** The workflow to run (it must be active: activation is the trader's consent to run unattended); null: none. */
  workflowId: string | null;
  /** Send a Telegram alert through the server's channel (OPENALGO_USERNAME or TELEGRAM_BOT_TOKEN/CHAT_ID). */
  telegram: boolean;
}

/** The key of a workflow's setting, or of the default for every workflow. */
const settingKey = (workflowId: string | null) => `on_failure:${workflowId ?? '*'}`;

/** A workflow's own setting (null: none, the default applies); with null, the default's. */
export async function readOnFailure(store: Pick<Store, 'getSetting'>, workflowId: string | null): Promise<OnFailure | null> {
  const text = await store.getSetting(settingKey(workflowId));
  if (!text) return null;
  try {
    const v = JSON.parse(text) as Partial<OnFailure>;
    return { workflowId: typeof v.workflowId === 'string' ? v.workflowId : null, telegram: v.telegram === true };
  } catch {
    return null;
  }
}

/** null removes the setting (a workflow then follows the default). */
export async function writeOnFailure(store: Pick<Store, 'setSetting'>, workflowId: string | null, value: OnFailure | null): Promise<void> {
  await store.setSetting(settingKey(workflowId), value ? JSON.stringify({ workflowId: value.workflowId, telegram: value.telegram }) : null);
}

/** What applies to a workflow: its own setting, else the default. */
export async function effectiveOnFailure(store: Pick<Store, 'getSetting'>, workflowId: string): Promise<OnFailure | null> {
  return (await readOnFailure(store, workflowId)) ?? readOnFailure(store, null);
}

/** The failed run, as the alert workflow's trigger payload and the Telegram message describe it. */
export interface FailedRun {
  executionId: string;
  workflowId: string;
  workflowName: string;
  status: string;
  error: string | null;
  nodeId: string | null;
  nodeType: string | null;
  trigger: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** The run in the web UI. */
  url: string;
  /** Failures of the same workflow in the last interval that got no alert of their own. */
  suppressed: number;
}

export interface FailureWatchDeps {
  store: Store;
  /** The execution service's event emitter ('event', workflowId, RunEvent). */
  events: EventEmitter;
  /** Starts a run of an active workflow; null when it is not active. */
  fire(workflowId: string, trigger: TriggerInfo): Promise<{ executionId: string } | null>;
  notifier: Notifier;
  /** The address the trader reaches the UI at, for the link in the alert. */
  publicUrl(): string;
  logger?: { info(o: object, msg: string): void; warn(o: object, msg: string): void; error(o: object, msg: string): void };
  /** At most one alert per workflow per interval; the others are counted into the next (default 10 s). */
  intervalMs?: number;
  now?: () => number;
}

export function telegramText(f: FailedRun): string {
  return [
    `Flow: a run of "${f.workflowName}" ${f.status}${f.nodeId ? ` at node ${f.nodeId}${f.nodeType ? ` (${f.nodeType})` : ''}` : ''}.`,
    f.error ? `Error: ${f.error.slice(0, 600)}` : '',
    f.suppressed ? `(${f.suppressed} more failure${f.suppressed === 1 ? '' : 's'} of this workflow since the last alert)` : '',
    `Run ${f.executionId} (${f.trigger}): ${f.url}`,
  ].filter(Boolean).join('\n');
}

/** Listens for failed runs and starts their alerts; returns the function that stops listening. */
export function watchFailures(deps: FailureWatchDeps): () => void {
  const interval = deps.intervalMs ?? 10_000;
  const now = deps.now ?? Date.now;
  const last = new Map<string, { at: number; suppressed: number }>();

  const alert = async (workflowId: string, executionId: string, result: RunResult) => {
    // The run's row gives its trigger; the result, its end (the row may not be final yet).
    const run = await deps.store.getExecution(executionId);
    // A failure of an alert run is logged only: an alert must never start another alert.
    if (!run || run.trigger.kind === 'error') return;
    const setting = await effectiveOnFailure(deps.store, workflowId);
    if (!setting || (!setting.workflowId && !setting.telegram)) return;
    const seen = last.get(workflowId);
    if (seen && now() - seen.at < interval) {
      seen.suppressed += 1;
      return;
    }
    last.set(workflowId, { at: now(), suppressed: 0 });
    const wf = await deps.store.getWorkflow(workflowId);
    const nodeId = result.failedNodeId ?? run.currentNodeId;
    const failed: FailedRun = {
      executionId, workflowId, workflowName: wf?.name ?? workflowId, status: result.status, error: result.error,
      nodeId, nodeType: result.steps.find((s) => s.nodeId === nodeId)?.type ?? null, trigger: run.trigger.kind,
      startedAt: result.startedAt, finishedAt: result.finishedAt,
      url: `${deps.publicUrl()}/workflows/${encodeURIComponent(workflowId)}/runs/${encodeURIComponent(executionId)}`,
      suppressed: seen?.suppressed ?? 0,
    };
    if (setting.workflowId && setting.workflowId !== workflowId) {
      const started = await deps.fire(setting.workflowId, { kind: 'error', payload: { ...failed } });
      if (started) deps.logger?.info({ workflowId, executionId, alertWorkflowId: setting.workflowId, alertExecutionId: started.executionId }, 'failed run: alert workflow started');
      else deps.logger?.warn({ workflowId, executionId, alertWorkflowId: setting.workflowId }, 'failed run: the alert workflow is not active, so it did not run');
    }
    if (setting.telegram) {
      const sent = await deps.notifier.send({ channel: 'telegram', message: telegramText(failed) }, AbortSignal.timeout(15_000));
      if (!sent.delivered) deps.logger?.warn({ workflowId, executionId, via: sent.via, detail: sent.detail }, 'failed run: the Telegram alert was not delivered');
    }
  };

  const listener = (workflowId: string, e: RunEvent) => {
    if (e.type !== 'run_finished' || e.result.status !== 'failed') return;
    // After the run's own record is final; never inside the engine's emit.
    setImmediate(() => {
      alert(workflowId, e.executionId, e.result).catch((err: Error) => deps.logger?.error({ workflowId, executionId: e.executionId, err: err.message }, 'failed run: the alert could not be sent'));
    });
  };
  deps.events.on('event', listener);
  return () => { deps.events.off('event', listener); };
}
