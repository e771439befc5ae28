import { compileWat, simdSupported } from '../../util/compile-kernel.js';

/**
 * The diagonal Gaussian mixture's E-step in WebAssembly SIMD, for matrices that live in a shared
 * WebAssembly memory (the CPU backend's usual case), generated per shape (K, D). Two exports:
 *
 * gmm_estep(nb, x, first, quads, mp, b, lp, r, rs, stats, minr): for rows [first, first + 4·quads),
 *   four rows a vector (one 128-bit load per feature of the column-major matrix at byte offset x,
 *   stride nb rows), in float32 as the GPU kernel computes: the log-densities
 *   lp[c] = B[c] − ½ Σ_j ((x_j − μ_cj)·p_cj)², their maximum and its component (lowest index on
 *   ties), e_c = exp(lp[c] − max) by a polynomial, their sum, and the responsibilities e_c / sum
 *   (0 below minr) at r + (c·rs + row)·4, component-major. Per quad q at stats + 48·q: the
 *   maxima, the sums (f32x4) and the components (i32x4), from which the caller takes
 *   log p(x) = max + log(sum) and the labels. mp: K×D means then K×D precisions (f32); b: K
 *   constants (f32); lp: K×16 bytes of scratch.
 * gmm_acc(nb, x, first, quads, r, rs, acc): the raw moments Σ r, Σ r·x, Σ r·x² of the same rows, in
 *   float64 (products and sums), added to acc (K, then K×D, then K×D f64); a (component, feature)
 *   pair's two sums stay in registers over all the rows.
 *
 * The per-row JavaScript kernel spends most of a diagonal E-step on K exponentials (a call each)
 * and on K·D multiply-adds for the densities and 2·K·D for the moments; here they are vectors.
 */
