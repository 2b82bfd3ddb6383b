#!/usr/bin/env node
// Builds ui/dist when it is missing or older than any UI source, so `npm ci && npm start` serves
// the UI without a separate step. Runs as `prestart` and before the browser tests.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ui = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(ui);
const built = path.join(ui, 'dist', 'index.html');
const sources = [path.join(ui, 'src'), path.join(ui, 'index.html'), path.join(ui, 'vite.config.ts'), path.join(root, 'package-lock.json')];

function newest(p) {
  if (!fs.existsSync(p)) return 0;
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...fs.readdirSync(p).map((f) => newest(path.join(p, f))));
}

const builtAt = fs.existsSync(built) ? fs.statSync(built).mtimeMs : 0;
if (builtAt && builtAt >= Math.max(...sources.map(newest))) process.exit(0);

const vite = path.join(root, 'node_modules', 'vite', 'bin', 'vite.js');
if (!fs.existsSync(vite)) {
  console.warn('flow: the web UI is not built and vite is not installed (npm ci installs it); serving the API only');
  process.exit(0);
}
console.log(builtAt ? 'flow: UI sources changed, rebuilding the web UI…' : 'flow: building the web UI (first start)…');
const r = spawnSync(process.execPath, [vite, 'build', '--config', path.join(ui, 'vite.config.ts')], { stdio: 'inherit', cwd: root });
if (r.status !== 0) {
  console.error('flow: the web UI build failed; the API still starts');
  process.exit(0);
}
