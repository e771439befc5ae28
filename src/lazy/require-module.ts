import { createRequire } from 'node:module';

/**
 * Loads one of gpuseg's own modules, named by its path under src/ ('api/fit.js'), synchronously:
 * Node's require() of an ES module (Node ≥ 20.19 and ≥ 22.12), which shares Node's module cache
 * with import(), so the module, and the apache-arrow it imports, are the very instances an
 * import() gives. test/helpers/source-modules.ts stands in for this file under vitest, which runs
 * src/ from TypeScript through its own loader.
 */
const require = createRequire(import.meta.url);

export function requireModule(path: string): unknown {
  return require(`../${path}`);
}
