// Chooses the broker from configuration: the built-in paper market, or OpenAlgo over HTTP.

import type { Config } from '../config.js';
import { OpenAlgoBroker } from './openalgo/index.js';
import { PaperBroker, type PaperState } from './paper/index.js';
import type { Broker } from './types.js';

export interface BrokerOptions {
  /** Restored paper account (positions, orders, seen client order keys). */
  paperState?: PaperState;
  /** Called after every change to the paper account, to persist it. */
  onPaperChange?: (state: PaperState) => void;
  logger?: ConstructorParameters<typeof OpenAlgoBroker>[0]['logger'];
}

export async function createBroker(config: Config, opts: BrokerOptions = {}): Promise<Broker> {
  if (config.broker === 'openalgo') {
    return new OpenAlgoBroker({
      host: config.openalgo.host!,
      apiKey: config.openalgo.apiKey!,
      timeoutMs: config.openalgo.timeoutMs,
      wsUrl: config.openalgo.wsUrl,
      orderRatePerSec: config.orderRateLimit,
      apiRatePerSec: config.apiRateLimit,
      logger: opts.logger,
    });
  }
  return new PaperBroker({ state: opts.paperState, onChange: opts.onPaperChange, alwaysOpen: config.paperAlwaysOpen });
}
