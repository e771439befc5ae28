import { BOUND_MARGIN } from './kernel-source.js';
import { compileWat, simdSupported } from '../../util/compile-kernel.js';

/**
 * The bounded Lloyd step (kernel-source.ts, boundedLloydKernelSource: Hamerly's test per row, the
 * rows that fail it decided again, the sums moved by the rows that change) in WebAssembly, for a
 * matrix in a shared WebAssembly memory, generated per (K, D). The same float64 arithmetic in the
 * same order as the JavaScript kernel, so the same bits; what it saves is the JavaScript kernel's
 * warm-up (a fit's first bounded steps ran in the interpreter and baseline tiers: 110–180 ms
 * instead of 40–50 at 1M rows) and part of its per-row cost.
 *
 * bounded(nb, x, i0, i1, lab, ub, lb, geo, c, acc, far, nextFar, farthest): rows [i0, i1) of
 *   the column-major matrix at byte offset x (stride nb rows); lab: i32 labels, ub/lb: f32 bounds per row
 *   (byte offsets of row 0); geo: f64 shift[K] then half[K]; c: K×D centres as f64; acc: f64
 *   K×D sums, K counts, changed, recomputed (added to).
 */
function boundedWat(k: number, d: number): string {
  const kd = k * d;
  const up = `${1 + BOUND_MARGIN}`;
  const down = `${1 - BOUND_MARGIN}`;
  const out: string[] = [];
  const emit = (line: string): void => {
    out.push(line);
  };
  const x = (j: number) => `(local.get $x${j})`;
  const rowAt = (base: string) =>
    `(i32.add (local.get ${base}) (i32.shl (local.get $i) (i32.const 2)))`;
  // Σ_j (x_j − c_j)² from the first square, c at byte offset `centre` (f64), as the JavaScript adds.
  const distance = (centre: string): string => {
    let s = '';
    for (let j = 0; j < d; j++) {
      const t = `(f64.sub ${x(j)} (f64.load offset=${j * 8} ${centre}))`;
      s = j === 0 ? `(f64.mul ${t} ${t})` : `(f64.add ${s} (f64.mul ${t} ${t}))`;
    }
    return s;
  };
  const keep = [
    `(f32.store ${rowAt('$ub')} (f32.demote_f64 (f64.mul (local.get $u) (f64.const ${up}))))`,
    `(f32.store ${rowAt('$lb')} (f32.demote_f64 (f64.mul (local.get $l) (f64.const ${down}))))`,
  ].join(' ');

  emit('(module');
  emit('  (import "env" "mem" (memory 1 65536 shared))');
  emit(
    '  (func (export "bounded") (param $nb i32) (param $x i32) (param $i0 i32) (param $i1 i32) (param $lab i32) (param $ub i32) (param $lb i32) (param $geo i32) (param $c i32) (param $acc i32) (param $far f64) (param $nextFar f64) (param $farthest i32)',
  );
  const locals = [
    '(local $i i32) (local $a i32) (local $best i32) (local $cc i32) (local $co i32) (local $oa i32) (local $ob i32)',
  ];
  locals.push(
    '(local $u f64) (local $l f64) (local $m f64) (local $h f64) (local $q f64) (local $bd f64) (local $sd f64) (local $changed f64) (local $recomputed f64)',
  );
  for (let j = 0; j < d; j++) locals.push(`(local $x${j} f64)`);
  emit('    ' + locals.join(' '));
  emit('    (local.set $i (local.get $i0))');
  emit('    (block $done (loop $rows');
  emit('      (br_if $done (i32.ge_u (local.get $i) (local.get $i1)))');
  emit('      (block $next');
  emit(`        (local.set $a (i32.load ${rowAt('$lab')}))`);
  emit(
    `        (local.set $u (f64.add (f64.promote_f32 (f32.load ${rowAt('$ub')})) (f64.load (i32.add (local.get $geo) (i32.shl (local.get $a) (i32.const 3))))))`,
  );
  emit(
    `        (local.set $l (f64.sub (f64.promote_f32 (f32.load ${rowAt('$lb')})) (select (local.get $nextFar) (local.get $far) (i32.eq (local.get $a) (local.get $farthest)))))`,
  );
  emit(
    `        (local.set $h (f64.load offset=${k * 8} (i32.add (local.get $geo) (i32.shl (local.get $a) (i32.const 3)))))`,
  );
  emit(
    '        (local.set $m (select (local.get $h) (local.get $l) (f64.gt (local.get $h) (local.get $l))))',
  );
  emit(`        (if (f64.lt (local.get $u) (local.get $m)) (then ${keep} (br $next)))`);
  for (let j = 0; j < d; j++) {
    emit(
      `        (local.set $x${j} (f64.promote_f32 (f32.load (i32.add (local.get $x) (i32.shl (i32.add (i32.mul (i32.const ${j}) (local.get $nb)) (local.get $i)) (i32.const 2))))))`,
    );
  }
  emit(
    `        (local.set $u (f64.sqrt ${distance(`(i32.add (local.get $c) (i32.mul (local.get $a) (i32.const ${d * 8})))`)}))`,
  );
  emit(`        (if (f64.lt (local.get $u) (local.get $m)) (then ${keep} (br $next)))`);
  // Every distance, in centre order; best and second best (lowest index on ties).
  emit('        (local.set $recomputed (f64.add (local.get $recomputed) (f64.const 1)))');
  emit(
    '        (local.set $best (i32.const 0)) (local.set $bd (f64.const inf)) (local.set $sd (f64.const inf))',
  );
  emit('        (local.set $cc (i32.const 0)) (local.set $co (local.get $c))');
  emit('        (loop $centres');
  emit(`          (local.set $q ${distance('(local.get $co)')})`);
  emit('          (if (f64.lt (local.get $q) (local.get $bd))');
  emit(
    '            (then (local.set $sd (local.get $bd)) (local.set $bd (local.get $q)) (local.set $best (local.get $cc)))',
  );
  emit(
    '            (else (if (f64.lt (local.get $q) (local.get $sd)) (then (local.set $sd (local.get $q))))))',
  );
  emit(`          (local.set $co (i32.add (local.get $co) (i32.const ${d * 8})))`);
  emit(
    `          (br_if $centres (i32.lt_u (local.tee $cc (i32.add (local.get $cc) (i32.const 1))) (i32.const ${k}))))`,
  );
  emit(
    `        (f32.store ${rowAt('$ub')} (f32.demote_f64 (f64.mul (f64.sqrt (local.get $bd)) (f64.const ${up}))))`,
  );
  emit(
    `        (f32.store ${rowAt('$lb')} (f32.demote_f64 (f64.mul (f64.sqrt (local.get $sd)) (f64.const ${down}))))`,
  );
  emit('        (br_if $next (i32.eq (local.get $best) (local.get $a)))');
  emit(`        (i32.store ${rowAt('$lab')} (local.get $best))`);
  emit('        (local.set $changed (f64.add (local.get $changed) (f64.const 1)))');
  emit(
    `        (local.set $oa (i32.add (local.get $acc) (i32.mul (local.get $a) (i32.const ${d * 8}))))`,
  );
  emit(
    `        (local.set $ob (i32.add (local.get $acc) (i32.mul (local.get $best) (i32.const ${d * 8}))))`,
  );
  for (let j = 0; j < d; j++) {
    emit(
      `        (f64.store offset=${j * 8} (local.get $oa) (f64.sub (f64.load offset=${j * 8} (local.get $oa)) ${x(j)}))`,
    );
    emit(
      `        (f64.store offset=${j * 8} (local.get $ob) (f64.add (f64.load offset=${j * 8} (local.get $ob)) ${x(j)}))`,
    );
  }
  emit(`        (local.set $oa (i32.add (local.get $acc) (i32.shl (local.get $a) (i32.const 3))))`);
  emit(
    `        (local.set $ob (i32.add (local.get $acc) (i32.shl (local.get $best) (i32.const 3))))`,
  );
  emit(
    `        (f64.store offset=${kd * 8} (local.get $oa) (f64.sub (f64.load offset=${kd * 8} (local.get $oa)) (f64.const 1)))`,
  );
  emit(
    `        (f64.store offset=${kd * 8} (local.get $ob) (f64.add (f64.load offset=${kd * 8} (local.get $ob)) (f64.const 1))))`,
  );
  emit('      (local.set $i (i32.add (local.get $i) (i32.const 1)))');
  emit('      (br $rows)))');
  emit(
    `    (f64.store offset=${(kd + k) * 8} (local.get $acc) (f64.add (f64.load offset=${(kd + k) * 8} (local.get $acc)) (local.get $changed)))`,
  );
  emit(
    `    (f64.store offset=${(kd + k + 1) * 8} (local.get $acc) (f64.add (f64.load offset=${(kd + k + 1) * 8} (local.get $acc)) (local.get $recomputed))))`,
  );
  emit(')');
  return out.join('\n');
}

/** Shapes the bounded kernel is generated for: its scratch (centres, geometry, sums) must fit a slot. */
export function boundedWasmFits(k: number, d: number, slotBytes: number): boolean {
  return (k * d + 2 * k + k * d + k + 2) * 8 <= slotBytes && d <= 256 && simdSupported();
}

/** The compiled bounded kernel for (K, D), assembled once per process. */
export function boundedWasmModule(k: number, d: number): Promise<WebAssembly.Module> {
  return compileWat(`bounded-${k}:${d}`, () => boundedWat(k, d), true);
}
