import { EnvironmentError } from '../errors.js';
import { requireModule } from './require-module.js';

/**
 * The public API's lazy exports (issue 15): src/index.ts exports, for each heavy function, a
 * stand-in that loads the function's module on its first call, so that importing gpuseg loads no
 * apache-arrow, csv-parse, ECharts, algorithm or backend code.
 *
 * Modules load with require() of ES modules, not import(), because of the synchronous exports
 * (computeProfiles, writeTable, …): they must have their module at once, and Node cannot require()
 * a module while an import() of it is in flight. So the asynchronous exports load the same way
 * first, and gpuseg never leaves an import() of its own in flight. A require() can still meet
 * someone else's import() in flight (the host's own `import('apache-arrow')`, say; Node 20 then
 * fails with one of several internal errors, and recovers): an asynchronous export then loads
 * through import(), which waits for it, and a synchronous one throws an EnvironmentError saying so.
 */
export class LazyModule<M> {
  #loaded: M | undefined;
  /** `path`: the module's path under src/, as compiled ('api/fit.js'). */
  constructor(readonly path: string) {}

  /** The module, loaded now if it is not yet. */
  load(): M {
    if (this.#loaded) return this.#loaded;
    try {
      return (this.#loaded = requireModule(this.path) as M);
    } catch (e) {
      throw this.#loadError(e);
    }
  }

  /** As load, or else through import(), which waits for an import() in flight elsewhere. */
  async loadAsync(): Promise<M> {
    if (this.#loaded) return this.#loaded;
    try {
      return (this.#loaded = requireModule(this.path) as M);
    } catch {
      // Node 20 often recovers from the failed require(): import() links what it left.
      try {
        const url = new URL(`../${this.path}`, import.meta.url).href;
        return (this.#loaded = (await import(url)) as M);
      } catch (e) {
        throw this.#loadError(e);
      }
    }
  }

  #loadError(e: unknown): EnvironmentError {
    return new EnvironmentError(
      `gpuseg could not load its src/${this.path} (${e instanceof Error ? e.message.split('\n')[0] : String(e)}): it loads its modules on first use with require() of ES modules (Node.js ^20.19 or ≥ 22.12), which fails while an import() of a module they share is in flight; await your import() of apache-arrow before the first call of gpuseg`,
      { cause: e },
    );
  }
}

/** A function of the module's, under its own name, that loads the module on its first call. */
export function syncExport<M, K extends keyof M & string>(module: LazyModule<M>, name: K): M[K] {
  const call = (...args: unknown[]): unknown => functionOf(module.load(), name)(...args);
  return named(call, name) as M[K];
}

/** As syncExport, for a function that returns a promise: a failure to load rejects it. */
export function asyncExport<M, K extends keyof M & string>(module: LazyModule<M>, name: K): M[K] {
  const call = async (...args: unknown[]): Promise<unknown> =>
    functionOf(await module.loadAsync(), name)(...args);
  return named(call, name) as M[K];
}

function functionOf<M>(module: M, name: keyof M & string): (...args: unknown[]) => unknown {
  return module[name] as (...args: unknown[]) => unknown;
}

function named<F extends (...args: never[]) => unknown>(f: F, name: string): F {
  return Object.defineProperty(f, 'name', { value: name });
}
