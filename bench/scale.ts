// scale: 1,000 active workflows in one Flow (400 price alerts on 200 symbols, 300 schedules, 300
// webhooks, each trigger → placeOrder → log): resident memory after a full GC, and the time one
// price tick takes for every alert (PriceMonitor.tick() with the paper broker, nothing excluded).
// Baselines from the same process: the RSS of an idle Flow, and the paper broker's multiQuotes
// calls for the same symbols without the monitor.
//
// Each run is a fresh process (memory figures do not survive a previous run's heap); the bench
// creates the workflows over HTTP from its own process, so only Flow is in the measured one.
//
//   npm run bench -- scale [--runs 3] [--workflows 1000] [--ticks 50]

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Pool } from 'undici';
import { PaperBroker } from '../src/broker/paper/index.js';
import type { SymbolRef } from '../src/broker/types.js';
import { loadConfig } from '../src/config.js';
import { startFlow } from '../src/server/index.js';
import {
  collectGarbage, environment, fmt, intArg, median, medianOf, nsToMs, parseArgs, printEnvironment, printTable, ratio, ROOT, sleep,
  summarize, tempDir, writeResult,
} from './lib.js';

const MB = 2 ** 20;
const node = (id: string, type: string, data: Record<string, unknown>, y: number) => ({ id, type, position: { x: 0, y: y * 100 }, data });
const chain = (ids: string[]) => ids.slice(1).map((id, i) => ({ id: `e${i + 1}`, source: ids[i], target: id }));
const orderThenLog = [
  node('buy', 'placeOrder', { symbol: '{{webhook.symbol}}', exchange: 'NSE', action: 'BUY', quantity: 1, priceType: 'MARKET', product: 'MIS', outputVariable: 'order' }, 1),
  node('say', 'log', { message: 'order {{order.orderid}}' }, 2),
];
const workflow = (name: string, trigger: ReturnType<typeof node>) => ({ name, nodes: [trigger, ...orderThenLog], edges: chain(['t', 'buy', 'say']) });

/** 200 instruments the paper market quotes: indices, equities, then NIFTY and BANKNIFTY options. */
async function symbols(broker: PaperBroker, count: number): Promise<SymbolRef[]> {
  const { listUnderlyings } = await import('../src/broker/paper/instruments.js');
  const refs: SymbolRef[] = listUnderlyings().map((u) => ({ symbol: u.name, exchange: u.exchange }));
  for (const underlying of ['NIFTY', 'BANKNIFTY']) {
    const expiries = await broker.expiry({ symbol: underlying, exchange: 'NFO', instrumenttype: 'options' });
    const expiry = String(expiries.data?.[0]).replace(/-/g, '');
    const chain = await broker.optionChain({ underlying, exchange: 'NSE_INDEX', expiry_date: expiry, strike_count: 40 });
    for (const row of chain.chain ?? []) {
      if (row.ce) refs.push({ symbol: row.ce.symbol, exchange: 'NFO' });
      if (row.pe) refs.push({ symbol: row.pe.symbol, exchange: 'NFO' });
    }
  }
  if (refs.length < count) throw new Error(`the paper market offers ${refs.length} symbols, fewer than ${count}`);
  return refs.slice(0, count);
}

/** A condition and level that stays quiet at today's price, so every tick evaluates and none fires. */
function quietAlert(i: number, ltp: number): Record<string, unknown> {
  const kinds = [
    { condition: 'above', price: +(ltp * 3).toFixed(2) },
    { condition: 'below', price: +(ltp / 3).toFixed(2) },
    { condition: 'crosses_above', price: +(ltp * 2).toFixed(2) },
    { condition: 'crosses_below', price: +(ltp / 2).toFixed(2) },
    { condition: 'outside_channel', priceLower: +(ltp / 3).toFixed(2), priceUpper: +(ltp * 3).toFixed(2) },
    { condition: 'moving_up_percent', percent: 500 },
  ];
  return { ...kinds[i % kinds.length], trigger: 'every_time', cooldownSec: 60 };
}

