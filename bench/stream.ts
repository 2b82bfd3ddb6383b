// Stream bench (issue 12): a fake OpenAlgo (bench/fake-stream.ts, its own process) streams scripted
// ticks over WebSocket and stamps each tick it sends and each placeorder it receives with
// process.hrtime.bigint() (one monotonic clock, in one process). Against it, in this process:
//   1. tick crossing a level → placeorder: `flow serve` (startFlow, SQLite, a priceAlert → placeOrder
//      workflow), on the stream and, in the same run, on the polling fallback (stream unreachable);
//   2. 1,000 alerts on 500 symbols at 2,000 ticks/s: this process's CPU share and every crossing
//      checked against an offline replay of the same ticks; the polling monitor on the same storm;
//   3. the stream dropped and back: time until every subscription is re-armed, and a level crossed
//      while it was down fires once;
//   4. memory (heap and RSS after GC) with 2,000 subscribed symbols and alerts.

import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { OpenAlgoBroker } from '../src/broker/openalgo/index.js';
import { loadConfig } from '../src/config.js';
import { startFlow, type RunningFlow } from '../src/server/index.js';
import { OpenAlgoStream } from '../src/stream/client.js';
import { conditionMet } from '../src/triggers/price-conditions.js';
import { PriceMonitor, type PriceAlert } from '../src/triggers/price-monitor.js';
import {
  benchScript, collectGarbage, environment, fmt, intArg, parseArgs, printEnvironment, printTable, ROOT, sleep, summarize, tempDir, writeResult,
} from './lib.js';
import { stormSymbol, stormTicks } from './stream-script.js';

const KEY = 'bench-stream-key';

async function startFake(): Promise<{ proc: ChildProcess; url: string; ws: string }> {
  const proc = spawn(process.execPath, [...benchScript('fake-stream'), '--apikey', KEY], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: proc.stdout! }).on('line', (l) => {
      const m = /^\{"port":(\d+)\}$/.exec(l);
      if (m) resolve(Number(m[1]));
    });
    proc.once('exit', (c) => reject(new Error(`fake exited ${c}`)));
  });
  return { proc, url: `http://127.0.0.1:${port}`, ws: `ws://127.0.0.1:${port}` };
}

async function ctl<T = Record<string, unknown>>(fake: { url: string }, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${fake.url}/_bench/${path}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  return (await res.json()) as T;
}

async function until(check: () => boolean | Promise<boolean>, ms: number, what: string, everyMs = 1): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await sleep(everyMs);
  }
}

// ---- 1. tick → placeorder through flow serve -------------------------------------------------

async function startServe(fake: { url: string }, wsUrl: string): Promise<{ flow: RunningFlow; remove(): void }> {
  const tmp = tempDir('flow-bench-stream-');
  const env = {
    ...process.env, FLOW_DATA_DIR: tmp.dir, OPENALGO_HOST: fake.url, OPENALGO_API_KEY: KEY, OPENALGO_WS_URL: wsUrl,
    FLOW_API_TOKEN: 'bench', FLOW_ORDER_RATE_LIMIT: '100000', FLOW_LOG_LEVEL: 'warn',
  };
  const flow = await startFlow(loadConfig(env, { port: 0 }), { banner: false, logLevel: 'warn' });
  return { flow, remove: tmp.remove };
}

async function activate(flow: RunningFlow, symbol: string, level: number): Promise<void> {
  const h = { authorization: 'Bearer bench', 'content-type': 'application/json' };
  const wf = {
    name: `alert ${symbol}`,
    nodes: [
      { id: 'alert', type: 'priceAlert', position: { x: 0, y: 0 }, data: { symbol, exchange: 'NSE', condition: 'crosses_above', price: level, trigger: 'every_time' } },
      { id: 'buy', type: 'placeOrder', position: { x: 0, y: 100 }, data: { symbol, exchange: 'NSE', action: 'BUY', quantity: 1, priceType: 'MARKET', product: 'MIS' } },
    ],
    edges: [{ id: 'e1', source: 'alert', target: 'buy' }],
  };
  const created = await (await fetch(`${flow.url}/api/workflows/import`, { method: 'POST', headers: h, body: JSON.stringify(wf) })).json() as { id: string };
  const act = await fetch(`${flow.url}/api/workflows/${created.id}/activate`, { method: 'POST', headers: h, body: '{}' });
  if (act.status !== 200) throw new Error(`activate: ${act.status} ${await act.text()}`);
}

