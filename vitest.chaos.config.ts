import { defineConfig } from 'vitest/config';

/** `npm run test:chaos`: the long fault-injection runs on the local twin (test/chaos), apart from `npm test`. */
export default defineConfig({
  test: {
    include: ['test/chaos/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 1,
    testTimeout: 3_600_000,
    hookTimeout: 300_000,
    setupFiles: ['test/setup.ts'],
  },
});
