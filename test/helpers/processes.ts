// Flow's own processes as an operator starts them: real child processes, their exit codes and signals.
import { spawn } from 'node:child_process';
import path from 'node:path';

export const root = path.resolve(__dirname, '../..');
export const bin = path.join(root, 'bin/flow.js');

export interface Exit { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }
export interface RunOptions {
  env?: Record<string, string>;
  /** The process must end within this (default 60 s: the build machine is shared and slow). */
  ms?: number;
  /** Sees the output so far as it comes, to signal the process. */
  onStdout?: (all: string, kill: (s: NodeJS.Signals) => void) => void;
}

export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, FLOW_BROKER: '', OPENALGO_HOST: '', ...opts.env } });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args.join(' ')} did not end within ${opts.ms ?? 60_000} ms\n${stdout}\n${stderr}`));
    }, opts.ms ?? 60_000);
    child.stdout.on('data', (d) => {
      stdout += d;
      opts.onStdout?.(stdout, (s) => child.kill(s));
    });
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** `flow ARGS` on the Node running the tests. */
export const flow = (args: string[], opts?: RunOptions) => run(process.execPath, [bin, ...args], opts);

/** `flow serve` on an ephemeral loopback port; once it listens, `whileUp` runs against it, then SIGTERM. */
export function serveThenTerm(dataDir: string, whileUp: (url: string) => Promise<void> = async () => {}, env?: Record<string, string>): Promise<Exit & { during?: unknown }> {
  let during: Promise<unknown> | undefined;
  return flow(['serve', '--port', '0', '--data-dir', dataDir], {
    env,
    onStdout: (all, kill) => {
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(all)?.[1];
      if (url && !during) during = whileUp(url).then(() => undefined, (e: unknown) => e).finally(() => kill('SIGTERM'));
    },
  }).then(async (exit) => ({ ...exit, during: await during }));
}

export const exitOf = (e: Exit) => ({ code: e.code, signal: e.signal });
