// Stream bench (issue 12). Three processes, as in production: this one (the driver), `flow serve`
// (a child: node bin/flow.js serve --broker openalgo on the built dist/, with bin/flow.js's own V8
// flags, configured only through its HTTP API) and a fake OpenAlgo (bench/fake-stream.ts, another
// child) that streams scripted ticks over WebSocket and stamps each tick it sends and each
// placeorder it receives with process.hrtime.bigint() (one monotonic clock, in one process).
//   1. tick crossing a level → placeorder: a priceAlert → placeOrder workflow on a server reading the
//      stream and, in the same run, on one whose stream is unreachable (the polling fallback); a
//      third server with FLOW_TRACE=1 gives the per-step breakdown of the stream path;
//   2. 1,000 alerts (workflows) on 500 symbols at 2,000 ticks/s: the server's CPU share (its
//      /proc/<pid>/stat) and its fire count checked against an offline replay of the same ticks;
//      the polling server faces the same storm;
//   3. the stream dropped and back: time until every subscription is held by the fake again, and a
//      level crossed while it was down fires once;
//   4. memory of a fresh server (VmRSS from /proc, V8 heap from /metrics): idle, with 2,000
//      priceAlert workflows stored, with them active (2,000 symbols subscribed), and each ticked.
//
//   npm run bench -- stream [--crossings 200] [--poll-crossings 10] [--trace-crossings 100] [--symbols 500]
//                           [--rate 2000] [--seconds 10] [--memory-symbols 2000] [--runs 1]

import fs from 'node:fs';
import path from 'node:path';
import { conditionMet } from '../src/triggers/price-conditions.js';
import type { PriceAlert } from '../src/triggers/price-monitor.js';
import {
  benchScript, environment, fmt, REPO, intArg, median, parseArgs, printEnvironment, printTable, ROOT, sleep, spawnUntil, summarize, tempDir, writeResult,
  traceLines, traceTable, type Child, type Summary, type TraceStep,
} from './lib.js';
import { stormSymbol, stormTicks } from './stream-script.js';

const KEY = 'bench-stream-key';

// ---- child processes ---------------------------------------------------------------------


interface Fake {
  child: Child;
  url: string;
  ws: string;
}

async function startFake(): Promise<Fake> {
  const { child, match } = await spawnUntil([...benchScript('fake-stream'), '--apikey', KEY], process.env, /^\{"port":(\d+)\}$/);
  return { child, url: `http://127.0.0.1:${match[1]}`, ws: `ws://127.0.0.1:${match[1]}` };
}