function gmmWat(k: number, d: number, shared: boolean): string {
  const out: string[] = [];
  const emit = (line: string): void => {
    out.push(line);
  };
  emit('(module');
  emit(
    shared ? '  (import "env" "mem" (memory 1 65536 shared))' : '  (import "env" "mem" (memory 1))',
  );

  const locals: string[] = [];
  for (let j = 0; j < d; j++) locals.push(`(local $p${j} i32) (local $x${j} v128)`);
  locals.push(
    '(local $q i32) (local $row4 i32) (local $ro i32) (local $so i32) (local $s v128) (local $v v128) (local $mx v128) (local $sum v128) (local $idx v128) (local $m v128) (local $inv v128)',
  );
  locals.push('(local $z v128) (local $nf v128) (local $pw v128)');
  emit(
    '  (func (export "gmm_estep") (param $nb i32) (param $x i32) (param $first i32) (param $quads i32) (param $mp i32) (param $b i32) (param $lp i32) (param $r i32) (param $rs i32) (param $stats i32) (param $minr f32)',
  );
  emit('    ' + locals.join(' '));
  for (let j = 0; j < d; j++)
    emit(
      `    (local.set $p${j} (i32.add (local.get $x) (i32.add (i32.mul (i32.const ${j * 4}) (local.get $nb)) (i32.shl (local.get $first) (i32.const 2)))))`,
    );
  emit('    (if (i32.eqz (local.get $quads)) (then (return)))');
  emit('    (loop $rows');
  emit('      (local.set $row4 (i32.shl (local.get $q) (i32.const 4)))');
  for (let j = 0; j < d; j++)
    emit(`      (local.set $x${j} (v128.load (i32.add (local.get $p${j}) (local.get $row4))))`);
  // Log-densities, their maximum and its component (lowest index on ties).
  for (let c = 0; c < k; c++) {
    const terms = Array.from({ length: d }, (_, j) => {
      const mean = `(v128.load32_splat (i32.add (local.get $mp) (i32.const ${(c * d + j) * 4})))`;
      const prec = `(v128.load32_splat (i32.add (local.get $mp) (i32.const ${(k * d + c * d + j) * 4})))`;
      const t = `(f32x4.mul (f32x4.sub (local.get $x${j}) ${mean}) ${prec})`;
      return `(f32x4.mul ${t} ${t})`;
    });
    emit(
      `      (local.set $v (f32x4.sub (v128.load32_splat (i32.add (local.get $b) (i32.const ${c * 4}))) (f32x4.mul (v128.const f32x4 0.5 0.5 0.5 0.5) ${sumTree(terms)})))`,
    );
    emit(`      (v128.store offset=${c * 16} (local.get $lp) (local.get $v))`);
    if (c === 0)
      emit('      (local.set $mx (local.get $v)) (local.set $idx (v128.const i32x4 0 0 0 0))');
    else {
      emit('      (local.set $m (f32x4.gt (local.get $v) (local.get $mx)))');
      emit('      (local.set $mx (v128.bitselect (local.get $v) (local.get $mx) (local.get $m)))');
      emit(
        `      (local.set $idx (v128.bitselect (v128.const i32x4 ${c} ${c} ${c} ${c}) (local.get $idx) (local.get $m)))`,
      );
    }
  }
  // exp(lp − max) per component (≤ 1), their sum, then the responsibilities, component-major.
  emit('      (local.set $sum (v128.const f32x4 0 0 0 0))');
  emit('      (local.set $ro (i32.add (local.get $r) (local.get $row4)))');
  for (let c = 0; c < k; c++) {
    emit(
      `      (local.set $z (f32x4.sub (v128.load offset=${c * 16} (local.get $lp)) (local.get $mx)))`,
    );
    for (const line of expInto('$z', '$v')) emit(line);
    emit(`      (v128.store offset=${c * 16} (local.get $lp) (local.get $v))`);
    emit('      (local.set $sum (f32x4.add (local.get $sum) (local.get $v)))');
  }
  emit('      (local.set $inv (f32x4.div (v128.const f32x4 1 1 1 1) (local.get $sum)))');
  for (let c = 0; c < k; c++) {
    emit(
      `      (local.set $v (f32x4.mul (v128.load offset=${c * 16} (local.get $lp)) (local.get $inv)))`,
    );
    // Responsibilities below minr add nothing a float32 statistic could hold.
    emit(
      '      (local.set $v (v128.and (local.get $v) (f32x4.ge (local.get $v) (f32x4.splat (local.get $minr)))))',
    );
    emit(
      `      (v128.store (i32.add (local.get $ro) (i32.mul (i32.const ${c * 4}) (local.get $rs))) (local.get $v))`,
    );
  }
  emit(
    '      (local.set $so (i32.add (local.get $stats) (i32.mul (local.get $q) (i32.const 48))))',
  );
  emit('      (v128.store (local.get $so) (local.get $mx))');
  emit('      (v128.store offset=16 (local.get $so) (local.get $sum))');
  emit('      (v128.store offset=32 (local.get $so) (local.get $idx))');
  emit(
    '      (br_if $rows (i32.lt_u (local.tee $q (i32.add (local.get $q) (i32.const 1))) (local.get $quads))))',
  );
  emit('  )');

  // Moments: for each component, its responsibilities (f32, promoted) against each feature
  // column, two rows a float64 vector; the two running sums of a pair stay in registers.
  emit(
    '  (func (export "gmm_acc") (param $nb i32) (param $x i32) (param $first i32) (param $quads i32) (param $r i32) (param $rs i32) (param $acc i32)',
  );
  emit(
    '    (local $c i32) (local $j i32) (local $q i32) (local $rc i32) (local $xc i32) (local $xv v128) (local $xl v128) (local $xh v128) (local $rv v128) (local $pl v128) (local $ph v128) (local $a1 v128) (local $a2 v128) (local $n v128) (local $at i32)',
  );
  emit('    (if (i32.eqz (local.get $quads)) (then (return)))');
  emit('    (local.set $c (i32.const 0))');
  emit('    (loop $cl');
  emit(
    '      (local.set $rc (i32.add (local.get $r) (i32.shl (i32.mul (local.get $c) (local.get $rs)) (i32.const 2))))',
  );
  emit('      (local.set $n (v128.const f64x2 0 0)) (local.set $q (i32.const 0))');
  emit('      (loop $nl');
  emit(
    '        (local.set $rv (v128.load (i32.add (local.get $rc) (i32.shl (local.get $q) (i32.const 4)))))',
  );
  emit(
    '        (local.set $n (f64x2.add (local.get $n) (f64x2.add (f64x2.promote_low_f32x4 (local.get $rv)) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $rv) (local.get $rv))))))',
  );
  emit(
    '        (br_if $nl (i32.lt_u (local.tee $q (i32.add (local.get $q) (i32.const 1))) (local.get $quads))))',
  );
  emit('      (local.set $at (i32.add (local.get $acc) (i32.shl (local.get $c) (i32.const 3))))');
  emit(
    '      (f64.store (local.get $at) (f64.add (f64.load (local.get $at)) (f64.add (f64x2.extract_lane 0 (local.get $n)) (f64x2.extract_lane 1 (local.get $n)))))',
  );
  emit('      (local.set $j (i32.const 0))');
  emit('      (loop $jl');
  emit(
    '        (local.set $xc (i32.add (local.get $x) (i32.add (i32.shl (i32.mul (local.get $j) (local.get $nb)) (i32.const 2)) (i32.shl (local.get $first) (i32.const 2)))))',
  );
  emit(
    '        (local.set $a1 (v128.const f64x2 0 0)) (local.set $a2 (v128.const f64x2 0 0)) (local.set $q (i32.const 0))',
  );
  emit('        (loop $ql');
  emit(
    '          (local.set $xv (v128.load (i32.add (local.get $xc) (i32.shl (local.get $q) (i32.const 4)))))',
  );
  emit(
    '          (local.set $rv (v128.load (i32.add (local.get $rc) (i32.shl (local.get $q) (i32.const 4)))))',
  );
  emit('          (local.set $xl (f64x2.promote_low_f32x4 (local.get $xv)))');
  emit(
    '          (local.set $xh (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $xv) (local.get $xv))))',
  );
  emit(
    '          (local.set $pl (f64x2.mul (f64x2.promote_low_f32x4 (local.get $rv)) (local.get $xl)))',
  );
  emit(
    '          (local.set $ph (f64x2.mul (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $rv) (local.get $rv))) (local.get $xh)))',
  );
  emit(
    '          (local.set $a1 (f64x2.add (local.get $a1) (f64x2.add (local.get $pl) (local.get $ph))))',
  );
  emit(
    '          (local.set $a2 (f64x2.add (local.get $a2) (f64x2.add (f64x2.mul (local.get $pl) (local.get $xl)) (f64x2.mul (local.get $ph) (local.get $xh)))))',
  );
  emit(
    '          (br_if $ql (i32.lt_u (local.tee $q (i32.add (local.get $q) (i32.const 1))) (local.get $quads))))',
  );
  emit(
    `        (local.set $at (i32.add (local.get $acc) (i32.shl (i32.add (i32.const ${k}) (i32.add (i32.mul (local.get $c) (i32.const ${d})) (local.get $j))) (i32.const 3))))`,
  );
  emit(
    '        (f64.store (local.get $at) (f64.add (f64.load (local.get $at)) (f64.add (f64x2.extract_lane 0 (local.get $a1)) (f64x2.extract_lane 1 (local.get $a1)))))',
  );
  emit(
    `        (f64.store offset=${k * d * 8} (local.get $at) (f64.add (f64.load offset=${k * d * 8} (local.get $at)) (f64.add (f64x2.extract_lane 0 (local.get $a2)) (f64x2.extract_lane 1 (local.get $a2)))))`,
  );
  emit(
    `        (br_if $jl (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (i32.const ${d}))))`,
  );
  emit(
    `      (br_if $cl (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 1))) (i32.const ${k}))))`,
  );
  emit('  )');
  emit(')');
  return out.join('\n');
}

