// The run of one workflow (DESIGN.md §4): a sequential, deterministic depth-first walk in which a
// node runs once, when all its incoming edges are settled and at least one fired. No node-specific
// branches live here: behaviour comes from the node registry.

import type { Broker } from '../broker/types.js';
import { FieldError } from '../contract/fields.js';
import type { LogLevel, NodeContext, NodeInput, NodeResult, NodeSettings, Notifier, TriggerKind } from '../nodes/types.js';
import { newExecutionId } from '../store/ids.js';
import type { CompiledNode, CompiledWorkflow, EdgeKind } from './compile.js';
import type { Scope } from './interpolate.js';
import { invokeNode, NodeFailure, ParamError, prepareParams, sleep } from './node.js';
import { trackOrders } from './orders.js';
import { redact, withoutSecret } from './redact.js';
import { DEFAULT_TIMEZONE } from '../market/clock.js';
import type { LogEntry, OrderGuard, OrderRecord, RunHooks, RunResult, RunStatus, Step, TriggerInfo } from './types.js';

export interface RunOptions {
  broker: Broker;
  notifier?: Notifier;
  executionId?: string;
  trigger?: TriggerInfo;
  signal?: AbortSignal;
  timezone?: string;
  now?: () => Date;
  /** How a node waits (delay, waitUntil); default a real timer. A rehearsal passes simulated time. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  hooks?: RunHooks;
  guard?: OrderGuard;
  settings?: Partial<NodeSettings>;
  /** Per-node timeout when a node declares none (ms). */
  defaultTimeoutMs?: number;
  /** Initial variables (rarely needed; tests and resumed runs). */
  variables?: Record<string, unknown>;
}

const RECORD_ONLY: Notifier = {
  async send() {
    return { delivered: false, via: 'recorded' };
  },
};

const EDGE_PENDING = 0;
const EDGE_FIRED = 1;
const EDGE_SKIPPED = 2;

const isThenable = (v: unknown): v is Promise<unknown> => !!v && typeof (v as Promise<unknown>).then === 'function';

/**
 * Whether an edge fires once its source has run. A failed node fires its error edges under
 * onError "branch", its unnamed edges under "continue", and under "stop" nothing, except a
 * condition that could not be evaluated, whose unnamed edges still fire (so a log shows it).
 * An edge into a gate fires when its source produced a boolean.
 */
function fires(node: CompiledNode, kind: EdgeKind, outcome: { failed: boolean; condition?: boolean }): boolean {
  if (outcome.failed) {
    if (node.onError === 'branch') return kind === 'error';
    if (node.onError === 'continue' || node.def.branches) return kind === 'always';
    return false;
  }
  switch (kind) {
    case 'always': return true;
    case 'error': return false;
    case 'value': return outcome.condition !== undefined;
    default: return outcome.condition !== undefined && outcome.condition === (kind === 'true');
  }
}

/**
 * Where a run starts: at the triggers that match what fired; a manual run (or no match) starts at
 * every trigger. A trigger wired below another node (a priceAlert mid-graph checks the price now)
 * is a step of the walk, reached through its edges, unless it is the very node that fired.
 */
function startingNodes(wf: CompiledWorkflow, trigger: TriggerInfo): CompiledNode[] {
  const allTriggers = wf.nodes.filter((n) => n.def.trigger);
  const rootTriggers = allTriggers.filter((n) => n.incoming.length === 0 || n.id === trigger.nodeId);
  const triggers = rootTriggers.length > 0 ? rootTriggers : allTriggers;
  const starting = triggers.filter((n) => (trigger.nodeId ? n.id === trigger.nodeId : n.def.trigger === trigger.kind));
  return starting.length > 0 ? starting : triggers;
}