async function ctl<T = Record<string, unknown>>(fake: Fake, urlPath: string, body?: unknown): Promise<T> {
  const res = await fetch(`${fake.url}/_bench/${urlPath}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  return (await res.json()) as T;
}

interface Flow {
  child: Child;
  url: string;
  token: string;
  dataDir: string;
  remove(): void;
}

/** `flow serve` as bin/flow.js runs it (the compiled dist/ when fresh, its V8 flags), against the fake. */
async function startFlow(fake: Fake, wsUrl: string, env: Record<string, string> = {}, removeDir = true, dataDir?: string): Promise<Flow> {
  const tmp = dataDir ? { dir: dataDir, remove: () => fs.rmSync(dataDir, { recursive: true, force: true }) } : tempDir('flow-bench-stream-');
  const fullEnv: NodeJS.ProcessEnv = {
    ...process.env, OPENALGO_HOST: fake.url, OPENALGO_API_KEY: KEY, OPENALGO_WS_URL: wsUrl,
    FLOW_API_TOKEN: '', FLOW_ORDER_RATE_LIMIT: '100000', FLOW_LOG_LEVEL: 'warn', ...env,
  };
  delete fullEnv.NODE_OPTIONS;
  // The repository's bin/flow.js (not the compiled copy's shim): the dist/ that `npm run bench` has
  // just built, started with bin/flow.js's V8 flags (it re-executes itself with them, same PID).
  const { child, match } = await spawnUntil(
    [path.join(REPO, 'bin', 'flow.js'), 'serve', '--port', '0', '--data-dir', tmp.dir, '--broker', 'openalgo'],
    fullEnv, /listening on (http:\/\/\S+)/, 30_000, REPO,
  );
  const token = fs.readFileSync(path.join(tmp.dir, 'api-token'), 'utf8').trim();
  return { child, url: match[1], token, dataDir: tmp.dir, remove: removeDir ? tmp.remove : () => {} };
}

/** How the server runs: its command line (after bin/flow.js re-executed itself) and whether dist/ is fresh. */
function describeServer(flow: Flow): string {
  let cmd = '?';
  try {
    cmd = fs.readFileSync(`/proc/${flow.child.proc.pid}/cmdline`, 'utf8').split('\0').filter(Boolean).map((a) => path.basename(a) === a ? a : path.relative(REPO, a) || a).join(' ');
  } catch { /* not Linux */ }
  const newest = (dir: string): number => Math.max(0, ...fs.readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(path.join(dir, e.name)) : fs.statSync(path.join(dir, e.name)).mtimeMs)));
  let fresh = false;
  try {
    fresh = fs.statSync(path.join(REPO, 'dist', '.built')).mtimeMs >= newest(path.join(REPO, 'src'));
  } catch { /* no dist */ }
  return `${cmd} (${fresh ? 'dist/ is fresh: compiled JavaScript' : 'dist/ is STALE: bin/flow.js runs src/ through tsx'})`;
}

async function stopFlow(flow: Flow): Promise<void> {
  await flow.child.stop();
  flow.remove();
}

async function api<T = Record<string, unknown>>(flow: Flow, method: 'GET' | 'POST', urlPath: string, body?: unknown): Promise<T> {
  const res = await fetch(`${flow.url}${urlPath}`, {
    method, headers: { authorization: `Bearer ${flow.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${urlPath}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

interface AlertSpec {
  symbol: string;
  condition: string;
  price: number;
  /** A placeOrder after the alert (the latency phase); without it the run is the trigger alone. */
  order?: boolean;
}

async function importAlert(flow: Flow, a: AlertSpec): Promise<string> {
  const nodes: unknown[] = [
    { id: 'alert', type: 'priceAlert', position: { x: 0, y: 0 }, data: { symbol: a.symbol, exchange: 'NSE', condition: a.condition, price: a.price, trigger: 'every_time' } },
  ];
  const edges: unknown[] = [];
  if (a.order) {
    nodes.push({ id: 'buy', type: 'placeOrder', position: { x: 0, y: 100 }, data: { symbol: a.symbol, exchange: 'NSE', action: 'BUY', quantity: 1, priceType: 'MARKET', product: 'MIS' } });
    edges.push({ id: 'e1', source: 'alert', target: 'buy' });
  }
  const created = await api<{ id: string }>(flow, 'POST', '/api/workflows/import', { name: `alert ${a.symbol} ${a.condition} ${a.price}`, nodes, edges });
  return created.id;
}

const activate = (flow: Flow, id: string) => api(flow, 'POST', `/api/workflows/${id}/activate`, { concurrency: 'parallel' });
const deactivate = (flow: Flow, id: string) => api(flow, 'POST', `/api/workflows/${id}/deactivate`, {});

/** Runs `fn` over `items`, `width` at a time. */
async function inParallel<T>(items: readonly T[], width: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

async function until(check: () => boolean | Promise<boolean>, ms: number, what: string, everyMs = 1): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await sleep(everyMs);
  }
}

/** CPU time (user + system, all threads) of a process in ms, from /proc. */
function cpuMs(pid: number | undefined): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
}

function rssMb(pid: number | undefined): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
  } catch {
    return NaN;
  }
}

