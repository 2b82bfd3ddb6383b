// Which prices a rehearsal replays: OpenAlgo's history when Flow trades through OpenAlgo (cached in
// the data directory's rehearse-cache), the paper market's model otherwise.

import { join } from 'node:path';
import type { Broker } from '../broker/types.js';
import { OpenAlgoCandles, PaperCandles, type CandleSource } from './candles.js';

export function candleSourceFor(broker: Broker, dataDir: string, timezone?: string): CandleSource {
  if (broker.kind === 'openalgo') return new OpenAlgoCandles({ broker, cacheDir: join(dataDir, 'rehearse-cache'), timezone });
  return new PaperCandles();
}
