// Adam's update of one parameter, folded into the forward stage of both GPU trainers (prepended by
// src/engine/gpu/train1d.ts to train1d.forward and train2d.forward, which declare P, PER_UNIT, stateIn, stateOut
// and partial).
// Why folded: the forward pass of step t + 1 needs every updated parameter, so each forward workgroup updates the
// units of its own slice as it stages them, instead of a separate Adam dispatch and its barrier. Every workgroup of
// a slice computes the same values from the same inputs in the same order; only the first sample block writes
// them, and into the other half of a ping-pong pair (stateIn is never written during the pass, so no workgroup
// can read a value another one has already updated).
// State layout (both halves): [theta (count) | m1 (count) | m2 (count)], count = PER_UNIT·N + 1. The gradient is
// (2/M)·(the gradient pass's chunk partials, added in chunk order); the bias corrections 1 − β^t come per step
// from the uniform (computed in float64 on the CPU).

// With one gradient chunk the gradient pass folds Adam in itself (ADAM there): each invocation holds its unit's
// whole gradient, so nothing is computed twice (adam_apply with the sum).
fn adam_update(k: u32, write: bool) -> f32 {
  let count = PER_UNIT * P.n + 1u;
  var sum = 0.0;
  for (var c = 0u; c < P.chunks; c++) {
    sum += partial[c * count + k];
  }
  return adam_apply(k, sum, write);
}

fn adam_apply(k: u32, sum: f32, write: bool) -> f32 {
  let count = PER_UNIT * P.n + 1u;
  let g = (2.0 / f32(P.m)) * sum;
  let mk = P.beta1 * stateIn[count + k] + (1.0 - P.beta1) * g;
  let vk = P.beta2 * stateIn[2u * count + k] + (1.0 - P.beta2) * g * g;
  let t = stateIn[k] - P.lr * (mk / P.bc1) / (sqrt(vk / P.bc2) + P.eps);
  if (write) {
    stateOut[k] = t;
    stateOut[count + k] = mk;
    stateOut[2u * count + k] = vk;
  }
  return t;
}
