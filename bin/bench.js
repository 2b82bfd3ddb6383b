#!/usr/bin/env node
// `npm run bench [-- NAME… [--tsx] [--runs 3 …]]`: runs each bench in a fresh process so one's memory
// and JIT state never colour another's figures, on a copy of src/ and bench/ compiled to plain
// JavaScript first (bench/build-js.ts): what `npm start` runs (dist/). --tsx runs the TypeScript
// sources through tsx instead.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

const BENCHES = ['webhook-to-order', 'engine', 'scale', 'stream', 'rehearse', 'pg'];
// Run only when named: it needs a PostgreSQL server.
const BY_DEFAULT = BENCHES.filter((b) => b !== 'pg');
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const names = argv.filter((a) => BENCHES.includes(a));
const compiled = !argv.includes('--tsx');
const options = argv.filter((a) => !BENCHES.includes(a) && a !== '--js' && a !== '--tsx');
const unknown = options.filter((a, i) => !a.startsWith('--') && !(i > 0 && options[i - 1].startsWith('--')));
if (unknown.length) {
  console.error(`unknown bench ${unknown.join(', ')}; one of: ${BENCHES.join(', ')}`);
  process.exit(2);
}

// `flow serve` (webhook-to-order, scale) runs as bin/flow.js runs it: the compiled dist/, rebuilt now.
spawnSync(process.execPath, [path.join(repo, 'bin', 'build.js')], { stdio: 'inherit' });

if (names.length === 1 && !compiled) {
  register();
  const bench = await import(`../bench/${names[0]}.ts`);
  await bench.run(options);
  process.exit(0);
}

let runner = fileURLToPath(import.meta.url);
let built = null;
if (compiled) {
  register();
  const { buildJs } = await import('../bench/build-js.ts');
  built = buildJs(repo);
  runner = path.join(built, 'bin', 'bench.js');
  console.log(`compiled src/ and bench/ to ${built} (esbuild, no tsx at run time)`);
}
let failed = 0;
for (const name of names.length ? names : BY_DEFAULT) {
  const r = spawnSync(process.execPath, [runner, name, ...options], { stdio: 'inherit', env: { ...process.env, FLOW_BENCH_REPO: repo } });
  if (r.status !== 0) failed++;
}
if (built) fs.rmSync(built, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
