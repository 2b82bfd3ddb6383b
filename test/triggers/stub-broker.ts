// A Broker for trigger tests: only the methods a test gives exist; any other call rejects.

import { ENDPOINTS, type Broker } from '../../src/broker/types.js';

export function stubBroker<T extends object>(impl: T & Partial<Broker>): Broker & T {
  return new Proxy(impl, {
    get(target, prop) {
      if (prop in target) return (target as Record<string | symbol, unknown>)[prop];
      if (prop === 'kind') return 'paper';
      if (prop === 'description') return 'stub broker';
      if (typeof prop === 'string' && prop in ENDPOINTS) {
        return () => Promise.reject(new Error(`stub broker: ${prop} is not implemented`));
      }
      return undefined;
    },
  }) as Broker & T;
}
