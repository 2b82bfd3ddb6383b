// engine: runs per second and µs per node for 5-, 20- and 100-node workflows with the in-process
// paper broker, with and without the store, and the engine's own overhead per node.
//
// Overhead per node = (engine run − the same nodes' `run` functions called directly) / nodes.
// The workflow is a webhook trigger followed by a chain of `variable` nodes (set v<i> =
// '{{webhook.n}}'): cheap nodes, so what is left is the engine's walk, interpolation, field
// parsing, redaction, step records, per-node timeout and abort plumbing. The baseline calls each
// node's `run` in order with the params the engine would have produced (computed once, untimed)
// and a minimal context.
//
// The store figure (issue 4): executions of a five-node paper workflow recorded per second through
// the ExecutionService (SQLite in a temp dir), against the engine alone, as a ratio.
//
//   npm run bench -- engine [--runs 3] [--ms 1500] [--profile]

import { PaperBroker } from '../src/broker/paper/index.js';
import { compileWorkflow, type CompiledWorkflow } from '../src/engine/compile.js';
import { interpolateDeep } from '../src/engine/interpolate.js';
import { runWorkflow } from '../src/engine/run.js';
import type { TriggerInfo } from '../src/engine/types.js';
import { defaultRegistry } from '../src/nodes/registry.js';
import type { NodeContext, NodeResult } from '../src/nodes/types.js';
import { ExecutionService } from '../src/runtime/service.js';
import { openStore } from '../src/store/index.js';
import type { Store } from '../src/store/types.js';
import type { Workflow } from '../src/workflow/schema.js';
import { printProfileSummary, profileInProcess, summarizeProfile } from './cpuprofile.js';
import {
  environment, fmt, intArg, medianOf, parseArgs, printEnvironment, printTable, ratio, tempDir, writeResult,
} from './lib.js';

const node = (id: string, type: string, data: Record<string, unknown>, y: number) => ({ id, type, position: { x: 0, y: y * 100 }, data });
const edges = (ids: string[]) => ids.slice(1).map((id, i) => ({ id: `e${i + 1}`, source: ids[i], target: id }));

/** A webhook trigger and `size - 1` variable nodes in a chain. */
function variableChain(size: number): Workflow {
  const nodes = [node('hook', 'webhookTrigger', {}, 0)];
  for (let i = 1; i < size; i++) nodes.push(node(`v${i}`, 'variable', { variableName: `v${i}`, operation: 'set', value: '{{webhook.n}}' }, i));
  return { name: `chain of ${size}`, nodes, edges: edges(nodes.map((n) => n.id)) } as unknown as Workflow;
}

/** Five nodes as a trader would draw them: webhook → variable → placeOrder (paper) → log → variable. */
function paperFive(): Workflow {
  const nodes = [
    node('hook', 'webhookTrigger', {}, 0),
    node('side', 'variable', { variableName: 'side', operation: 'set', value: '{{webhook.action}}' }, 1),
    node('buy', 'placeOrder', { symbol: '{{webhook.symbol}}', exchange: 'NSE', action: '{{side}}', quantity: '{{webhook.qty}}', priceType: 'MARKET', product: 'MIS', outputVariable: 'order' }, 2),
    node('say', 'log', { message: 'order {{order.orderid}} for {{webhook.symbol}}' }, 3),
    node('count', 'variable', { variableName: 'orders', operation: 'increment' }, 4),
  ];
  return { name: 'paper five', nodes, edges: edges(nodes.map((n) => n.id)) } as unknown as Workflow;
}

let n = 0;
/** Alternating BUY/SELL keeps the paper position flat however long the bench runs. */
const nextTrigger = (): TriggerInfo => {
  n++;
  return { kind: 'webhook', payload: { n, symbol: 'SBIN', action: n % 2 ? 'BUY' : 'SELL', qty: 1 } };
};

