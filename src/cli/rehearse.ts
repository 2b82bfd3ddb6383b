// `flow rehearse FILE --from DATE --to DATE [--alerts FILE] [--json]` (DESIGN.md §8): the workflow
// replayed on past market days; exit 0 every run completed, 1 a run failed (or the prices could not
// be had), 2 invalid input.

import { readFileSync } from 'node:fs';
import { BrokerPool } from '../broker/pool.js';
import { brokerSettings, type Config } from '../config.js';
import type { Workflow } from '../workflow/index.js';
import { AlertsError, candleSourceFor, CandleError, formatReport, parseAlerts, rehearse, RehearseError, type PastAlert } from '../rehearse/index.js';

export interface RehearseFlags {
  from: string;
  to: string;
  alerts?: string;
  json?: boolean;
  capital?: string;
  slippage?: string;
  charges?: string;
}

/** Answers the exit code and what to print, or throws `{code: 2, message}` for bad input. */
export async function rehearseCommand(workflow: Workflow, flags: RehearseFlags, config: Config): Promise<{ code: number; out: string } | { code: 2 | 1; error: string }> {
  const number = (name: string, raw: string | undefined, fallback: number, min: number) => {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min) throw new RehearseError(`--${name} must be a number of at least ${min} (got '${raw}')`);
    return n;
  };
  let alerts: PastAlert[] = [];
  try {
    if (flags.alerts !== undefined) {
      let text: string;
      try {
        text = readFileSync(flags.alerts, 'utf8');
      } catch (e) {
        return { code: 2, error: `${flags.alerts}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` };
      }
      alerts = parseAlerts(text, config.timezone);
    }
    if (flags.charges !== undefined && flags.charges !== 'auto' && flags.charges !== 'none') throw new RehearseError(`--charges must be auto or none (got '${flags.charges}')`);
    const capital = number('capital', flags.capital, 10_00_000, 1);
    const slippageBps = number('slippage', flags.slippage, 0, 0);
    const broker = new BrokerPool(brokerSettings(config)).broker;
    const report = await rehearse({
      workflow, from: flags.from, to: flags.to, alerts, capital, slippageBps, charges: (flags.charges ?? 'auto') as 'auto' | 'none',
      source: candleSourceFor(broker, config.dataDir, config.timezone), timezone: config.timezone,
    });
    const out = flags.json ? JSON.stringify(report, null, 2) : formatReport(report);
    return { code: report.counts.failed > 0 ? 1 : 0, out };
  } catch (e) {
    if (e instanceof RehearseError || e instanceof AlertsError) return { code: 2, error: e.message };
    if (e instanceof CandleError) return { code: 1, error: `prices: ${e.message}` };
    throw e;
  }
}
