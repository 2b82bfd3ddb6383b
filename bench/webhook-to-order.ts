// webhook-to-order: how long from the moment a webhook is sent to the moment the broker receives
// `placeorder`, and how many durable executions per second Flow sustains, against the floor of the
// load generator posting `placeorder` straight to the same fake broker.
//
// Three processes, as in production: this one (the load generator), `flow serve` (a child,
// --broker openalgo) and a fake OpenAlgo server (another child) that stamps each request on
// arrival with process.hrtime.bigint(). That clock is CLOCK_MONOTONIC, shared by every process on
// the machine (checked at start), so "sent" here and "received" there are comparable.
//
//   npm run bench -- webhook-to-order [--runs 3] [--seconds 10] [--senders 16] [--sequential 200] [--profile] [--trace]
//                                     [--node-args '--max-semi-space-size=4']   (flags for the server's node)
//                                     [--flow-repos /work/main,.]  (built checkouts, measured in turn in every run)
//                                     [--log-level info]  (the server's FLOW_LOG_LEVEL; default warn)

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Pool } from 'undici';
import { buildJs } from './build-js.js';
import { printProfileSummary, summarizeProfile, type ProfileSummary } from './cpuprofile.js';
import {
  benchScript, environment, fmt, intArg, median, nsToMs, parseArgs, printEnvironment, printTable, ratio, ROOT, sleep, summarize,
  spawnUntil, tempDir, traceLines, traceTable, writeResult, type Child, type Summary, type TraceStep,
} from './lib.js';

const API_KEY = 'bench-fake-openalgo-key';
const WORKFLOW = {
  name: 'bench: webhook → placeOrder',
  nodes: [
    { id: 'hook', type: 'webhookTrigger', position: { x: 0, y: 0 }, data: { label: 'TradingView' } },
    {
      id: 'buy', type: 'placeOrder', position: { x: 0, y: 100 },
      data: { symbol: '{{webhook.symbol}}', exchange: 'NSE', action: '{{webhook.action}}', quantity: '{{webhook.qty}}', priceType: 'MARKET', product: 'MIS' },
    },
  ],
  edges: [{ id: 'e1', source: 'hook', target: 'buy' }],
};

// ---- child processes ----------------------------------------------------------


async function startFake(): Promise<{ child: Child; url: string; ctl: Pool }> {
  const { child, match } = await spawnUntil([...benchScript('fake-openalgo'), '--port', '0', '--apikey', API_KEY], process.env, /^\{"port":(\d+)\}$/);
  const url = `http://127.0.0.1:${match[1]}`;
  return { child, url, ctl: new Pool(url, { connections: 4 }) };
}

type Fake = Awaited<ReturnType<typeof startFake>>;

interface FlowServer {
  child: Child;
  url: string;
  token: string;
  dataDir: string;
  remove(): void;
}

/** --log-level (default warn): `info` logs a line per run, as the yardstick's server does. */
let logLevel = 'warn';

async function startFlowServer(fakeUrl: string, env: Record<string, string | undefined>, nodeArgs: string[] = [], repo: string = ROOT): Promise<FlowServer> {
  const tmp = tempDir('flow-bench-');
  const fullEnv: NodeJS.ProcessEnv = {
    ...process.env, OPENALGO_HOST: fakeUrl, OPENALGO_API_KEY: API_KEY, FLOW_LOG_LEVEL: logLevel, FLOW_API_TOKEN: '', ...env,
  };
  for (const [k, v] of Object.entries(fullEnv)) if (v === undefined) delete fullEnv[k];
  const { child, match } = await spawnUntil(
    [...nodeArgs, path.join(repo, 'bin', 'flow.js'), 'serve', '--port', '0', '--data-dir', tmp.dir, '--broker', 'openalgo'],
    fullEnv, /listening on (http:\/\/\S+)/,
  );
  const token = fs.readFileSync(path.join(tmp.dir, 'api-token'), 'utf8').trim();
  return { child, url: match[1], token, dataDir: tmp.dir, remove: tmp.remove };
}

// ---- HTTP -------------------------------------------------------------------

