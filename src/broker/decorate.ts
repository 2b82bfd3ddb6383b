// The one way to wrap a Broker's calls (order tracking in the engine, timing in the server's
// metrics): chosen methods replaced, everything else answered by the broker itself.

import { ENDPOINTS, type Broker, type BrokerAnswer, type BrokerMethod } from './types.js';

/** A broker method seen whole: the arguments it was given, the answer it gives. */
export type BrokerCall = (...args: unknown[]) => Promise<BrokerAnswer>;

const bound = new WeakMap<Broker, Broker>();

/** The broker's methods bound to it (a client may keep its state in #private fields), made once per broker. */
function passThrough(broker: Broker): Broker {
  let base = bound.get(broker);
  if (!base) {
    base = Object.create(broker) as Broker;
    const methods = base as unknown as Record<BrokerMethod, unknown>;
    for (const method of Object.keys(ENDPOINTS) as BrokerMethod[]) {
      const fn = broker[method] as unknown;
      if (typeof fn === 'function') methods[method] = fn.bind(broker);
    }
    bound.set(broker, base);
  }
  return base;
}

/**
 * A Broker whose `methods` are replaced by `wrap(method, original)`, `original` being the broker's
 * own method bound to it; every other call and property passes straight through to the broker.
 * Cheap to make per run: the bound originals are made once per broker.
 */
export function decorateBroker<M extends BrokerMethod>(
  broker: Broker,
  methods: readonly M[],
  wrap: (method: M, original: BrokerCall) => (...args: never[]) => Promise<BrokerAnswer>,
): Broker {
  const base = passThrough(broker);
  const decorated = Object.create(base) as Broker;
  const replaced = decorated as unknown as Record<M, unknown>;
  for (const method of methods) {
    const original = base[method] as unknown;
    if (typeof original === 'function') replaced[method] = wrap(method, original as BrokerCall);
  }
  return decorated;
}
