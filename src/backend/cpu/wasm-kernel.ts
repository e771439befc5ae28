import { compileWat, simdSupported } from '../../util/compile-kernel.js';

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
  const g = Math.ceil(d / 4); // feature groups of four (the last padded with zeros)
  const dp = g * 4;
  const out: string[] = [];
  const emit = (line: string): void => {
    out.push(line);
  };
  const locals: string[] = [];
  for (let j = 0; j < d; j++) locals.push(`(local $p${j} i32)`);
  for (let j = 0; j < dp; j++) locals.push(`(local $x${j} v128)`);
  for (let q = 0; q < g; q++)
    for (let lane = 0; lane < 4; lane++) locals.push(`(local $R${lane}_${q} v128)`);
  locals.push(
    '(local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128) (local $s v128)',
  );
  locals.push(
    '(local $r i32) (local $row4 i32) (local $dist v128) (local $best v128) (local $second v128) (local $idx v128) (local $m v128) (local $xx v128)',
  );
  locals.push(
    '(local $l i32) (local $dd f32) (local $inertia f64) (local $changed i32) (local $row i32) (local $sumBase i32) (local $cBase i32) (local $cnt i32) (local $bestS f32) (local $secondS f32) (local $xxS f32) (local $err f32)',
  );

  emit('(module');
  // A matrix's kernel memory is shared between the worker threads; a private copy buffer is not.
  emit(
    shared ? '  (import "env" "mem" (memory 1 65536 shared))' : '  (import "env" "mem" (memory 1))',
  );
  // Exact argmin of row `row` in float64, direct form, lowest index on ties (centres: K×Dp f32).
  emit(
    '  (func $exact (param $row i32) (param $nb i32) (param $x i32) (param $c i32) (result i32)',
  );
  emit(
    '    (local $cc i32) (local $j i32) (local $s f64) (local $t f64) (local $bestD f64) (local $best i32)',
  );
  emit('    (local.set $bestD (f64.const inf))');
  emit('    (local.set $cc (i32.const 0))');
  emit('    (loop $cl');
  emit('      (local.set $s (f64.const 0)) (local.set $j (i32.const 0))');
  emit('      (loop $jl');
  emit('        (local.set $t (f64.sub');
  emit(
    '          (f64.promote_f32 (f32.load (i32.add (local.get $x) (i32.shl (i32.add (i32.mul (local.get $j) (local.get $nb)) (local.get $row)) (i32.const 2)))))',
  );
  emit(
    `          (f64.promote_f32 (f32.load (i32.add (local.get $c) (i32.shl (i32.add (i32.mul (local.get $cc) (i32.const ${dp})) (local.get $j)) (i32.const 2)))))))`,
  );
  emit('        (local.set $s (f64.add (local.get $s) (f64.mul (local.get $t) (local.get $t))))');
  emit(
    `        (br_if $jl (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (i32.const ${d}))))`,
  );
  emit(
    '      (if (f64.lt (local.get $s) (local.get $bestD)) (then (local.set $bestD (local.get $s)) (local.set $best (local.get $cc))))',
  );
  emit(
    `      (br_if $cl (i32.lt_u (local.tee $cc (i32.add (local.get $cc) (i32.const 1))) (i32.const ${k}))))`,
  );
  emit('    (local.get $best))');

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
  const xxTerms = Array.from(
    { length: d },
    (_, j) => `(f32x4.mul (local.get $x${j}) (local.get $x${j}))`,
  );
  emit(`      (local.set $xx ${sumTree(xxTerms, 'f32x4.add')})`);
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
  // Transpose each 4×4 block (4 rows × 4 features) so that $R<lane>_<group> holds one row's features.
  for (let j = d; j < dp; j++) emit(`      (local.set $x${j} (v128.const i32x4 0 0 0 0))`);
  const lanes = (a: number[], b: number[]): string =>
    [...a, ...b].flatMap((lane) => [0, 1, 2, 3].map((byte) => lane * 4 + byte)).join(' ');
  for (let q = 0; q < g; q++) {
    const [a, b, c, e] = [0, 1, 2, 3].map((o) => `(local.get $x${q * 4 + o})`);
    emit(`      (local.set $t0 (i8x16.shuffle ${lanes([0, 4], [1, 5])} ${a} ${b}))`);
    emit(`      (local.set $t1 (i8x16.shuffle ${lanes([0, 4], [1, 5])} ${c} ${e}))`);
    emit(`      (local.set $t2 (i8x16.shuffle ${lanes([2, 6], [3, 7])} ${a} ${b}))`);
    emit(`      (local.set $t3 (i8x16.shuffle ${lanes([2, 6], [3, 7])} ${c} ${e}))`);
    emit(
      `      (local.set $R0_${q} (i8x16.shuffle ${lanes([0, 1], [4, 5])} (local.get $t0) (local.get $t1)))`,
    );
    emit(
      `      (local.set $R1_${q} (i8x16.shuffle ${lanes([2, 3], [6, 7])} (local.get $t0) (local.get $t1)))`,
    );
    emit(
      `      (local.set $R2_${q} (i8x16.shuffle ${lanes([0, 1], [4, 5])} (local.get $t2) (local.get $t3)))`,
    );
    emit(
      `      (local.set $R3_${q} (i8x16.shuffle ${lanes([2, 3], [6, 7])} (local.get $t2) (local.get $t3)))`,
    );
  }
  // Per row: the exact label where the expanded form could not tell, the direct-form squared
  // distance (float32 vectors, no cancellation), the label change, and float64 sums.
  for (let lane = 0; lane < 4; lane++) {
    emit(`      (local.set $row (i32.add (local.get $r) (i32.const ${lane})))`);
    emit(`      (local.set $l (i32x4.extract_lane ${lane} (local.get $idx)))`);
    emit(`      (local.set $bestS (f32x4.extract_lane ${lane} (local.get $best)))`);
    emit(`      (local.set $secondS (f32x4.extract_lane ${lane} (local.get $second)))`);
    emit(`      (local.set $xxS (f32x4.extract_lane ${lane} (local.get $xx)))`);
    emit(
      '      (if (f32.le (f32.sub (local.get $secondS) (local.get $bestS)) (f32.mul (local.get $tau) (f32.add (local.get $xxS) (local.get $qmax))))',
    );
    emit(
      '        (then (local.set $l (call $exact (local.get $row) (local.get $nb) (local.get $x) (local.get $c)))))',
    );
    emit(
      `      (local.set $cBase (i32.add (local.get $c) (i32.mul (local.get $l) (i32.const ${dp * 4}))))`,
    );
    const diffs = Array.from({ length: g }, (_, q) => {
      const diff = `(f32x4.sub (local.get $R${lane}_${q}) (v128.load offset=${q * 16} (local.get $cBase)))`;
      return `(f32x4.mul ${diff} ${diff})`;
    });
    // The same difference twice reads better than a local per group; the engine computes it once.
    emit(`      (local.set $s ${sumTree(diffs, 'f32x4.add')})`);
    emit(
      '      (local.set $dd (f32.add (f32.add (f32x4.extract_lane 0 (local.get $s)) (f32x4.extract_lane 1 (local.get $s))) (f32.add (f32x4.extract_lane 2 (local.get $s)) (f32x4.extract_lane 3 (local.get $s)))))',
    );
    emit(
      '      (local.set $inertia (f64.add (local.get $inertia) (f64.promote_f32 (local.get $dd))))',
    );
    // Bounds for the next steps (flags bit 2): the distance to the chosen centre is at most
    // √(‖x‖² + best + err), and to every other centre at least √(‖x‖² + second − err), where err =
    // τ·(‖x‖² + max‖c‖²) bounds the expanded form's rounding (also where the label was decided again
    // exactly: the chosen centre is then the true nearest).
    emit('      (if (i32.and (local.get $flags) (i32.const 4)) (then');
    emit(
      '        (local.set $err (f32.mul (local.get $tau) (f32.add (local.get $xxS) (local.get $qmax))))',
    );
    emit(
      '        (f32.store (i32.add (local.get $ub) (i32.shl (local.get $row) (i32.const 2))) (f32.sqrt (f32.max (f32.const 0) (f32.add (f32.add (local.get $xxS) (local.get $bestS)) (local.get $err)))))',
    );
    emit(
      '        (f32.store (i32.add (local.get $lb) (i32.shl (local.get $row) (i32.const 2))) (f32.sqrt (f32.max (f32.const 0) (f32.sub (f32.add (local.get $xxS) (local.get $secondS)) (local.get $err)))))))',
    );
    emit(
      '      (if (i32.and (local.get $flags) (i32.const 2)) (then (f32.store (i32.add (local.get $sqd) (i32.shl (local.get $row) (i32.const 2))) (local.get $dd))))',
    );
    emit(
      '      (if (i32.ne (i32.load (i32.add (local.get $lab) (i32.shl (local.get $row) (i32.const 2)))) (local.get $l))',
    );
    emit(
      '        (then (local.set $changed (i32.add (local.get $changed) (i32.const 1))) (i32.store (i32.add (local.get $lab) (i32.shl (local.get $row) (i32.const 2))) (local.get $l))))',
    );
    const sums: string[] = [];
    for (let q = 0; q < g; q++) {
      const v = `(local.get $R${lane}_${q})`;
      const hi = `(i8x16.shuffle ${lanes([2, 3], [2, 3])} ${v} ${v})`;
      sums.push(
        `(v128.store offset=${q * 32} (local.get $sumBase) (f64x2.add (v128.load offset=${q * 32} (local.get $sumBase)) (f64x2.promote_low_f32x4 ${v})))`,
      );
      sums.push(
        `(v128.store offset=${q * 32 + 16} (local.get $sumBase) (f64x2.add (v128.load offset=${q * 32 + 16} (local.get $sumBase)) (f64x2.promote_low_f32x4 ${hi})))`,
      );
    }
    emit('      (if (i32.and (local.get $flags) (i32.const 1)) (then');
    emit(
      `        (local.set $sumBase (i32.add (local.get $acc) (i32.mul (local.get $l) (i32.const ${dp * 8}))))`,
    );
    emit('        ' + sums.join(' '));
    emit(
      `        (local.set $cnt (i32.add (local.get $acc) (i32.add (i32.const ${k * dp * 8}) (i32.shl (local.get $l) (i32.const 3)))))`,
    );
    emit(
      '        (f64.store (local.get $cnt) (f64.add (f64.load (local.get $cnt)) (f64.const 1)))))',
    );
  }
  emit('      (local.set $r (i32.add (local.get $r) (i32.const 4)))');
  emit('      (br_if $rows (i32.lt_u (local.get $r) (i32.shl (local.get $quads) (i32.const 2)))))');
  emit(
    `    (f64.store offset=${(k * dp + k) * 8} (local.get $acc) (f64.add (f64.load offset=${(k * dp + k) * 8} (local.get $acc)) (local.get $inertia)))`,
  );
  emit(
    `    (f64.store offset=${(k * dp + k + 1) * 8} (local.get $acc) (f64.add (f64.load offset=${(k * dp + k + 1) * 8} (local.get $acc)) (f64.convert_i32_u (local.get $changed)))))`,
  );
  emit(')');
  return out.join('\n');
}

/** A balanced tree of binary `op`s over `terms` (shorter dependency chains than a left fold). */
function sumTree(terms: string[], op: string): string {
  if (terms.length === 1) return terms[0];
  const mid = terms.length >> 1;
  return `(${op} ${sumTree(terms.slice(0, mid), op)} ${sumTree(terms.slice(mid), op)})`;
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
