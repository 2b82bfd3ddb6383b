// Shared bench helpers: the machine's description, percentiles, medians of repeated runs,
// a plain-text table, and the JSON result file under bench/results/.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Where the code being measured lives: the repository, or a compiled copy of it (`--js`). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** True when running from the esbuild-compiled copy rather than through tsx. */
export const COMPILED = import.meta.url.endsWith('.js');
/** The repository (results are written there even when the compiled copy runs). */
export const REPO = process.env.FLOW_BENCH_REPO ?? ROOT;

/** Node arguments that run a bench-side script (fake-openalgo, …) in the current mode. */
export function benchScript(name: string): string[] {
  return COMPILED ? [path.join(ROOT, 'bench', `${name}.js`)] : ['--import', 'tsx', path.join(ROOT, 'bench', `${name}.ts`)];
}

export interface Environment {
  node: string;
  platform: string;
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  loadAverage: number[];
  commit: string | null;
  /** How Flow's TypeScript is run: through tsx (as `npm start` does) or compiled to JS first. */
  mode: 'tsx' | 'compiled';
  at: string;
}

export function environment(): Environment {
  let commit: string | null = null;
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    // src/ edited since that commit: the figures are of the working tree, not of the commit.
    commit = git('rev-parse', '--short', 'HEAD') + (git('status', '--porcelain', '--', 'src') ? '+uncommitted src changes' : '');
  } catch {
    // not a git checkout
  }
  return {
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    cpus: os.availableParallelism?.() ?? os.cpus().length,
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
    commit,
    mode: COMPILED ? 'compiled' : 'tsx',
    at: new Date().toISOString(),
  };
}

export function printEnvironment(title: string, env: Environment): void {
  console.log(`\n${title}`);
  console.log(`  node ${env.node} on ${env.platform}; ${env.cpus} CPUs (${env.cpuModel}); ${env.memoryGb} GB; load ${env.loadAverage.join(' ')}${env.commit ? `; commit ${env.commit}` : ''}`);
  console.log(`  Flow code: ${env.mode === 'tsx' ? 'TypeScript sources through tsx (--tsx); flow serve as bin/flow.js runs it' : 'compiled to JavaScript by esbuild, as npm start runs it (dist/)'}`);
}

/** Nearest-rank percentile of an ascending array (p in 0..100). */
function atRank(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Percentile by nearest rank of an unsorted sample (p in 0..100). */
export function percentile(values: readonly number[], p: number): number {
  return atRank([...values].sort((a, b) => a - b), p);
}

export interface Summary {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const mean = sorted.length ? sorted.reduce((s, v) => s + v, 0) / sorted.length : NaN;
  return { n: sorted.length, p50: atRank(sorted, 50), p90: atRank(sorted, 90), p99: atRank(sorted, 99), max: sorted[sorted.length - 1] ?? NaN, mean };
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** The median of each numeric field across repeated runs (the noisy shared machine's answer). */
export function medianOf<T extends Record<string, number>>(runs: readonly T[]): T {
  const out = {} as Record<string, number>;
  for (const key of Object.keys(runs[0] ?? {})) out[key] = median(runs.map((r) => r[key]));
  return out as T;
}

/** Nanoseconds between two hrtime.bigint() readings, as milliseconds. */
export const nsToMs = (ns: bigint): number => Number(ns) / 1e6;

/** Formats a number with a sensible number of digits for a table cell. */
export function fmt(v: number, digits?: number): string {
  if (!Number.isFinite(v)) return '-';
  if (digits !== undefined) return v.toFixed(digits);
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString('en-US');
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

export function ratio(a: number, b: number): string {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return '-';
  return `${(a / b).toFixed(a / b >= 10 ? 0 : 2)}×`;
}

/** Prints rows as an aligned text table (first row is the header). */
export function printTable(rows: string[][]): void {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  rows.forEach((r, i) => {
    console.log(`  ${r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')}`);
    if (i === 0) console.log(`  ${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  });
}

/** Writes bench/results/<name>[-js]-<time>.json in the repository and answers its path. */
export function writeResult(name: string, data: unknown): string {
  const dir = path.join(REPO, 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}${COMPILED ? '-js' : ''}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, `${JSON.stringify(data, (_k, v) => (typeof v === 'bigint' ? String(v) : v), 2)}\n`);
  return file;
}

/** `--name value` and `--flag` options. */
export function parseArgs(args: readonly string[]): Record<string, string | true> {
  const out: Record<string, string | true> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    const key = eq < 0 ? a.slice(2) : a.slice(2, eq);
    if (eq >= 0) out[key] = a.slice(eq + 1); // --node-args=--max-semi-space-size=4 keeps its own '='
    else if (args[i + 1] !== undefined && !args[i + 1].startsWith('--')) out[key] = args[++i];
    else out[key] = true;
  }
  return out;
}

export function intArg(args: Record<string, string | true>, name: string, fallback: number): number {
  const v = args[name];
  if (v === undefined || v === true) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number (got '${v}')`);
  return n;
}

/** A full garbage collection, even without --expose-gc (the flag is turned on at run time). */
export function collectGarbage(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g();
  v8.setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A temporary directory removed by the returned function. */
export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** A child process the bench started: its output lines, and a way to stop it. */
export interface Child {
  proc: ChildProcess;
  /** stderr (and stdout) lines. */
  output: string[];
  stop(): Promise<number | null>;
}

/** Spawns a process and resolves once a stdout line matches `ready`. */
export function spawnUntil(args: string[], env: NodeJS.ProcessEnv, ready: RegExp, timeoutMs = 30_000, cwd = ROOT): Promise<{ child: Child; match: RegExpMatchArray }> {
  const proc = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const child: Child = {
    proc, output,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      return exited;
    },
  };
  createInterface({ input: proc.stderr! }).on('line', (l) => output.push(l));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${args.join(' ')}: not ready after ${timeoutMs} ms\n${output.join('\n')}`));
    }, timeoutMs);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited (${code}) before it was ready\n${output.join('\n')}`));
    });
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      output.push(line);
      const match = line.match(ready);
      if (match) {
        clearTimeout(timer);
        resolve({ child, match });
      }
    });
  });
}

