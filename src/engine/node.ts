// Running one node (DESIGN.md §4): its params prepared (interpolated, an unresolved reference in an
// order-defining field refused before any broker call, parsed, checked across fields), then its
// `run` invoked under its timeout. The walk in run.ts decides which nodes run; node tests use
// prepareParams directly, so they parse params exactly as a run does.

import { FieldError, type Fields, type ParamsOf } from '../contract/fields.js';
import type { NodeContext, NodeDefinition, NodeResult, TriggerKind } from '../nodes/types.js';
import { interpolateDeep, type Scope } from './interpolate.js';

/** A node failed for a reason the engine words itself (a timeout, a reserved variable); never prefixed "canceled". */
export class NodeFailure extends Error {}

/** A node's params could not be prepared: each field (or cross-field rule) and why. Nothing was invoked. */
export class ParamError extends NodeFailure {
  readonly field: string;
  constructor(readonly problems: ReadonlyArray<{ field: string; message: string }>) {
    super(problems.map((p) => `${p.field} ${p.message}`).join('; '));
    this.field = problems[0].field;
  }
}

export interface PrepareOptions {
  /** What `{{...}}` resolves against. */
  scope: Scope;
  /** What started the run: an empty `{{webhook.*}}` in a run no webhook started gets a hint. */
  triggerKind: TriggerKind;
  /** Receives what the run records on the step: references used as written, values coerced. */
  notes?: string[];
}

/** Why a {{webhook.*}} reference is empty when the run had no webhook payload, and how to give one. */
function noPayloadHint(ref: string, triggerKind: TriggerKind): string {
  if (!/^webhook(\.|$)/.test(ref) || triggerKind === 'webhook') return '';
  return `: this run has no webhook payload (flow run FILE --webhook '{"symbol":"…"}', or webhookData in POST /api/workflows/:id/execute)`;
}

/**
 * A node's params from its data (aliases already mapped): every field interpolated and parsed, then
 * the node's cross-field check. A field marked `order` whose `{{...}}` did not resolve fails here,
 * before the node can reach the broker. Throws ParamError.
 */
export function prepareParams<F extends Fields>(def: NodeDefinition<F>, data: Record<string, unknown>, opts: PrepareOptions): ParamsOf<F> {
  const params: Record<string, unknown> = {};
  const notes = opts.notes;
  for (const field in def.fields) {
    const spec = def.fields[field];
    const unresolved: string[] = [];
    const raw = interpolateDeep(data[field], opts.scope, unresolved);
    const didNotResolve = () => `'${String(data[field])}' did not resolve ({{${unresolved[0]}}})${noPayloadHint(unresolved[0], opts.triggerKind)}`;
    if (unresolved.length > 0 && spec.order) throw new ParamError([{ field, message: `${didNotResolve()}; no order was sent` }]);
    try {
      params[field] = spec.parse(raw);
    } catch (e) {
      if (!(e instanceof FieldError)) throw e;
      // An unresolved reference is the cause, not the value it left behind (which the FieldError already shows).
      throw new ParamError([{ field, message: unresolved.length ? didNotResolve() : e.message }]);
    }
    // Outside order fields an unresolved reference is sent as written: say so on the step.
    if (unresolved.length) notes?.push(`${field} has a reference that did not resolve ({{${unresolved[0]}}})${noPayloadHint(unresolved[0], opts.triggerKind)}; it was used as written`);
    const note = spec.notice?.(raw, params[field]);
    if (note) notes?.push(`${field} ${note}`);
  }
  const prepared = params as ParamsOf<F>;
  const problems = def.check?.(prepared) ?? [];
  if (problems.length) throw new ParamError(problems);
  return prepared;
}

export interface InvokeOptions {
  /** The run's signal: cancelling the run aborts the node. */
  signal: AbortSignal;
  /** The timeout of a node that declares none (ms). */
  defaultTimeoutMs: number;
  /** The context the node runs with, given the signal it runs under. */
  context(signal: AbortSignal): NodeContext;
}

/**
 * Calls a node's `run` with its prepared params. An instant node (no I/O) runs under the run's own
 * signal; any other gets a controller of its own, so its timeout aborts its call in flight.
 */
export async function invokeNode<F extends Fields>(node: { id: string; type: string; def: NodeDefinition<F> }, params: ParamsOf<F>, opts: InvokeOptions): Promise<NodeResult> {
  const { def } = node;
  const { signal } = opts;
  const timeout = def.instant ? null
    : typeof def.timeoutMs === 'function' ? def.timeoutMs(params)
    : def.timeoutMs === undefined ? opts.defaultTimeoutMs : def.timeoutMs;
  const controller = def.instant ? null : new AbortController();
  const onAbort = controller ? () => controller.abort(signal.reason) : null;
  if (onAbort) signal.addEventListener('abort', onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  try {
    const running = def.run(opts.context(controller?.signal ?? signal), params);
    if (timeout === null || timeout === undefined) return await running;
    return await Promise.race([
      running,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          controller?.abort(new Error('timeout'));
          reject(new NodeFailure(`${node.id} ${node.type}: timed out after ${timeout} ms`));
        }, timeout);
      }),
    ]);
  } finally {
    if (timer) clearTimeout(timer);
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}

/** A cancellable wait. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error('canceled'));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error('canceled'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