interface Sample extends Record<string, number> {
  workflows: number;
  priceAlerts: number;
  symbols: number;
  idleRssMb: number;
  rssMb: number;
  heapUsedMb: number;
  idleHeapUsedMb: number;
  heapTotalMb: number;
  idleHeapTotalMb: number;
  warmRssMb: number;
  warmHeapUsedMb: number;
  warmHeapTotalMb: number;
  nodeBinaryMb: number;
  externalMb: number;
  kbPerWorkflow: number;
  createSeconds: number;
  tickP50Ms: number;
  tickP99Ms: number;
  tickCpuP50Ms: number;
  quotesOnlyP50Ms: number;
  ticksFired: number;
}

function memory() {
  collectGarbage();
  const m = process.memoryUsage();
  return { rssMb: m.rss / MB, heapUsedMb: m.heapUsed / MB, heapTotalMb: m.heapTotal / MB, externalMb: m.external / MB, nodeBinaryMb: nodeBinaryRssMb() };
}

/** Resident pages of the node executable itself (file-backed, shared with every node process); Linux only. */
function nodeBinaryRssMb(): number {
  try {
    const exe = fs.realpathSync(process.execPath);
    let kb = 0;
    let inExe = false;
    for (const line of fs.readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
      const mapping = /^[0-9a-f]+-[0-9a-f]+ /.test(line);
      if (mapping) inExe = line.trimEnd().endsWith(exe);
      else if (inExe && line.startsWith('Rss:')) kb += Number(line.split(/\s+/)[1]);
    }
    return kb / 1024;
  } catch {
    return NaN;
  }
}

/** Messages between the bench (parent) and the Flow under measurement (child). */
type ChildMessage = { type: 'ready'; url: string; token: string; defs: unknown[] } | { type: 'warm' } | { type: 'sample'; sample: Sample };
type ParentMessage = { type: 'warmed' } | { type: 'created'; createSeconds: number };
/** Workflows created before the "warm" measurement: Flow's first requests cost memory once (JIT, buffers). */
const WARM_UP = 10;

function definitions(total: number, refs: SymbolRef[], ltp: Map<string, number>) {
  const priceAlerts = Math.round(total * 0.4);
  const schedules = Math.round(total * 0.3);
  const defs: unknown[] = [];
  for (let i = 0; i < priceAlerts; i++) {
    const ref = refs[i % refs.length];
    defs.push(workflow(`alert ${i}`, node('t', 'priceAlert', { symbol: ref.symbol, exchange: ref.exchange, ...quietAlert(i, ltp.get(`${ref.exchange}:${ref.symbol}`)!) }, 0)));
  }
  for (let i = 0; i < schedules; i++) {
    const data = i % 2
      ? { scheduleType: 'daily', time: `${String(9 + (i % 6)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`, days: [0, 1, 2, 3, 4], marketHoursOnly: false }
      : { scheduleType: 'interval', intervalValue: 1 + (i % 4), intervalUnit: 'hours', marketHoursOnly: true };
    defs.push(workflow(`schedule ${i}`, node('t', 'start', data, 0)));
  }
  for (let i = defs.length; i < total; i++) defs.push(workflow(`webhook ${i}`, node('t', 'webhookTrigger', {}, 0)));
  return { defs, priceAlerts, schedules };
}

/**
 * The child: starts Flow, hands the workflow definitions to the parent, which imports and
 * activates them over HTTP (so no HTTP client counts in this process's memory), then measures.
 */
