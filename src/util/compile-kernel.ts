import type wabtInit from 'wabt';

/**
 * The one place where gpuseg turns text into code. Kernels generated per shape (WAT for the
 * WebAssembly SIMD kernels, JavaScript for the plain CPU kernels) and the fixed kernels read from
 * files (wasm/*.wat) all compile here, once per key and thread:
 * - WAT is assembled by wabt into bytes and compiled with WebAssembly.compile, which works under
 *   `node --disallow-code-generation-from-strings` (no JavaScript is made from text);
 * - JavaScript kernels go through `new Function`, the only one in the package. Where the host
 *   forbids code generation from strings, the caller's fallback (a plain TypeScript kernel with
 *   the same arithmetic in the same order) is used instead.
 */

type Wabt = Awaited<ReturnType<typeof wabtInit>>;
let wabt: Promise<Wabt> | undefined;
const modules = new Map<string, Promise<WebAssembly.Module>>();

/** Assembles WAT text (made on first use) into a module, once per key and process. */
export function compileWat(
  key: string,
  wat: () => string,
  shared: boolean,
): Promise<WebAssembly.Module> {
  let module = modules.get(key);
  if (!module) {
    module = (async () => {
      // Imported on first use: worker threads, which never assemble, do not load wabt.
      wabt ??= import('wabt').then((m) => m.default());
      const parsed = (await wabt).parseWat(`${key}.wat`, wat(), { simd: true, threads: shared });
      try {
        return await WebAssembly.compile(parsed.toBinary({}).buffer);
      } finally {
        parsed.destroy();
      }
    })();
    modules.set(key, module);
  }
  return module;
}

let simd: boolean | undefined;

/** Whether this engine has WebAssembly SIMD (the WAT kernels need it). */
export function simdSupported(): boolean {
  // A module of one function returning a v128: valid only where SIMD is.
  simd ??=
    typeof WebAssembly === 'object' &&
    WebAssembly.validate(
      new Uint8Array([
        0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0,
        253, 15, 253, 98, 11,
      ]),
    );
  return simd;
}

let codeFromStrings: boolean | undefined;

/** False under `node --disallow-code-generation-from-strings` (new Function throws EvalError). */
export function codeGenerationFromStrings(): boolean {
  if (codeFromStrings === undefined) {
    try {
      codeFromStrings = new Function('return true')() === true;
    } catch {
      codeFromStrings = false;
    }
  }
  return codeFromStrings;
}

/** A JavaScript kernel generated for one shape: `body` returns the kernel function. */
export interface KernelText {
  key: string;
  body: string;
}

const jsKernels = new Map<string, unknown>();

/**
 * The kernel `source.body` returns, compiled once per key on this thread; `fallback()` where the
 * host forbids code generation from strings.
 */
export function compileJsKernel<F>(source: KernelText, fallback: () => F): F {
  let fn = jsKernels.get(source.key) as F | undefined;
  if (fn === undefined) {
    fn = codeGenerationFromStrings() ? (new Function(source.body)() as F) : fallback();
    jsKernels.set(source.key, fn);
  }
  return fn;
}
