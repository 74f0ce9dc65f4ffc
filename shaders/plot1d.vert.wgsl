// plot1d vertex stage: antialiased thick lines for the 1D plot, expanded from data on the GPU.
// Why: thousands of unit terms (mode 1) are built here from the units themselves — no per-frame CPU
// geometry — and the dense curves (modes 0, 2, 3) come straight from their sample values.
// Bindings: 0 params (uniform, dynamic offset: one slot per layer), 1 data (storage, read: the layer's own),
//   2 ext (storage, read: an evaluator's value buffer, bound from an aligned start; the layer's own buffer otherwise):
//   mode 0: data = y values at x_i = x0 + i·dx (|y| > 1e38 marks an undefined sample: its segments are dropped);
//   mode 1: data = (w, b, a) per unit; instance i draws a_i·ReLU(w_i·x + b_i) across the view as 2 segments
//   (modes 4 and 5: the same for leaky-ReLU and linear units; mode 6: sigmoid units, SIGMOID_SEGMENTS segments);
//   mode 2: y_i = ext[first + i] (the sum straight from the evaluator, no CPU copy);
//   mode 3: y_i = ext[first + i] − data[i] (the error trace; undefined where data[i] is).
// Each instance is one segment (modes 0, 2, 3) or one unit (mode 1: 12 vertices, 2 segments); 6 vertices per
// segment form a quad around it, widened by half the line width plus 1 px for the antialiased edge.

struct Params {
  view: vec4<f32>,     // xMin, xMax, yMin, yMax (data)
  rect: vec4<f32>,     // plot rectangle: left, top, width, height (device pixels)
  canvas: vec2<f32>,   // canvas size (device pixels)
  x0: f32,             // modes 0, 2, 3: x of sample 0
  dx: f32,             // modes 0, 2, 3: sample step
  color: vec4<f32>,    // straight (not premultiplied) RGBA
  halfWidth: f32,      // half the line width (device pixels)
  mode: u32,           // 0: polyline of samples, 1: unit terms, 2: samples from ext, 3: ext minus samples, 4–6: terms of leaky, linear, sigmoid units
  count: u32,          // samples (modes 0, 2, 3) or units (mode 1)
  dash: f32,           // dash period along x (device pixels), 0 for solid
  first: u32,          // modes 2, 3: index of sample 0 in ext (its byte offset need not be storage-aligned)
}

@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> data: array<f32>;
@group(0) @binding(2) var<storage, read> ext: array<f32>;

struct VSOut {
  @builtin(position) pos: vec4<f32>,
  // Signed distance from the line's centre across it, in device pixels.
  @location(0) dist: f32,
  // Device-pixel x, for dashes.
  @location(1) px: f32,
}

fn toPx(p: vec2<f32>) -> vec2<f32> {
  let u = (p.x - P.view.x) / (P.view.y - P.view.x);
  let v = (P.view.w - p.y) / (P.view.w - P.view.z);
  // Clamp far-off points so huge values cannot overflow the quad maths.
  return clamp(P.rect.xy + vec2<f32>(u, v) * P.rect.zw, vec2<f32>(-1e5), vec2<f32>(1e5));
}

// Sample i of a polyline layer (modes 0, 2, 3).
fn sampleAt(i: u32) -> f32 {
  if (P.mode == 0u) {
    return data[i];
  }
  let v = ext[P.first + i];
  if (P.mode == 3u) {
    let m = data[i];
    return select(v - m, m, abs(m) > 1e38);
  }
  return v;
}

// Segments per sigmoid term (mode 6): σ bends everywhere (SIGMOID_TERM_SEGMENTS in plot1d.ts).
const SIGMOID_SEGMENTS: u32 = 48u;

fn isTerms() -> bool {
  return P.mode == 1u || P.mode >= 4u;
}

fn term(w: f32, b: f32, a: f32, x: f32) -> f32 {
  let z = w * x + b;
  if (P.mode == 4u) {
    return a * select(0.01 * z, z, z > 0.0);
  }
  if (P.mode == 5u) {
    return a * z;
  }
  if (P.mode == 6u) {
    return a / (1.0 + exp(-z));
  }
  return a * max(0.0, z);
}

@vertex
fn vs(@builtin(vertex_index) vid: u32, @builtin(instance_index) iid: u32) -> VSOut {
  var out: VSOut;
  var pa: vec2<f32>;
  var pb: vec2<f32>;
  var valid = true;
  let corner = vid % 6u;
  if (!isTerms()) {
    let ya = sampleAt(iid);
    let yb = sampleAt(iid + 1u);
    valid = abs(ya) <= 1e38 && abs(yb) <= 1e38;
    pa = toPx(vec2<f32>(P.x0 + f32(iid) * P.dx, ya));
    pb = toPx(vec2<f32>(P.x0 + f32(iid + 1u) * P.dx, yb));
  } else {
    let w = data[3u * iid];
    let b = data[3u * iid + 1u];
    let a = data[3u * iid + 2u];
    // Segment 0 runs from the view's left edge to the knot, segment 1 from the knot to the right edge
    // (a unit without a knot in view gets one empty segment).
    var xa: f32;
    var xb: f32;
    if (P.mode == 6u) {
      let seg = f32(vid / 6u);
      let span = (P.view.y - P.view.x) / f32(SIGMOID_SEGMENTS);
      xa = P.view.x + seg * span;
      xb = P.view.x + (seg + 1.0) * span;
    } else {
      var k = P.view.x;
      if (w != 0.0) {
        k = clamp(-b / w, P.view.x, P.view.y);
      }
      let first = vid < 6u;
      xa = select(k, P.view.x, first);
      xb = select(P.view.y, k, first);
    }
    pa = toPx(vec2<f32>(xa, term(w, b, a, xa)));
    pb = toPx(vec2<f32>(xb, term(w, b, a, xb)));
  }
  let d = pb - pa;
  let len = length(d);
  let dir = select(vec2<f32>(1.0, 0.0), d / len, len > 1e-4);
  let normal = vec2<f32>(-dir.y, dir.x);
  let hw = P.halfWidth + 1.0;
  var along = array<f32, 6>(0.0, 1.0, 0.0, 0.0, 1.0, 1.0);
  var side = array<f32, 6>(-1.0, -1.0, 1.0, 1.0, -1.0, 1.0);
  let t = along[corner];
  let s = side[corner];
  // Square caps (half a width past each end) close the joins between segments.
  let p = select(pa, pb, t > 0.5) + dir * (P.halfWidth * (2.0 * t - 1.0)) + normal * (s * hw);
  out.pos = vec4<f32>(p.x / P.canvas.x * 2.0 - 1.0, 1.0 - p.y / P.canvas.y * 2.0, 0.0, 1.0);
  if (!valid || (isTerms() && len <= 1e-4)) {
    // Outside the clip volume: the quad is discarded.
    out.pos = vec4<f32>(2.0, 2.0, 2.0, 1.0);
  }
  out.dist = s * hw;
  out.px = p.x;
  return out;
}