/** One FLOW_TRACE=1 line of a server (src/runtime/trace.ts): its start stamp and each step's µs after it. */
export interface TraceLine {
  t0: string;
  marks: Array<[string, number]>;
}

/** A server's FLOW_TRACE=1 lines, from its output. */
export function traceLines(output: readonly string[]): TraceLine[] {
  return output.filter((l) => l.startsWith('flow-trace ')).map((l) => JSON.parse(l.slice(11)) as TraceLine);
}

export interface TraceStep {
  step: string;
  sinceSendUs: number;
  gapUs: number;
  p90GapUs: number;
}

/**
 * Traced runs beside the bench's own stamps, as a table of steps: each sample is a trace, the µs from
 * the bench's send (`first`) to the trace's start, and optionally the step the bench stamped at the
 * end (the order received at the fake). Per step, the median time since the send, and the median
 * and p90 gap from the step before; a step that happens more than once in a run (a commit) is numbered.
 */
export function traceTable(
  samples: ReadonlyArray<{ first: string; offsetUs: number; marks: ReadonlyArray<[string, number]>; last?: [string, number] }>,
  skip: (label: string) => boolean = () => false,
): TraceStep[] {
  const rows = new Map<string, { since: number[]; gap: number[] }>();
  for (const s of samples) {
    const seen = new Map<string, number>();
    const steps: Array<[string, number]> = [[s.first, 0]];
    for (const [label, us] of s.marks) {
      if (skip(label)) continue;
      const k = (seen.get(label) ?? 0) + 1;
      seen.set(label, k);
      steps.push([k > 1 ? `${label} #${k}` : label, us + s.offsetUs]);
    }
    if (s.last) steps.push(s.last);
    steps.sort((a, b) => a[1] - b[1]);
    steps.forEach(([label, us], j) => {
      const row = rows.get(label) ?? { since: [], gap: [] };
      row.since.push(us);
      row.gap.push(j === 0 ? 0 : us - steps[j - 1][1]);
      rows.set(label, row);
    });
  }
  return [...rows.entries()]
    .map(([step, r]) => ({ step, sinceSendUs: median(r.since), gapUs: median(r.gap), p90GapUs: summarize(r.gap).p90 }))
    .sort((a, b) => a.sinceSendUs - b.sinceSendUs);
}
