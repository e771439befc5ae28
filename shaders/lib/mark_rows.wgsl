// mark_rows — sets bit t % 32 of row_masks[best · WORDS + t / 32] for the tile's row t (nothing
// for NO_LABEL): one workgroup atomicOr per row. Needs, at module scope, const K, WORDS, NO_LABEL
// and var<workgroup> row_masks: array<atomic<u32>, ...>. Call it from uniform control flow, every
// thread of the workgroup (the subgroup variant, mark_rows.subgroups.wgsl, has subgroup
// operations and relies on it).
fn mark_rows(t: u32, best: u32) {
  if (best != NO_LABEL) {
    atomicOr(&row_masks[best * WORDS + t / 32u], 1u << (t % 32u));
  }
}
