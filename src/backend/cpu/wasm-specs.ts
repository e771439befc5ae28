import { KERNEL_SCRATCH_BYTES } from '../../data/matrix.js';
import { GMM_MIN_RESPONSIBILITY } from './kernel-source.js';
import type { WasmBoundedSpec, WasmGmmSpec, WasmKernelSpec, WasmSeedSpec } from './run-block.js';
import { boundedWasmFits, boundedWasmModule } from './wasm-bounded.js';
import { gmmWasmFits, gmmWasmLayout, gmmWasmModule, gmmWasmRows } from './wasm-gmm.js';
import { gemmKernelFits, gemmTieTolerance, gemmWasmModule } from './wasm-gemm.js';
import { lloydWasmModule, ROW_TIE_TOLERANCE, wasmKernelFits, wasmLayout } from './wasm-kernel.js';
import { seedWasmFits, seedWasmModule } from './wasm-seed.js';

/**
 * The WebAssembly kernels' descriptions for a job (run-block.ts), where the shape and the matrix
 * suit them; undefined where the JavaScript kernel runs instead. Modules are assembled once per
 * shape and process (util/compile-kernel.ts); a description travels to the worker threads.
 */

/** Rows per block: each block's partial summary is added in block order (cpu-backend.ts). */
export const CPU_BLOCK_ROWS = 32768;

/**
 * The SIMD Lloyd kernel: in place when the matrix lives in a kernel memory (its offsets then
 * within a thread's scratch slot, which must hold them), else on copies in a private memory.
 * From gemmMinK centres it is the GEMM-form kernel (wasm-gemm.ts: register tiles of rows ×
 * centres), below it the direct one (wasm-kernel.ts); both give the same labels, distances and
 * sums, bit for bit.
 */
export async function wasmKernelSpec(
  inPlace: boolean,
  k: number,
  d: number,
  gemmMinK: number,
): Promise<WasmKernelSpec | undefined> {
  const gemm = k >= gemmMinK && gemmKernelFits(k, d);
  if (!gemm && !wasmKernelFits(k, d)) return undefined;
  const layout = wasmLayout(inPlace ? 0 : CPU_BLOCK_ROWS, k, d);
  if (inPlace && layout.bytes > KERNEL_SCRATCH_BYTES) return undefined;
  return {
    key: `${gemm ? 'gemm' : 'direct'}:${k}:${d}`,
    module: gemm ? await gemmWasmModule(k, d, inPlace) : await lloydWasmModule(k, d, inPlace),
    k,
    d,
    layout,
    maxRows: CPU_BLOCK_ROWS,
    tau: gemm ? gemmTieTolerance(d) : ROW_TIE_TOLERANCE,
    inPlace,
    slotBytes: KERNEL_SCRATCH_BYTES,
  };
}

/** The SIMD diagonal E-step (wasm-gmm.ts), for a matrix in a kernel memory. */
export async function wasmGmmSpec(
  form: 'diag' | 'full',
  k: number,
  d: number,
): Promise<WasmGmmSpec | undefined> {
  if (form !== 'diag' || !gmmWasmFits(k, d)) return undefined;
  const rows = gmmWasmRows(k, d, KERNEL_SCRATCH_BYTES);
  if (rows === 0) return undefined;
  return {
    key: `${k}:${d}`,
    module: await gmmWasmModule(k, d),
    k,
    d,
    layout: gmmWasmLayout(k, d, rows),
    rows,
    minResponsibility: GMM_MIN_RESPONSIBILITY,
    slotBytes: KERNEL_SCRATCH_BYTES,
  };
}

/**
 * The SIMD seeding kernels (wasm-seed.ts), for a matrix in a kernel memory: the same results as
 * the JavaScript kernels, bit for bit, on the workers and the calling thread alike.
 */
export async function wasmSeedSpec(d: number): Promise<WasmSeedSpec | undefined> {
  if (!seedWasmFits(d)) return undefined;
  return {
    key: `seed:${d}`,
    module: await seedWasmModule(d),
    d,
    slotBytes: KERNEL_SCRATCH_BYTES,
    maxRows: CPU_BLOCK_ROWS,
  };
}

/** The WebAssembly bounded step (wasm-bounded.ts), for labels and bounds in a kernel memory. */
export async function wasmBoundedSpec(k: number, d: number): Promise<WasmBoundedSpec | undefined> {
  if (!boundedWasmFits(k, d, KERNEL_SCRATCH_BYTES)) return undefined;
  return {
    key: `bounded:${k}:${d}`,
    module: await boundedWasmModule(k, d),
    k,
    d,
    slotBytes: KERNEL_SCRATCH_BYTES,
  };
}