/** Calls `once` repeatedly for about `ms` (after a warm-up) and answers µs per call. */
async function timeLoop(ms: number, once: () => Promise<unknown>): Promise<{ usPerRun: number; runs: number }> {
  const warmUntil = performance.now() + Math.min(300, ms / 3);
  while (performance.now() < warmUntil) await once();
  let runs = 0;
  const start = performance.now();
  const end = start + ms;
  while (performance.now() < end) {
    for (let i = 0; i < 10; i++) await once();
    runs += 10;
  }
  return { usPerRun: ((performance.now() - start) * 1000) / runs, runs };
}

/** The nodes' own `run` calls, in order, with the params the engine would pass and a minimal context. */
function directCalls(wf: CompiledWorkflow, broker: PaperBroker): () => Promise<void> {
  const payload = { n: 7, symbol: 'SBIN', action: 'BUY', qty: 1 };
  const variables: Record<string, unknown> = {};
  const signal = new AbortController().signal;
  const calls = wf.nodes.map((cn) => {
    const params: Record<string, unknown> = {};
    for (const field in cn.def.fields) {
      params[field] = cn.def.fields[field].parse(interpolateDeep(cn.data[field], { variables, webhook: payload, now: new Date(), timezone: 'Asia/Kolkata' }, []));
    }
    const ctx: NodeContext = {
      nodeId: cn.id, nodeType: cn.type, executionId: 'bench', workflowName: wf.name, broker,
      notifier: { send: async () => ({ delivered: false, via: 'recorded' }) }, signal, timezone: 'Asia/Kolkata',
      trigger: { kind: 'webhook', payload }, inputs: [], settings: { allowPrivateHttp: false }, now: () => new Date(),
      getVariable: (name) => variables[name], setVariable: (name, value) => { variables[name] = value; },
      log: () => {}, sleep: async () => {},
    };
    return () => cn.def.run(ctx, params as never) as Promise<NodeResult>;
  });
  return async () => {
    for (const call of calls) await call();
  };
}

function service(store: Store, broker: PaperBroker): ExecutionService {
  return new ExecutionService({
    store, broker, notifier: { send: async () => ({ delivered: false, via: 'recorded' }) }, registry: defaultRegistry, timezone: 'Asia/Kolkata',
  });
}

/** A workflow stored and frozen, and one recorded run of it through the ExecutionService (request, then wait). */
async function recorded(store: Store, broker: PaperBroker, definition: unknown) {
  const svc = service(store, broker);
  const wf = await store.createWorkflow({ definition: definition as never });
  const version = await store.freezeVersion(wf.id, definition as never);
  const once = async () => {
    const { executionId } = await svc.request({ workflowId: wf.id, version, trigger: nextTrigger() });
    const result = await svc.wait(executionId);
    if (result?.status !== 'completed') throw new Error(`run ${executionId} ended ${result?.status}: ${result?.error}`);
  };
  return { svc, wf, version, once };
}

interface SizeResult extends Record<string, number> {
  nodes: number;
  directUs: number;
  engineUs: number;
  storeUs: number;
  overheadUsPerNode: number;
  engineRunsPerSec: number;
  storeRunsPerSec: number;
}

async function measureSize(size: number, ms: number, store: Store): Promise<SizeResult> {
  const broker = new PaperBroker();
  const definition = variableChain(size);
  const compiled = compileWorkflow(definition, defaultRegistry);
  const direct = await timeLoop(ms, directCalls(compiled, broker));
  const engine = await timeLoop(ms, () => runWorkflow(compiled, { broker, trigger: nextTrigger() }));
  const { once } = await recorded(store, broker, definition);
  const stored = await timeLoop(ms, once);
  return {
    nodes: size, directUs: direct.usPerRun, engineUs: engine.usPerRun, storeUs: stored.usPerRun,
    overheadUsPerNode: (engine.usPerRun - direct.usPerRun) / size,
    engineRunsPerSec: 1e6 / engine.usPerRun, storeRunsPerSec: 1e6 / stored.usPerRun,
  };
}

