import { compileWat, simdSupported } from '../../util/compile-kernel.js';
import {
  emitExactFunction,
  emitQuadFinish,
  emitSquaredNorm,
  emitTotals,
  quadFinishLocals,
  type Emit,
} from './wasm-lloyd-rows.js';

/**
 * The CPU Lloyd kernel for many centres (K ≥ GEMM_MIN_K), in WebAssembly SIMD, generated per
 * shape (K, D): the expanded-form scores ‖c‖² − 2·x·c as a small matrix product, register-blocked.
 * A tile of ROW_QUADS × 4 rows against CENTRE_TILE centres keeps ROW_QUADS × CENTRE_TILE score
 * vectors in registers; for each feature j it loads the tile's x_j (one v128 per four rows, the
 * matrix being column-major) and splats each centre's −2·c_j once, so every load feeds several
 * multiply-adds. The direct kernel (wasm-kernel.ts) holds one quad's features and reloads every
 * centre coordinate per quad, fully unrolled over K·D: past a few dozen centres it is bound by
 * those loads and by its code size.
 *
 * Labels, distances, bounds and sums are finished exactly as in the direct kernel
 * (wasm-lloyd-rows.ts), row by row in row order: the best two scores per row are kept, and where
 * they are within err = tau·(‖x‖² + 2·max‖c‖²) the row is decided again by the float64 direct
 * form. Each score is q + Σ_j x_j·(−2c_j) added in feature order: its rounding is at most
 * (D + 2)·u·(‖x‖² + 2‖c‖²) (u = 2⁻²⁴; the D + 1 additions and products, and q's own rounding), so
 * two scores' difference is off by at most (2D + 4)·u·(‖x‖² + 2·max‖c‖²); gemmTieTolerance takes
 * twice that. Beyond err the expanded form orders the two centres as the exact distances do, so
 * the labels are those of the direct kernel, and so are the sums, counts, inertia and distances,
 * bit for bit (test/gemm-kernel.test.ts).
 *
 * Signature and memory layout: those of the direct kernel (wasm-kernel.ts, lloyd), so the same
 * drivers (wasm-lloyd-driver.ts) run it.
 */

/** From this many centres the GEMM-form kernel labels rows (bench: `gpuseg bench --backend cpu`). */
export const GEMM_MIN_K = 16;
/**
 * The register tile: ROW_QUADS quads of rows × CENTRE_TILE centres. x64 has 16 vector registers:
 * 8 score vectors, 2 x vectors, 4 splats and a product make 15, so the feature loop runs without
 * spills (2 × 4 measured fastest of 1×4, 2×4, 3×3, 3×4, 4×3, 2×6, 3×5 at K = 64 and 256: the
 * larger tiles spill).
 */
const ROW_QUADS = 2;
const CENTRE_TILE = 4;

/** The tie tolerance τ for D features (see above): (4D + 8)·2⁻²⁴, twice the rounding bound. */
export function gemmTieTolerance(d: number): number {
  return (4 * d + 8) * 2 ** -24;
}

