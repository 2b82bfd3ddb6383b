import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'ui/src/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Child processes and loopback servers: keep parallelism modest on 2 cores.
    pool: 'forks',
    maxWorkers: 2,
    // Child processes (flow run, flow serve, paper-broker) keep the paper market open at any hour the suite runs.
    env: { FLOW_PAPER_ALWAYS_OPEN: '1' },
  },
});
