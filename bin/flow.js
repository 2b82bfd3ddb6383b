#!/usr/bin/env node
// The `flow` command. Runs the compiled dist/ when it is newer than every source file (npm ci
// builds it), otherwise the TypeScript sources through tsx, so an edited checkout is never stale.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

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

if (compiledIsFresh()) {
  await import('../dist/cli.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli.ts');
}
