// Issue 13: Flow on PostgreSQL, one and two `flow serve` processes (DESIGN.md §9), against the same
// SQLite default measured in the same run. Orders go to the fake OpenAlgo (its own process).
//
//   npm run bench -- pg [--seconds 10] [--senders 16] [--sequential 200] [--pg postgres://postgres@127.0.0.1:5432]
//   npm run bench -- pg --queue-only [--seconds 5]     the job queue alone (no Flow processes)
//   npm run bench -- pg --count [20]                   statements and commits per sequential run (PostgreSQL's statement log)
//   npm run bench -- pg --only sqlite,one,two,failover a subset (while iterating; report figures with their SQLite baseline)
//   env BENCH_PG_LOG=file (each server's output, FLOW_TRACE=1 lines included), BENCH_PG_PROF=dir (node --cpu-prof per server)
//
// - durable executions/s: `senders` loops post webhooks (spread over the processes) for `seconds`;
//   every 202 is an execution stored and queued in one transaction; the run places one order.
//   Reported: answers/s and orders/s at the fake, and the check that every 202 became one order.
// - webhook → placeorder p50, sequential: one webhook at a time, each waiting for its order.
// - failover: two processes, a schedule every second; the trigger holder is SIGKILLed; the time until
//   the other fires the schedule, and whether any instant fired twice.
// The database is created fresh and dropped at the end.

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { Pool } from 'undici';
import {
  benchScript, environment, fmt, intArg, nsToMs, parseArgs, printEnvironment, printTable, ROOT, sleep, summarize, tempDir, writeResult,
} from './lib.js';

const API_KEY = 'bench-pg-key';
const TOKEN = 'bench-pg-token';
const SECRET_KEY = randomBytes(32).toString('hex');

const WORKFLOW = {
  name: 'bench: webhook → placeOrder',
  nodes: [
    { id: 'hook', type: 'webhookTrigger', position: { x: 0, y: 0 }, data: {} },
    { id: 'buy', type: 'placeOrder', position: { x: 0, y: 100 }, data: { symbol: 'SBIN', exchange: 'NSE', action: 'BUY', quantity: '{{webhook.qty}}', priceType: 'MARKET', product: 'MIS' } },
  ],
  edges: [{ id: 'e1', source: 'hook', target: 'buy' }],
};

interface Proc {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
  output: string[];
}

function spawnReady(args: string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<Proc & { match: RegExpMatchArray }> {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  createInterface({ input: child.stderr! }).on('line', (l) => output.push(l));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready: ${args.join(' ')}\n${output.join('\n')}`)), 60_000);
    createInterface({ input: child.stdout! }).on('line', (l) => {
      output.push(l);
      const match = ready.exec(l);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1] ?? '', exited, output, match });
      }
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${output.join('\n')}`)));
  });
}

