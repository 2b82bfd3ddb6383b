// Every indicator against the numbers OpenAlgo's own code computes. The fixture comes from
// test/nodes/fixtures/openalgo-indicators.py, which runs OpenAlgo's services/indicator_service.py
// compute_indicator (and its openalgo.ta library) over one fixed 300-bar OHLCV series.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CATALOG } from '../../src/nodes/indicators/catalog.js';
import { computeIndicator, INDICATOR_NAMES, type Bar } from '../../src/nodes/indicators/compute.js';

interface Case {
  indicator: string; params: Record<string, unknown>; lookbackBars?: number; tailBars: number; offsetBars: number; nested?: boolean;
  result: Record<string, unknown> & { status: string; message?: string };
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/openalgo-indicators.json', import.meta.url), 'utf8')) as {
  bars: Bar[]; cases: Case[]; signatures: Record<string, { nestable: boolean; params: Record<string, unknown> }>;
};
const closes = fixture.bars.slice(-120).map((b) => b.close);

/** vwap differs on purpose (Flow honours `anchor`; OpenAlgo's node runs it cumulatively): see indicators-vwap tests. */
const DIFFERS = new Set(['vwap']);

describe('indicator values match OpenAlgo compute_indicator on a fixed series', () => {
  it('covers every indicator OpenAlgo lists', () => {
    const listed = new Set(fixture.cases.map((c) => c.indicator));
    expect(listed.size).toBe(116);
    expect(INDICATOR_NAMES.filter((n) => !listed.has(n))).toEqual([]);
    expect([...listed].filter((n) => !INDICATOR_NAMES.includes(n))).toEqual([]);
  });

  it('has each ta function’s parameters with its defaults, and nests exactly the single-series ones', () => {
    for (const [name, sig] of Object.entries(fixture.signatures)) {
      const spec = CATALOG[name];
      const defaults = Object.fromEntries(Object.entries(spec.params).map(([k, d]) => [k, sig.params[k] === null ? null : d.default]));
      expect({ name, nestable: spec.nestable, params: defaults }).toEqual({ name, nestable: sig.nestable, params: sig.params });
      for (const [k, v] of Object.entries(sig.params)) if (v === null) expect(spec.required?.[k], `${name}.${k}`).toBeDefined();
    }
  });

  for (const c of fixture.cases.filter((k) => !DIFFERS.has(k.indicator))) {
    const label = `${c.indicator} ${JSON.stringify(c.params)}${c.nested ? ' nested' : ` lookback ${c.lookbackBars}`}`;
    it(label, () => {
      const got = computeIndicator(c.nested ? null : fixture.bars, c.indicator, c.params, {
        lookbackBars: c.lookbackBars, tailBars: c.tailBars, offsetBars: c.offsetBars, nested: c.nested ? closes : undefined,
      });
      if (c.result.status !== 'success') {
        expect(got.status).toBe('error');
        return;
      }
      expect(got).toEqual(c.result);
    });
  }
});
