// The units' activation of the training shaders, prepended by src/engine/gpu/train1d.ts to the forward and gradient
// stages (1D and 2D) so the four stay one definition. ACT is a pipeline constant (ACTIVATION_CODES in
// src/engine/gpu/train1d.ts): 0 ReLU, 1 leaky ReLU (slope 0.01), 2 linear, 3 sigmoid. act_deriv(0) is the left slope,
// as on the CPU.
override ACT: u32 = 0u;

fn act(z: f32) -> f32 {
  if (ACT == 1u) { return select(0.01 * z, z, z > 0.0); }
  if (ACT == 2u) { return z; }
  if (ACT == 3u) { return 1.0 / (1.0 + exp(-z)); }
  return max(z, 0.0);
}

fn act_deriv(z: f32) -> f32 {
  if (ACT == 1u) { return select(0.01, 1.0, z > 0.0); }
  if (ACT == 2u) { return 1.0; }
  if (ACT == 3u) { let s = 1.0 / (1.0 + exp(-z)); return s * (1.0 - s); }
  return select(0.0, 1.0, z > 0.0);
}