async function tickToOrder(fake: { url: string }, flow: RunningFlow, symbol: string, n: number, pollPath: boolean): Promise<number[]> {
  await activate(flow, symbol, 1000);
  const lat: number[] = [];
  for (let i = 0; i < n; i++) {
    const before = (await ctl<unknown[]>(fake, 'orders')).length;
    // Below the level first (a fresh cross each time), seen by the monitor before the crossing tick.
    await ctl(fake, 'tick', { symbol, ltp: 990 });
    await sleep(pollPath ? 1100 : 20);
    const { at } = await ctl<{ at: string }>(fake, 'tick', { symbol, ltp: 1010 });
    let orders: Array<{ at: string; symbol: string }> = [];
    await until(async () => (orders = await ctl(fake, 'orders')).length > before, 5000, 'the order');
    lat.push(Number(BigInt(orders[before].at) - BigInt(at)) / 1e6);
  }
  return lat;
}

// ---- 2. storm ------------------------------------------------------------------------------

function stormAlerts(symbols: number): PriceAlert[] {
  const out: PriceAlert[] = [];
  for (let k = 0; k < symbols; k++) {
    const symbol = stormSymbol(k);
    out.push({ workflowId: `up${k}`, nodeId: 'a', symbol, exchange: 'NSE', condition: 'crossing_up', price: 1000.5, trigger: 'every_time' });
    out.push({ workflowId: `down${k}`, nodeId: 'a', symbol, exchange: 'NSE', condition: 'crossing_down', price: 999.5, trigger: 'every_time' });
  }
  return out;
}

/** Every fire the storm must cause, from replaying its ticks through OpenAlgo's conditions. */
function expectedFires(seed: number, symbols: number, count: number, alerts: PriceAlert[]): number {
  const ticks = stormTicks(seed, symbols, count);
  const last = new Float64Array(alerts.length).fill(NaN);
  let fires = 0;
  for (let i = 0; i < count; i++) {
    const k = i % symbols;
    for (const j of [2 * k, 2 * k + 1]) {
      if (conditionMet(alerts[j].condition, ticks[i], last[j], alerts[j])) fires++;
      last[j] = ticks[i];
    }
  }
  return fires;
}

async function storm(fake: { url: string; ws: string }, streamed: boolean, o: { symbols: number; rate: number; seconds: number; seed: number }) {
  const alerts = stormAlerts(o.symbols);
  const broker = new OpenAlgoBroker({ host: fake.url, apiKey: KEY, apiRatePerSec: 0 });
  const stream = streamed ? new OpenAlgoStream({ url: fake.ws, apiKey: KEY }) : undefined;
  let fires = 0;
  const monitor = new PriceMonitor({ broker, stream, tickMs: 1000, onFire: () => { fires++; } });
  monitor.start();
  for (const a of alerts) monitor.add(a);
  if (stream) await until(async () => (await ctl<{ subscriptions: number }>(fake, 'stats')).subscriptions >= o.symbols, 10_000, 'subscriptions');
  const count = o.rate * o.seconds;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await ctl(fake, 'storm', { symbols: o.symbols, count, rate: o.rate, seed: o.seed });
  // Checked every 250 ms, so the bench's own control traffic stays out of the CPU figure.
  await until(async () => (await ctl<{ done: boolean }>(fake, 'storm')).done, o.seconds * 1000 + 30_000, 'the storm', 250);
  await sleep(200); // the last frames in flight
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - t0;
  const expected = expectedFires(o.seed, o.symbols, count, alerts);
  return { monitor, stream, broker, fires, expected, cpuShare: (cpu.user + cpu.system) / 1000 / wall, wallMs: wall, ticks: count };
}

// ---- 4. memory -------------------------------------------------------------------------------

async function memory(fake: { url: string; ws: string }, symbols: number) {
  const read = () => {
    collectGarbage();
    const m = process.memoryUsage();
    return { heap: m.heapUsed / 2 ** 20, rss: m.rss / 2 ** 20 };
  };
  const before = read();
  const broker = new OpenAlgoBroker({ host: fake.url, apiKey: KEY });
  const stream = new OpenAlgoStream({ url: fake.ws, apiKey: KEY });
  const monitor = new PriceMonitor({ broker, stream, tickMs: 3_600_000, onFire: () => {} });
  for (let k = 0; k < symbols; k++) monitor.add({ workflowId: `m${k}`, nodeId: 'a', symbol: `MEM${k}`, exchange: 'NSE', condition: 'crossing_up', price: 2000, trigger: 'every_time' });
  await until(async () => (await ctl<{ subscriptions: number }>(fake, 'stats')).subscriptions >= symbols, 20_000, 'memory subscriptions');
  for (let k = 0; k < symbols; k++) await ctl(fake, 'tick', { symbol: `MEM${k}`, ltp: 1000 + (k % 7) });
  await until(() => monitor.list().every((a) => a.lastLtp !== null), 10_000, 'a price for each');
  const after = read();
  monitor.stop();
  stream.close();
  return { heapMb: after.heap - before.heap, rssMb: after.rss - before.rss };
}

