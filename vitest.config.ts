import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup-env.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // GPU tests share one software device; files run one at a time so their timings stay sane.
    fileParallelism: false,
    reporters: ['default'],
  },
});
