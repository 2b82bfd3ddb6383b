// An every_time price alert on live ticks holds at most one run of its workflow queued or running,
// as OpenAlgo's price monitor does (_trigger_workflow in services/flow_price_monitor_service.py):
// otherwise every tick above the level would queue another run, and another order.

import { afterEach, describe, expect, it } from 'vitest';
import { PaperBroker } from '../../src/broker/paper/index.js';
import type { TriggerInfo } from '../../src/engine/types.js';
import { TriggerHub } from '../../src/runtime/triggers.js';
import type { Store } from '../../src/store/types.js';
import { tempStore } from '../store/helpers.js';
import { until } from '../stream/helpers.js';

const open: Array<{ hub: TriggerHub; store: Store }> = [];
afterEach(async () => {
  for (const { hub, store } of open.splice(0)) {
    hub.stop();
    await store.close();
  }
});

async function hubWith(fire: (workflowId: string, trigger: TriggerInfo) => PromiseLike<unknown> | void) {
  const paper = new PaperBroker();
  const store = await tempStore();
  const hub = new TriggerHub({ broker: paper, store, timezone: 'Asia/Kolkata', priceTickMs: 20 });
  hub.connect({ fire, retire: () => {} });
  open.push({ hub, store });
  hub.start();
  paper.setPrice('SBIN', 'NSE', 790);
  const problems = await hub.register('wf1', [
    { id: 'alert', type: 'priceAlert', position: { x: 0, y: 0 }, data: { symbol: 'SBIN', exchange: 'NSE', condition: 'greater_than', price: 800, trigger: 'every_time' } },
  ], {});
  expect(problems).toEqual([]);
  return { paper, hub };
}

describe('price alerts: one pending run per workflow', () => {
  it('ticks while the fired run has not ended are dropped and counted; the next tick after it ends fires again', async () => {
    const fired: number[] = [];
    let endRun: () => void = () => {};
    const { paper, hub } = await hubWith((_wf, trigger) => {
      fired.push((trigger.payload as { trigger_price: number }).trigger_price);
      return new Promise<void>((resolve) => { endRun = resolve; });
    });
    await until(() => hub.prices.list()[0]?.lastLtp === 790, 'the alert armed at 790');
    paper.setPrice('SBIN', 'NSE', 801);
    await until(() => fired.length === 1, 'the first fire');
    for (const p of [802, 803, 804]) paper.setPrice('SBIN', 'NSE', p);
    await until(() => hub.priceCoalesced >= 3, 'three ticks held back');
    expect(hub.streamStatus().prices.heldBack).toBe(hub.priceCoalesced);
    expect(fired).toEqual([801]);
    endRun();
    await new Promise((r) => setTimeout(r, 10));
    paper.setPrice('SBIN', 'NSE', 805);
    await until(() => fired.length === 2, 'a fire once the run ended');
    expect(fired).toEqual([801, 805]);
  });

  it('a fire that queued no run (skipped, or refused) does not hold back the next tick', async () => {
    const fired: number[] = [];
    const { paper, hub } = await hubWith((_wf, trigger) => {
      fired.push((trigger.payload as { trigger_price: number }).trigger_price);
    });
    await until(() => hub.prices.list()[0]?.lastLtp === 790, 'the alert armed at 790');
    paper.setPrice('SBIN', 'NSE', 801);
    await until(() => fired.length === 1, 'the first fire');
    paper.setPrice('SBIN', 'NSE', 802);
    await until(() => fired.length === 2, 'the second fire');
    expect(hub.priceCoalesced).toBe(0);
  });
});
