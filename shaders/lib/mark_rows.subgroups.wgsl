// mark_rows, where the device has subgroups (program.ts picks this file over mark_rows.wgsl): the
// same masks as the one-atomic-per-row variant, built a subgroup at a time. When every row of the
// subgroup falls in one mask word and K is small, each cluster's bits are one subgroupOr and one
// atomicOr by the subgroup's first lane (K atomics per subgroup instead of one per row, and none
// of the contention of a subgroup's rows all hitting the same few words); otherwise (large K, or
// an implementation that does not give a subgroup consecutive invocations) one atomicOr per row.
// Same contract as mark_rows.wgsl.
const MARK_SUBGROUP_MAX_K: u32 = 32u;

fn mark_rows(t: u32, best: u32) {
  let word = t / 32u;
  let bit = select(0u, 1u << (t % 32u), best != NO_LABEL);
  let first_lane = subgroupExclusiveAdd(1u) == 0u;
  if (K <= MARK_SUBGROUP_MAX_K && subgroupAll(word == subgroupBroadcastFirst(word))) {
    for (var c = 0u; c < K; c++) {
      let bits = subgroupOr(select(0u, bit, best == c));
      if (first_lane && bits != 0u) { atomicOr(&row_masks[c * WORDS + word], bits); }
    }
  } else if (best != NO_LABEL) {
    atomicOr(&row_masks[best * WORDS + word], bit);
  }
}
