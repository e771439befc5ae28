// two_sum — error-free sum of two float pairs: (a_hi + a_lo) + (b_hi + b_lo) as a new pair
// (Knuth's TwoSum on the high parts, the low parts and the rounding error carried in the low
// part). Kernels keep long sums as such pairs so that float32 accumulation does not drift; the
// host adds hi + lo in float64. Included by the kernels that accumulate (see program.ts).
fn two_sum(a_hi: f32, a_lo: f32, b_hi: f32, b_lo: f32) -> vec2<f32> {
  let s = a_hi + b_hi;
  let bb = s - a_hi;
  let err = (a_hi - (s - bb)) + (b_hi - bb);
  let lo = a_lo + b_lo + err;
  let hi = s + lo;
  return vec2<f32>(hi, lo - (hi - s));
}
