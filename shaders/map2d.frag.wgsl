// map2d fragment stage: the colour of this pixel. Grid sample i sits at fraction i/(nx − 1) of the map (the
// evaluator's grid spans the view edge to edge). values and error modes blend the colours of the four
// surrounding samples bilinearly; regions mode takes the nearest sample's pattern colour (no blending across
// a crease). Optional: contour lines of the value (or error) at "nice" levels, from fwidth of the scaled value
// (no read-back: the values are already here), and a hovered region lightened and outlined.
// The colours are the twins of src/model/colormap.ts (colourOf, errorColourOf, patternColour, contourStep).
// Bindings: the same as map2d.vert.wgsl (map2dGpu.ts joins map2d.vert, regionColor and this file into one module).

const ERROR_UNDER = vec3<f32>(0.37, 0.23, 0.6);
const ERROR_OVER = vec3<f32>(0.8, 0.4, 0.02);
const NO_TARGET = vec3<f32>(0.62, 0.62, 0.62);
const HIGHLIGHT_LIGHTEN = 0.4;
const HIGHLIGHT_OUTLINE = vec3<f32>(0.1, 0.1, 0.12);
const CONTOUR_INK = vec3<f32>(0.08, 0.08, 0.1);
const CONTOUR_ALPHA = 0.45;

fn colourOf(v: f32, scale: f32) -> vec3<f32> {
  var m = 0.0;
  var s = 0.0;
  if (scale > 0.0) {
    m = min(1.0, abs(v) / scale);
    s = v;
  }
  return vec3<f32>(select(1.0 - m, 1.0, s > 0.0), 1.0 - 0.85 * m, select(1.0 - m, 1.0, s < 0.0));
}

fn isFinite(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7f800000u) != 0x7f800000u;
}

fn isNan(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

fn errorColourOf(e: f32, scale: f32) -> vec3<f32> {
  if (isNan(e)) {
    return NO_TARGET;
  }
  var m = 0.0;
  if (scale > 0.0) {
    m = min(1.0, abs(e) / scale);
  }
  let end = select(ERROR_OVER, ERROR_UNDER, e < 0.0);
  return 1.0 + (end - 1.0) * m;
}

// mixId and patternColour (the region colours) come from shaders/regionColor.wgsl, shared with the surface.

// 1, 2 or 5 × 10^k, about 10 levels over ±scale (contourStep in colormap.ts); 0 without a scale.
fn contourStep(scale: f32) -> f32 {
  if (!(scale > 0.0) || !isFinite(scale)) {
    return 0.0;
  }
  let raw = 0.2 * scale;
  let mag = exp2(floor(log2(raw) * 0.30102999566) * 3.32192809489);
  let norm = raw / mag;
  return mag * select(select(select(10.0, 5.0, norm < 7.5), 2.0, norm < 3.5), 1.0, norm < 1.5);
}

// The sampled quantity at grid sample (i, j): the value, or in error mode value − target (NaN without target).
fn sampleAt(i: i32, j: i32) -> f32 {
  let k = u32(j) * P.nx + u32(i);
  let v = values[P.first + k];
  if (P.mode == 1u) {
    return v - targetValues[P.targetFirst + k];
  }
  return v;
}

fn cellColour(i: i32, j: i32, scale: f32) -> vec3<f32> {
  if (P.mode == 1u) {
    return errorColourOf(sampleAt(i, j), scale);
  }
  return colourOf(sampleAt(i, j), scale);
}

// Grid coordinate of a pixel position: the pair of samples around it per axis and the weights.
struct Around {
  a: vec2<i32>,
  b: vec2<i32>,
  t: vec2<f32>,
}

fn around(pos: vec2<f32>) -> Around {
  let f = vec2<f32>((pos.x - P.rect.x) / P.rect.z, 1.0 - (pos.y - P.rect.y) / P.rect.w);
  let last = vec2<f32>(f32(P.nx) - 1.0, f32(P.ny) - 1.0);
  let g = clamp(f * last, vec2<f32>(0.0), last);
  let a = clamp(vec2<i32>(floor(g)), vec2<i32>(0), max(vec2<i32>(last) - 1, vec2<i32>(0)));
  let b = min(a + 1, vec2<i32>(last));
  var out: Around;
  out.a = a;
  out.b = b;
  out.t = select(g - vec2<f32>(a), vec2<f32>(0.0), last == vec2<f32>(0.0));
  return out;
}

// The pattern id of the sample nearest a pixel position.
fn nearestId(pos: vec2<f32>) -> u32 {
  let s = around(pos);
  let n = select(s.a, s.b, s.t >= vec2<f32>(0.5));
  return patternIds[P.patternFirst + u32(n.y) * P.nx + u32(n.x)];
}

@fragment
fn fs(@builtin(position) pos: vec4<f32>) -> @location(0) vec4<f32> {
  let scale = bitcast<f32>(scaleBits);
  let s = around(pos.xy);
  // The sampled quantity, bilinear, for the contour lines (computed in uniform control flow for fwidth).
  let lo = mix(sampleAt(s.a.x, s.a.y), sampleAt(s.b.x, s.a.y), s.t.x);
  let hi = mix(sampleAt(s.a.x, s.b.y), sampleAt(s.b.x, s.b.y), s.t.x);
  let v = mix(lo, hi, s.t.y);
  let levelStep = contourStep(scale);
  let d = v / max(levelStep, 1e-30);
  let w = fwidth(d);

  var colour: vec3<f32>;
  if (P.mode == 2u) {
    colour = patternColour(nearestId(pos.xy));
  } else {
    let bottom = mix(cellColour(s.a.x, s.a.y, scale), cellColour(s.b.x, s.a.y, scale), s.t.x);
    let top = mix(cellColour(s.a.x, s.b.y, scale), cellColour(s.b.x, s.b.y, scale), s.t.x);
    colour = mix(bottom, top, s.t.y);
  }

  if ((P.flags & 2u) != 0u && levelStep > 0.0 && isFinite(d) && isFinite(w) && w > 0.0) {
    // About one pixel wide; faded out where levels come closer than ~2 pixels (they would fill the map).
    let dist = abs(fract(d + 0.5) - 0.5) / w;
    let cover = clamp(1.0 - dist, 0.0, 1.0) * clamp(2.0 - 4.0 * w, 0.0, 1.0);
    colour = mix(colour, CONTOUR_INK, CONTOUR_ALPHA * cover);
  }

  if ((P.flags & 1u) != 0u && nearestId(pos.xy) == P.highlight) {
    // Outlined where a neighbouring pixel belongs to another region, lightened inside.
    let edge = nearestId(pos.xy + vec2<f32>(1.0, 0.0)) != P.highlight || nearestId(pos.xy - vec2<f32>(1.0, 0.0)) != P.highlight ||
      nearestId(pos.xy + vec2<f32>(0.0, 1.0)) != P.highlight || nearestId(pos.xy - vec2<f32>(0.0, 1.0)) != P.highlight;
    colour = select(mix(colour, vec3<f32>(1.0), HIGHLIGHT_LIGHTEN), HIGHLIGHT_OUTLINE, edge);
  }
  return vec4<f32>(colour, 1.0);
}
