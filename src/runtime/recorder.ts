// The one door run data goes through on its way to the store: every write of an execution, its
// steps, logs, order intents, notifications and outcome has the known secret values scrubbed from
// all it carries first (DESIGN.md §6), so no node, message or error can store one in clear.

import type { Scrub } from '../engine/redact.js';
import type { Store } from '../store/types.js';

const RUN_WRITES = [
  'insertExecution', 'insertStep', 'insertLogs', 'insertIntent', 'resolveIntent', 'finishExecution', 'insertNotification',
] as const;

export type RunWrites = Pick<Store, (typeof RUN_WRITES)[number]>;

/** The store's run-data writes, each with every argument scrubbed. */
export function scrubbedWrites(store: Store, scrub: Scrub): RunWrites {
  const out: Partial<Record<keyof RunWrites, unknown>> = {};
  for (const name of RUN_WRITES) {
    // Looked up at each call, so the door stays in front of whatever the store's method is now.
    out[name] = (...args: unknown[]) => (store[name] as (...a: unknown[]) => unknown).apply(store, args.map((a) => scrub(a)));
  }
  return out as RunWrites;
}
