// Before the browser tests: the UI built from the current sources, and a Chromium to drive.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { CHROMIUM } from './harness';

export default function setup(): void {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium), as .ci/run does`);
  }
  const r = spawnSync(process.execPath, ['ui/build-if-stale.mjs'], { stdio: 'inherit' });
  if (r.status !== 0 || !fs.existsSync('ui/dist/index.html')) throw new Error('the web UI did not build');
}