/**
 * exp(z) for z ≤ 0 in float32, four lanes: z = n·ln2 + f with |f| ≤ ln2/2 (ln2 split in two for
 * an exact reduction), e^f by its Taylor polynomial to degree 6 (relative error below 2e-7), and
 * 2^n put in the exponent bits; lanes below −87 (where e^z leaves float32's normal range) give 0.
 */
function expInto(z: string, out: string): string[] {
  const g = (name: string) => `(local.get ${name})`;
  const splat = (v: number) => `(v128.const f32x4 ${v} ${v} ${v} ${v})`;
  const lines: string[] = [];
  lines.push(
    `      (local.set $nf (f32x4.nearest (f32x4.mul ${g(z)} ${splat(1.4426950408889634)})))`,
  );
  lines.push(
    `      (local.set $s (f32x4.sub (f32x4.sub ${g(z)} (f32x4.mul ${g('$nf')} ${splat(0.693359375)})) (f32x4.mul ${g('$nf')} ${splat(-2.1219444e-4)})))`,
  );
  const coefficients = [1 / 720, 1 / 120, 1 / 24, 1 / 6, 0.5, 1, 1];
  let poly = splat(coefficients[0]);
  for (const c of coefficients.slice(1))
    poly = `(f32x4.add (f32x4.mul ${poly} ${g('$s')}) ${splat(c)})`;
  lines.push(
    `      (local.set $pw (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s ${g('$nf')}) (v128.const i32x4 127 127 127 127)) (i32.const 23)))`,
  );
  lines.push(
    `      (local.set ${out} (v128.and (f32x4.mul ${poly} ${g('$pw')}) (f32x4.ge ${g(z)} ${splat(-87)})))`,
  );
  return lines;
}

/** Pairwise sum of f32x4 terms (a balanced tree: shorter dependency chains than a running sum). */
function sumTree(terms: string[]): string {
  if (terms.length === 1) return terms[0];
  const mid = terms.length >> 1;
  return `(f32x4.add ${sumTree(terms.slice(0, mid))} ${sumTree(terms.slice(mid))})`;
}

/** Where the driver keeps its buffers in a thread's scratch slot, for pieces of `rows` rows. */
export function gmmWasmLayout(
  k: number,
  d: number,
  rows: number,
): { mp: number; b: number; lp: number; r: number; stats: number; acc: number; bytes: number } {
  const align = (v: number) => Math.ceil(v / 16) * 16;
  const mp = 0;
  const b = align(mp + 2 * k * d * 4);
  const lp = align(b + k * 4);
  const r = align(lp + k * 16);
  const stats = align(r + k * rows * 4);
  const acc = align(stats + (rows / 4) * 48);
  return { mp, b, lp, r, stats, acc, bytes: align(acc + (k + 2 * k * d) * 8) };
}

/** Rows per piece: a multiple of four whose buffers fit a scratch slot; 0 when none does. */
export function gmmWasmRows(k: number, d: number, slotBytes: number): number {
  for (let rows = 512; rows >= 4; rows >>= 1)
    if (gmmWasmLayout(k, d, rows).bytes <= slotBytes) return rows;
  return 0;
}

export function gmmWasmFits(k: number, d: number): boolean {
  return k * d <= 4096 && simdSupported();
}

export function gmmWasmModule(k: number, d: number): Promise<WebAssembly.Module> {
  return compileWat(`gmm-${k}:${d}`, () => gmmWat(k, d, true), true);
}
