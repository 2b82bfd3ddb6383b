// Test harness for node definitions: params prepared by the engine's own prepareParams (aliases,
// interpolation, FieldSpec parse, cross-field check), a NodeContext around a broker, and a node run.

import { ENDPOINTS, type Broker } from '../../src/broker/types.js';
import { ParamError, prepareParams } from '../../src/engine/node.js';
import { DEFAULT_TIMEZONE } from '../../src/market/clock.js';
import type { Fields, ParamsOf } from '../../src/contract/fields.js';
import type { LogLevel, NodeContext, NodeDefinition, NodeInput, NodeResult, Notification, Notifier, TriggerKind } from '../../src/nodes/types.js';
import { normalizeData } from '../../src/workflow/normalize.js';

/** A param that could not be prepared, named as the engine names it (`field message`). */
export { ParamError };

/** Prepares params as a run does, `{{…}}` resolving against the context's variables and trigger payload. */
export function prepare<F extends Fields>(def: NodeDefinition<F>, data: Record<string, unknown>, ctx: NodeContext = makeContext()): ParamsOf<F> {
  const variables: Record<string, unknown> = {};
  if ('variables' in ctx && ctx.variables instanceof Map) for (const [k, v] of ctx.variables) variables[k] = v;
  const scope = { variables, webhook: ctx.trigger.payload, now: ctx.now(), timezone: ctx.timezone };
  return prepareParams(def, normalizeData(def as NodeDefinition, data), { scope, triggerKind: ctx.trigger.kind });
}

/** The same without the node's cross-field check: each field parsed on its own. */
export function parseParams<F extends Fields>(def: NodeDefinition<F>, data: Record<string, unknown>): ParamsOf<F> {
  return prepare({ ...def, check: undefined }, data);
}

export interface TestContext extends NodeContext {
  logs: Array<{ message: string; level: LogLevel }>;
  variables: Map<string, unknown>;
  sleeps: number[];
}

export interface ContextOptions {
  broker?: Broker;
  notifier?: Notifier;
  now?: Date | (() => Date);
  timezone?: string;
  workflowName?: string;
  inputs?: NodeInput[];
  allowPrivateHttp?: boolean;
  trigger?: { kind: TriggerKind; nodeId?: string; payload: Record<string, unknown> };
  variables?: Record<string, unknown>;
  signal?: AbortSignal;
  /** Real waits (default: sleep resolves at once and records the duration). */
  realSleep?: boolean;
}

export function makeContext(opts: ContextOptions = {}): TestContext {
  const logs: TestContext['logs'] = [];
  const variables = new Map(Object.entries(opts.variables ?? {}));
  const sleeps: number[] = [];
  const signal = opts.signal ?? new AbortController().signal;
  const now = typeof opts.now === 'function' ? opts.now : () => (opts.now instanceof Date ? opts.now : new Date('2025-01-15T05:00:00Z'));
  return {
    nodeId: 'n1',
    nodeType: 'test',
    executionId: 'exec-test',
    workflowName: opts.workflowName ?? 'Test Flow',
    broker: opts.broker ?? stubBroker(),
    notifier: opts.notifier ?? { send: async () => ({ delivered: false, via: 'recorded' }) },
    signal,
    timezone: opts.timezone ?? DEFAULT_TIMEZONE,
    trigger: opts.trigger ?? { kind: 'manual', payload: {} },
    inputs: opts.inputs ?? [],
    settings: { allowPrivateHttp: opts.allowPrivateHttp ?? false },
    now,
    getVariable: (name) => variables.get(name),
    setVariable: (name, value) => void variables.set(name, value),
    log: (message, level = 'info') => void logs.push({ message, level }),
    sleep: async (ms) => {
      sleeps.push(ms);
      if (signal.aborted) throw new Error('canceled');
      if (opts.realSleep) {
        await new Promise<void>((resolve, reject) => {
          const t = setTimeout(resolve, ms);
          signal.addEventListener('abort', () => {
            clearTimeout(t);
            reject(new Error('canceled'));
          }, { once: true });
        });
      }
    },
    logs,
    variables,
    sleeps,
  };
}

/** Parses, checks and runs a node the way the engine would. */
export async function runNode<F extends Fields>(def: NodeDefinition<F>, data: Record<string, unknown>, opts: ContextOptions | TestContext = {}): Promise<{ result: NodeResult; ctx: TestContext; params: ParamsOf<F> }> {
  const ctx = 'logs' in opts ? opts : makeContext(opts);
  const params = prepare(def, data, ctx);
  const result = await def.run(ctx, params);
  return { result, ctx, params };
}

export type StubBroker = Broker & { calls: Array<{ method: string; req: unknown }> };

/** A broker whose methods answer from `impl`; an unstubbed call fails the test loudly. Every call is recorded. */
export function stubBroker(impl: Partial<Record<keyof typeof ENDPOINTS, (req: any) => unknown>> = {}, kind: 'paper' | 'openalgo' = 'paper'): StubBroker {
  const calls: StubBroker['calls'] = [];
  const target: Record<string, unknown> = { kind, description: 'stub', calls };
  for (const method of Object.keys(ENDPOINTS)) {
    target[method] = async (...args: unknown[]) => {
      // Nodes always pass call options last: (req, opts) or, for methods without a request, (opts).
      const req = args.length >= 2 ? args[0] : undefined;
      calls.push({ method, req });
      const fn = impl[method as keyof typeof ENDPOINTS];
      if (!fn) throw new Error(`stub broker: ${method} was not expected`);
      return fn(req);
    };
  }
  return target as unknown as StubBroker;
}

/** Wraps a real broker to record every call (method and request). */
export function recording<B extends Broker>(broker: B): B & { calls: Array<{ method: string; req: unknown }> } {
  const calls: Array<{ method: string; req: unknown }> = [];
  return new Proxy(broker, {
    get(target, prop, receiver) {
      if (prop === 'calls') return calls;
      const value = Reflect.get(target, prop, receiver);
      if (typeof prop === 'string' && prop in ENDPOINTS && typeof value === 'function') {
        return (...args: unknown[]) => {
          calls.push({ method: prop, req: args.length >= 2 ? args[0] : undefined });
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return value;
    },
  }) as B & { calls: Array<{ method: string; req: unknown }> };
}

export const input = (sourceId: string, value: boolean, fired = true): NodeInput => ({ edgeId: `e-${sourceId}`, sourceId, targetHandle: null, fired, value });

export type { Notification };
