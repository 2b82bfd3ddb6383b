// The relays between two processes' buses on a real PostgreSQL: a run's events reach another
// process only while a viewer there watches it (its end always), tagged 'remote'; kill-switch
// changes arrive at once; workflow changes are announced.

import { EventEmitter } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotifyBus } from '../../src/cluster/bus.js';
import { createPool, type Pool } from '../../src/cluster/pg.js';
import { EventRelay, relayKillSwitch, relayWorkflowChanges } from '../../src/cluster/relay.js';
import type { RunEvent } from '../../src/engine/types.js';
import { createTestDatabase, type TestDatabase } from './pgdb.js';

let db: TestDatabase;
let pool: Pool;
let a: NotifyBus;
let b: NotifyBus;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url, { max: 4 });
  a = new NotifyBus({ connectionString: db.url, pool, origin: 'a' });
  b = new NotifyBus({ connectionString: db.url, pool, origin: 'b' });
  await a.start();
  await b.start();
}, 30_000);

afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await pool?.end();
  await db?.drop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const started = (id: string): RunEvent => ({ type: 'run_started', executionId: id, at: new Date().toISOString() });

describe('relays', () => {
  it('run events: only watched runs cross, every end crosses, remote events are tagged', async () => {
    const runner = new EventEmitter();
    const viewer = new EventEmitter();
    const ra = new EventRelay(a, runner);
    const rb = new EventRelay(b, viewer);
    const seen: Array<[string, string, string | undefined]> = [];
    viewer.on('event', (w: string, e: RunEvent, origin?: string) => seen.push([w, `${e.type}:${e.executionId}`, origin]));
    await sleep(100);
    runner.emit('event', 'wf1', started('ex_unwatched'));
    const unwatch = rb.watch('ex_1');
    await b.flushed();
    await sleep(150);
    runner.emit('event', 'wf1', started('ex_1'));
    runner.emit('event', 'wf1', { type: 'step_finished', executionId: 'ex_1', step: { nodeId: 'n', output: 'x'.repeat(9_000) } } as unknown as RunEvent);
    runner.emit('event', 'wf1', { type: 'run_finished', executionId: 'ex_2', result: { status: 'completed', steps: [] } } as unknown as RunEvent);
    await a.flushed();
    await sleep(300);
    expect(seen).toEqual([
      ['wf1', 'run_started:ex_1', 'remote'],
      ['wf1', 'step_finished:ex_1', 'remote'],
      ['wf1', 'run_finished:ex_2', 'remote'],
    ]);
    unwatch();
    ra.stop();
    rb.stop();
  });

  it('kill switch and workflow changes reach the other process', async () => {
    let onAtB = false;
    const ka = relayKillSwitch(a, { apply: () => {}, read: async () => false });
    const kb = relayKillSwitch(b, { apply: (on) => (onAtB = on), read: async () => onAtB });
    const changed: string[] = [];
    const wa = relayWorkflowChanges(a, () => {});
    const wb = relayWorkflowChanges(b, (id) => changed.push(id));
    await sleep(100);
    ka.announce(true);
    wa.announce('wf_9');
    await a.flushed();
    await sleep(300);
    expect(onAtB).toBe(true);
    expect(changed).toEqual(['wf_9']);
    ka.stop();
    kb.stop();
    wa.stop();
    wb.stop();
  });
});
