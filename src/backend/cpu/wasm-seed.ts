import { compileWat, simdSupported } from './wasm-kernel.js';

/**
 * The seeding passes (kernel-source.ts: seedMinDist, seedPotentials) in WebAssembly SIMD, for a
 * matrix that lives in a shared WebAssembly memory, generated per D. They give the JavaScript
 * kernels' results bit for bit, so that a seeding does not depend on which path (or how many
 * threads) ran it: the same float64 arithmetic in the same order (x − c, squared, added feature
 * by feature from zero), rounded to float32 where those round, and the potentials summed row by
 * row in float64. Only the work is laid out differently: two rows in a float64x2 vector, two
 * vectors in flight, each row read once for all the candidates of a call.
 *
 * min_dist(nb, first, quads, c, count, md): for the rows [first, first + 4·quads) of the
 *   column-major matrix at offset 0 (stride nb rows), md[t] = min(md[t], min over the count
 *   candidates of fround(Σ_j (x_j − c_lj)²)); md: float32 per row of the call; c: count×D float64.
 * potentials(nb, first, quads, c, count, md, s): s[l] += Σ_t min(md[t], fround(Σ_j (x_j − c_lj)²))
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
    `  (func (export "${name}") (param $nb i32) (param $first i32) (param $quads i32) (param $c i32) (param $count i32) (param $md i32)${extra}`;
  const prologue = (): void => {
    emit('    ' + locals.join(' '));
    emit(
      '    (if (i32.or (i32.eqz (local.get $quads)) (i32.eqz (local.get $count))) (then (return)))',
    );
    for (let j = 0; j < d; j++)
      emit(
        `    (local.set $p${j} (i32.shl (i32.add (i32.mul (i32.const ${j}) (local.get $nb)) (local.get $first)) (i32.const 2)))`,
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
  return d <= 256 && typeof WebAssembly === 'object' && simdSupported();
}

/** The compiled seeding kernel for D features, assembled once per process. */
export function seedWasmModule(d: number): Promise<WebAssembly.Module> {
  return compileWat(`seed-${d}`, () => seedWat(d), true);
}

/**
 * The JavaScript around the kernel, as text (for the worker threads and the calling thread alike,
 * see worker-source.ts). makeWasmSeed(module, d, memory, base, slotBytes, maxRows) returns
 * { seedMinDist, seedPotentials } with the JavaScript kernels' signatures and results: a thread's
 * scratch slot at `base` holds the call's minimum distances, then the candidates as float64 (in
 * batches that fit), then their sums. Rows past the last whole quad go through the same
 * arithmetic here.
 */
export const SEED_WASM_DRIVER_SOURCE = String.raw`
function makeWasmSeed(module, d, memory, base, slotBytes, maxRows) {
  const ex = new WebAssembly.Instance(module, { env: { mem: memory } }).exports;
  const f32 = new Float32Array(memory.buffer);
  const f64 = new Float64Array(memory.buffer);
  const mdOff = base, cOff = base + maxRows * 4;
  // Candidates (D values) and their sums (one value) per batch entry, float64.
  const batch = Math.floor((slotBytes - maxRows * 4) / ((d + 1) * 8));
  if (batch < 1) throw new Error('the seeding kernel has no room for one candidate of ' + d + ' features');
  function load(C, from, count) {
    const c0 = cOff / 8;
    for (let t = 0; t < count * d; t++) f64[c0 + t] = C[from * d + t];
    return cOff + count * d * 8;
  }
  function dist(X, n, i, C, l) {
    let t = 0, s = 0;
    for (let j = 0; j < d; j++) { t = X[j * n + i] - C[l * d + j]; s += t * t; }
    return Math.fround(s);
  }
  function inPlace(X) {
    if (X.byteOffset !== 0) throw new Error('the seeding kernel wants the matrix at offset 0 of its memory');
  }
  function seedMinDist(X, n, i0, i1, C, count, minDist, reset, blockSums, blockRows) {
    inPlace(X);
    const m0 = mdOff / 4;
    for (let p0 = i0; p0 < i1; p0 += maxRows) {
      const rows = Math.min(maxRows, i1 - p0), quads = rows >> 2;
      if (reset) f32.fill(Infinity, m0, m0 + rows); else f32.set(minDist.subarray(p0, p0 + rows), m0);
      for (let from = 0; from < count; from += batch) {
        const b = Math.min(batch, count - from);
        load(C, from, b);
        ex.min_dist(n, p0, quads, cOff, b, mdOff);
        for (let t = quads * 4; t < rows; t++) {
          let v = f32[m0 + t];
          for (let l = from; l < from + b; l++) { const f = dist(X, n, p0 + t, C, l); if (f < v) v = f; }
          f32[m0 + t] = v;
        }
      }
      minDist.set(f32.subarray(m0, m0 + rows), p0);
    }
    for (let b0 = i0; b0 < i1; b0 += blockRows) {
      const b1 = Math.min(i1, b0 + blockRows); let s = 0;
      for (let i = b0; i < b1; i++) s += minDist[i];
      blockSums[b0 / blockRows] = s;
    }
  }
  function seedPotentials(X, n, i0, i1, cands, L, minDist, out) {
    inPlace(X);
    const m0 = mdOff / 4;
    for (let from = 0; from < L; from += batch) {
      const b = Math.min(batch, L - from);
      const sOff = load(cands, from, b), s0 = sOff / 8;
      f64.fill(0, s0, s0 + b);
      for (let p0 = i0; p0 < i1; p0 += maxRows) {
        const rows = Math.min(maxRows, i1 - p0), quads = rows >> 2;
        f32.set(minDist.subarray(p0, p0 + rows), m0);
        ex.potentials(n, p0, quads, cOff, b, mdOff, sOff);
        for (let t = quads * 4; t < rows; t++) {
          const m = f32[m0 + t];
          for (let l = 0; l < b; l++) { const f = dist(X, n, p0 + t, cands, from + l); f64[s0 + l] += f < m ? f : m; }
        }
      }
      for (let l = 0; l < b; l++) out[from + l] += f64[s0 + l];
    }
  }
  return { seedMinDist, seedPotentials };
}
`;