interface PaperResult extends Record<string, number> {
  engineRunsPerSec: number;
  storeRunsPerSec: number;
  storeShare: number;
  /** The same with 16 executions in flight (parallel policy): how a busy server records them. */
  engineRunsPerSecConcurrent: number;
  storeRunsPerSecConcurrent: number;
  storeShareConcurrent: number;
}

const IN_FLIGHT = 16;

/** Runs `once` from IN_FLIGHT workers for `ms` (after a short warm-up); completions per second. */
async function concurrentLoop(ms: number, once: () => Promise<unknown>): Promise<number> {
  const loop = async (until: number, count: { n: number }) => {
    while (performance.now() < until) {
      await once();
      count.n++;
    }
  };
  const warm = { n: 0 };
  const warmUntil = performance.now() + Math.min(300, ms / 3);
  await Promise.all(Array.from({ length: IN_FLIGHT }, () => loop(warmUntil, warm)));
  const done = { n: 0 };
  const start = performance.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, () => loop(start + ms, done)));
  return (done.n * 1000) / (performance.now() - start);
}

async function measurePaperFive(ms: number, store: Store): Promise<PaperResult> {
  const broker = new PaperBroker();
  const definition = paperFive();
  const compiled = compileWorkflow(definition, defaultRegistry);
  const engine = await timeLoop(ms, async () => {
    const r = await runWorkflow(compiled, { broker, trigger: nextTrigger() });
    if (r.status !== 'completed' || r.orders.length !== 1) throw new Error(`paper run ended ${r.status}: ${r.error}`);
  });
  const { svc, wf, version, once } = await recorded(store, broker, definition);
  const stored = await timeLoop(ms, once);
  const engineRunsPerSec = 1e6 / engine.usPerRun;
  const storeRunsPerSec = 1e6 / stored.usPerRun;
  const engineRunsPerSecConcurrent = await concurrentLoop(ms, () => runWorkflow(compiled, { broker, trigger: nextTrigger() }));
  const storeRunsPerSecConcurrent = await concurrentLoop(ms, async () => {
    const { executionId } = await svc.request({ workflowId: wf.id, version, concurrency: 'parallel', trigger: nextTrigger() });
    const result = await svc.wait(executionId);
    if (result?.status !== 'completed') throw new Error(`run ${executionId} ended ${result?.status}: ${result?.error}`);
  });
  return {
    engineRunsPerSec, storeRunsPerSec, storeShare: storeRunsPerSec / engineRunsPerSec,
    engineRunsPerSecConcurrent, storeRunsPerSecConcurrent, storeShareConcurrent: storeRunsPerSecConcurrent / engineRunsPerSecConcurrent,
  };
}

/** `--profile`: where the time goes in the 20-node chain (engine alone) and the five-node paper run with the store. */
async function profileEngine(ms: number, top: number): Promise<void> {
  const broker = new PaperBroker();
  const chain = compileWorkflow(variableChain(20), defaultRegistry);
  await timeLoop(300, () => runWorkflow(chain, { broker, trigger: nextTrigger() }));
  const engineFile = await profileInProcess('engine-20', async () => {
    await timeLoop(ms, () => runWorkflow(chain, { broker, trigger: nextTrigger() }));
  });
  console.log(`\n  PROFILE: 20-node chain, engine alone (${engineFile})`);
  printProfileSummary(summarizeProfile(engineFile), top);

  const tmp = tempDir('flow-bench-engine-');
  const store = await openStore({ dataDir: tmp.dir });
  try {
    const definition = paperFive();
    const svc = service(store, broker);
    const wf = await store.createWorkflow({ definition: definition as never });
    const version = await store.freezeVersion(wf.id, definition as never);
    const once = async () => {
      const { executionId } = await svc.request({ workflowId: wf.id, version, trigger: nextTrigger() });
      await svc.wait(executionId);
    };
    await timeLoop(300, once);
    const storeFile = await profileInProcess('paper-five-store', async () => {
      await timeLoop(ms, once);
    });
    console.log(`\n  PROFILE: five-node paper workflow recorded through the ExecutionService (${storeFile})`);
    printProfileSummary(summarizeProfile(storeFile), top);
  } finally {
    await store.close();
    tmp.remove();
  }
}

