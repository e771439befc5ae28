;; The two passes of a tracked period over the customers (src/track/period-passes.ts overlapRows,
;; src/track/publish-pass.ts publishRows), for src/track/pass-kernel.ts, over a piece of rows whose
;; row i is the previous period's row i (the same ids in the same order). The same operations in
;; the same order as those loops, float64 sums in row order, so the same bits; V8 runs the
;; JavaScript loops at 15-45 ns a row (typed-array checks on every access), these at 2-5 ns plus
;; the copies of the piece in and out. Every address is a byte offset in the memory, laid out by
;; the driver; every table is int32 unless it says f64.
;;
;; overlap(n, first, kNew, keyCount, labels, prevRaw, money, hasMoney, dense, counts, firstRow,
;;   shared) -> -1, or the first piece row whose previous key or label is out of range (the driver
;;   reads the key and reports the store as corrupt). Per row: cell = dense[prevRaw] * kNew +
;;   label; counts (f64) += 1, firstRow[cell] = first + row on the cell's first row, and shared
;;   (f64) += money where money is finite (m - m == 0).
;;
;; publish(n, labels, keys, kNew, prevPublished, prevPending, prevPeriods, prevDense,
;;   prevKeyCount, prevRank, cur, curKeyCount, curRank, D, confirm, money, hasMoney, outRaw,
;;   outPublished, outCopy, outPending, outPeriods, outName, customers, moneyGrid, flipsAt) -> -1,
;;   or the first piece row whose previous published key is out of range. The smoothing rule as
;;   publishRows states it (confirm at most 2^31 - 1: the driver runs the loop otherwise); the
;;   published flips are added to the int32 at flipsAt.
(module
  (import "env" "mem" (memory 1))

  (func (export "overlap")
    (param $n i32) (param $first i32) (param $kNew i32) (param $keyCount i32)
    (param $labels i32) (param $prevRaw i32) (param $money i32) (param $hasMoney i32)
    (param $dense i32) (param $counts i32) (param $firstRow i32) (param $shared i32)
    (result i32)
    (local $i i32) (local $b i32) (local $key i32) (local $a i32) (local $cell i32)
    (local $at i32) (local $x f64) (local $m f64)
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $b (i32.load (i32.add (local.get $labels) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $key (i32.load (i32.add (local.get $prevRaw) (i32.shl (local.get $i) (i32.const 2)))))
        (if (i32.ge_u (local.get $key) (local.get $keyCount)) (then (return (local.get $i))))
        (local.set $a (i32.load (i32.add (local.get $dense) (i32.shl (local.get $key) (i32.const 2)))))
        (if (i32.lt_s (local.get $a) (i32.const 0)) (then (return (local.get $i))))
        (if (i32.ge_u (local.get $b) (local.get $kNew)) (then (return (local.get $i))))
        (local.set $cell (i32.add (i32.mul (local.get $a) (local.get $kNew)) (local.get $b)))
        (local.set $at (i32.add (local.get $counts) (i32.shl (local.get $cell) (i32.const 3))))
        (local.set $x (f64.load (local.get $at)))
        (f64.store (local.get $at) (f64.add (local.get $x) (f64.const 1)))
        (if (f64.eq (local.get $x) (f64.const 0))
          (then
            (i32.store
              (i32.add (local.get $firstRow) (i32.shl (local.get $cell) (i32.const 2)))
              (i32.add (local.get $first) (local.get $i)))))
        (if (local.get $hasMoney)
          (then
            (local.set $m
              (f64.load (i32.add (local.get $money) (i32.shl (local.get $i) (i32.const 3)))))
            (if (f64.eq (f64.sub (local.get $m) (local.get $m)) (f64.const 0))
              (then
                (local.set $at
                  (i32.add (local.get $shared) (i32.shl (local.get $cell) (i32.const 3))))
                (f64.store (local.get $at) (f64.add (f64.load (local.get $at)) (local.get $m)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows)))
    (i32.const -1))

  (func (export "publish")
    (param $n i32) (param $labels i32) (param $keys i32) (param $kNew i32)
    (param $prevPublished i32) (param $prevPending i32) (param $prevPeriods i32)
    (param $prevDense i32) (param $prevKeyCount i32) (param $prevRank i32)
    (param $cur i32) (param $curKeyCount i32) (param $curRank i32) (param $D i32)
    (param $confirm i32) (param $money i32) (param $hasMoney i32)
    (param $outRaw i32) (param $outPublished i32) (param $outCopy i32) (param $outPending i32)
    (param $outPeriods i32) (param $outName i32) (param $customers i32) (param $moneyGrid i32)
    (param $flipsAt i32)
    (result i32)
    (local $i i32) (local $b i32) (local $key i32) (local $was i32) (local $p i32)
    (local $origin i32) (local $out i32) (local $waiting i32) (local $waited i32)
    (local $before i32) (local $flips i32) (local $c i32) (local $cell i32) (local $at i32)
    (local $row4 i32) (local $m f64)
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $row4 (i32.shl (local.get $i) (i32.const 2)))
        (local.set $b (i32.load (i32.add (local.get $labels) (local.get $row4))))
        (if (i32.ge_u (local.get $b) (local.get $kNew)) (then (return (local.get $i))))
        (local.set $key (i32.load (i32.add (local.get $keys) (i32.shl (local.get $b) (i32.const 2)))))
        (i32.store (i32.add (local.get $outRaw) (local.get $row4)) (local.get $key))
        (local.set $was (i32.load (i32.add (local.get $prevPublished) (local.get $row4))))
        (if (i32.ge_u (local.get $was) (local.get $prevKeyCount)) (then (return (local.get $i))))
        (local.set $p (i32.load (i32.add (local.get $prevDense) (i32.shl (local.get $was) (i32.const 2)))))
        (if (i32.lt_s (local.get $p) (i32.const 0)) (then (return (local.get $i))))
        (local.set $origin
          (i32.add (i32.load (i32.add (local.get $prevRank) (i32.shl (local.get $p) (i32.const 2)))) (i32.const 1)))
        (local.set $out (local.get $key))
        (local.set $waiting (i32.const -1))
        (local.set $waited (i32.const 0))
        (if (i32.and
              (i32.ne (local.get $key) (local.get $was))
              (i32.lt_u (local.get $was) (local.get $curKeyCount)))
          (then
            (if (i32.ge_s (i32.load (i32.add (local.get $cur) (i32.shl (local.get $was) (i32.const 2)))) (i32.const 0))
              (then
                ;; periods = before + 1 (publishRows' rule); held while periods < confirm,
                ;; tested as before < confirm - 1 so that no sum wraps (confirm >= 1).
                (local.set $before
                  (if (result i32)
                    (i32.eq
                      (i32.load (i32.add (local.get $prevPending) (local.get $row4)))
                      (local.get $key))
                    (then (i32.load (i32.add (local.get $prevPeriods) (local.get $row4))))
                    (else (i32.const 0))))
                (if (i32.lt_s (local.get $before) (i32.sub (local.get $confirm) (i32.const 1)))
                  (then
                    (local.set $out (local.get $was))
                    (local.set $waiting (local.get $key))
                    (local.set $waited (i32.add (local.get $before) (i32.const 1)))))))))
        (if (i32.ne (local.get $out) (local.get $was))
          (then (local.set $flips (i32.add (local.get $flips) (i32.const 1)))))
        (i32.store (i32.add (local.get $outPublished) (local.get $row4)) (local.get $out))
        (i32.store (i32.add (local.get $outCopy) (local.get $row4)) (local.get $out))
        (i32.store (i32.add (local.get $outPending) (local.get $row4)) (local.get $waiting))
        (i32.store (i32.add (local.get $outPeriods) (local.get $row4)) (local.get $waited))
        (local.set $c (i32.load (i32.add (local.get $cur) (i32.shl (local.get $out) (i32.const 2)))))
        (i32.store (i32.add (local.get $outName) (local.get $row4)) (local.get $c))
        (local.set $cell
          (i32.add
            (i32.mul (local.get $origin) (local.get $D))
            (i32.load (i32.add (local.get $curRank) (i32.shl (local.get $c) (i32.const 2))))))
        (local.set $at (i32.add (local.get $customers) (i32.shl (local.get $cell) (i32.const 3))))
        (f64.store (local.get $at) (f64.add (f64.load (local.get $at)) (f64.const 1)))
        (if (local.get $hasMoney)
          (then
            (local.set $m
              (f64.load (i32.add (local.get $money) (i32.shl (local.get $i) (i32.const 3)))))
            (if (f64.eq (f64.sub (local.get $m) (local.get $m)) (f64.const 0))
              (then
                (local.set $at
                  (i32.add (local.get $moneyGrid) (i32.shl (local.get $cell) (i32.const 3))))
                (f64.store (local.get $at) (f64.add (f64.load (local.get $at)) (local.get $m)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows)))
    (i32.store (local.get $flipsAt)
      (i32.add (i32.load (local.get $flipsAt)) (local.get $flips)))
    (i32.const -1)))
