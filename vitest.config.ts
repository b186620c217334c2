import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Safety nets, not measurements: a test that passes in 5 s idle may take ten times that on a busy
    // two-core machine; each wait inside a test has its own, shorter, descriptive deadline.
    testTimeout: 240_000,
    hookTimeout: 120_000,
    // Integration tests start real servers and processes; two workers match the 2-core machines.
    maxWorkers: 2,
  },
});
