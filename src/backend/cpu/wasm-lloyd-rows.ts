/**
 * The per-row half of the SIMD Lloyd kernels (wasm-kernel.ts: the direct kernel's labels from the
 * expanded form row by row; wasm-gemm.ts: the same labels from register tiles of rows × centres).
 * Both end the same way, four rows at a time, and share this text:
 * - $exact: the nearest centre of one row in float64, direct form, lowest index on ties — where
 *   the best two expanded-form scores are closer than their rounding bound, the row's label is
 *   decided again by it, so labels are the exact ones whichever form ranked the centres;
 * - the quad finish: the label, the direct-form squared distance in float32, the bounds, the
 *   label change and the float64 sums, row by row in row order (so sums and counts are the same
 *   bits whichever kernel labelled the rows).
 */

/** Emits one line of WAT. */
export type Emit = (line: string) => void;

/** A balanced tree of binary `op`s over `terms` (shorter dependency chains than a left fold). */
export function sumTree(terms: string[], op: string): string {
  if (terms.length === 1) return terms[0];
  const mid = terms.length >> 1;
  return `(${op} ${sumTree(terms.slice(0, mid), op)} ${sumTree(terms.slice(mid), op)})`;
}

/**
 * Locals the quad finish uses: $x0… (the quad's features, one v128 per feature, padded to a
 * multiple of four), $xx (‖x‖² per lane), $best, $second (the best two expanded-form scores per
 * lane), $idx (the best centre per lane), $r (the quad's first row), and its own scratch.
 */
export function quadFinishLocals(d: number): string[] {
  const g = Math.ceil(d / 4);
  const dp = g * 4;
  const locals: string[] = [];
  for (let j = 0; j < dp; j++) locals.push(`(local $x${j} v128)`);
  for (let q = 0; q < g; q++)
    for (let lane = 0; lane < 4; lane++) locals.push(`(local $R${lane}_${q} v128)`);
  locals.push(
    '(local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128) (local $s v128)',
    '(local $r i32) (local $best v128) (local $second v128) (local $idx v128) (local $xx v128)',
    '(local $l i32) (local $dd f32) (local $inertia f64) (local $changed i32) (local $row i32) (local $sumBase i32) (local $cBase i32) (local $cnt i32) (local $bestS f32) (local $secondS f32) (local $xxS f32) (local $err f32)',
  );
  return locals;
}

/** $xx from $x0…: Σ x² per lane, in float32, as a balanced tree. */
export function emitSquaredNorm(emit: Emit, d: number): void {
  const xxTerms = Array.from(
    { length: d },
    (_, j) => `(f32x4.mul (local.get $x${j}) (local.get $x${j}))`,
  );
  emit(`      (local.set $xx ${sumTree(xxTerms, 'f32x4.add')})`);
}

/** The function $exact(row, nb, x, c) → label (centres: K×Dp float32 at byte offset c). */
export function emitExactFunction(emit: Emit, k: number, d: number): void {
  const dp = Math.ceil(d / 4) * 4;
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
}

/**
 * Finishes the quad of rows $r … $r+3 (see quadFinishLocals). Where best and second are within
 * err = tau·(‖x‖² + qmaxFactor·max‖c‖²) the label is decided again by $exact; err also widens the
 * bounds written with flags bit 2.
 */
export function emitQuadFinish(emit: Emit, k: number, d: number, qmaxFactor: 1 | 2): void {
  const g = Math.ceil(d / 4);
  const dp = g * 4;
  const normTerm =
    qmaxFactor === 1
      ? '(f32.add (local.get $xxS) (local.get $qmax))'
      : '(f32.add (local.get $xxS) (f32.mul (f32.const 2) (local.get $qmax)))';
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
      `      (if (f32.le (f32.sub (local.get $secondS) (local.get $bestS)) (f32.mul (local.get $tau) ${normTerm}))`,
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
    emit(`        (local.set $err (f32.mul (local.get $tau) ${normTerm}))`);
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
}

/** Adds the call's inertia and changed count to acc (after the last quad). */
export function emitTotals(emit: Emit, k: number, d: number): void {
  const dp = Math.ceil(d / 4) * 4;
  emit(
    `    (f64.store offset=${(k * dp + k) * 8} (local.get $acc) (f64.add (f64.load offset=${(k * dp + k) * 8} (local.get $acc)) (local.get $inertia)))`,
  );
  emit(
    `    (f64.store offset=${(k * dp + k + 1) * 8} (local.get $acc) (f64.add (f64.load offset=${(k * dp + k + 1) * 8} (local.get $acc)) (f64.convert_i32_u (local.get $changed))))`,
  );
}
