;; Column statistics of a float32 matrix column in a shared WebAssembly memory (the matrix's
;; kernel memory), for src/data/column-stats-kernel.ts. The same float64 operations in the same
;; order as meanAndStd (src/data/mean-std.ts), so the same bits.
;;
;; sums(p, n) -> (count, sum, min, max) over the n float32 values at byte offset p, NaN skipped;
;; squares(p, n, mean) -> sum of (v - mean)^2 over the same values.
(module
  (import "env" "mem" (memory 1 65536 shared))
  (func (export "sums") (param $p i32) (param $n i32) (result f64 f64 f64 f64)
    (local $end i32) (local $v f64) (local $count f64) (local $sum f64) (local $min f64) (local $max f64)
    (local.set $min (f64.const inf)) (local.set $max (f64.const -inf))
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (block $done (loop $values
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $v (f64.promote_f32 (f32.load (local.get $p))))
      (if (f64.eq (local.get $v) (local.get $v)) (then
        (local.set $count (f64.add (local.get $count) (f64.const 1)))
        (local.set $sum (f64.add (local.get $sum) (local.get $v)))
        (if (f64.lt (local.get $v) (local.get $min)) (then (local.set $min (local.get $v))))
        (if (f64.gt (local.get $v) (local.get $max)) (then (local.set $max (local.get $v))))))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (br $values)))
    (local.get $count) (local.get $sum) (local.get $min) (local.get $max))
  (func (export "squares") (param $p i32) (param $n i32) (param $mean f64) (result f64)
    (local $end i32) (local $v f64) (local $t f64) (local $ss f64)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (block $done (loop $values
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $v (f64.promote_f32 (f32.load (local.get $p))))
      (if (f64.eq (local.get $v) (local.get $v)) (then
        (local.set $t (f64.sub (local.get $v) (local.get $mean)))
        (local.set $ss (f64.add (local.get $ss) (f64.mul (local.get $t) (local.get $t))))))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (br $values)))
    (local.get $ss)))