async function call<T>(pool: Pool, method: 'GET' | 'POST', urlPath: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
  const res = await pool.request({
    method, path: urlPath,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.body.text();
  return { status: res.statusCode, body: (text ? JSON.parse(text) : null) as T };
}

/** Imports and activates the bench workflow (parallel runs); answers its id and webhook path and secret. */
async function activateWorkflow(flow: FlowServer, concurrency: 'parallel' | 'queue' = 'parallel'): Promise<{ id: string; hookPath: string; secret: string }> {
  const api = new Pool(flow.url, { connections: 1 });
  try {
    const auth = { authorization: `Bearer ${flow.token}` };
    const created = await call<{ id: string }>(api, 'POST', '/api/workflows/import', WORKFLOW, auth);
    if (created.status !== 201) throw new Error(`import answered ${created.status}: ${JSON.stringify(created.body)}`);
    const act = await call<{ webhook: { url: string; secret: string } }>(api, 'POST', `/api/workflows/${created.body.id}/activate`, { concurrency }, auth);
    if (act.status !== 200) throw new Error(`activate answered ${act.status}: ${JSON.stringify(act.body)}`);
    return { id: created.body.id, hookPath: new URL(act.body.webhook.url).pathname, secret: act.body.webhook.secret };
  } finally {
    await api.close();
  }
}

/** The fake's clock and ours agree: its reading falls between two of ours. */
async function checkSharedClock(ctl: Pool): Promise<{ ok: boolean; samples: number; maxRoundTripMs: number }> {
  let ok = true;
  let maxRoundTripMs = 0;
  for (let i = 0; i < 20; i++) {
    const before = process.hrtime.bigint();
    const { body } = await call<{ now: string }>(ctl, 'GET', '/_bench/now');
    const after = process.hrtime.bigint();
    const theirs = BigInt(body.now);
    ok &&= before <= theirs && theirs <= after;
    maxRoundTripMs = Math.max(maxRoundTripMs, nsToMs(after - before));
  }
  return { ok, samples: 20, maxRoundTripMs };
}

// ---- load patterns ------------------------------------------------------------

interface Answer {
  qty: number;
  status: number;
  executionId?: string;
}
type Send = (qty: number) => Promise<Answer>;

interface Phase {
  sentAt: Map<number, bigint>;
  answers: Answer[];
  start: bigint;
  end: bigint;
}

function counter(from = 1) {
  let n = from;
  return () => n++;
}

/** One request at a time; each waits for the order to reach the broker before the next is sent. */
async function sequential(n: number, nextQty: () => number, send: Send, arrived: ((qty: number) => Promise<unknown>) | null, gapMs: number): Promise<Phase> {
  const sentAt = new Map<number, bigint>();
  const answers: Answer[] = [];
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const qty = nextQty();
    const received = arrived?.(qty); // asked before sending, so the fake may answer as soon as it stamps
    sentAt.set(qty, process.hrtime.bigint());
    answers.push(await send(qty));
    await received;
    if (gapMs > 0) await sleep(gapMs);
  }
  return { sentAt, answers, start, end: process.hrtime.bigint() };
}

/** `senders` loops, each sending its next request as soon as the previous one is answered. */
async function concurrent(seconds: number, senders: number, nextQty: () => number, send: Send): Promise<Phase> {
  const sentAt = new Map<number, bigint>();
  const answers: Answer[] = [];
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(seconds * 1e9));
  await Promise.all(Array.from({ length: senders }, async () => {
    while (process.hrtime.bigint() < deadline) {
      const qty = nextQty();
      sentAt.set(qty, process.hrtime.bigint());
      answers.push(await send(qty));
    }
  }));
  return { sentAt, answers, start, end: process.hrtime.bigint() };
}

interface FakeOrder {
  qty: number;
  at: bigint;
}

/** Waits until the fake holds `count` orders (or the timeout), then answers them all. */
async function ordersAtFake(ctl: Pool, count: number, timeoutMs = 120_000): Promise<FakeOrder[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await call<{ count: number; orders: Array<[number, string, string]> }>(ctl, 'GET', `/_bench/orders?from=0`);
    if (body.count >= count || Date.now() > deadline) return body.orders.map(([qty, , at]) => ({ qty, at: BigInt(at) }));
    await sleep(50);
  }
}

interface PhaseResult {
  sent: number;
  accepted: number;
  codes: Record<string, number>;
  received: number;
  missing: number;
  duplicated: number;
  unexpected: number;
  latency: Summary;
  /** Orders received at the fake inside the sending window, per second. */
  perSec: number;
  /** Answers per second over the sending window. */
  answeredPerSec: number;
  /** After the last request was answered, until the last order arrived. */
  drainMs: number;
  cpu?: CpuUse;
  /** Peak RSS of the Flow server during the phase, MB. */
  peakRssMb?: number;
}

interface CpuUse {
  /** CPU time over the phase (sending and draining) divided by its wall time: 1.0 is one core busy. */
  flowCores: number;
  fakeCores: number;
  generatorCores: number;
  /** Flow's CPU time (all threads) per accepted request, µs. */
  flowUsPerRequest: number;
}

