// peak: the adapter's arithmetic ceiling. Each invocation runs independent vec4<f32> multiply-add chains
// (x ← x·m + k), 32 vec4 steps per loop trip, with no memory traffic in the loop; the benchmark counts 2 FLOP per
// lane per step. Entry points differ in how many chains are live (8, 4 or 2: enough to hide FMA latency, few enough
// to stay in registers, which on SwiftShader decides the result) and in fma() versus a plain x*m + k (which the
// compiler may fuse or not): the runner takes the fastest as the peak, so no kernel is compared to a low ceiling.
// m < 1 keeps every chain bounded (it converges to k / (1 − m)), so no value overflows or goes denormal.
// Bindings: 0 params (uniform: loop trips, m, k), 1 out: one vec4 per invocation (keeps the chains live).

struct Params {
  steps: u32,   // loop trips; each trip advances the chains by 32 vec4 steps in all
  m: f32,
  k: f32,
  pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> out: array<vec4<f32>>;

const WG: u32 = 256u;

fn seed(t: u32, j: u32) -> vec4<f32> {
  return vec4<f32>(f32(t & 1023u), f32(j), f32((t >> 3u) & 7u), 1.0) * 1e-3;
}

@compute @workgroup_size(WG)
fn main_fma8(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = gid.x + gid.y * nwg.x * WG;
  let m = vec4<f32>(params.m);
  let k = vec4<f32>(params.k);
  var a0 = seed(t, 0u); var a1 = seed(t, 1u); var a2 = seed(t, 2u); var a3 = seed(t, 3u); var a4 = seed(t, 4u); var a5 = seed(t, 5u); var a6 = seed(t, 6u); var a7 = seed(t, 7u);
  for (var i = 0u; i < params.steps; i++) {
    a0 = fma(a0, m, k); a1 = fma(a1, m, k); a2 = fma(a2, m, k); a3 = fma(a3, m, k); a4 = fma(a4, m, k); a5 = fma(a5, m, k); a6 = fma(a6, m, k); a7 = fma(a7, m, k);
    a0 = fma(a0, m, k); a1 = fma(a1, m, k); a2 = fma(a2, m, k); a3 = fma(a3, m, k); a4 = fma(a4, m, k); a5 = fma(a5, m, k); a6 = fma(a6, m, k); a7 = fma(a7, m, k);
    a0 = fma(a0, m, k); a1 = fma(a1, m, k); a2 = fma(a2, m, k); a3 = fma(a3, m, k); a4 = fma(a4, m, k); a5 = fma(a5, m, k); a6 = fma(a6, m, k); a7 = fma(a7, m, k);
    a0 = fma(a0, m, k); a1 = fma(a1, m, k); a2 = fma(a2, m, k); a3 = fma(a3, m, k); a4 = fma(a4, m, k); a5 = fma(a5, m, k); a6 = fma(a6, m, k); a7 = fma(a7, m, k);
  }
  out[t] = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7;
}

@compute @workgroup_size(WG)
fn main_fma4(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = gid.x + gid.y * nwg.x * WG;
  let m = vec4<f32>(params.m);
  let k = vec4<f32>(params.k);
  var a0 = seed(t, 0u); var a1 = seed(t, 1u); var a2 = seed(t, 2u); var a3 = seed(t, 3u);
  for (var i = 0u; i < params.steps; i++) {
    a0 = fma(a0, m, k); a1 = fma(a1, m, k); a2 = fma(a2, m, k); a3 = fma(a3, m, k);
    a0 = fma(a0, m, k); a1 = fma(a1, m, k); a2 = fma(a2, m, k); a3 = fma(a3, m, k);
    a0 = fma(a0, m, k); a1 = fma(a1, m, k); a2 = fma(a2, m, k); a3 = fma(a3, m, k);
    a0 = fma(a0, m, k); a1 = fma(a1, m, k); a2 = fma(a2, m, k); a3 = fma(a3, m, k);
    a0 = fma(a0, m, k); a1 = fma(a1, m, k); a2 = fma(a2, m, k); a3 = fma(a3, m, k);
    a0 = fma(a0, m, k); a1 = fma(a1, m, k); a2 = fma(a2, m, k); a3 = fma(a3, m, k);
    a0 = fma(a0, m, k); a1 = fma(a1, m, k); a2 = fma(a2, m, k); a3 = fma(a3, m, k);
    a0 = fma(a0, m, k); a1 = fma(a1, m, k); a2 = fma(a2, m, k); a3 = fma(a3, m, k);
  }
  out[t] = a0 + a1 + a2 + a3;
}

@compute @workgroup_size(WG)
fn main_fma2(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = gid.x + gid.y * nwg.x * WG;
  let m = vec4<f32>(params.m);
  let k = vec4<f32>(params.k);
  var a0 = seed(t, 0u); var a1 = seed(t, 1u);
  for (var i = 0u; i < params.steps; i++) {
    a0 = fma(a0, m, k); a1 = fma(a1, m, k);
    a0 = fma(a0, m, k); a1 = fma(a1, m, k);
    a0 = fma(a0, m, k); a1 = fma(a1, m, k);
    a0 = fma(a0, m, k); a1 = fma(a1, m, k);
    a0 = fma(a0, m, k); a1 = fma(a1, m, k);
    a0 = fma(a0, m, k); a1 = fma(a1, m, k);
    a0 = fma(a0, m, k); a1 = fma(a1, m, k);
    a0 = fma(a0, m, k); a1 = fma(a1, m, k);
    a0 = fma(a0, m, k); a1 = fma(a1, m, k);
    a0 = fma(a0, m, k); a1 = fma(a1, m, k);
    a0 = fma(a0, m, k); a1 = fma(a1, m, k);
    a0 = fma(a0, m, k); a1 = fma(a1, m, k);
    a0 = fma(a0, m, k); a1 = fma(a1, m, k);
    a0 = fma(a0, m, k); a1 = fma(a1, m, k);
    a0 = fma(a0, m, k); a1 = fma(a1, m, k);
    a0 = fma(a0, m, k); a1 = fma(a1, m, k);
  }
  out[t] = a0 + a1;
}

@compute @workgroup_size(WG)
fn main_muladd4(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = gid.x + gid.y * nwg.x * WG;
  let m = vec4<f32>(params.m);
  let k = vec4<f32>(params.k);
  var a0 = seed(t, 0u); var a1 = seed(t, 1u); var a2 = seed(t, 2u); var a3 = seed(t, 3u);
  for (var i = 0u; i < params.steps; i++) {
    a0 = a0 * m + k; a1 = a1 * m + k; a2 = a2 * m + k; a3 = a3 * m + k;
    a0 = a0 * m + k; a1 = a1 * m + k; a2 = a2 * m + k; a3 = a3 * m + k;
    a0 = a0 * m + k; a1 = a1 * m + k; a2 = a2 * m + k; a3 = a3 * m + k;
    a0 = a0 * m + k; a1 = a1 * m + k; a2 = a2 * m + k; a3 = a3 * m + k;
    a0 = a0 * m + k; a1 = a1 * m + k; a2 = a2 * m + k; a3 = a3 * m + k;
    a0 = a0 * m + k; a1 = a1 * m + k; a2 = a2 * m + k; a3 = a3 * m + k;
    a0 = a0 * m + k; a1 = a1 * m + k; a2 = a2 * m + k; a3 = a3 * m + k;
    a0 = a0 * m + k; a1 = a1 * m + k; a2 = a2 * m + k; a3 = a3 * m + k;
  }
  out[t] = a0 + a1 + a2 + a3;
}
