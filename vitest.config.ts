import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The long fault-injection suite runs on its own: npm run test:chaos (vitest.chaos.config.ts).
    exclude: ['test/chaos/**', 'node_modules/**'],
    pool: 'forks',
    // 2-core machines: integration files each start real engines (a JVM among them).
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    setupFiles: ['test/setup.ts'],
  },
});