export async function run(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  const o = { symbols: intArg(args, 'symbols', 500), rate: intArg(args, 'rate', 2000), seconds: intArg(args, 'seconds', 10), seed: 12345 };
  const n = intArg(args, 'crossings', 200);
  const env = environment();
  printEnvironment('stream bench (issue 12)', env);
  const fake = await startFake();
  try {
    const mem = await memory(fake, intArg(args, 'memory-symbols', 2000));

    const streamFlow = await startServe(fake, fake.ws);
    const streamLat = await tickToOrder(fake, streamFlow.flow, 'LATS', n, false);
    await streamFlow.flow.close(1000);
    streamFlow.remove();
    const pollFlow = await startServe(fake, 'ws://127.0.0.1:1'); // unreachable: the polling fallback
    const pollLat = await tickToOrder(fake, pollFlow.flow, 'LATP', intArg(args, 'poll-crossings', 10), true);
    await pollFlow.flow.close(1000);
    pollFlow.remove();

    const s = await storm(fake, true, o);
    // 3. Drop the stream under the 1,000 alerts; a level crossed while it is down must fire once.
    let outageFires = 0;
    s.monitor.add({ workflowId: 'outage', nodeId: 'a', symbol: 'OUT', exchange: 'NSE', condition: 'crossing_up', price: 1000, trigger: 'every_time' });
    await ctl(fake, 'tick', { symbol: 'OUT', ltp: 990 });
    await until(() => s.monitor.list().some((a) => a.symbol === 'OUT' && a.lastLtp === 990), 5000, 'OUT armed');
    const firesBefore = s.monitor.status().fires;
    const t0 = performance.now();
    await ctl(fake, 'drop', { ms: 0 });
    await ctl(fake, 'set', { symbol: 'OUT', ltp: 1010 }); // crossed while down
    await until(async () => s.stream!.state === 'live' && (await ctl<{ subscriptions: number }>(fake, 'stats')).subscriptions >= o.symbols + 1, 10_000, 're-armed');
    const rearmMs = performance.now() - t0;
    await sleep(1500); // a poll and the stream's snapshot both had their chance
    outageFires = s.monitor.status().fires - firesBefore;
    s.monitor.stop();
    s.stream!.close();

    const p = await storm(fake, false, o);
    p.monitor.stop();

    const sl = summarize(streamLat);
    const pl = summarize(pollLat);
    printTable([
      ['measure', 'stream', 'polling (same run)', 'goal'],
      ['tick crossing a level → placeorder p50 / p99 (ms)', `${fmt(sl.p50, 2)} / ${fmt(sl.p99, 2)} (n=${streamLat.length})`, `${fmt(pl.p50, 0)} / ${fmt(pl.p99, 0)} (n=${pollLat.length})`, '≤ 1 / ≤ 3'],
      [`${o.symbols * 2} alerts on ${o.symbols} symbols, ${o.rate} ticks/s: CPU share of one core`, `${fmt(s.cpuShare * 100, 1)} %`, `${fmt(p.cpuShare * 100, 1)} %`, '≤ 25 %'],
      ['  crossings fired / expected', `${s.fires} / ${s.expected}`, `${p.fires} / ${p.expected}`, 'none missed'],
      ['stream dropped → every subscription re-armed (ms)', fmt(rearmMs, 0), '–', '≤ 2000'],
      ['  level crossed during the outage: fires', String(outageFires), '–', '1'],
      [`memory with ${intArg(args, 'memory-symbols', 2000)} subscribed symbols and alerts (heap / RSS MB)`, `${fmt(mem.heapMb, 1)} / ${fmt(mem.rssMb, 1)}`, '–', '≤ +30'],
    ]);
    writeResult('stream', { env, options: o, streamLatencyMs: sl, pollLatencyMs: pl, storm: { stream: { cpuShare: s.cpuShare, fires: s.fires, expected: s.expected }, poll: { cpuShare: p.cpuShare, fires: p.fires, expected: p.expected } }, rearmMs, outageFires, memory: mem });
  } finally {
    fake.proc.kill('SIGTERM');
  }
}