function gemmWat(k: number, d: number, shared: boolean, rowQuads: number, centreTile: number) {
  const out: string[] = [];
  const emit: Emit = (line) => {
    out.push(line);
  };
  const locals = [
    '(local $stride i32) (local $cj i32) (local $je i32) (local $tr i32) (local $tiles i32) (local $pj i32) (local $cp i32) (local $qp i32) (local $ci i32)',
    '(local $sp v128) (local $cv v128) (local $m v128)',
    ...quadFinishLocals(d),
  ];
  for (let r = 0; r < rowQuads; r++) {
    locals.push(`(local $b${r} v128) (local $s${r} v128) (local $i${r} v128) (local $v${r} v128)`);
    for (let c = 0; c < centreTile; c++) locals.push(`(local $a${r}_${c} v128)`);
  }

  emit('(module');
  emit(
    shared ? '  (import "env" "mem" (memory 1 65536 shared))' : '  (import "env" "mem" (memory 1))',
  );
  emitExactFunction(emit, k, d);
  emit(
    '  (func (export "lloyd") (param $nb i32) (param $quads i32) (param $flags i32) (param $x i32) (param $lab i32) (param $sqd i32) (param $c i32) (param $cm2 i32) (param $q i32) (param $acc i32) (param $tau f32) (param $qmax f32) (param $ub i32) (param $lb i32)',
  );
  emit('    ' + locals.join(' '));
  emit('    (local.set $stride (i32.shl (local.get $nb) (i32.const 2)))');
  emit('    (local.set $tr (i32.const 0))');
  // Full tiles of rowQuads quads, then the quads left over one at a time.
  emit(`    (local.set $tiles (i32.div_u (local.get $quads) (i32.const ${rowQuads})))`);
  emit('    (block $full (loop $tile');
  emit('      (br_if $full (i32.eqz (local.get $tiles)))');
  emitTile(emit, k, d, rowQuads, centreTile);
  emit(`      (local.set $tr (i32.add (local.get $tr) (i32.const ${4 * rowQuads})))`);
  emit('      (local.set $tiles (i32.sub (local.get $tiles) (i32.const 1)))');
  emit('      (br $tile)))');
  if (rowQuads > 1) {
    emit('    (block $rest (loop $quad');
    emit(
      '      (br_if $rest (i32.ge_u (local.get $tr) (i32.shl (local.get $quads) (i32.const 2))))',
    );
    emitTile(emit, k, d, 1, centreTile);
    emit('      (local.set $tr (i32.add (local.get $tr) (i32.const 4)))');
    emit('      (br $quad)))');
  }
  emitTotals(emit, k, d);
  emit('  )');
  emit(')');
  return out.join('\n');
}

/** Labels rows $tr … $tr + 4·rq − 1 by the expanded form, then finishes them quad by quad. */
function emitTile(emit: Emit, k: number, d: number, rq: number, ct: number): void {
  const quadsOf = Array.from({ length: rq }, (_, r) => r);
  for (const r of quadsOf)
    emit(
      `      (local.set $b${r} (v128.const f32x4 inf inf inf inf)) (local.set $s${r} (v128.const f32x4 inf inf inf inf)) (local.set $i${r} (v128.const i32x4 0 0 0 0))`,
    );
  emit('      (local.set $cp (local.get $cm2)) (local.set $qp (local.get $q))');
  emit('      (local.set $ci (i32.const 0))');
  const whole = k - (k % ct);
  if (whole > 0) {
    emit('      (loop $centres');
    emitCentreTile(emit, d, rq, ct);
    emit(`        (br_if $centres (i32.lt_u (local.get $ci) (i32.const ${whole}))))`);
  }
  if (k % ct > 0) emitCentreTile(emit, d, rq, k % ct);
  for (const r of quadsOf) {
    emit(`      (local.set $r (i32.add (local.get $tr) (i32.const ${4 * r})))`);
    emit('      (local.set $pj (i32.add (local.get $x) (i32.shl (local.get $r) (i32.const 2))))');
    for (let j = 0; j < d; j++) {
      emit(`      (local.set $x${j} (v128.load (local.get $pj)))`);
      if (j + 1 < d) emit('      (local.set $pj (i32.add (local.get $pj) (local.get $stride)))');
    }
    emitSquaredNorm(emit, d);
    emit(
      `      (local.set $best (local.get $b${r})) (local.set $second (local.get $s${r})) (local.set $idx (local.get $i${r}))`,
    );
    emitQuadFinish(emit, k, d, 2);
  }
}

/**
 * Scores of `rq` quads against the `ct` centres from $ci (−2·c at $cp, ‖c‖² at $qp), folded into
 * the running best, second best and best index per lane (lowest index on equal scores); then
 * $cp, $qp and $ci move past the tile.
 */
