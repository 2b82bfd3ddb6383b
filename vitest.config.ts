import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'ui/src/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Child processes and loopback servers: keep parallelism modest on 2 cores.
    pool: 'forks',
    maxWorkers: 2,
  },
});
