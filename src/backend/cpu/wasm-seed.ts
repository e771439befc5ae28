import { compileWat, simdSupported } from '../../util/compile-kernel.js';

/**
 * The seeding passes (kernel-source.ts: seedMinDist, seedPotentials) in WebAssembly SIMD, for a
 * matrix that lives in a shared WebAssembly memory, generated per D. They give the JavaScript
 * kernels' results bit for bit, so that a seeding does not depend on which path (or how many
 * threads) ran it: the same float64 arithmetic in the same order (x − c, squared, added feature
 * by feature from zero), rounded to float32 where those round, and the potentials summed row by
 * row in float64. Only the work is laid out differently: two rows in a float64x2 vector, two
 * vectors in flight, each row read once for all the candidates of a call.
 *
 * min_dist(nb, x, first, quads, c, count, md): for the rows [first, first + 4·quads) of the
 *   column-major matrix at byte offset x (stride nb rows), md[t] = min(md[t], min over the count
 *   candidates of fround(Σ_j (x_j − c_lj)²)); md: float32 per row of the call; c: count×D float64.
 * potentials(nb, x, first, quads, c, count, md, s): s[l] += Σ_t min(md[t], fround(Σ_j (x_j − c_lj)²))
 *   added one row at a time in row order; s: count float64.
 */
function seedWat(d: number): string {
  const out: string[] = [];
  const emit = (line: string): void => {
    out.push(line);
  };
  const locals: string[] = [];
  for (let j = 0; j < d; j++)
    locals.push(`(local $p${j} i32) (local $a${j} v128) (local $b${j} v128)`);
  locals.push(
    '(local $q i32) (local $o i32) (local $l i32) (local $cl i32) (local $da v128) (local $db v128) (local $t v128) (local $f v128) (local $v v128) (local $sl i32) (local $s f64)',
  );
  const header = (name: string, extra: string) =>
    `  (func (export "${name}") (param $nb i32) (param $x i32) (param $first i32) (param $quads i32) (param $c i32) (param $count i32) (param $md i32)${extra}`;
  const prologue = (): void => {
    emit('    ' + locals.join(' '));
    emit(
      '    (if (i32.or (i32.eqz (local.get $quads)) (i32.eqz (local.get $count))) (then (return)))',
    );
    for (let j = 0; j < d; j++)
      emit(
        `    (local.set $p${j} (i32.add (local.get $x) (i32.shl (i32.add (i32.mul (i32.const ${j}) (local.get $nb)) (local.get $first)) (i32.const 2))))`,
      );
    emit('    (local.set $q (i32.const 0))');
    emit('    (loop $rows');
    emit('      (local.set $o (i32.shl (local.get $q) (i32.const 4)))');
    // Rows 0-1 of the quad in $a, rows 2-3 in $b, as float64 (exact).
    for (let j = 0; j < d; j++) {
      emit(
        `      (local.set $a${j} (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $p${j}) (local.get $o)))))`,
      );
      emit(
        `      (local.set $b${j} (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (i32.add (local.get $p${j}) (local.get $o)))))`,
      );
    }
    emit('      (local.set $v (v128.load (i32.add (local.get $md) (local.get $o))))');
    emit('      (local.set $l (i32.const 0)) (local.set $cl (local.get $c))');
    emit('      (loop $cands');
    // Σ_j (x_j − c_j)², a left fold from the first square, as the JavaScript kernel adds.
    for (let j = 0; j < d; j++) {
      const cj = `(v128.load64_splat offset=${j * 8} (local.get $cl))`;
      for (const half of ['a', 'b'] as const) {
        const acc = half === 'a' ? '$da' : '$db';
        emit(`        (local.set $t (f64x2.sub (local.get $${half}${j}) ${cj}))`);
        emit(
          j === 0
            ? `        (local.set ${acc} (f64x2.mul (local.get $t) (local.get $t)))`
            : `        (local.set ${acc} (f64x2.add (local.get ${acc}) (f64x2.mul (local.get $t) (local.get $t))))`,
        );
      }
    }
    // fround of the four distances, rows in order.
    emit(
      '        (local.set $f (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (f32x4.demote_f64x2_zero (local.get $da)) (f32x4.demote_f64x2_zero (local.get $db))))',
    );
  };
  const epilogue = (): void => {
    emit(`        (local.set $cl (i32.add (local.get $cl) (i32.const ${d * 8})))`);
    emit(
      '        (br_if $cands (i32.lt_u (local.tee $l (i32.add (local.get $l) (i32.const 1))) (local.get $count))))',
    );
  };

  emit('(module');
  emit('  (import "env" "mem" (memory 1 65536 shared))');
  emit(header('min_dist', ''));
  prologue();
  emit('        (local.set $v (f32x4.min (local.get $v) (local.get $f)))');
  epilogue();
  emit('      (v128.store (i32.add (local.get $md) (local.get $o)) (local.get $v))');
  emit(
    '      (br_if $rows (i32.lt_u (local.tee $q (i32.add (local.get $q) (i32.const 1))) (local.get $quads)))))',
  );

  emit(header('potentials', ' (param $sums i32)'));
  prologue();
  emit('        (local.set $f (f32x4.min (local.get $v) (local.get $f)))');
  emit(
    '        (local.set $sl (i32.add (local.get $sums) (i32.shl (local.get $l) (i32.const 3))))',
  );
  emit('        (local.set $s (f64.load (local.get $sl)))');
  for (let lane = 0; lane < 4; lane++)
    emit(
      `        (local.set $s (f64.add (local.get $s) (f64.promote_f32 (f32x4.extract_lane ${lane} (local.get $f)))))`,
    );
  emit('        (f64.store (local.get $sl) (local.get $s))');
  epilogue();
  emit(
    '      (br_if $rows (i32.lt_u (local.tee $q (i32.add (local.get $q) (i32.const 1))) (local.get $quads)))))',
  );
  emit(')');
  return out.join('\n');
}

/** Feature counts the seeding kernel is generated for (its code grows with D). */
export function seedWasmFits(d: number): boolean {
  return d <= 256 && simdSupported();
}

/** The compiled seeding kernel for D features, assembled once per process. */
export function seedWasmModule(d: number): Promise<WebAssembly.Module> {
  return compileWat(`seed-${d}`, () => seedWat(d), true);
}
