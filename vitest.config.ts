import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // src/lazy/exports.ts loads modules with Node's require(), which cannot load src/'s TypeScript:
    // under vitest the facade's modules come from the same loader as the tests' (see the helper).
    alias: [
      {
        find: /^\.\/require-module\.js$/,
        replacement: fileURLToPath(new URL('./test/helpers/source-modules.ts', import.meta.url)),
      },
    ],
  },
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
