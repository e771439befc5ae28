import { compileWat, simdSupported } from '../../util/compile-kernel.js';
import {
  emitExactFunction,
  emitQuadFinish,
  emitSquaredNorm,
  emitTotals,
  quadFinishLocals,
  sumTree,
} from './wasm-lloyd-rows.js';

/**
 * The CPU Lloyd kernel in WebAssembly SIMD, generated per shape (K, D) as WAT text and assembled
 * with wabt. Rows are processed four at a time: in the column-major layout the values of one
 * feature for four consecutive rows are one 128-bit load.
 *
 * Labels come from the expanded form ‖c‖² − 2x·c in float32 (D multiply-adds per centre instead of
 * D subtract-multiply-adds, which is why it is fast), with the best and second-best tracked per
 * lane: where the two are closer than the expanded form's rounding could blur (|d₂ − d₁| ≤
 * τ·(‖x‖² + max‖c‖²)), the row is decided again exactly, in float64 with the direct form. The
 * squared distance, the inertia and the per-cluster sums are then computed in float64 from the
 * float32 values, as the JavaScript kernel does: labels agree with it except at true ties, and
 * every sum is the same up to float64 rounding.
 *
 * Signature: lloyd(nb, quads, flags, x, lab, sqd, c, cm2, q, acc, tau, qmax, ub, lb)
 *   memory offsets (bytes): x: the block, column-major with stride nb; lab: i32 labels (IN old,
 *   OUT new); sqd: f32 squared distances (OUT, flags bit 1); c: K×D centres; cm2: −2·centres; q:
 *   ‖c‖² (f32); acc: f64 K×D sums, K counts, inertia, changed (added to; sums and counts only
 *   with flags bit 0); ub, lb: f32 per row, an upper bound on the distance to the chosen centre and
 *   a lower bound on the distance to every other one (flags bit 2; for the next steps' skipping,
 *   see bounded-lloyd.ts). Rows [0, 4·quads) are processed; the caller does the remainder.
 */
export const ROW_TIE_TOLERANCE = 1e-5;

function lloydWat(k: number, d: number, shared: boolean): string {
  const out: string[] = [];
  const emit = (line: string): void => {
    out.push(line);
  };
  const locals: string[] = [];
  for (let j = 0; j < d; j++) locals.push(`(local $p${j} i32)`);
  locals.push('(local $row4 i32) (local $dist v128) (local $m v128)', ...quadFinishLocals(d));

  emit('(module');
  // A matrix's kernel memory is shared between the worker threads; a private copy buffer is not.
  emit(
    shared ? '  (import "env" "mem" (memory 1 65536 shared))' : '  (import "env" "mem" (memory 1))',
  );
  emitExactFunction(emit, k, d);
  emit(
    '  (func (export "lloyd") (param $nb i32) (param $quads i32) (param $flags i32) (param $x i32) (param $lab i32) (param $sqd i32) (param $c i32) (param $cm2 i32) (param $q i32) (param $acc i32) (param $tau f32) (param $qmax f32) (param $ub i32) (param $lb i32)',
  );
  emit('    ' + locals.join(' '));
  for (let j = 0; j < d; j++)
    emit(
      `    (local.set $p${j} (i32.add (local.get $x) (i32.mul (i32.const ${j * 4}) (local.get $nb))))`,
    );
  emit('    (if (i32.eqz (local.get $quads)) (then (return)))');
  emit('    (local.set $r (i32.const 0))');
  emit('    (loop $rows');
  emit('      (local.set $row4 (i32.shl (local.get $r) (i32.const 2)))');
  for (let j = 0; j < d; j++)
    emit(`      (local.set $x${j} (v128.load (i32.add (local.get $p${j}) (local.get $row4))))`);
  emitSquaredNorm(emit, d);
  // Labels from the expanded form, best and second best per lane.
  for (let c = 0; c < k; c++) {
    const terms = [`(v128.load32_splat (i32.add (local.get $q) (i32.const ${c * 4})))`];
    for (let j = 0; j < d; j++)
      terms.push(
        `(f32x4.mul (local.get $x${j}) (v128.load32_splat (i32.add (local.get $cm2) (i32.const ${(c * d + j) * 4}))))`,
      );
    emit(`      (local.set $dist ${sumTree(terms, 'f32x4.add')})`);
    if (c === 0) {
      emit(
        '      (local.set $best (local.get $dist)) (local.set $second (v128.const f32x4 inf inf inf inf)) (local.set $idx (v128.const i32x4 0 0 0 0))',
      );
    } else {
      emit('      (local.set $m (f32x4.lt (local.get $dist) (local.get $best)))');
      emit(
        '      (local.set $second (v128.bitselect (local.get $best) (f32x4.min (local.get $second) (local.get $dist)) (local.get $m)))',
      );
      emit(
        '      (local.set $best (v128.bitselect (local.get $dist) (local.get $best) (local.get $m)))',
      );
      emit(
        `      (local.set $idx (v128.bitselect (v128.const i32x4 ${c} ${c} ${c} ${c}) (local.get $idx) (local.get $m)))`,
      );
    }
  }
  emitQuadFinish(emit, k, d, 1);
  emit('      (local.set $r (i32.add (local.get $r) (i32.const 4)))');
  emit('      (br_if $rows (i32.lt_u (local.get $r) (i32.shl (local.get $quads) (i32.const 2)))))');
  emitTotals(emit, k, d);
  emit('  )');
  emit(')');
  return out.join('\n');
}

/** Shapes the SIMD kernel is generated for (its code grows with K·D). */
export function wasmKernelFits(k: number, d: number): boolean {
  return k * d <= 4096 && d <= 256 && simdSupported();
}

/** The compiled kernel for (K, D), for a shared or a private memory, assembled once per process. */
export function lloydWasmModule(
  k: number,
  d: number,
  shared: boolean,
): Promise<WebAssembly.Module> {
  return compileWat(
    `lloyd-${k}:${d}:${shared ? 'shared' : 'private'}`,
    () => lloydWat(k, d, shared),
    shared,
  );
}

/** Features rounded up to a multiple of four: the kernel's padded row length. */
export function paddedDims(d: number): number {
  return Math.ceil(d / 4) * 4;
}

/** Byte offsets of the kernel's buffers in a worker's memory, for blocks of up to `rows` rows. */
export function wasmLayout(
  rows: number,
  k: number,
  d: number,
): {
  x: number;
  lab: number;
  sqd: number;
  ub: number;
  lb: number;
  c: number;
  cm2: number;
  q: number;
  acc: number;
  bytes: number;
} {
  const align = (v: number) => Math.ceil(v / 16) * 16;
  const dp = paddedDims(d);
  const x = 0;
  const lab = align(x + rows * d * 4);
  const sqd = align(lab + rows * 4);
  const ub = align(sqd + rows * 4);
  const lb = align(ub + rows * 4);
  const c = align(lb + rows * 4);
  const cm2 = align(c + k * dp * 4);
  const q = align(cm2 + k * d * 4);
  const acc = align(q + k * 4);
  return { x, lab, sqd, ub, lb, c, cm2, q, acc, bytes: align(acc + (k * dp + k + 2) * 8) };
}