/** The server's Prometheus figures (name{labels} → value). */
async function metrics(flow: Flow): Promise<Map<string, number>> {
  const text = await (await fetch(`${flow.url}/metrics`, { headers: { authorization: `Bearer ${flow.token}` } })).text();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

const firesOf = async (flow: Flow) => (await metrics(flow)).get('flow_price_alert_fires') ?? NaN;
const ticksOf = async (flow: Flow) => (await metrics(flow)).get('flow_stream_frames{kind="tick"}') ?? NaN;

// ---- 1. tick → placeorder ----------------------------------------------------------------

async function tickToOrder(fake: Fake, flow: Flow, symbol: string, n: number, gapMs: number): Promise<{ lat: number[]; sentAt: bigint[]; orderAt: bigint[]; unexpected: number }> {
  await activate(flow, await importAlert(flow, { symbol, condition: 'crosses_above', price: 1000, order: true }));
  const lat: number[] = [];
  const sentAt: bigint[] = [];
  const orderAt: bigint[] = [];
  const unexpected: unknown[] = [];
  let seen = (await ctl<unknown[]>(fake, 'orders')).length;
  for (let i = 0; i < n; i++) {
    // Below the level first (a fresh cross each time), seen by the monitor before the crossing tick.
    await ctl(fake, 'tick', { symbol, ltp: 990 });
    await sleep(gapMs);
    const { at } = await ctl<{ at: string }>(fake, 'tick', { symbol, ltp: 1010 });
    const orders: Array<{ at: string; symbol: string }> = [];
    await until(async () => {
      const more = await ctl<Array<{ at: string; symbol: string }>>(fake, `orders?from=${seen + orders.length}`);
      orders.push(...more);
      return orders.some((x) => x.symbol === symbol && BigInt(x.at) >= BigInt(at));
    }, 5000, 'the order');
    seen += orders.length;
    // The order this tick caused: the first stamped after it (anything else is counted and reported).
    const mine = orders.find((x) => x.symbol === symbol && BigInt(x.at) >= BigInt(at));
    if (!mine) throw new Error(`no order for ${symbol} after the tick: ${JSON.stringify(orders)}`);
    unexpected.push(...orders.filter((x) => x !== mine).map((x) => ({ ...x, crossing: i, tickAt: at })));
    lat.push(Number(BigInt(mine.at) - BigInt(at)) / 1e6);
    sentAt.push(BigInt(at));
    orderAt.push(BigInt(mine.at));
  }
  const m = await metrics(flow);
  const counters = { reconnects: m.get('flow_stream_frames{kind="reconnect"}') ?? NaN, stalls: m.get('flow_stream_frames{kind="stall"}') ?? NaN };
  if (unexpected.length) console.log(`  ${symbol}: ${unexpected.length} order(s) besides the crossings' own: ${JSON.stringify(unexpected)}; stream ${JSON.stringify(counters)}`);
  return { lat, sentAt, orderAt, unexpected: unexpected.length };
}

/**
 * The FLOW_TRACE=1 server's lines (src/runtime/trace.ts: each starts at the crossing tick's arrival)
 * beside the fake's send and receipt stamps: per step, the median time since the tick was sent and
 * the median gap from the step before.
 */
function traceBreakdown(flow: Flow, sentAt: bigint[], orderAt: bigint[]): TraceStep[] {
  const traces = traceLines(flow.child.output);
  const samples = [];
  for (let i = 0; i < sentAt.length; i++) {
    const sent = sentAt[i];
    const t = traces.find((x) => BigInt(x.t0) >= sent && BigInt(x.t0) - sent < 1_000_000_000n && x.marks[0]?.[0] === 'tick.received');
    if (!t) continue;
    samples.push({
      first: 'tick sent (fake)', offsetUs: Number(BigInt(t.t0) - sent) / 1000, marks: t.marks,
      last: ['placeorder received (fake)', Number(orderAt[i] - sent) / 1000] as [string, number],
    });
  }
  // response.finish: the bench's own API calls to the server (trace.ts marks every response).
  return traceTable(samples, (label) => label === 'response.finish');
}

// ---- 2. storm ------------------------------------------------------------------------------

function stormAlerts(symbols: number): Array<PriceAlert & AlertSpec> {
  const out: Array<PriceAlert & AlertSpec> = [];
  for (let k = 0; k < symbols; k++) {
    const symbol = stormSymbol(k);
    out.push({ workflowId: `up${k}`, nodeId: 'alert', symbol, exchange: 'NSE', condition: 'crossing_up', price: 1000.5, trigger: 'every_time' });
    out.push({ workflowId: `down${k}`, nodeId: 'alert', symbol, exchange: 'NSE', condition: 'crossing_down', price: 999.5, trigger: 'every_time' });
  }
  return out;
}

/**
 * Every fire the storm must cause, from replaying its ticks through OpenAlgo's conditions; `first`
 * is the last price each symbol had before it (the quiet storm's last ticks), NaN for none.
 */
function expectedFires(seed: number, symbols: number, count: number, alerts: PriceAlert[], first: Float64Array, offset: number): number {
  const ticks = stormTicks(seed, symbols, count).map((t) => t + offset);
  const last = new Float64Array(alerts.length);
  for (let j = 0; j < alerts.length; j++) last[j] = first[j >> 1];
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

async function armStorm(fake: Fake, flow: Flow, symbols: number, streamed: boolean): Promise<void> {
  await ctl(fake, 'forget', { prefix: 'SYM' }); // no snapshot or quote from an earlier storm: each alert starts without a price
  const alerts = stormAlerts(symbols);
  const ids: string[] = [];
  await inParallel(alerts, 8, async (a) => ids.push(await importAlert(flow, a)));
  await inParallel(ids, 8, (id) => activate(flow, id));
  if (streamed) await until(async () => (await ctl<{ subscriptions: number }>(fake, 'stats')).subscriptions >= symbols, 20_000, 'subscriptions', 50);
}

/** The prices a storm leaves each symbol at. */
function lastOfStorm(seed: number, symbols: number, count: number, offset: number): Float64Array {
  const ticks = stormTicks(seed, symbols, count);
  const out = new Float64Array(symbols).fill(NaN);
  for (let i = 0; i < count; i++) out[i % symbols] = ticks[i] + offset;
  return out;
}

const QUIET_OFFSET = 10_000;

/**
 * The storm: `quiet` shifts every price by +10,000 after one tick per symbol at 11,000 (an alert
 * without a previous price fires on the side of its level it starts on, as OpenAlgo's do: those 500
 * fires and their runs happen before the measured window), so no level is crossed: the cost of
 * reading and judging ticks alone, beside the server's idle CPU over 3 s before it. Otherwise the
 * walk around 1000 that crosses the levels (each fire a run), expected to follow a quiet storm.
 */
async function storm(fake: Fake, flow: Flow, o: { symbols: number; rate: number; seconds: number; seed: number }, quiet: boolean) {
  const count = o.rate * o.seconds;
  let idleShare = NaN;
  if (quiet) {
    await ctl(fake, 'tickMany', { prefix: 'SYM', count: o.symbols, ltp: 11_000 });
    await sleep(3000); // every symbol has a price (polled within 1 s) and the 500 runs are over
    const c0 = cpuMs(flow.child.proc.pid);
    const w0 = performance.now();
    await sleep(3000);
    idleShare = (cpuMs(flow.child.proc.pid) - c0) / (performance.now() - w0);
  }
  const fires0 = await firesOf(flow);
  const cpu0 = cpuMs(flow.child.proc.pid);
  const t0 = performance.now();
  await ctl(fake, 'storm', { symbols: o.symbols, count, rate: o.rate, seed: o.seed, offset: quiet ? QUIET_OFFSET : 0 });
  await until(async () => (await ctl<{ done: boolean }>(fake, 'storm')).done, o.seconds * 1000 + 30_000, 'the storm', 250);
  await sleep(300); // the last frames in flight, and the runs they started
  const cpu = cpuMs(flow.child.proc.pid) - cpu0;
  const wall = performance.now() - t0;
  const fires = (await firesOf(flow)) - fires0;
  const first = quiet ? new Float64Array(o.symbols).fill(11_000) : lastOfStorm(o.seed, o.symbols, count, QUIET_OFFSET);
  const expected = expectedFires(o.seed, o.symbols, count, stormAlerts(o.symbols), first, quiet ? QUIET_OFFSET : 0);
  return { fires, expected, cpuShare: cpu / wall, idleShare, wallMs: wall, ticks: count };
}

// ---- 3. re-arm -----------------------------------------------------------------------------

async function rearm(fake: Fake, flow: Flow, subscriptions: number): Promise<{ rearmMs: number; outageFires: number }> {
  await activate(flow, await importAlert(flow, { symbol: 'OUT', condition: 'crossing_up', price: 1000 }));
  await until(async () => (await ctl<{ subscriptions: number }>(fake, 'stats')).subscriptions >= subscriptions + 1, 5000, 'OUT subscribed');
  const ticks0 = await ticksOf(flow);
  await ctl(fake, 'tick', { symbol: 'OUT', ltp: 990 });
  await until(async () => (await ticksOf(flow)) > ticks0, 5000, 'OUT armed', 5);
  const fires0 = await firesOf(flow);
  const t0 = performance.now();
  await ctl(fake, 'drop', { ms: 0 });
  await ctl(fake, 'set', { symbol: 'OUT', ltp: 1010 }); // crossed while down
  await until(async () => (await ctl<{ subscriptions: number }>(fake, 'stats')).subscriptions >= subscriptions + 1, 10_000, 're-armed');
  const rearmMs = performance.now() - t0;
  await sleep(1500); // a poll and the stream's snapshot both had their chance
  return { rearmMs, outageFires: (await firesOf(flow)) - fires0 };
}

// ---- 4. memory -----------------------------------------------------------------------------

interface MemPoint {
  rssMb: number;
  anonMb: number;
  fileMb: number;
  /** V8 heap used, committed, and its new space committed; memory outside the heap V8 knows of (Buffers). */
  heapMb: number;
  heapTotalMb: number;
  newSpaceMb: number;
  externalMb: number;
}

function status(pid: number | undefined): { rss: number; anon: number; file: number } {
  try {
    const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(text)?.[1] ?? NaN) / 1024;
    return { rss: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile') + kb('RssShmem') };
  } catch {
    return { rss: NaN, anon: NaN, file: NaN };
  }
}

/** After two quiet seconds: the median of five readings 200 ms apart (no GC can be forced from outside). */
async function memPoint(flow: Flow): Promise<MemPoint> {
  await sleep(2000);
  const rows: MemPoint[] = [];
  for (let i = 0; i < 5; i++) {
    const s = status(flow.child.proc.pid);
    const m = await metrics(flow);
    const mb = (name: string) => (m.get(name) ?? NaN) / 2 ** 20;
    rows.push({
      rssMb: s.rss, anonMb: s.anon, fileMb: s.file, heapMb: mb('flow_nodejs_heap_size_used_bytes'), heapTotalMb: mb('flow_nodejs_heap_size_total_bytes'),
      newSpaceMb: mb('flow_nodejs_heap_space_size_total_bytes{space="new"}'), externalMb: mb('flow_nodejs_external_memory_bytes'),
    });
    await sleep(200);
  }
  const out = {} as MemPoint;
  for (const k of Object.keys(rows[0]) as Array<keyof MemPoint>) out[k] = median(rows.map((r) => r[k]));
  return out;
}

const subscriptionsAtFake = async (fake: Fake) => (await ctl<{ subscriptions: number }>(fake, 'stats')).subscriptions;

/**
 * Two data directories are prepared by a server that is then stopped: one with N priceAlert
 * workflows (one symbol each) stored but inactive, one with the same N active. A fresh server is
 * started on each, so neither measured process has served the import traffic: the inactive one
 * is the baseline; the active one subscribes N symbols as it starts, and each symbol gets a tick.
 * The difference is what N alerts on N subscribed symbols cost, the stored workflows aside.
 */
async function memory(fake: Fake, symbols: number) {
  const prepare = async (active: boolean): Promise<string> => {
    const flow = await startFlow(fake, fake.ws, {}, false);
    try {
      const ids: string[] = [];
      for (let k = 0; k < symbols; k += 100) {
        ids.push(...await Promise.all(Array.from({ length: Math.min(100, symbols - k) }, (_, j) => importAlert(flow, { symbol: `MEM${k + j}`, condition: 'crossing_up', price: 2000 }))));
      }
      if (active) await inParallel(ids, 8, (id) => activate(flow, id));
      return flow.dataDir;
    } finally {
      await flow.child.stop();
    }
  };
  const inactiveDir = await prepare(false);
  const activeDir = await prepare(true);
  await until(async () => (await subscriptionsAtFake(fake)) === 0, 10_000, 'the preparing server gone', 50);
  try {
    // Baseline: the same workflows, inactive (nothing subscribed).
    const base = await startFlow(fake, fake.ws, {}, true, inactiveDir);
    let inactive: MemPoint;
    try {
      inactive = await memPoint(base);
    } finally {
      await base.child.stop();
    }
    const flow = await startFlow(fake, fake.ws, {}, true, activeDir);
    try {
      await until(async () => (await subscriptionsAtFake(fake)) >= symbols, 30_000, 'memory subscriptions', 50);
      const subscribed = await memPoint(flow);
      const ticks0 = await ticksOf(flow);
      await ctl(fake, 'tickMany', { prefix: 'MEM', count: symbols, ltp: 1000 });
      await until(async () => (await ticksOf(flow)) - ticks0 >= symbols, 20_000, 'a tick for each', 20);
      const ticked = await memPoint(flow);
      return { inactive, subscribed, ticked };
    } finally {
      await flow.child.stop();
    }
  } finally {
    fs.rmSync(inactiveDir, { recursive: true, force: true });
    fs.rmSync(activeDir, { recursive: true, force: true });
  }
}

// ---- run -----------------------------------------------------------------------------------

interface RunResult {
  stream: Summary;
  poll: Summary;
  trace: ReturnType<typeof traceBreakdown>;
  traceCold: ReturnType<typeof traceBreakdown>;
  cold: Summary;
  storm: Record<'stream' | 'poll' | 'streamQuiet' | 'pollQuiet', Awaited<ReturnType<typeof storm>>>;
  rearmMs: number;
  outageFires: number;
  memory: Awaited<ReturnType<typeof memory>>;
  loadAverage: number[];
}

async function once(fake: Fake, args: Record<string, string | true>, o: { symbols: number; rate: number; seconds: number; seed: number }): Promise<RunResult> {
  const n = intArg(args, 'crossings', 200);
  const memSymbols = intArg(args, 'memory-symbols', 2000);
  // A run starts from no price for its symbols: a price left by the run before would be a new
  // alert's first price (a fire, as OpenAlgo's crossing without a previous price) and an extra order.
  for (const prefix of ['LAT', 'OUT', 'MEM', 'SYM']) await ctl(fake, 'forget', { prefix });
  const mem = await memory(fake, memSymbols);

  // Stream: latency first (alone on the server), then the storm's 1,000 alerts, then the drop.
  const s = await startFlow(fake, fake.ws);
  console.log(`  flow serve: ${describeServer(s)}`);
  let streamLat: number[];
  let sStorm: Awaited<ReturnType<typeof storm>>;
  let sQuiet: Awaited<ReturnType<typeof storm>>;
  let cold: number[];
  let re: { rearmMs: number; outageFires: number };
  try {
    streamLat = (await tickToOrder(fake, s, 'LATS', n, 20)).lat;
    // Crossings more than 1 s apart: the order client's keep-alive (1 s) has closed its connection.
    cold = (await tickToOrder(fake, s, 'LATC', intArg(args, 'cold-crossings', 10), 1300)).lat;
    await armStorm(fake, s, o.symbols, true);
    sQuiet = await storm(fake, s, o, true);
    sStorm = await storm(fake, s, o, false);
    re = await rearm(fake, s, o.symbols + 1);
  } finally {
    await stopFlow(s);
  }

  // The polling fallback, same run: the stream's address is unreachable.
  const p = await startFlow(fake, 'ws://127.0.0.1:1');
  let pollLat: number[];
  let pStorm: Awaited<ReturnType<typeof storm>>;
  let pQuiet: Awaited<ReturnType<typeof storm>>;
  try {
    pollLat = (await tickToOrder(fake, p, 'LATP', intArg(args, 'poll-crossings', 10), 1100)).lat;
    await armStorm(fake, p, o.symbols, false);
    await sleep(2500); // every symbol has had a poll
    pQuiet = await storm(fake, p, o, true);
    pStorm = await storm(fake, p, o, false);
  } finally {
    await stopFlow(p);
  }

  // The stream path once more with FLOW_TRACE=1 (its stderr lines cost a little: not the headline figure).
  const t = await startFlow(fake, fake.ws, { FLOW_TRACE: '1' });
  let trace: ReturnType<typeof traceBreakdown>;
  let traceCold: ReturnType<typeof traceBreakdown>;
  try {
    const warm = await tickToOrder(fake, t, 'LATT', intArg(args, 'trace-crossings', 100), 20);
    const cold = await tickToOrder(fake, t, 'LATU', Math.min(10, intArg(args, 'cold-crossings', 10)), 1300);
    await t.child.stop();
    trace = traceBreakdown(t, warm.sentAt, warm.orderAt);
    traceCold = traceBreakdown(t, cold.sentAt, cold.orderAt);
  } finally {
    await stopFlow(t);
  }
  return {
    stream: summarize(streamLat), cold: summarize(cold), poll: summarize(pollLat), trace, traceCold, storm: { stream: sStorm, poll: pStorm, streamQuiet: sQuiet, pollQuiet: pQuiet },
    rearmMs: re.rearmMs, outageFires: re.outageFires, memory: mem, loadAverage: (await import('node:os')).loadavg(),
  };
}

export async function run(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  const o = { symbols: intArg(args, 'symbols', 500), rate: intArg(args, 'rate', 2000), seconds: intArg(args, 'seconds', 10), seed: 12345 };
  const runs = intArg(args, 'runs', 1);
  const env = environment();
  printEnvironment('stream bench (issue 12): flow serve as a child process', env);
  const fake = await startFake();
  const results: RunResult[] = [];
  try {
    for (let r = 0; r < runs; r++) {
      const res = await once(fake, args, o);
      results.push(res);
      report(res, o, intArg(args, 'memory-symbols', 2000), `run ${r + 1} of ${runs}`);
    }
  } finally {
    await fake.child.stop();
  }
  const file = writeResult('stream', { env, options: o, runs: results });
  console.log(`\n  results: ${file}`);
}

const d = (a: number, b: number) => `${a - b >= 0 ? '+' : ''}${fmt(a - b, 1)}`;

function report(r: RunResult, o: { symbols: number; rate: number }, memSymbols: number, title: string): void {
  const m = r.memory;
  console.log(`\n  ${title} (load average after it: ${r.loadAverage.map((l) => l.toFixed(2)).join(' ')})`);
  printTable([
    ['measure', 'stream', 'polling (same run)', 'goal'],
    ['tick crossing a level → placeorder p50 / p99 (ms)', `${fmt(r.stream.p50, 2)} / ${fmt(r.stream.p99, 2)} (n=${r.stream.n})`, `${fmt(r.poll.p50, 0)} / ${fmt(r.poll.p99, 0)} (n=${r.poll.n})`, '≤ 1 / ≤ 3'],
    ['  the same, crossings > 1 s apart (cold order connection)', `${fmt(r.cold.p50, 2)} / ${fmt(r.cold.p99, 2)} (n=${r.cold.n})`, '', ''],
    [`${o.symbols * 2} alerts on ${o.symbols} symbols, ${o.rate} ticks/s: server CPU, share of one core`, `${fmt(r.storm.stream.cpuShare * 100, 1)} %`, `${fmt(r.storm.poll.cpuShare * 100, 1)} %`, '≤ 25 %'],
    ['  the same ticks 10,000 higher (no level crossed, no run)', `${fmt(r.storm.streamQuiet.cpuShare * 100, 1)} %`, `${fmt(r.storm.pollQuiet.cpuShare * 100, 1)} %`, ''],
    ['  the server idle (no tick), 3 s before that', `${fmt(r.storm.streamQuiet.idleShare * 100, 1)} %`, `${fmt(r.storm.pollQuiet.idleShare * 100, 1)} %`, ''],
    ['  crossings fired / expected (each fire a stored run)', `${r.storm.stream.fires} / ${r.storm.stream.expected}`, `${r.storm.poll.fires} / ${r.storm.poll.expected}`, 'none missed'],
    ['  fires in the quiet storm / expected', `${r.storm.streamQuiet.fires} / ${r.storm.streamQuiet.expected}`, `${r.storm.pollQuiet.fires} / ${r.storm.pollQuiet.expected}`, ''],
    ['stream dropped → every subscription held again (ms)', fmt(r.rearmMs, 0), '–', '≤ 2000'],
    ['  level crossed during the outage: fires', String(r.outageFires), '–', '1'],
    [`memory, ${memSymbols} priceAlert workflows: RSS (anonymous + file) / heap, MB`, '', '', ''],
    ['  fresh server, the workflows stored inactive (baseline)', `${fmt(m.inactive.rssMb, 1)} (${fmt(m.inactive.anonMb, 1)} + ${fmt(m.inactive.fileMb, 1)}) / ${fmt(m.inactive.heapMb, 1)}`, '', ''],
    [`  fresh server, them active: ${memSymbols} symbols subscribed`, `${d(m.subscribed.rssMb, m.inactive.rssMb)} (${d(m.subscribed.anonMb, m.inactive.anonMb)} + ${d(m.subscribed.fileMb, m.inactive.fileMb)}) / ${d(m.subscribed.heapMb, m.inactive.heapMb)}`, '', ''],
    ['  and each ticked', `${d(m.ticked.rssMb, m.inactive.rssMb)} (${d(m.ticked.anonMb, m.inactive.anonMb)} + ${d(m.ticked.fileMb, m.inactive.fileMb)}) / ${d(m.ticked.heapMb, m.inactive.heapMb)}`, '', '≤ +30'],
    ['  V8 committed, of it new space; external (baseline → ticked)', `${fmt(m.inactive.heapTotalMb, 1)} → ${fmt(m.ticked.heapTotalMb, 1)}, ${fmt(m.inactive.newSpaceMb, 1)} → ${fmt(m.ticked.newSpaceMb, 1)}; ${fmt(m.inactive.externalMb, 1)} → ${fmt(m.ticked.externalMb, 1)}`, '', ''],
  ]);
  for (const [rows, what] of [[r.trace, 'crossings 20 ms apart'], [r.traceCold, 'crossings 1.3 s apart (cold order connection)']] as const) {
    if (!rows.length) continue;
    console.log(`\n  stream path traced (FLOW_TRACE=1), ${what}; medians, µs: step, since the tick was sent, gap from the step before (p90)`);
    for (const t of rows) console.log(`    ${t.step.padEnd(34)} ${fmt(t.sinceSendUs, 0).padStart(7)}  ${fmt(t.gapUs, 0).padStart(6)} (${fmt(t.p90GapUs, 0)})`);
  }
}
