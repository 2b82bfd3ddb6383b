// FLOW_TRACE=1 on the price-alert path (src/runtime/trace.ts): a fire opens a trace at the arrival of
// the frame that carried the crossing tick; ticks that fire nothing write no trace line.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { until } from '../stream/helpers.js';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  vi.resetModules();
});

describe('FLOW_TRACE=1 on a price alert', () => {
  it('starts each trace at the crossing tick\'s arrival, marks the fire, and writes nothing for ticks that do not fire', async () => {
    vi.stubEnv('FLOW_TRACE', '1');
    vi.resetModules();
    const lines: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    vi.spyOn(process.stderr, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: unknown[]) => {
      if (String(chunk).startsWith('flow-trace ')) {
        lines.push(String(chunk));
        return true;
      }
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stderr.write);
    // Loaded after FLOW_TRACE is set: tracing is decided when the module loads.
    const { trace } = await import('../../src/runtime/trace.js');
    const { PaperBroker } = await import('../../src/broker/paper/index.js');
    const { OpenAlgoStream } = await import('../../src/stream/client.js');
    const { startStreamServer } = await import('../../src/stream/server.js');
    const { PriceMonitor } = await import('../../src/triggers/price-monitor.js');
    expect(trace).not.toBeNull();

    const paper = new PaperBroker();
    const server = await startStreamServer({ source: paper.marketStream(), apiKey: 'trace-key' });
    const stream = new OpenAlgoStream({ url: server.url, apiKey: 'trace-key' });
    let fires = 0;
    let firedAt = 0n;
    const monitor = new PriceMonitor({
      broker: paper, stream, tickMs: 60_000, onError: () => {},
      onFire: () => {
        fires++;
        firedAt = process.hrtime.bigint();
        trace!('run.requested');
      },
    });
    cleanup.push(() => monitor.stop(), () => stream.close(), () => server.close());
    monitor.start();
    paper.setPrice('SBIN', 'NSE', 790);
    monitor.add({ workflowId: 'wf', nodeId: 'alert', symbol: 'SBIN', exchange: 'NSE', condition: 'crossing_up', price: 800, trigger: 'every_time' });
    await until(() => monitor.list()[0]?.source === 'stream' && monitor.list()[0].lastLtp === 790, 'armed on the stream');
    for (const p of [795, 799]) paper.setPrice('SBIN', 'NSE', p); // no fire: no trace
    await until(() => monitor.list()[0].lastLtp === 799, 'the ticks below the level');
    const sentAt = process.hrtime.bigint();
    paper.setPrice('SBIN', 'NSE', 805);
    await until(() => fires === 1, 'the first fire');
    const firstFiredAt = firedAt;
    paper.setPrice('SBIN', 'NSE', 790);
    paper.setPrice('SBIN', 'NSE', 806); // the second fire writes the first trace (a turn later)
    await until(() => fires === 2 && lines.length === 1, 'the first trace written');
    const t = JSON.parse(lines[0].slice('flow-trace '.length)) as { t0: string; marks: Array<[string, number]> };
    expect(t.marks.map(([label]) => label)).toEqual(['tick.received', 'alert.fired', 'run.requested']);
    // t0 is the frame's arrival: after the tick was published, before the monitor fired.
    expect(BigInt(t.t0) > sentAt && BigInt(t.t0) <= firstFiredAt).toBe(true);
    expect(t.marks[0][1]).toBe(0);
    expect(t.marks[1][1]).toBeGreaterThanOrEqual(0);
  });
});