async function json<T = any>(pool: Pool, method: string, p: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
  const res = await pool.request({
    method: method as 'GET', path: p,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.body.text();
  return { status: res.statusCode, body: (text ? JSON.parse(text) : null) as T };
}

interface Setup {
  fake: Proc;
  ctl: Pool;
  dbUrl: string | null;
  dataDir: string;
}

async function serve(s: Setup): Promise<Proc> {
  // BENCH_PG_PROF=dir: each Flow server writes a CPU profile there (node --cpu-prof).
  const prof = process.env.BENCH_PG_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PG_PROF}`] : [];
  return spawnReady([...prof, path.join(ROOT, 'bin', 'flow.js'), 'serve', '--port', '0', '--data-dir', s.dataDir, '--broker', 'openalgo'], {
    ...process.env, OPENALGO_HOST: s.fake.url, OPENALGO_API_KEY: API_KEY, FLOW_API_TOKEN: TOKEN, FLOW_SECRET_KEY: SECRET_KEY,
    FLOW_LOG_LEVEL: 'warn', FLOW_ORDER_RATE_LIMIT: '100000', FLOW_WEBHOOK_RATE_LIMIT: '0', FLOW_PAPER_ALWAYS_OPEN: '1',
    ...(s.dbUrl ? { FLOW_DATABASE_URL: s.dbUrl } : { FLOW_DATABASE_URL: '' }),
  }, /listening on (http:\/\/\S+)/);
}

async function stop(p: Proc): Promise<void> {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
  await p.exited;
  // BENCH_PG_LOG=file: each server's output (warnings, FLOW_TRACE=1 lines) appended there.
  if (process.env.BENCH_PG_LOG) appendFileSync(process.env.BENCH_PG_LOG, `--- ${p.url}\n${p.output.join('\n')}\n`);
}

async function activate(p: Proc, def: unknown, concurrency = 'parallel'): Promise<{ id: string; hookPath: string; secret: string }> {
  const api = new Pool(p.url, { connections: 1 });
  const auth = { authorization: `Bearer ${TOKEN}` };
  const created = await json(api, 'POST', '/api/workflows/import', def, auth);
  if (created.status !== 201) throw new Error(`import: ${created.status} ${JSON.stringify(created.body)}`);
  const act = await json(api, 'POST', `/api/workflows/${created.body.id}/activate`, { concurrency }, auth);
  if (act.status !== 200) throw new Error(`activate: ${act.status} ${JSON.stringify(act.body)}`);
  await api.close();
  return { id: created.body.id, hookPath: act.body.webhook ? new URL(act.body.webhook.url).pathname : '', secret: act.body.webhook?.secret ?? '' };
}

async function fakeOrders(ctl: Pool): Promise<Array<{ qty: number; at: bigint }>> {
  const { body } = await json<{ orders: Array<[number, string, string]> }>(ctl, 'GET', '/_bench/orders?from=0');
  return body.orders.map(([qty, , at]) => ({ qty, at: BigInt(at) }));
}

/** Throughput and sequential latency with `n` processes (n = 0: the SQLite default, one process). */
async function measure(s: Setup, n: number, opts: { seconds: number; senders: number; sequential: number }) {
  const procs: Proc[] = [];
  for (let i = 0; i < Math.max(1, n); i++) procs.push(await serve(s));
  const pools = procs.map((p) => new Pool(p.url, { connections: opts.senders, keepAliveTimeout: 30_000 }));
  try {
    const wf = await activate(procs[0], WORKFLOW);
    let qty = 0;
    const send = async (pool: Pool, q: number) => {
      const res = await pool.request({ method: 'POST', path: wf.hookPath, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ qty: q, secret: wf.secret }) });
      await res.body.text();
      return res.statusCode;
    };
    const drain = async (expected: number) => {
      const end = Date.now() + 120_000;
      for (;;) {
        const orders = await fakeOrders(s.ctl);
        if (orders.length >= expected || Date.now() > end) return orders;
        await sleep(100);
      }
    };
    // warm-up (the fake's orders reset first: otherwise the previous measure's orders satisfy this
    // drain at once, and a slow warm-up order — the first takes the new database's rate-limit slots —
    // lands in the concurrent phase, where it let the drain stop before three of its own had arrived)
    await json(s.ctl, 'POST', '/_bench/reset');
    await Promise.all(Array.from({ length: opts.senders }, (_, k) => send(pools[k % pools.length], ++qty)));
    await drain(qty);
    // sequential: one at a time, each waiting for its order (to the first process)
    await json(s.ctl, 'POST', '/_bench/reset');
    const latencies: number[] = [];
    for (let i = 0; i < opts.sequential; i++) {
      const q = ++qty;
      const arrived = json(s.ctl, 'GET', `/_bench/wait?qty=${q}`);
      const sent = process.hrtime.bigint();
      await send(pools[0], q);
      await arrived;
      const o = (await fakeOrders(s.ctl)).find((x) => x.qty === q);
      if (o) latencies.push(nsToMs(o.at - sent));
    }
    // concurrent: `senders` loops over the processes
    await json(s.ctl, 'POST', '/_bench/reset');
    const accepted: number[] = [];
    const codes: Record<number, number> = {};
    const start = process.hrtime.bigint();
    const deadline = start + BigInt(opts.seconds * 1e9);
    await Promise.all(Array.from({ length: opts.senders }, async (_, k) => {
      while (process.hrtime.bigint() < deadline) {
        const q = ++qty;
        const code = await send(pools[k % pools.length], q).catch(() => 0);
        codes[code] = (codes[code] ?? 0) + 1;
        if (code === 202) accepted.push(q);
      }
    }));
    const end = process.hrtime.bigint();
    const orders = await drain(accepted.length);
    const seconds = nsToMs(end - start) / 1000;
    const lastAt = orders.reduce((m, o) => (o.at > m ? o.at : m), end);
    const seen = new Map<number, number>();
    for (const o of orders) seen.set(o.qty, (seen.get(o.qty) ?? 0) + 1);
    const missing = accepted.filter((q) => !seen.has(q)).length;
    if (missing > 0) {
      // Say what became of them: late (the drain counted other orders), or stuck.
      const lost = accepted.filter((q) => !seen.has(q));
      await sleep(5_000);
      const later = new Set((await fakeOrders(s.ctl)).map((o) => o.qty));
      const extra = orders.filter((o) => !accepted.includes(o.qty)).map((o) => o.qty);
      let rows: unknown[] = [];
      if (s.dbUrl) {
        const db = new pg.Client({ connectionString: s.dbUrl });
        await db.connect();
        rows = (await db.query(`SELECT e.id, e.status, e.error, e.created_at, e.started_at, e.finished_at, j.locked_by, j.attempts, j.locked_at, j.run_at
          FROM executions e LEFT JOIN graphile_worker._private_jobs j ON j.payload->>'executionId' = e.id
          WHERE (e.input::jsonb->>'qty')::int = ANY($1::int[])`, [lost])).rows;
        await db.end();
      }
      console.error(`missing orders: ${JSON.stringify({ lost, arrivedWithin5s: lost.filter((q) => later.has(q)), extraOrders: extra.slice(0, 10), rows })}`);
    }
    const duplicated = [...seen.values()].filter((c) => c > 1).length;
    return {
      processes: n === 0 ? 'sqlite' : n, sequential: summarize(latencies), accepted: accepted.length, codes,
      answeredPerSec: accepted.length / seconds, ordersPerSec: orders.length / (nsToMs(lastAt - start) / 1000), missing, duplicated,
    };
  } finally {
    for (const p of pools) await p.close().catch(() => {});
    for (const p of procs) await stop(p);
  }
}

/** Two processes, a schedule every second; SIGKILL the holder; ms until the other fires, and instants fired twice. */
async function failover(s: Setup) {
  const db = new pg.Client({ connectionString: s.dbUrl! });
  await db.connect();
  const a = await serve(s);
  await sleep(500);
  const b = await serve(s);
  try {
    const clock = { id: 'clock', type: 'start', position: { x: 0, y: 0 }, data: { scheduleType: 'interval', intervalValue: 1, intervalUnit: 'seconds', marketHoursOnly: false } };
    const say = { id: 'say', type: 'log', position: { x: 0, y: 100 }, data: { message: 'tick' } };
    const wf = await activate(b, { name: 'bench: failover', nodes: [clock, say], edges: [{ id: 'e', source: 'clock', target: 'say' }] });
    const api = new Pool(a.url, { connections: 1 });
    const health = await json(api, 'GET', '/api/health');
    await api.close();
    const holder = health.body.cluster?.triggers ? a : b;
    const other = holder === a ? b : a;
    await sleep(3_000);
    const killedAt = Date.now();
    holder.child.kill('SIGKILL');
    let firstAfterMs = NaN;
    while (Date.now() - killedAt < 20_000) {
      const r = await db.query('SELECT min(created_at) AS t FROM executions WHERE workflow_id = $1 AND created_at > $2', [wf.id, killedAt]);
      if (r.rows[0].t) {
        firstAfterMs = Number(r.rows[0].t) - killedAt;
        break;
      }
      await sleep(50);
    }
    await sleep(2_000);
    const dup = await db.query(`SELECT count(*)::int AS n FROM (SELECT input::jsonb->>'scheduled_for' AS f FROM executions WHERE workflow_id = $1
      GROUP BY 1 HAVING count(*) > 1) d`, [wf.id]);
    await stop(other);
    return { killedHolder: holder === a ? 'first' : 'second', firstFireAfterMs: firstAfterMs, instantsFiredTwice: dup.rows[0].n };
  } finally {
    await stop(a);
    await stop(b);
    await db.end();
  }
}

/**
 * Statements and commits per sequential webhook → order on PostgreSQL (one process): the database's
 * statement log (log_statement = all, this database only) read back through pg_read_file, and its
 * commit count (pg_stat_database). Background statements (heartbeats, the job worker's polls) are
 * counted over an idle window of the same length and subtracted.
 */
async function countStatements(s: Setup, admin: pg.Client, db: string, n: number) {
  await admin.query(`ALTER DATABASE ${db} SET log_statement = 'all'`);
  const logFile = (await admin.query(`SELECT pg_current_logfile() AS f`)).rows[0].f
    ?? '/var/log/postgresql/postgresql-15-main.log';
  const size = async () => Number((await admin.query('SELECT size FROM pg_stat_file($1)', [logFile])).rows[0].size);
  const commits = async () => {
    await sleep(1_200); // backends report their counts at most once a second
    return Number((await admin.query('SELECT xact_commit FROM pg_stat_database WHERE datname = $1', [db])).rows[0].xact_commit);
  };
  const proc = await serve(s);
  const pool = new Pool(proc.url, { connections: 1 });
  try {
    const wf = await activate(proc, WORKFLOW);
    const send = async (q: number) => {
      const arrived = json(s.ctl, 'GET', `/_bench/wait?qty=${q}`);
      const res = await pool.request({ method: 'POST', path: wf.hookPath, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ qty: q, secret: wf.secret }) });
      await res.body.text();
      await arrived;
      await sleep(30); // the run's finish and its job's completion
    };
    await send(1_000_001);
    const read = async (from: number, to: number) => {
      const text = (await admin.query('SELECT pg_read_file($1, $2, $3) AS t', [logFile, from, to - from])).rows[0].t as string;
      const counts = new Map<string, number>();
      let total = 0;
      for (const line of text.split('\n')) {
        const m = new RegExp(`@${db} LOG:  (?:statement|execute [^:]*): (.*)$`).exec(line);
        if (!m) continue;
        const kind = m[1].replace(/\s+/g, ' ').slice(0, 60);
        counts.set(kind, (counts.get(kind) ?? 0) + 1);
        total++;
      }
      return { total, counts };
    };
    const t0 = performance.now();
    const [s0, c0] = [await size(), await commits()];
    for (let i = 0; i < n; i++) await send(1_000_002 + i);
    const [s1, c1] = [await size(), await commits()];
    const busyMs = performance.now() - t0;
    await sleep(Math.max(0, busyMs - 2_400));
    const [s2, c2] = [await size(), await commits()];
    const busy = await read(s0, s1);
    const idle = await read(s1, s2);
    const kinds = [...busy.counts].map(([k, v]) => [k, (v - (idle.counts.get(k) ?? 0)) / n] as const).filter(([, v]) => v > 0.05).sort((a, b) => b[1] - a[1]);
    return {
      statementsPerRun: (busy.total - idle.total) / n, commitsPerRun: ((c1 - c0) - (c2 - c1)) / n,
      kinds: Object.fromEntries(kinds.map(([k, v]) => [k, Math.round(v * 100) / 100])),
    };
  } finally {
    await pool.close();
    await stop(proc);
    await admin.query(`ALTER DATABASE ${db} RESET log_statement`).catch(() => {});
  }
}

/**
 * The queue alone, without Flow around it: `senders` connections each committing an execution row
 * with its job (flow_enqueue_run) as fast as they can; then one and two job workers (concurrency 16
 * each, a run that does nothing) draining them. What PostgreSQL and graphile-worker give on this machine.
 */
async function queueOnly(dbUrl: string, opts: { seconds: number; senders: number }) {
  const { createPool, transaction } = await import('../src/cluster/pg.js');
  const { ensureClusterSchema } = await import('../src/cluster/schema.js');
  const { JobWorker } = await import('../src/cluster/jobs.js');
  const pool = createPool(dbUrl, { max: opts.senders + 4 });
  await ensureClusterSchema(pool);
  await pool.query(`CREATE TABLE IF NOT EXISTS executions (id text PRIMARY KEY, workflow_id text NOT NULL, status text NOT NULL,
    idempotency_key text, created_at bigint NOT NULL, finished_at bigint, error text, input text)`);
  let n = 0;
  const enqueue = async (count: number) => {
    const end = Date.now() + opts.seconds * 1000;
    let done = 0;
    await Promise.all(Array.from({ length: opts.senders }, async () => {
      while (Date.now() < end && done < count) {
        const id = `ex_${++n}`;
        await transaction(pool, async (c) => {
          await c.query(`INSERT INTO executions (id, workflow_id, status, created_at, input) VALUES ($1, 'wf', 'queued', $2, '{}')`, [id, Date.now()]);
          await c.query('SELECT flow_enqueue_run($1, $2, $3, $4, $5, $6)', [id, 'wf', 'parallel', null, 0, Date.now()]);
        });
        done++;
      }
    }));
    return done;
  };
  const t0 = performance.now();
  const enqueued = await enqueue(Infinity);
  const enqueuePerSec = enqueued / ((performance.now() - t0) / 1000);
  const drain = async (workers: number) => {
    const pools = Array.from({ length: workers }, () => createPool(dbUrl, { max: 20 }));
    const left = async () => Number((await pool.query('SELECT count(*) AS n FROM graphile_worker._private_jobs')).rows[0].n);
    const before = await left();
    const list = pools.map((p) => new JobWorker({ pool: p, concurrency: 16, run: async () => {} }));
    const start = performance.now();
    await Promise.all(list.map((w) => w.start()));
    while ((await left()) > 0) await sleep(50);
    const perSec = before / ((performance.now() - start) / 1000);
    for (const w of list) await w.stop();
    for (const p of pools) await p.end();
    return perSec;
  };
  const oneWorker = await drain(1);
  await enqueue(enqueued);
  const twoWorkers = await drain(2);
  await pool.end();
  return { enqueuePerSec, claimCompletePerSec: { oneWorker, twoWorkers } };
}

export async function run(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  const opts = { seconds: intArg(args, 'seconds', 10), senders: intArg(args, 'senders', 16), sequential: intArg(args, 'sequential', 200) };
  const server = typeof args.pg === 'string' ? args.pg : 'postgres://postgres@127.0.0.1:5432';
  const env = environment();
  printEnvironment('Flow on PostgreSQL (issue 13)', env);
  const name = `flow_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: `${server}/postgres` });
  await admin.connect();
  const tmp = tempDir('flow-bench-pg-');
  const fake = await spawnReady([...benchScript('fake-openalgo'), '--port', '0', '--apikey', API_KEY], process.env, /\{"port":(\d+)\}/);
  fake.url = `http://127.0.0.1:${fake.match[1]}`;
  const ctl = new Pool(fake.url, { connections: 4 });
  const results: Record<string, unknown> = {};
  const dbFor = async (suffix: string) => {
    await admin.query(`CREATE DATABASE ${name}_${suffix}`);
    return `${server}/${name}_${suffix}`;
  };
  try {
    if (args['queue-only']) {
      const q = await queueOnly(await dbFor('queue'), opts);
      console.log(`queue alone: ${fmt(q.enqueuePerSec, 0)} executions+jobs committed/s from ${opts.senders} connections; `
        + `claimed and completed: ${fmt(q.claimCompletePerSec.oneWorker, 0)} jobs/s with one worker, ${fmt(q.claimCompletePerSec.twoWorkers, 0)} with two`);
      console.log(`results: ${writeResult('pg-queue', { opts, ...q })}`);
      return;
    }
    if (args.count) {
      const db = `${name}_count`;
      await dbFor('count');
      const c = await countStatements({ fake, ctl, dbUrl: `${server}/${db}`, dataDir: tmp.dir }, admin, db, intArg(args, 'count', 20));
      console.log(`per sequential webhook → order on PostgreSQL: ${fmt(c.statementsPerRun, 1)} statements, ${fmt(c.commitsPerRun, 1)} commits`);
      for (const [k, v] of Object.entries(c.kinds)) console.log(`  ${String(v).padStart(5)}  ${k}`);
      console.log(`results: ${writeResult('pg-count', c)}`);
      return;
    }
    // --only sqlite,one,two,failover: a subset (while iterating; a reported figure keeps the SQLite baseline of its run).
    const only = typeof args.only === 'string' ? new Set(args.only.split(',')) : null;
    const want = (k: string) => !only || only.has(k);
    const sqlite = want('sqlite') ? await measure({ fake, ctl, dbUrl: null, dataDir: tmp.dir }, 0, opts) : null;
    const one = want('one') ? await measure({ fake, ctl, dbUrl: await dbFor('one'), dataDir: tmp.dir }, 1, opts) : null;
    const two = want('two') ? await measure({ fake, ctl, dbUrl: await dbFor('two'), dataDir: tmp.dir }, 2, opts) : null;
    const fo = want('failover') ? await failover({ fake, ctl, dbUrl: await dbFor('failover'), dataDir: tmp.dir }) : null;
    Object.assign(results, { opts, sqlite, one, two, failover: fo });
    type M = Awaited<ReturnType<typeof measure>>;
    const row = (label: string, r: M) => [label, fmt(r.answeredPerSec, 0), fmt(r.ordersPerSec, 0), fmt(r.sequential.p50, 2), fmt(r.sequential.p99, 2), `${r.missing}/${r.duplicated}`];
    printTable([
      ['', `202/s (${opts.senders} senders)`, 'orders/s', 'sequential p50 ms', 'p99 ms', 'missing/duplicated'],
      ...(sqlite ? [row('SQLite, one process', sqlite)] : []), ...(one ? [row('PostgreSQL, one process', one)] : []),
      ...(two ? [row('PostgreSQL, two processes', two)] : []),
    ]);
    if (one && sqlite) console.log(`\nPostgreSQL one process / SQLite (same run): ${fmt(one.ordersPerSec / sqlite.ordersPerSec, 2)}× orders/s, p50 ${fmt(one.sequential.p50 / sqlite.sequential.p50, 2)}×`);
    if (fo) console.log(`\nfailover: trigger holder SIGKILLed → next schedule fire after ${fmt(fo.firstFireAfterMs, 0)} ms; instants fired twice: ${fo.instantsFiredTwice}`);
    console.log(`results: ${writeResult('pg', results)}`);
  } finally {
    await ctl.close();
    fake.child.kill('SIGTERM');
    for (const suffix of ['one', 'two', 'failover', 'queue', 'count']) await admin.query(`DROP DATABASE IF EXISTS ${name}_${suffix} WITH (FORCE)`).catch(() => {});
    await admin.end();
    tmp.remove();
  }
}