async function childMeasure(total: number, ticks: number): Promise<void> {
  const send = (m: ChildMessage) => process.send!(m);
  const next = () => new Promise<ParentMessage>((resolve) => process.once('message', resolve));
  const tmp = tempDir('flow-bench-scale-');
  const config = loadConfig({ ...process.env, FLOW_DATA_DIR: tmp.dir, FLOW_BROKER: 'paper', FLOW_PAPER_ALWAYS_OPEN: '1', FLOW_API_TOKEN: 'bench', FLOW_LOG_LEVEL: 'warn', OPENALGO_HOST: '' }, { port: 0 });
  // A one-hour tick: the bench calls tick() itself.
  const flow = await startFlow(config, { banner: false, logLevel: 'warn', priceTickMs: 3_600_000 });
  try {
    await sleep(1_500); // the store's checkpoint worker starts 500 ms after opening
    const idle = memory();
    const broker = flow.broker as PaperBroker;
    const refs = await symbols(broker, 200);
    const quotes = await broker.multiQuotes({ symbols: refs });
    const ltp = new Map((quotes.results ?? []).map((r) => [`${r.exchange}:${r.symbol}`, r.data?.ltp ?? 100]));
    const { defs, priceAlerts, schedules } = definitions(total, refs, ltp);
    send({ type: 'ready', url: flow.url, token: flow.apiToken, defs });
    await next(); // the first WARM_UP workflows exist
    await sleep(200);
    const warm = memory();
    send({ type: 'warm' });
    const done = await next();
    const createSeconds = done.type === 'created' ? done.createSeconds : NaN;

    const monitor = flow.triggers.prices;
    const active = monitor.list().length;
    if (active !== priceAlerts || monitor.symbolCount !== refs.length) throw new Error(`monitor watches ${active} alerts on ${monitor.symbolCount} symbols`);
    const scheduled = flow.triggers.scheduler.list().length;
    if (scheduled !== schedules) throw new Error(`scheduler holds ${scheduled} jobs, expected ${schedules}`);
    await sleep(200);
    const loaded = memory();

    // The monitor's tick, and its broker calls alone (same batches of 50) as the baseline.
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < ticks + 5; i++) {
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      await monitor.tick();
      const ms = nsToMs(process.hrtime.bigint() - t0);
      const c = process.cpuUsage(c0);
      if (i >= 5) {
        wall.push(ms);
        cpu.push((c.user + c.system) / 1000);
      }
    }
    const quotesOnly: number[] = [];
    for (let i = 0; i < ticks + 5; i++) {
      const t0 = process.hrtime.bigint();
      await Promise.all(Array.from({ length: Math.ceil(refs.length / 50) }, (_, b) => broker.multiQuotes({ symbols: refs.slice(b * 50, b * 50 + 50) })));
      if (i >= 5) quotesOnly.push(nsToMs(process.hrtime.bigint() - t0));
    }
    const tick = summarize(wall);
    send({
      type: 'sample',
      sample: {
        workflows: total, priceAlerts, symbols: refs.length, idleRssMb: idle.rssMb, rssMb: loaded.rssMb, heapUsedMb: loaded.heapUsedMb,
        idleHeapUsedMb: idle.heapUsedMb, heapTotalMb: loaded.heapTotalMb, idleHeapTotalMb: idle.heapTotalMb, externalMb: loaded.externalMb,
        nodeBinaryMb: loaded.nodeBinaryMb, warmRssMb: warm.rssMb, warmHeapUsedMb: warm.heapUsedMb, warmHeapTotalMb: warm.heapTotalMb,
        kbPerWorkflow: ((loaded.rssMb - warm.rssMb) * 1024) / (total - WARM_UP), createSeconds,
        tickP50Ms: tick.p50, tickP99Ms: tick.p99, tickCpuP50Ms: median(cpu), quotesOnlyP50Ms: median(quotesOnly), ticksFired: await countExecutions(flow.store),
      },
    });
  } finally {
    await flow.close(1_000);
    tmp.remove();
  }
}

/** Executions started by the ticks: should be none (every alert is quiet). */
async function countExecutions(store: { listWorkflows(): Promise<Array<{ id: string }>>; listExecutions(id: string): Promise<unknown[]> }): Promise<number> {
  let n = 0;
  for (const w of await store.listWorkflows()) n += (await store.listExecutions(w.id)).length;
  return n;
}

/** Imports and activates every definition over HTTP, four at a time; answers the seconds it took. */
async function createOverHttp(url: string, token: string, defs: unknown[]): Promise<number> {
  const api = new Pool(url, { connections: 4 });
  const started = process.hrtime.bigint();
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  let next = 0;
  try {
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (next < defs.length) {
        const res = await api.request({ method: 'POST', path: '/api/workflows/import', headers: auth, body: JSON.stringify(defs[next++]) });
        const body = (await res.body.json()) as { id: string };
        if (res.statusCode !== 201) throw new Error(`import answered ${res.statusCode}: ${JSON.stringify(body)}`);
        const act = await api.request({ method: 'POST', path: `/api/workflows/${body.id}/activate`, headers: auth, body: '{}' });
        const text = await act.body.text();
        if (act.statusCode !== 200) throw new Error(`activate answered ${act.statusCode}: ${text}`);
      }
    }));
  } finally {
    await api.close();
  }
  return nsToMs(process.hrtime.bigint() - started) / 1000;
}

