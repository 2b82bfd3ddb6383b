#!/usr/bin/env node
// Compiles src/ to dist/ (esbuild, one file at a time, no bundling): what bin/flow.js runs when it
// is up to date, so the service starts without a TypeScript loader in the process; then builds the
// web UI (ui/dist) when it is stale, so `npm start` needs neither a build step nor a writable checkout.
// Run by `npm ci`/`npm install` (the `prepare` script, production installs included) and `npm run build`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(root, 'src');
const dist = path.join(root, 'dist');

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  console.warn('flow build: esbuild is not installed; bin/flow.js will run the TypeScript sources through tsx');
  process.exit(0);
}

const files = (dir) => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]));

// Build beside dist/ and swap it in whole, so a process starting meanwhile never sees half a build.
const tmp = `${dist}.tmp-${process.pid}`;
fs.rmSync(tmp, { recursive: true, force: true });
for (const file of files(src)) {
  const dest = path.join(tmp, path.relative(src, file));
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  if (!file.endsWith('.ts')) {
    fs.copyFileSync(file, dest);
    continue;
  }
  const { code } = esbuild.transformSync(fs.readFileSync(file, 'utf8'), { loader: 'ts', format: 'esm', target: 'node22', sourcefile: path.relative(root, file) });
  fs.writeFileSync(dest.replace(/\.ts$/, '.js'), code);
}
fs.writeFileSync(path.join(tmp, '.built'), `${new Date().toISOString()}\n`);
const old = `${dist}.old-${process.pid}`;
if (fs.existsSync(dist)) fs.renameSync(dist, old);
fs.renameSync(tmp, dist);
fs.rmSync(old, { recursive: true, force: true });

// A UI that fails to build leaves the API working; `npm start` tries again (prestart).
spawnSync(process.execPath, [path.join(root, 'ui', 'build-if-stale.mjs')], { stdio: 'inherit', cwd: root });