/** Runs a compiled workflow once and resolves with its result; it never rejects. */
export async function runWorkflow(wf: CompiledWorkflow, opts: RunOptions): Promise<RunResult> {
  const now = opts.now ?? (() => new Date());
  // One id scheme everywhere: a run outside the server (flow run) gets a time-ordered ex_ id too.
  const executionId = opts.executionId ?? newExecutionId(now().getTime());
  const timezone = opts.timezone ?? DEFAULT_TIMEZONE;
  const hooks = opts.hooks ?? {};
  const emit = hooks.onEvent;
  const trigger = opts.trigger ?? { kind: 'manual' as TriggerKind };
  const payload = withoutSecret(trigger.payload ?? {});
  const settings: NodeSettings = { allowPrivateHttp: false, ...opts.settings };
  const signal = opts.signal ?? new AbortController().signal;
  const startedAt = now().toISOString();

  const variables: Record<string, unknown> = { ...opts.variables };
  const steps: Step[] = [];
  const logs: LogEntry[] = [];
  const orders: OrderRecord[] = [];
  const conditions = new Map<number, boolean>();
  const edgeState = new Uint8Array(wf.edges.length);
  const unsettled = wf.nodes.map((n) => n.incoming.length);
  const firedIn = new Uint16Array(wf.nodes.length);
  const visited = new Uint8Array(wf.nodes.length);

  let current = '';
  const broker = trackOrders(opts.broker, { executionId, currentNode: () => current, hooks, guard: opts.guard, orders });
  const scope: Scope = { variables, webhook: payload, now: now(), timezone };

  const log = (message: string, level: LogLevel = 'info', nodeId?: string) => {
    const entry: LogEntry = { time: now().toISOString(), level, message, nodeId };
    logs.push(entry);
    emit?.({ type: 'log', executionId, entry });
  };

  let status: RunStatus = 'completed';
  let error: string | null = null;
  let failedNodeId: string | undefined;
  const failures: string[] = [];
  emit?.({ type: 'run_started', executionId, at: startedAt });

  const stack: number[] = [];
  /** Settles an edge; a target whose edges are all settled is queued to run or skipped. */
  const settleEdge = (edgeIndex: number, fired: boolean, ready: number[]) => {
    const edge = wf.edges[edgeIndex];
    edgeState[edgeIndex] = fired ? EDGE_FIRED : EDGE_SKIPPED;
    if (fired) firedIn[edge.target]++;
    if (--unsettled[edge.target] === 0) {
      // A gate needs a boolean from every input; any other node needs one fired edge.
      const target = wf.nodes[edge.target];
      const runs = target.def.gate ? firedIn[edge.target] === target.incoming.length : firedIn[edge.target] > 0;
      if (runs) ready.push(edge.target);
      else skipNode(edge.target, ready);
    }
  };
  const skipNode = (index: number, ready: number[]) => {
    if (visited[index]) return;
    visited[index] = 1;
    const node = wf.nodes[index];
    steps.push({ seq: steps.length + 1, nodeId: node.id, type: node.type, status: 'skipped' });
    for (const e of node.outgoing) settleEdge(e, false, ready);
  };
  const pushReady = (ready: number[]) => {
    for (let i = ready.length - 1; i >= 0; i--) stack.push(ready[i]);
  };

  const starting = startingNodes(wf, trigger);
  const startSet = new Set(starting.map((n) => n.index));
  const initial: number[] = [];
  for (const node of wf.nodes) {
    if (node.incoming.length === 0 && !startSet.has(node.index)) skipNode(node.index, initial);
  }
  pushReady([...starting.map((n) => n.index), ...initial].filter((i, k, all) => all.indexOf(i) === k));

  try {
    while (stack.length > 0) {
      const index = stack.pop()!;
      if (visited[index]) continue;
      visited[index] = 1;
      const node = wf.nodes[index];
      if (signal.aborted) {
        status = 'canceled';
        error = `canceled before ${node.id} (${node.type})`;
        break;
      }
      current = node.id;
      const prepared = hooks.beforeNode?.(node.id, node.type);
      if (isThenable(prepared)) await prepared;
      scope.now = now();
      const outcome = await runNode(node);
      if (outcome.failed && signal.aborted) {
        status = 'canceled';
        error = `canceled during ${node.id} (${node.type})`;
        break;
      }
      if (outcome.failed && node.onError === 'stop') {
        // Its own branch stops; other branches go on and the run ends failed (DESIGN §4).
        failures.push(outcome.error ?? `${node.id} ${node.type}: failed`);
        failedNodeId ??= node.id;
      }
      const ready: number[] = [];
      for (const e of node.outgoing) settleEdge(e, fires(node, wf.edges[e].kind, outcome), ready);
      pushReady(ready);
    }
  } catch (e) {
    // Only a hook failure (e.g. the store refusing a write) reaches here: the run cannot be trusted to go on.
    status = 'failed';
    error = `run aborted: ${(e as Error).message}`;
    failedNodeId = current || undefined;
  }

  if (status === 'completed' && failures.length > 0) {
    status = 'failed';
    error = failures.join('; ');
  }
  const result: RunResult = {
    executionId, status, steps, logs, variables, orders, error, failedNodeId,
    startedAt, finishedAt: now().toISOString(),
  };
  if (failedNodeId === undefined) delete result.failedNodeId;
  emit?.({ type: 'run_finished', executionId, result });
  return result;

  async function runNode(node: CompiledNode): Promise<{ failed: boolean; error?: string; condition?: boolean }> {
    const def = node.def;
    const started = now();
    const step: Step = { seq: 0, nodeId: node.id, type: node.type, status: 'completed', startedAt: started.toISOString() };
    emit?.({ type: 'step_started', executionId, nodeId: node.id, nodeType: node.type, at: step.startedAt! });
    let failure: string | undefined;
    let result: NodeResult | undefined;
    try {
      const notes: string[] = [];
      const params = prepareParams(def, node.data, { scope, triggerKind: trigger.kind, notes });
      step.input = redact(params);
      if (notes.length) {
        step.notes = notes;
        for (const note of notes) log(`${node.id} ${node.type}: ${note}`, 'warn', node.id);
      }
      result = await invokeNode(node, params, { signal, defaultTimeoutMs: opts.defaultTimeoutMs ?? 60_000, context: (nodeSignal) => contextFor(node, nodeSignal) });
      if (result.status === 'error') failure = result.message ?? 'the node reported an error';
    } catch (e) {
      // A param's message names its field; the step's error names the node too.
      failure = e instanceof ParamError ? `${node.id} ${node.type}: ${e.message}`
        : e instanceof NodeFailure ? e.message : (e as Error).message || String(e);
      if (signal.aborted && !(e instanceof NodeFailure)) failure = `canceled: ${failure}`;
    }
    const finished = now();
    step.finishedAt = finished.toISOString();
    step.durationMs = finished.getTime() - started.getTime();
    if (result) step.output = redact(result);
    if (failure !== undefined) {
      step.status = 'failed';
      step.error = failure.startsWith(`${node.id} `) ? failure : `${node.id} ${node.type}: ${failure}`;
      log(step.error, 'error', node.id);
    } else if (result) {
      if (typeof result.condition === 'boolean') conditions.set(node.index, result.condition);
      if (node.outputVariable) variables[node.outputVariable] = 'output' in result ? result.output : result;
    }
    step.seq = steps.length + 1;
    steps.push(step);
    const written = hooks.stepFinished?.(step);
    if (isThenable(written)) await written;
    emit?.({ type: 'step_finished', executionId, step });
    return failure !== undefined ? { failed: true, error: step.error } : { failed: false, condition: result?.condition };
  }

  /** What a node sees of the run while it runs under `nodeSignal`. */
  function contextFor(node: CompiledNode, nodeSignal: AbortSignal): NodeContext {
    let inputs: NodeInput[] | undefined;
    return {
      nodeId: node.id, nodeType: node.type, executionId, workflowName: wf.name, broker,
      notifier: opts.notifier ?? RECORD_ONLY, signal: nodeSignal, timezone, trigger: { ...trigger, payload },
      // Only gates read their inputs: built on first use.
      get inputs() {
        return (inputs ??= node.incoming.map((e) => {
          const edge = wf.edges[e];
          return {
            edgeId: edge.id, sourceId: wf.nodes[edge.source].id, targetHandle: edge.edge.targetHandle ?? null,
            fired: edgeState[e] === EDGE_FIRED, value: conditions.get(edge.source) === true,
          };
        }));
      },
      settings, now,
      getVariable: (name) => variables[name],
      setVariable: (name, value) => {
        if (name === 'webhook') throw new NodeFailure(`${node.id}: 'webhook' is reserved for the trigger payload`);
        variables[name] = value;
      },
      log: (message, level) => log(message, level, node.id),
      sleep: (ms) => (opts.sleep ?? sleep)(ms, nodeSignal),
    };
  }
}
