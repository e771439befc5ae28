import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { packageRoot } from './package-root.js';

/**
 * The URL of a compiled module beside the calling one (worker entry points): next to it when the
 * caller runs from dist/, and its compiled twin under dist/ when the caller runs from the
 * TypeScript sources (the test runner; `npm test` builds dist/ first), since a worker thread
 * starts from a JavaScript file.
 */
export function compiledModule(callerUrl: string, file: string): URL {
  const caller = fileURLToPath(callerUrl);
  if (!caller.endsWith('.ts')) return new URL(file, callerUrl);
  const root = packageRoot();
  return pathToFileURL(join(root, 'dist', relative(root, dirname(caller)), file));
}

/**
 * The Node options for a worker started from a file: the host's (the default) unless it runs
 * with --input-type, which Node refuses for anything but eval'd input and would stop the worker
 * from starting (`node --input-type=module -e …`); then none (V8 flags such as
 * --disallow-code-generation-from-strings are process-wide and hold in workers regardless).
 */
export function workerExecArgv(): string[] | undefined {
  return process.execArgv.some((a) => a === '--input-type' || a.startsWith('--input-type='))
    ? []
    : undefined;
}