export async function run(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  const runs = intArg(args, 'runs', 3);
  const ms = intArg(args, 'ms', 1500);
  const env = environment();
  printEnvironment('engine: runs/s and µs per node, paper broker in process', env);
  const sizes = [5, 20, 100];
  const bySize = new Map<number, SizeResult[]>(sizes.map((s) => [s, []]));
  const paper: PaperResult[] = [];
  for (let r = 1; r <= runs; r++) {
    process.stdout.write(`  run ${r}/${runs}… `);
    const tmp = tempDir('flow-bench-engine-');
    const store = await openStore({ dataDir: tmp.dir });
    try {
      for (const size of sizes) bySize.get(size)!.push(await measureSize(size, ms, store));
      paper.push(await measurePaperFive(ms, store));
    } finally {
      await store.close();
      tmp.remove();
    }
    console.log('done');
  }

  console.log(`\n  chain of variable nodes after a webhook trigger; medians of ${runs} runs (µs per run unless said)`);
  const medians = sizes.map((s) => medianOf(bySize.get(s)!));
  printTable([
    ['nodes', 'direct run()s', 'engine', 'engine runs/s', 'engine µs/node', 'overhead µs/node', 'engine/direct', 'with store', 'store runs/s', 'store µs/node', 'store/engine'],
    ...medians.map((m) => [
      String(m.nodes), fmt(m.directUs), fmt(m.engineUs), fmt(m.engineRunsPerSec), fmt(m.engineUs / m.nodes), fmt(m.overheadUsPerNode),
      ratio(m.engineUs, m.directUs), fmt(m.storeUs), fmt(m.storeRunsPerSec), fmt(m.storeUs / m.nodes), ratio(m.storeUs, m.engineUs),
    ]),
  ]);
  const twenty = medians.find((m) => m.nodes === 20)!;
  console.log(`  target: ≤ 10 µs of engine overhead per node on a 20-node workflow → ${fmt(twenty.overheadUsPerNode)} µs ${twenty.overheadUsPerNode <= 10 ? '(met)' : '(NOT met)'}`);
  const [small, large] = [medians[0], medians[medians.length - 1]];
  console.log(`  marginal cost of one more node (slope ${small.nodes}→${large.nodes}): engine ${fmt((large.engineUs - small.engineUs) / (large.nodes - small.nodes))} µs, direct ${fmt((large.directUs - small.directUs) / (large.nodes - small.nodes))} µs, with store ${fmt((large.storeUs - small.storeUs) / (large.nodes - small.nodes))} µs`);

  const p = medianOf(paper);
  console.log(`\n  five-node paper workflow (webhook → variable → placeOrder → log → variable); medians of ${runs} runs`);
  printTable([
    ['', 'one at a time, runs/s', `${IN_FLIGHT} in flight, runs/s`],
    ['engine alone (no store)', fmt(p.engineRunsPerSec), fmt(p.engineRunsPerSecConcurrent)],
    ['recorded (ExecutionService + SQLite)', fmt(p.storeRunsPerSec), fmt(p.storeRunsPerSecConcurrent)],
    ['ratio recorded/engine', ratio(p.storeRunsPerSec, p.engineRunsPerSec), ratio(p.storeRunsPerSecConcurrent, p.engineRunsPerSecConcurrent)],
  ]);
  const verdict = (share: number) => `${share.toFixed(2)} ${share >= 0.5 ? '(met)' : '(NOT met)'}`;
  console.log(`  target: the store costs at most half the throughput (ratio ≥ 0.50) → one at a time ${verdict(p.storeShare)}; ${IN_FLIGHT} in flight ${verdict(p.storeShareConcurrent)}`);
  if (args.profile) await profileEngine(ms, intArg(args, 'top', 25));
  const file = writeResult('engine', { env, options: { runs, ms }, sizes: Object.fromEntries(sizes.map((s) => [s, bySize.get(s)])), medians, paper, paperMedian: p });
  console.log(`\n  result: ${file}`);
}
