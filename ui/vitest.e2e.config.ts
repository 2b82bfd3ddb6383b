// Browser tests: a real Flow server (bin/flow.js serve) and Debian's headless Chromium driven by playwright-core.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['ui/e2e/**/*.e2e.ts'],
    globalSetup: ['ui/e2e/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 90_000,
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
  },
});
