#!/usr/bin/env bash
# Packs .bundle/ for the device check on the GPU machine (no Node there):
#   npm run build && bash bench/pack-device-bundle.sh
# ../shared/tools/portable-bundle.sh packs node, the production node_modules, dist and the Vulkan
# loader. Two things differ for this project:
# - apache-arrow is a peer dependency (the embedding caller brings its own), so `npm ls --omit=dev`
#   leaves it out of the bundle although every stage that writes or reads an Arrow file needs it:
#   it and its runtime dependencies go into .bundle/peer-deps.tar.xz, which device-check.sh unpacks;
# - DuckDB (SQL over files) is not loaded by the check and would take the working tree past the
#   64 MiB that travels, so it stays here.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ../shared/tools/portable-bundle.sh .bundle @duckdb
peers=(node_modules/apache-arrow)
for dep in $(node -p "Object.keys(require('./node_modules/apache-arrow/package.json').dependencies ?? {}).join(' ')"); do
  case $dep in @types/*) continue ;; esac
  peers+=("node_modules/$dep")
done
tar -cJf .bundle/peer-deps.tar.xz --exclude='*.map' --exclude='*.d.ts' --exclude='node_modules/apache-arrow/node_modules/@types' "${peers[@]}"
echo "peer dependencies: ${peers[*]} ($(du -h .bundle/peer-deps.tar.xz | cut -f1))"
