// Summarises a V8 .cpuprofile (node --cpu-prof): self and total time per function, and self time
// per area (Flow's src files, each npm package, Node internals, GC, idle), optionally within a
// time window. V8 stamps samples with the same monotonic clock as process.hrtime (µs), so a bench
// can pass the window of the phase it cares about.
//
//   npx tsx bench/cpuprofile.ts /tmp/flow.cpuprofile [--from US --to US] [--top 25]

import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, printTable, ROOT } from './lib.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface FunctionTime {
  name: string;
  where: string;
  area: string;
  selfMs: number;
  totalMs: number;
  selfPct: number;
}

export interface ProfileSummary {
  windowMs: number;
  sampledMs: number;
  busyPct: number;
  functions: FunctionTime[];
  areas: Array<{ area: string; selfMs: number; selfPct: number }>;
}

/** Where a frame's code lives: a src file, an npm package, Node itself, or V8's pseudo-frames. */
function areaOf(frame: CallFrame): string {
  const url = frame.url;
  if (!url) return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  if (url.startsWith('node:')) return 'node internals';
  const file = url.startsWith('file://') ? fileURLToPath(url) : url;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  if (pkg) return pkg[1];
  const rel = path.relative(ROOT, file);
  return rel.startsWith('..') ? file : rel;
}

/** File and position in the code V8 ran (under tsx, src files are whitespace-minified: line 1, so the column tells functions apart). */
function whereOf(frame: CallFrame): string {
  if (!frame.url) return '';
  const area = areaOf(frame);
  return /^(src|bench)\//.test(area) ? `${area}:${frame.lineNumber + 1}:${frame.columnNumber + 1}` : `${area}:${frame.lineNumber + 1}`;
}

/** Profiles this process while `work` runs (the V8 inspector, sampling every `intervalUs`); answers the .cpuprofile path. */
export async function profileInProcess(name: string, work: () => Promise<void>, intervalUs = 250): Promise<string> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: intervalUs });
    await session.post('Profiler.start');
    await work();
    const { profile } = await session.post('Profiler.stop');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'flow-cpuprof-')), `${name}.cpuprofile`);
    fs.writeFileSync(file, JSON.stringify(profile));
    return file;
  } finally {
    session.disconnect();
  }
}

export function summarizeProfile(file: string, window: { fromUs?: number; toUs?: number } = {}): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const keyOf = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'}|${whereOf(n.callFrame)}`;

  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const areas = new Map<string, number>();
  const frames = new Map<string, CallFrame>();
  const from = window.fromUs ?? -Infinity;
  const to = window.toUs ?? Infinity;
  let t = profile.startTime;
  let sampled = 0;
  let idle = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i];
    // A sample's weight is the time until the next one.
    const weight = i + 1 < profile.timeDeltas.length ? profile.timeDeltas[i + 1] : 0;
    if (t < from || t > to || weight <= 0) continue;
    const leaf = byId.get(profile.samples[i]);
    if (!leaf) continue;
    sampled += weight;
    if (leaf.callFrame.functionName === '(idle)') idle += weight;
    const leafKey = keyOf(leaf);
    frames.set(leafKey, leaf.callFrame);
    self.set(leafKey, (self.get(leafKey) ?? 0) + weight);
    const area = areaOf(leaf.callFrame);
    areas.set(area, (areas.get(area) ?? 0) + weight);
    // Total time: each distinct function on the stack once (recursion is not double-counted).
    const onStack = new Set<string>();
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      const n = byId.get(id)!;
      const k = keyOf(n);
      if (onStack.has(k)) continue;
      onStack.add(k);
      frames.set(k, n.callFrame);
      total.set(k, (total.get(k) ?? 0) + weight);
    }
  }
  const busy = sampled - idle;
  const pct = (us: number) => (busy > 0 ? (100 * us) / busy : 0);
  const functions = [...total.keys()].map((k) => {
    const frame = frames.get(k)!;
    return {
      name: frame.functionName || '(anonymous)', where: whereOf(frame), area: areaOf(frame),
      selfMs: (self.get(k) ?? 0) / 1000, totalMs: (total.get(k) ?? 0) / 1000, selfPct: pct(self.get(k) ?? 0),
    };
  });
  const windowUs = Math.min(to, profile.endTime) - Math.max(from, profile.startTime);
  return {
    windowMs: windowUs / 1000,
    sampledMs: sampled / 1000,
    busyPct: sampled > 0 ? (100 * busy) / sampled : 0,
    functions,
    areas: [...areas.entries()].map(([area, us]) => ({ area, selfMs: us / 1000, selfPct: pct(us) })).sort((a, b) => b.selfMs - a.selfMs),
  };
}

/** Prints the top functions by self time, the top Flow functions by total time, and the areas. */
export function printProfileSummary(s: ProfileSummary, top = 25): void {
  const f1 = (v: number) => v.toFixed(1);
  console.log(`\n  profile: ${f1(s.sampledMs)} ms sampled in a ${f1(s.windowMs)} ms window, ${f1(s.busyPct)}% busy (percentages below are of busy time)`);
  console.log('\n  top functions by self time');
  const bySelf = [...s.functions].filter((f) => f.name !== '(idle)').sort((a, b) => b.selfMs - a.selfMs).slice(0, top);
  printTable([['function', 'where', 'self ms', 'self %', 'total ms'], ...bySelf.map((f) => [f.name, f.where, f1(f.selfMs), f1(f.selfPct), f1(f.totalMs)])]);
  console.log('\n  Flow functions by total time (self + callees)');
  const flow = s.functions.filter((f) => f.area.startsWith('src/')).sort((a, b) => b.totalMs - a.totalMs).slice(0, top);
  printTable([['function', 'where', 'total ms', 'self ms'], ...flow.map((f) => [f.name, f.where, f1(f.totalMs), f1(f.selfMs)])]);
  console.log('\n  self time by area');
  printTable([['area', 'self ms', 'self %'], ...s.areas.filter((a) => a.area !== '(idle)').slice(0, top).map((a) => [a.area, f1(a.selfMs), f1(a.selfPct)])]);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = parseArgs(process.argv.slice(2));
  const file = process.argv.slice(2).find((a) => !a.startsWith('--') && a.endsWith('.cpuprofile'));
  if (!file) {
    console.error('usage: npx tsx bench/cpuprofile.ts FILE.cpuprofile [--from US --to US] [--top N]');
    process.exit(2);
  }
  const num = (k: string) => (typeof args[k] === 'string' ? Number(args[k]) : undefined);
  printProfileSummary(summarizeProfile(file, { fromUs: num('from'), toUs: num('to') }), num('top') ?? 25);
}
