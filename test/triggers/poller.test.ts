import { describe, expect, it } from 'vitest';
import { Poller } from '../../src/triggers/poller.js';

describe('Poller', () => {
  it('shares the pass in flight between overlapping requests, and starts a fresh one after it when asked', async () => {
    let passes = 0;
    let release!: () => void;
    const poller = new Poller(() => {
      passes++;
      return new Promise<void>((resolve) => (release = resolve));
    }, 60_000, () => {});
    const first = poller.run();
    expect(poller.run()).toBe(first);
    poller.kickAfterCurrent();
    expect(passes).toBe(1);
    release();
    await first;
    await new Promise((r) => setImmediate(r));
    expect(passes).toBe(2);
    release();
  });

  it('repeats on its interval while started, and reports what a pass throws', async () => {
    const errors: unknown[] = [];
    let passes = 0;
    const poller = new Poller(async () => {
      passes++;
      throw new Error(`pass ${passes}`);
    }, 5, (err) => errors.push(err));
    poller.start();
    poller.start();
    expect(poller.running).toBe(true);
    await new Promise((r) => setTimeout(r, 40));
    poller.stop();
    expect(poller.running).toBe(false);
    const seen = passes;
    expect(seen).toBeGreaterThanOrEqual(2);
    expect(errors).toHaveLength(seen);
    await new Promise((r) => setTimeout(r, 20));
    expect(passes).toBe(seen);
  });
});