/** One run: Flow in a fresh child process, the workflows created from this one. */
function measureInChild(argv: string[]): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'bench.js'), 'scale', '--child', ...argv], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let sample: Sample | undefined;
    let ready: Extract<ChildMessage, { type: 'ready' }> | undefined;
    const tell = (m: ParentMessage) => child.send(m);
    const fail = (e: unknown) => {
      child.kill();
      reject(e);
    };
    child.on('message', (m: ChildMessage) => {
      if (m.type === 'ready') {
        ready = m;
        createOverHttp(m.url, m.token, m.defs.slice(0, WARM_UP)).then(() => tell({ type: 'warmed' }), fail);
      } else if (m.type === 'warm') {
        createOverHttp(ready!.url, ready!.token, ready!.defs.slice(WARM_UP)).then((createSeconds) => tell({ type: 'created', createSeconds }), fail);
      } else sample = m.sample;
    });
    child.on('exit', (code) => (code === 0 && sample ? resolve(sample) : reject(new Error(`scale run exited ${code} without a sample`))));
  });
}

export async function run(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  const total = intArg(args, 'workflows', 1000);
  const ticks = intArg(args, 'ticks', 50);
  if (args.child) return childMeasure(total, ticks);
  const runs = intArg(args, 'runs', 3);
  const env = environment();
  printEnvironment(`scale: ${total} active workflows in one Flow (paper broker, SQLite)`, env);
  const samples: Sample[] = [];
  for (let r = 1; r <= runs; r++) {
    process.stdout.write(`  run ${r}/${runs} (fresh process)… `);
    const s = await measureInChild(['--workflows', String(total), '--ticks', String(ticks)]);
    samples.push(s);
    console.log(`RSS ${fmt(s.rssMb)} MB, tick p50 ${fmt(s.tickP50Ms)} ms`);
  }
  const m = medianOf(samples);
  console.log(`\n  ${m.priceAlerts} price alerts on ${m.symbols} symbols, ${Math.round(total * 0.3)} schedules, ${total - m.priceAlerts - Math.round(total * 0.3)} webhooks; medians of ${runs} runs`);
  printTable([
    ['', 'idle Flow', `${WARM_UP} workflows (baseline)`, `${total} workflows`, 'ratio', 'target'],
    ['RSS after GC (MB)', fmt(m.idleRssMb), fmt(m.warmRssMb), fmt(m.rssMb), ratio(m.rssMb, m.warmRssMb), '≤ 150'],
    ['V8 heap used (MB)', fmt(m.idleHeapUsedMb), fmt(m.warmHeapUsedMb), fmt(m.heapUsedMb), ratio(m.heapUsedMb, m.warmHeapUsedMb), ''],
    ['V8 heap reserved (MB)', fmt(m.idleHeapTotalMb), fmt(m.warmHeapTotalMb), fmt(m.heapTotalMb), ratio(m.heapTotalMb, m.warmHeapTotalMb), ''],
  ]);
  console.log(`  of the RSS, ${fmt(m.nodeBinaryMb)} MB are the node executable's own pages (file-backed, shared by every node process)`);
  console.log(`  ≈ ${fmt(m.kbPerWorkflow)} KB of RSS per active workflow beyond the first ${WARM_UP}; ${total - WARM_UP} created and activated over HTTP in ${fmt(m.createSeconds)} s`);
  console.log('');
  printTable([
    ['one price tick for every alert', 'p50 ms', 'p99 ms', 'CPU p50 ms', 'target'],
    ['paper multiQuotes calls alone (baseline)', fmt(m.quotesOnlyP50Ms), '', '', ''],
    ['PriceMonitor.tick()', fmt(m.tickP50Ms), fmt(m.tickP99Ms), fmt(m.tickCpuP50Ms), '≤ 5'],
    ['ratio tick/baseline', ratio(m.tickP50Ms, m.quotesOnlyP50Ms), '', '', ''],
  ]);
  console.log(`  executions started by the ticks (every alert is set to stay quiet): ${samples.map((s) => s.ticksFired).join(', ')}`);
  const file = writeResult('scale', { env, options: { runs, total, ticks }, samples, median: m });
  console.log(`\n  result: ${file}`);
}