/** CPU time (user + system, all threads) of a child process in ms, from /proc (Linux; NaN elsewhere). */
function processCpuMs(child: Child): number {
  try {
    const stat = fs.readFileSync(`/proc/${child.proc.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in USER_HZ (100)
  } catch {
    return NaN;
  }
}

/** Resident memory of a process in MB (VmRSS, Linux; NaN elsewhere). */
function rssMb(pid: number | undefined): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
  } catch {
    return NaN;
  }
}

/** Samples a child's RSS every 100 ms until stopped; answers the peak. */
function rssSampler(child: Child): () => number {
  let peak = rssMb(child.proc.pid);
  const timer = setInterval(() => (peak = Math.max(peak, rssMb(child.proc.pid))), 100);
  return () => {
    clearInterval(timer);
    return Math.max(peak, rssMb(child.proc.pid));
  };
}

function cpuSnapshot(flow: Child, fake: Child) {
  const self = process.cpuUsage();
  return { at: process.hrtime.bigint(), flow, fake, flowMs: processCpuMs(flow), fakeMs: processCpuMs(fake), selfMs: (self.user + self.system) / 1000 };
}

function cpuSince(s: ReturnType<typeof cpuSnapshot>, requests: number): CpuUse {
  const wallMs = nsToMs(process.hrtime.bigint() - s.at);
  const self = process.cpuUsage();
  const flowMs = processCpuMs(s.flow) - s.flowMs;
  return {
    flowCores: flowMs / wallMs, fakeCores: (processCpuMs(s.fake) - s.fakeMs) / wallMs,
    generatorCores: ((self.user + self.system) / 1000 - s.selfMs) / wallMs, flowUsPerRequest: (flowMs * 1000) / requests,
  };
}

/** Matches a phase's accepted requests with the orders the fake stamped: each exactly once. */
function analyse(phase: Phase, orders: FakeOrder[], acceptedStatus: number): PhaseResult {
  const codes: Record<string, number> = {};
  const accepted = new Set<number>();
  for (const a of phase.answers) {
    codes[a.status] = (codes[a.status] ?? 0) + 1;
    if (a.status === acceptedStatus) accepted.add(a.qty);
  }
  const seen = new Map<number, number>();
  const latencies: number[] = [];
  let unexpected = 0;
  let inWindow = 0;
  let last = phase.end;
  for (const o of orders) {
    seen.set(o.qty, (seen.get(o.qty) ?? 0) + 1);
    const sent = phase.sentAt.get(o.qty);
    if (!accepted.has(o.qty) || sent === undefined) unexpected++;
    else if (seen.get(o.qty) === 1) latencies.push(nsToMs(o.at - sent));
    if (o.at >= phase.start && o.at <= phase.end) inWindow++;
    if (o.at > last) last = o.at;
  }
  let missing = 0;
  let duplicated = 0;
  for (const qty of accepted) {
    const n = seen.get(qty) ?? 0;
    if (n === 0) missing++;
    if (n > 1) duplicated++;
  }
  const seconds = nsToMs(phase.end - phase.start) / 1000;
  return {
    sent: phase.answers.length, accepted: accepted.size, codes, received: orders.length, missing, duplicated, unexpected,
    latency: summarize(latencies), perSec: inWindow / seconds, answeredPerSec: phase.answers.length / seconds,
    drainMs: nsToMs(last - phase.end),
  };
}

/** Every answered 202 is one stored, completed execution with exactly one accepted order intent, and nothing else. */
function verifyStore(dbFile: string, workflowId: string, executionIds: readonly string[]) {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare(`
      SELECT e.id, e.status, count(i.id) AS intents, sum(i.status = 'accepted') AS accepted
      FROM executions e LEFT JOIN order_intents i ON i.execution_id = e.id
      WHERE e.workflow_id = ? GROUP BY e.id`).all(workflowId) as Array<{ id: string; status: string; intents: number; accepted: number }>;
    const stored = new Map(rows.map((r) => [r.id, r]));
    const wanted = new Set(executionIds);
    let notStored = 0;
    let notCompleted = 0;
    let notOneOrder = 0;
    for (const id of wanted) {
      const r = stored.get(id);
      if (!r) notStored++;
      else {
        if (r.status !== 'completed') notCompleted++;
        if (r.intents !== 1 || r.accepted !== 1) notOneOrder++;
      }
    }
    const extra = rows.filter((r) => !wanted.has(r.id)).length;
    return { answered202: wanted.size, stored: rows.length, notStored, notCompleted, notOneOrder, extra, ok: notStored + notCompleted + notOneOrder + extra === 0 && wanted.size === executionIds.length };
  } finally {
    db.close();
  }
}

// ---- senders ------------------------------------------------------------------

function webhookSender(pool: Pool, hookPath: string, secret: string, executionIds: string[]): Send {
  return async (qty) => {
    try {
      const res = await pool.request({
        method: 'POST', path: hookPath, headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ secret, symbol: 'SBIN', action: 'BUY', qty }),
      });
      const text = await res.body.text();
      if (res.statusCode !== 202) return { qty, status: res.statusCode };
      const executionId = (JSON.parse(text) as { executionId: string }).executionId;
      executionIds.push(executionId);
      return { qty, status: 202, executionId };
    } catch {
      return { qty, status: 0 };
    }
  };
}

function floorSender(pool: Pool): Send {
  return async (qty) => {
    try {
      const res = await pool.request({
        method: 'POST', path: '/api/v1/placeorder', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ apikey: API_KEY, strategy: 'bench', symbol: 'SBIN', exchange: 'NSE', action: 'BUY', quantity: qty, pricetype: 'MARKET', product: 'MIS' }),
      });
      await res.body.text();
      return { qty, status: res.statusCode };
    } catch {
      return { qty, status: 0 };
    }
  };
}

const waitFor = (ctl: Pool) => (qty: number) => call(ctl, 'GET', `/_bench/wait?qty=${qty}`);
const reset = (ctl: Pool) => call(ctl, 'POST', '/_bench/reset');

// ---- one run ------------------------------------------------------------------

interface Options {
  seconds: number;
  senders: number;
  sequentialCount: number;
  gapMs: number;
  /** Extra flags for the server's node (e.g. heap sizing), before bin/flow.js. */
  nodeArgs: string[];
}

interface RunResult {
  floorSequential: PhaseResult;
  flowSequential: PhaseResult;
  floorConcurrent: PhaseResult;
  flowConcurrent: PhaseResult;
  store: ReturnType<typeof verifyStore>;
}

async function measure(fake: Fake, opts: Options, repo?: string): Promise<RunResult> {
  const flow = await startFlowServer(fake.url, { FLOW_ORDER_RATE_LIMIT: '100000', FLOW_WEBHOOK_RATE_LIMIT: '0' }, opts.nodeArgs, repo);
  const hooks = new Pool(flow.url, { connections: opts.senders, keepAliveTimeout: 30_000 });
  const direct = new Pool(fake.url, { connections: opts.senders, keepAliveTimeout: 30_000 });
  const executionIds: string[] = [];
  try {
    const wf = await activateWorkflow(flow);
    const toFlow = webhookSender(hooks, wf.hookPath, wf.secret, executionIds);
    const toFake = floorSender(direct);
    const qty = counter();
    const phase = async (run: () => Promise<Phase>, status: number): Promise<PhaseResult> => {
      await reset(fake.ctl);
      const before = cpuSnapshot(flow.child, fake.child);
      const rss = rssSampler(flow.child);
      const p = await run();
      const accepted = p.answers.filter((a) => a.status === status).length;
      const result = analyse(p, await ordersAtFake(fake.ctl, accepted), status);
      return { ...result, cpu: cpuSince(before, accepted), peakRssMb: rss() };
    };
    // Warm-up (JIT, connections, SQLite pages), not measured.
    await phase(() => concurrent(1, opts.senders, qty, toFake), 200);
    await phase(() => concurrent(1, opts.senders, qty, toFlow), 202);
    await phase(() => sequential(50, qty, toFake, null, opts.gapMs), 200);
    await phase(() => sequential(50, qty, toFlow, waitFor(fake.ctl), opts.gapMs), 202);

    const floorSequential = await phase(() => sequential(opts.sequentialCount, qty, toFake, null, opts.gapMs), 200);
    const flowSequential = await phase(() => sequential(opts.sequentialCount, qty, toFlow, waitFor(fake.ctl), opts.gapMs), 202);
    const floorConcurrent = await phase(() => concurrent(opts.seconds, opts.senders, qty, toFake), 200);
    const flowConcurrent = await phase(() => concurrent(opts.seconds, opts.senders, qty, toFlow), 202);
    await hooks.close();
    const code = await flow.child.stop();
    if (code !== 0) throw new Error(`flow serve exited with ${code}\n${flow.child.output.slice(-20).join('\n')}`);
    const store = verifyStore(path.join(flow.dataDir, 'flow.db'), wf.id, executionIds);
    return { floorSequential, flowSequential, floorConcurrent, flowConcurrent, store };
  } finally {
    await hooks.close().catch(() => {});
    await direct.close();
    await flow.child.stop();
    flow.remove();
  }
}

/** The default order limiter (10/s): a burst of webhooks is all accepted and reaches the broker later, in order, at ≤ 10 per second. */
async function measureLimiter(fake: Fake, count: number, concurrency: 'parallel' | 'queue') {
  const flow = await startFlowServer(fake.url, { FLOW_ORDER_RATE_LIMIT: undefined, FLOW_WEBHOOK_RATE_LIMIT: '0' });
  const hooks = new Pool(flow.url, { connections: 1 });
  const executionIds: string[] = [];
  try {
    const wf = await activateWorkflow(flow, concurrency);
    await reset(fake.ctl);
    const burst = await sequential(count, counter(), webhookSender(hooks, wf.hookPath, wf.secret, executionIds), null, 0);
    const accepted = burst.answers.filter((a) => a.status === 202).length;
    const orders = await ordersAtFake(fake.ctl, accepted, 60_000);
    const r = analyse(burst, orders, 202);
    const times = orders.map((o) => o.at);
    let maxPerSecond = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i] - times[j] >= 1_000_000_000n) j++;
      maxPerSecond = Math.max(maxPerSecond, i - j + 1);
    }
    const arrival = orders.map((o) => o.qty);
    const inOrder = arrival.every((q, i) => i === 0 || q > arrival[i - 1]);
    const maxDisplacement = Math.max(0, ...arrival.map((q, i) => Math.abs(q - 1 - i)));
    // Orders in each whole second counted from the first one: 10, 10, 10, … at the default limit.
    const perSecond: number[] = [];
    for (const t of times) {
      const s = Number((t - times[0]) / 1_000_000_000n);
      perSecond[s] = (perSecond[s] ?? 0) + 1;
    }
    await hooks.close();
    await flow.child.stop();
    const dbFile = path.join(flow.dataDir, 'flow.db');
    const store = verifyStore(dbFile, wf.id, executionIds);
    // The order in which runs recorded their intents, i.e. asked the limiter for a slot.
    const db = new Database(dbFile, { readonly: true });
    const asked = (db.prepare('SELECT request FROM order_intents ORDER BY id').all() as Array<{ request: string }>).map((r) => Number(JSON.parse(r.request).quantity));
    db.close();
    return {
      concurrency, sent: count, accepted, codes: r.codes, received: orders.length, missing: r.missing, duplicated: r.duplicated,
      inOrder, maxDisplacement, arrival, intentsInOrder: asked.every((q, i) => i === 0 || q > asked[i - 1]), maxInAnyOneSecond: maxPerSecond, perSecond: Array.from(perSecond, (n) => n ?? 0),
      burstMs: nsToMs(burst.end - burst.start), lastOrderAfterMs: times.length ? nsToMs(times[times.length - 1] - burst.start) : NaN, store,
    };
  } finally {
    await hooks.close().catch(() => {});
    await flow.child.stop();
    flow.remove();
  }
}

/**
 * Both phases once more with `node --cpu-prof` on the server (sampling every 250 µs), each
 * summarised over its own window: the sequential path (latency) and the concurrent one (throughput).
 */
async function profileServer(fake: Fake, opts: Options, repo?: string): Promise<{ file: string; sequential: ProfileSummary; concurrent: ProfileSummary; executions: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flow-cpuprof-'));
  const flow = await startFlowServer(fake.url, { FLOW_ORDER_RATE_LIMIT: '100000', FLOW_WEBHOOK_RATE_LIMIT: '0' }, [...opts.nodeArgs, '--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=250'], repo);
  const hooks = new Pool(flow.url, { connections: opts.senders });
  try {
    const wf = await activateWorkflow(flow);
    const send = webhookSender(hooks, wf.hookPath, wf.secret, []);
    const qty = counter();
    await concurrent(1, opts.senders, qty, send);
    await sleep(500);
    await reset(fake.ctl);
    const seq = await sequential(opts.sequentialCount, qty, send, waitFor(fake.ctl), opts.gapMs);
    await sleep(200);
    await reset(fake.ctl);
    const conc = await concurrent(opts.seconds, opts.senders, qty, send);
    const executions = conc.answers.filter((a) => a.status === 202).length;
    await ordersAtFake(fake.ctl, executions);
    const done = process.hrtime.bigint();
    await hooks.close();
    await flow.child.stop();
    // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: thread 0 is the main thread (the others: tsx's loader, the checkpointer).
    const file = fs.readdirSync(dir).filter((f) => /\.0\.\d+\.cpuprofile$/.test(f)).map((f) => path.join(dir, f))[0];
    if (!file) throw new Error(`no .cpuprofile written in ${dir}`);
    const us = (ns: bigint) => Number(ns / 1000n);
    return {
      file, executions,
      sequential: summarizeProfile(file, { fromUs: us(seq.start), toUs: us(seq.end) }),
      concurrent: summarizeProfile(file, { fromUs: us(conc.start), toUs: us(done) }),
    };
  } finally {
    await hooks.close().catch(() => {});
    await flow.child.stop();
    flow.remove();
  }
}

/**
 * FLOW_TRACE=1 on a fresh server: one webhook at a time, the server's own timestamps of each step
 * (src/runtime/trace.ts) between the generator's send stamp and the fake's receipt stamp, all on
 * one monotonic clock. Answers, per step, the median time since the send and the median gap from
 * the step before; a step that happens more than once (a commit) is numbered.
 */
async function traceServer(fake: Fake, opts: Options, repo?: string): Promise<TraceStep[]> {
  const flow = await startFlowServer(fake.url, { FLOW_ORDER_RATE_LIMIT: '100000', FLOW_WEBHOOK_RATE_LIMIT: '0', FLOW_TRACE: '1' }, opts.nodeArgs, repo);
  const hooks = new Pool(flow.url, { connections: opts.senders, keepAliveTimeout: 30_000 });
  try {
    const wf = await activateWorkflow(flow);
    const send = webhookSender(hooks, wf.hookPath, wf.secret, []);
    const qty = counter();
    await concurrent(1, opts.senders, qty, send);
    await sequential(50, qty, send, waitFor(fake.ctl), opts.gapMs);
    await reset(fake.ctl);
    const seq = await sequential(opts.sequentialCount, qty, send, waitFor(fake.ctl), opts.gapMs);
    const received = new Map((await ordersAtFake(fake.ctl, opts.sequentialCount)).map((o) => [o.qty, o.at]));
    await hooks.close();
    await flow.child.stop();
    const sends = [...seq.sentAt.entries()].sort((a, b) => (a[1] < b[1] ? -1 : 1));
    const samples = [];
    for (const t of traceLines(flow.child.output)) {
      const t0 = BigInt(t.t0);
      if (t0 < seq.start || t0 > seq.end) continue;
      const sent = sends.filter(([, at]) => at <= t0).at(-1);
      if (!sent) continue;
      const arrivedAt = received.get(sent[0]);
      samples.push({
        // µs from the send to the server's arrival stamp
        first: 'sent (generator)', offsetUs: Number(t0 - sent[1]) / 1000, marks: t.marks,
        last: arrivedAt === undefined ? undefined : ['placeorder received (fake)', Number(arrivedAt - sent[1]) / 1000] as [string, number],
      });
    }
    return traceTable(samples);
  } finally {
    await hooks.close().catch(() => {});
    await flow.child.stop();
    flow.remove();
  }
}

// ---- report -------------------------------------------------------------------

type Medians = ReturnType<typeof report>;

/** Prints the medians table, the matching checks and CPU use; answers the medians. */
function report(results: RunResult[], opts: Options, cpus: number) {
  const med = (pick: (r: RunResult) => number) => median(results.map(pick));
  const row = (seq: (r: RunResult) => PhaseResult, conc: (r: RunResult) => PhaseResult) => ({
    p50: med((r) => seq(r).latency.p50), p90: med((r) => seq(r).latency.p90), p99: med((r) => seq(r).latency.p99), max: med((r) => seq(r).latency.max),
    perSec: med((r) => conc(r).perSec), cp50: med((r) => conc(r).latency.p50), cp99: med((r) => conc(r).latency.p99), drainMs: med((r) => conc(r).drainMs),
  });
  const floor = row((r) => r.floorSequential, (r) => r.floorConcurrent);
  const flow = row((r) => r.flowSequential, (r) => r.flowConcurrent);
  console.log(`\n  medians of ${results.length} runs; latency = send → broker receipt (ms); concurrent: ${opts.senders} senders for ${opts.seconds} s`);
  const line = (label: string, v: typeof floor) => [label, fmt(v.p50), fmt(v.p90), fmt(v.p99), fmt(v.max), fmt(v.perSec), fmt(v.cp50), fmt(v.cp99), fmt(v.drainMs)];
  printTable([
    ['', 'seq p50', 'p90', 'p99', 'max', 'conc exec/s', 'conc p50', 'conc p99', 'drain ms'],
    line('floor: generator → fake placeorder', floor),
    line('Flow: webhook → placeOrder → fake', flow),
    ['ratio Flow/floor', ratio(flow.p50, floor.p50), ratio(flow.p90, floor.p90), ratio(flow.p99, floor.p99), ratio(flow.max, floor.max),
      ratio(flow.perSec, floor.perSec), ratio(flow.cp50, floor.cp50), ratio(flow.cp99, floor.cp99), ''],
    ['target (Flow)', '≤ 1.0', '', '≤ 3', '', '≥ 2,500', '', '≤ 20', ''],
  ]);
  const c = (r: RunResult) => r.flowConcurrent;
  console.log(`\n  webhook answers (concurrent phase, per run): ${results.map((r) => JSON.stringify(c(r).codes)).join(' ')}; ${fmt(med((r) => c(r).answeredPerSec))} answers/s (median)`);
  const cores = (pick: (r: RunResult) => PhaseResult, k: keyof CpuUse) => fmt(med((r) => pick(r).cpu?.[k] ?? NaN));
  console.log(`  CPU in the concurrent phase (cores busy, of ${cpus}): Flow ${cores(c, 'flowCores')} (${cores(c, 'flowUsPerRequest')} µs per execution), fake ${cores(c, 'fakeCores')}, generator ${cores(c, 'generatorCores')}; floor phase: fake ${cores((r) => r.floorConcurrent, 'fakeCores')}, generator ${cores((r) => r.floorConcurrent, 'generatorCores')}`);
  console.log(`  Flow's peak RSS in the concurrent phase, per run: ${results.map((r) => `${fmt(c(r).peakRssMb ?? NaN)} MB`).join(', ')}${opts.nodeArgs.length ? ` (node ${opts.nodeArgs.join(' ')})` : ''}`);
  console.log(`  at the broker, per run: ${results.map((r) => `${c(r).accepted} accepted, ${c(r).received} orders, missing ${c(r).missing}, duplicated ${c(r).duplicated}, unexpected ${c(r).unexpected}`).join('; ')}`);
  console.log(`  in the store, per run: ${results.map((r) => `${r.store.answered202} 202s → ${r.store.stored} executions stored, not stored ${r.store.notStored}, not completed ${r.store.notCompleted}, not exactly one accepted order ${r.store.notOneOrder}, extra ${r.store.extra}`).join('; ')}`);
  return { floor, flow };
}

export async function run(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  const runs = intArg(args, 'runs', 3);
  if (typeof args['log-level'] === 'string') logLevel = args['log-level'];
  const opts: Options = {
    seconds: intArg(args, 'seconds', 10), senders: intArg(args, 'senders', 16),
    sequentialCount: intArg(args, 'sequential', 200), gapMs: intArg(args, 'gap-ms', 1),
    nodeArgs: typeof args['node-args'] === 'string' ? args['node-args'].split(' ').filter(Boolean) : [],
  };
  const env = environment();
  printEnvironment('webhook-to-order: webhook sent → placeorder received at a fake OpenAlgo (loopback, separate processes)', env);
  const fake = await startFake();
  try {
    const clock = await checkSharedClock(fake.ctl);
    console.log(`  shared monotonic clock between processes: ${clock.ok ? 'yes' : 'NO (latencies are not comparable)'} (${clock.samples} readings, round trip ≤ ${fmt(clock.maxRoundTripMs)} ms)`);
    if (!clock.ok) throw new Error('hrtime is not comparable across processes on this machine');

    // --flow-repos A,B: the built checkouts (bin/flow.js, dist/) measured in turn in every run, so
    // a change and its baseline meet the same machine; the limiter, profile and trace use the first.
    const repos = typeof args['flow-repos'] === 'string' ? args['flow-repos'].split(',').map((r) => path.resolve(r)) : [undefined];
    const byRepo = repos.map(() => [] as RunResult[]);
    for (let i = 1; i <= runs; i++) {
      for (const [k, repo] of repos.entries()) {
        process.stdout.write(`  run ${i}/${runs}${repo ? ` (${repo})` : ''}: floor and Flow, ${opts.sequentialCount} sequential, ${opts.seconds} s × ${opts.senders} senders… `);
        const r = await measure(fake, opts, repo);
        byRepo[k].push(r);
        console.log(`Flow p50 ${fmt(r.flowSequential.latency.p50)} ms, ${fmt(r.flowConcurrent.perSec)} exec/s, store ${r.store.ok ? 'ok' : 'MISMATCH'}`);
      }
    }
    const results = byRepo[0];
    let medians: Medians | undefined;
    let limiter: Array<Awaited<ReturnType<typeof measureLimiter>>> | undefined;
    if (runs > 0) {
      for (const [k, repo] of repos.entries()) {
        if (repo) console.log(`\n  === ${repo} (load average now ${os.loadavg().map((l) => l.toFixed(2)).join(' ')})`);
        const m = report(byRepo[k], opts, env.cpus);
        if (k === 0) medians = m;
      }
      if (repos.length > 1) {
        const med = (k: number, f: (r: RunResult) => number) => median(byRepo[k].map(f));
        const last = repos.length - 1;
        console.log(`\n  ${repos[last]} / ${repos[0]}: seq p50 ${ratio(med(last, (r) => r.flowSequential.latency.p50), med(0, (r) => r.flowSequential.latency.p50))}, p99 ${ratio(med(last, (r) => r.flowSequential.latency.p99), med(0, (r) => r.flowSequential.latency.p99))}, exec/s ${ratio(med(last, (r) => r.flowConcurrent.perSec), med(0, (r) => r.flowConcurrent.perSec))}, CPU µs/execution ${ratio(med(last, (r) => r.flowConcurrent.cpu?.flowUsPerRequest ?? NaN), med(0, (r) => r.flowConcurrent.cpu?.flowUsPerRequest ?? NaN))}`);
      }
      limiter = [];
      for (const concurrency of ['parallel', 'queue'] as const) {
        process.stdout.write(`\n  default order limiter (FLOW_ORDER_RATE_LIMIT unset = 10/s), concurrency ${concurrency}: a burst of 50 webhooks… `);
        const l = await measureLimiter(fake, 50, concurrency);
        limiter.push(l);
        console.log('done');
        console.log(`    ${l.accepted}/${l.sent} accepted in ${fmt(l.burstMs)} ms; ${l.received} orders reached the broker, missing ${l.missing}, duplicated ${l.duplicated}; store ${l.store.ok ? 'ok' : 'MISMATCH'} (${l.store.stored} executions)`);
        console.log(`    at most ${l.maxInAnyOneSecond} orders in any 1 s window; per second from the first: ${l.perSecond.join(', ')}; last order ${fmt(l.lastOrderAfterMs)} ms after the first webhook`);
        console.log(`    intents recorded in webhook order: ${l.intentsInOrder ? 'yes' : 'NO'}; orders arrived in webhook order: ${l.inOrder ? 'yes' : `NO (largest displacement ${l.maxDisplacement}; arrival: ${l.arrival.join(' ')})`}`);
      }
    }

    let profile: Awaited<ReturnType<typeof profileServer>> | undefined;
    if (args.profile) {
      // With --flow-repos, each checkout's src/ compiled as the bench's own copy is (bin/flow.js
      // there imports src/cli.js directly, so node's --cpu-prof reaches the server), in turn.
      for (const repo of repos) {
        const copy = repo ? buildJs(repo) : undefined;
        try {
          process.stdout.write(`\n  profiling the server${repo ? ` of ${repo}` : ''} (node --cpu-prof): ${opts.sequentialCount} sequential webhooks, then ${opts.seconds} s × ${opts.senders} senders… `);
          const p = await profileServer(fake, opts, copy);
          profile ??= p;
          console.log(p.file);
          const top = intArg(args, 'top', 25);
          console.log(`\n  SEQUENTIAL phase (${opts.sequentialCount} webhooks one at a time: where the latency goes)`);
          printProfileSummary(p.sequential, top);
          const busyMs = p.concurrent.sampledMs * p.concurrent.busyPct / 100;
          console.log(`\n  CONCURRENT phase (${opts.senders} senders: where the throughput goes): ${p.executions} executions, ${fmt(busyMs * 1000 / p.executions)} µs of main-thread CPU per execution (load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')})`);
          printProfileSummary(p.concurrent, top);
        } finally {
          if (copy) fs.rmSync(copy, { recursive: true, force: true });
        }
      }
    }
    let traced: Awaited<ReturnType<typeof traceServer>> | undefined;
    if (args.trace) {
      for (const repo of repos) {
        const copy = repo ? buildJs(repo) : undefined;
        try {
          process.stdout.write(`\n  tracing the server${repo ? ` of ${repo}` : ''} (FLOW_TRACE=1): ${opts.sequentialCount} sequential webhooks… `);
          const t = await traceServer(fake, opts, copy);
          traced ??= t;
          console.log(`done\n  medians over the webhooks, µs (steps in order of their median time since the send; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}):`);
          printTable([['step', 'since send', 'gap from step before', 'gap p90'], ...t.map((x) => [x.step, fmt(x.sinceSendUs), fmt(x.gapUs), fmt(x.p90GapUs)])]);
        } finally {
          if (copy) fs.rmSync(copy, { recursive: true, force: true });
        }
      }
    }
    const top100 = (p: ProfileSummary) => ({ ...p, functions: [...p.functions].sort((a, b) => b.selfMs - a.selfMs).slice(0, 100) });
    const file = writeResult('webhook-to-order', {
      env, options: { runs, ...opts }, clock, runs: results, medians, limiter, trace: traced,
      profile: profile && { file: profile.file, sequential: top100(profile.sequential), concurrent: top100(profile.concurrent) },
    });
    console.log(`\n  result: ${path.relative(process.cwd(), file)}`);
  } finally {
    await fake.ctl.close();
    await fake.child.stop();
  }
}