function emitCentreTile(emit: Emit, d: number, rq: number, ct: number): void {
  const quads = Array.from({ length: rq }, (_, r) => r);
  const centres = Array.from({ length: ct }, (_, c) => c);
  for (const r of quads)
    for (const c of centres)
      emit(`        (local.set $a${r}_${c} (v128.load32_splat offset=${c * 4} (local.get $qp)))`);
  // A loop over the features, not unrolled: in one long straight block V8 issues every load of
  // the tile first and spills them (seen in --print-wasm-code); a loop keeps each feature's loads
  // next to their multiply-adds.
  emit('        (local.set $pj (i32.add (local.get $x) (i32.shl (local.get $tr) (i32.const 2))))');
  emit('        (local.set $cj (local.get $cp))');
  emit(`        (local.set $je (i32.add (local.get $cp) (i32.const ${d * 4})))`);
  emit('        (loop $features');
  for (const r of quads)
    emit(`          (local.set $v${r} (v128.load offset=${16 * r} (local.get $pj)))`);
  for (const c of centres) {
    emit(`          (local.set $sp (v128.load32_splat offset=${c * d * 4} (local.get $cj)))`);
    for (const r of quads)
      emit(
        `          (local.set $a${r}_${c} (f32x4.add (local.get $a${r}_${c}) (f32x4.mul (local.get $v${r}) (local.get $sp))))`,
      );
  }
  emit('          (local.set $pj (i32.add (local.get $pj) (local.get $stride)))');
  emit('          (local.set $cj (i32.add (local.get $cj) (i32.const 4)))');
  emit('          (br_if $features (i32.lt_u (local.get $cj) (local.get $je))))');
  for (const c of centres) {
    emit(`        (local.set $cv (i32x4.splat (i32.add (local.get $ci) (i32.const ${c}))))`);
    for (const r of quads) {
      // a < best: a is the new best and the old best the new second; else a may be the second.
      // So second = min(second, max(a, best)), best = min(best, a): pmin/pmax (one instruction
      // each; scores are never NaN) instead of bitselects.
      const a = `(local.get $a${r}_${c})`;
      const b = `(local.get $b${r})`;
      emit(`        (local.set $m (f32x4.lt ${a} ${b}))`);
      emit(`        (local.set $s${r} (f32x4.pmin (local.get $s${r}) (f32x4.pmax ${a} ${b})))`);
      emit(`        (local.set $b${r} (f32x4.pmin ${b} ${a}))`);
      emit(
        `        (local.set $i${r} (v128.bitselect (local.get $cv) (local.get $i${r}) (local.get $m)))`,
      );
    }
  }
  emit(`        (local.set $cp (i32.add (local.get $cp) (i32.const ${ct * d * 4})))`);
  emit(`        (local.set $qp (i32.add (local.get $qp) (i32.const ${ct * 4})))`);
  emit(`        (local.set $ci (i32.add (local.get $ci) (i32.const ${ct})))`);
}

/** Shapes the GEMM-form kernel can be generated for (its code grows with D, not with K). */
export function gemmKernelFits(k: number, d: number): boolean {
  return k >= 2 && d <= 256 && simdSupported();
}

/** The compiled GEMM-form kernel for (K, D), for a shared or a private memory, once per process. */
export function gemmWasmModule(
  k: number,
  d: number,
  shared: boolean,
  tile: { rowQuads: number; centreTile: number } = {
    rowQuads: ROW_QUADS,
    centreTile: CENTRE_TILE,
  },
): Promise<WebAssembly.Module> {
  const { rowQuads, centreTile } = tile;
  return compileWat(
    `gemm-${k}:${d}:${rowQuads}x${centreTile}:${shared ? 'shared' : 'private'}`,
    () => gemmWat(k, d, shared, rowQuads, centreTile),
    shared,
  );
}
