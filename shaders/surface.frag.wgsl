// surface fragment stage: flat shading, so every facet of the piecewise-planar surface reads as one plane.
// Why derivatives: the normal is cross(dpdx, dpdy) of the interpolated scene position, the plane of the triangle
//   under the pixel, with no normals to compute or store per vertex. The twin is src/views/surface3d/shading.ts
//   (LIGHT, AMBIENT, DIFFUSE, the pattern hash); the height colour map is the 2D map's (map2d.frag.wgsl).
// Bindings: the same as surface.vert.wgsl (this file is appended to it into one module).

const LIGHT = vec3<f32>(0.35, -0.55, 0.76) / length(vec3<f32>(0.35, -0.55, 0.76));
const AMBIENT = 0.38;
const DIFFUSE = 0.62;

fn heightColour(v: f32, scale: f32) -> vec3<f32> {
  var m = 0.0;
  var s = 0.0;
  if (scale > 0.0) {
    m = min(1.0, abs(v) / scale);
    s = v;
  }
  return vec3<f32>(select(1.0 - m, 1.0, s > 0.0), 1.0 - 0.85 * m, select(1.0 - m, 1.0, s < 0.0));
}

// The map's region colours (shaders/map2d.frag.wgsl, colormap.ts patternColour): a region looks the same in both views.
fn mixId(id: u32) -> u32 {
  var x = id;
  x ^= x >> 16u;
  x *= 0x85ebca6bu;
  x ^= x >> 13u;
  x *= 0xc2b2ae35u;
  x ^= x >> 16u;
  return x;
}

fn patternColour(id: u32) -> vec3<f32> {
  let h = mixId(id);
  let hue = f32(h >> 8u) / 16777216.0;
  let sat = 0.5 + 0.25 * f32(h & 15u) / 15.0;
  let light = 0.6 + 0.15 * f32((h >> 4u) & 15u) / 15.0;
  let chroma = (1.0 - abs(2.0 * light - 1.0)) * sat;
  let hp = hue * 6.0;
  let x = chroma * (1.0 - abs(hp - 2.0 * floor(hp / 2.0) - 1.0));
  let m = light - chroma / 2.0;
  var c = vec3<f32>(chroma, 0.0, x);
  switch (u32(floor(hp))) {
    case 0u: { c = vec3<f32>(chroma, x, 0.0); }
    case 1u: { c = vec3<f32>(x, chroma, 0.0); }
    case 2u: { c = vec3<f32>(0.0, chroma, x); }
    case 3u: { c = vec3<f32>(0.0, x, chroma); }
    case 4u: { c = vec3<f32>(x, 0.0, chroma); }
    default: {}
  }
  return c + m;
}

// The light on the facet under this pixel, with its normal turned towards the eye (both sides lit alike).
fn shade(scene: vec3<f32>) -> f32 {
  let n = cross(dpdx(scene), dpdy(scene));
  let len = length(n);
  if (!(len > 0.0)) {
    return AMBIENT + DIFFUSE;
  }
  let facing = select(1.0, -1.0, dot(n, P.eye.xyz - scene) < 0.0);
  return AMBIENT + DIFFUSE * max(0.0, facing * dot(n, LIGHT) / len);
}

@fragment
fn fsSurface(f: SurfaceOut) -> @location(0) vec4<f32> {
  let light = shade(f.scene);
  var base: vec3<f32>;
  if (P.mode == 1u) {
    let g = vec2<u32>(min(round(f.grid), vec2<f32>(f32(P.nx - 1u), f32(P.ny - 1u))));
    base = patternColour(pattern[P.patternFirst + g.y * P.nx + g.x]);
  } else {
    base = heightColour(f.value, P.colourScale);
  }
  if (P.unit.w > 0.5) {
    // The selected unit's hinged plane: where it is active, tinted orange (as the canvas twin does).
    let x = mix(P.view.x, P.view.y, 0.5 * (f.scene.x + 1.0));
    let y = mix(P.view.z, P.view.w, 0.5 * (f.scene.y + 1.0));
    if (P.unit.x * x + P.unit.y * y + P.unit.z > 0.0) {
      base = mix(base, vec3<f32>(1.0, 0.55, 0.05), 0.35);
    }
  }
  return vec4<f32>(base * light, 1.0);
}

// The target as a translucent surface: its colour (premultiplied) times the light.
@fragment
fn fsTarget(f: SurfaceOut) -> @location(0) vec4<f32> {
  let light = shade(f.scene);
  return vec4<f32>(P.colour.rgb * light, P.colour.a);
}

// Lines: the wireframe and the creases, in one premultiplied colour.
@fragment
fn fsFlat() -> @location(0) vec4<f32> {
  return P.colour;
}
