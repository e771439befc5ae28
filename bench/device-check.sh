#!/usr/bin/env bash
# The device check (issue 17): one prepared command for the GPU machine, no editing needed.
#
#   bash bench/device-check.sh [--quick] OUT_DIR
#
# Runs the stages of bench/device-check.ts in order of priority — device, read floor with the
# PyTorch and scikit-learn anchors, Lloyd at 10M×16 K=8/64, 10M×32 K=256 and 50M×16 K=8, EM diag
# and full, the Lloyd kernel variants, k-means‖ seeding, the CPU path against scikit-learn, an
# end-to-end fit of a 10M×16 Arrow file and an out-of-core fit of 50M rows — each in its own
# process under its own time limit, and appends each stage's result to OUT_DIR/device-results.json
# and OUT_DIR/device-results.md as it goes: a stage that times out or fails is recorded as such
# and the next one runs; each stage's progress (a line a phase, with its seconds) goes to
# OUT_DIR/NAME.log, and its result records its phases. Once the budget (DEVICE_CHECK_BUDGET_S:
# 450 s; 600 s with --quick, for a loaded software GPU) is spent the remaining stages are recorded
# as skipped, so the whole stays under 8 minutes on the GPU machine (expected ~215 s on the H200:
# the estimate per stage is beside the stages' limits in bench/device-check.ts).
# --quick runs every stage at small sizes (CI, lavapipe).
#
# On the GPU machine (no Node there): build here, pack with bench/pack-device-bundle.sh
# (.bundle/), carry .bundle and run from the project root:
#   bash bench/device-check.sh $OUT/dc
# Where `node` is not on PATH and .bundle/unpack.sh exists, the script unpacks the bundle first
# (node into /tmp/gpuseg-node, node_modules and dist into the tree, the Vulkan loader) and sources
# .bundle/env.sh for the NVIDIA ICD. Python (PyTorch, scikit-learn) is GPUSEG_PYTHON, else the
# python3 on PATH; a missing anchor is recorded as "skipped: reason".
set -u
quick=()
if [ "${1:-}" = --quick ]; then quick=(--quick); shift; fi
out=${1:?usage: bash bench/device-check.sh [--quick] OUT_DIR}
mkdir -p "$out" && out=$(cd "$out" && pwd) || exit 2
cd "$(dirname "$0")/.." || exit 2
started=$(date +%s)
if [ ${#quick[@]} -gt 0 ]; then budget=${DEVICE_CHECK_BUDGET_S:-600}; else budget=${DEVICE_CHECK_BUDGET_S:-450}; fi

if ! command -v node >/dev/null 2>&1 && [ -x .bundle/unpack.sh ]; then
  bash .bundle/unpack.sh || exit 2
  # apache-arrow, a peer dependency the shared bundle leaves out (bench/pack-device-bundle.sh).
  if [ -f .bundle/peer-deps.tar.xz ]; then tar -xJf .bundle/peer-deps.tar.xz || exit 2; fi
  export PATH=/tmp/gpuseg-node:$PATH
fi
# shellcheck disable=SC1091
[ -f .bundle/env.sh ] && . .bundle/env.sh
command -v node >/dev/null 2>&1 || { echo "device-check: node not found (and no .bundle/unpack.sh)" >&2; exit 2; }
[ -f dist/bench/device-check.js ] || { echo "device-check: dist/ missing: npm run build first" >&2; exit 2; }
export GPUSEG_PYTHON=${GPUSEG_PYTHON:-$(command -v python3 || echo /usr/bin/python3)}
export GPUSEG_COMMIT=${GPUSEG_COMMIT:-$(git rev-parse --short HEAD 2>/dev/null || echo unknown)}
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d)}
rm -f "$out/device-results.json" "$out/device-results.md"

check() { node dist/bench/device-check.js "$@" ${quick[@]+"${quick[@]}"}; }
stages=$(check list) || exit 2
failed=0
while read -r name limit; do
  left=$(( budget - ($(date +%s) - started) ))
  if [ "$left" -lt 5 ]; then
    check record "$out" "$name" skipped 0 "$limit" "skipped: the time budget (${budget} s) was spent"
    continue
  fi
  [ "$limit" -gt "$left" ] && limit=$left
  echo "device-check: $name (at most ${limit} s)" >&2
  t0=$(date +%s%N)
  # Appended (O_APPEND), not truncated: the stage and the programs it runs share the log, and
  # each writes at the end (a truncating redirection let one overwrite the other's lines).
  : > "$out/$name.log"
  timeout -k 5 "$limit" node dist/bench/device-check.js stage "$name" "$out" ${quick[@]+"${quick[@]}"} 2>> "$out/$name.log"
  rc=$?
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  took=$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))
  if [ $rc -eq 0 ]; then continue; fi
  failed=$((failed + 1))
  if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
    check record "$out" "$name" "timed out" "$took" "$limit" "timed out (or killed) after ${limit} s: $(grep -v '^Warning: max' "$out/$name.log" | tail -n 1)"
  else
    check record "$out" "$name" failed "$took" "$limit" "failed (exit $rc): $(grep -v '^Warning: max' "$out/$name.log" | tail -n 1)"
  fi
done <<< "$stages"
echo "device-check: done in $(( $(date +%s) - started )) s, ${failed} stage(s) not ok; $out/device-results.md" >&2
[ $failed -eq 0 ]
