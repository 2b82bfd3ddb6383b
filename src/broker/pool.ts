// The brokers of one Flow process: the built-in paper market, or OpenAlgo over HTTP with one client
// per OpenAlgo API key. OpenAlgo limits orders and other calls per API key, so each key has its own
// client and its own rate limiters (orders/s, other calls/s), read once here for every key.

import { OpenAlgoBroker } from './openalgo/index.js';
import { PaperBroker, type PaperState } from './paper/index.js';
import type { Broker } from './types.js';

export interface BrokerSettings {
  kind: 'paper' | 'openalgo';
  openalgo: { host?: string; apiKey?: string; timeoutMs: number; wsUrl?: string };
  /** Per OpenAlgo API key: orders per second, and other calls per second. */
  orderRatePerSec: number;
  apiRatePerSec: number;
  /** The paper market takes orders at any hour (else OpenAlgo sandbox hours). */
  paperAlwaysOpen: boolean;
}

export interface BrokerPoolOptions {
  /** Restored paper account (positions, orders, seen client order keys). */
  paperState?: PaperState;
  /** Called after every change to the paper account, to persist it. */
  onPaperChange?: (state: PaperState) => void;
  logger?: ConstructorParameters<typeof OpenAlgoBroker>[0]['logger'];
  /** Wraps every broker the pool hands out (metrics). */
  decorate?: (broker: Broker) => Broker;
  /** Several processes: each key's order slot is also taken in PostgreSQL (OpenAlgo limits per key, not per process). */
  orderGate?: (apiKey: string) => (signal?: AbortSignal) => Promise<void>;
}

export class BrokerPool {
  /** The process's own broker, undecorated (triggers, health, the paper account). */
  readonly raw: Broker;
  /** The same, decorated: what runs trade on unless their workflow has its own key. */
  readonly broker: Broker;
  private readonly keyed = new Map<string, Broker>();

  constructor(private readonly settings: BrokerSettings, private readonly opts: BrokerPoolOptions = {}) {
    this.raw = settings.kind === 'openalgo'
      ? this.openalgo(settings.openalgo.apiKey!, settings.openalgo.wsUrl)
      : new PaperBroker({ state: opts.paperState, onChange: opts.onPaperChange, alwaysOpen: settings.paperAlwaysOpen });
    this.broker = this.decorate(this.raw);
  }

  /**
   * The broker for a workflow activated with its own OpenAlgo API key: one client (and one pair of
   * limiters) per key, shared by every workflow using it. Without a key, or on paper, the process's own.
   */
  forKey(apiKey: string | null | undefined): Broker {
    if (!apiKey || this.settings.kind !== 'openalgo' || apiKey === this.settings.openalgo.apiKey) return this.broker;
    let b = this.keyed.get(apiKey);
    if (!b) {
      b = this.decorate(this.openalgo(apiKey));
      this.keyed.set(apiKey, b);
    }
    return b;
  }

  private openalgo(apiKey: string, wsUrl?: string): OpenAlgoBroker {
    const { host, timeoutMs } = this.settings.openalgo;
    return new OpenAlgoBroker({
      host: host!, apiKey, timeoutMs, wsUrl, orderRatePerSec: this.settings.orderRatePerSec, apiRatePerSec: this.settings.apiRatePerSec,
      logger: this.opts.logger, orderGate: this.opts.orderGate?.(apiKey),
    });
  }

  private decorate(b: Broker): Broker {
    return this.opts.decorate ? this.opts.decorate(b) : b;
  }
}
