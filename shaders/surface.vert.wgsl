// surface vertex stage: the network's values as a 3D height field, lifted straight from the evaluator's value buffer.
// Why: the surface is drawn without reading values back, and its mesh (mesh × mesh quads, two triangles each, from
//   vertex_index alone) does not depend on the compute grid: each mesh vertex samples the nx × ny grid bilinearly,
//   which keeps planar pieces exactly planar. Also the target's wireframe (line-list along mesh lines) and the
//   creases (screen-space quads along segments, lifted onto the drawn triangles, so they follow the surface).
// Bindings: 0 params (uniform, SurfaceParams below, one 256-byte slot per draw, dynamic offset), 1 values (storage,
//   read: row-major f32 grid from index first, row j at the j-th y from the bottom), 2 pattern (storage, read: u32
//   activation-pattern id per grid point from index patternFirst; fragment stage), 3 segments (storage, read:
//   vec4(x0, y0, x1, y1) per crease segment in plane coordinates).
// Scene coordinates: the view onto [−1, 1]², heights through zMap (the z range onto ±0.6); the twin is camera.ts.

struct SurfaceParams {
  vp0: vec4<f32>,        // scene → clip matrix, column 0
  vp1: vec4<f32>,
  vp2: vec4<f32>,
  vp3: vec4<f32>,
  eye: vec4<f32>,        // the eye in scene coordinates (w unused)
  colour: vec4<f32>,     // premultiplied RGBA of the target, its wireframe or a crease
  view: vec4<f32>,       // xMin, xMax, yMin, yMax of the plane (for crease segments)
  canvas: vec2<f32>,     // target size in pixels
  zMap: vec2<f32>,       // scene z = zMap.x · value + zMap.y
  colourScale: f32,      // max(|zMin|, |zMax|): the height colour map's scale
  halfWidth: f32,        // half a crease's width in pixels
  nx: u32,
  ny: u32,
  first: u32,            // index of value 0 in binding 1
  patternFirst: u32,     // index of pattern 0 in binding 2
  mesh: u32,             // quads per side of the drawn mesh
  mode: u32,             // colour: 0 by height, 1 by activation pattern
  pieces: u32,           // pieces per crease segment
  wire: u32,             // wireframe lines per side
  lift: f32,             // how far lines move towards the eye (scene units), so they win the depth test
  pad: u32,
  unit: vec4<f32>,       // the selected unit's w1, w2, b, and 1 when its active side is tinted (0: none)
}

@group(0) @binding(0) var<uniform> P: SurfaceParams;
@group(0) @binding(1) var<storage, read> values: array<f32>;
@group(0) @binding(2) var<storage, read> pattern: array<u32>;
@group(0) @binding(3) var<storage, read> segments: array<vec4<f32>>;

struct SurfaceOut {
  @builtin(position) pos: vec4<f32>,
  @location(0) scene: vec3<f32>,
  @location(1) grid: vec2<f32>,     // grid coordinates (i, j) of this point, for the pattern lookup
  @location(2) value: f32,          // the height in data units, for the colour map
}

fn value(i: u32, j: u32) -> f32 {
  return values[P.first + j * P.nx + i];
}

// The grid's value at fractions (u, v) of the view, bilinear between the four nearest samples (grid points at
// i/(nx − 1) include both edges, as src/model/grid.ts spaces them).
fn sampleGrid(u: f32, v: f32) -> f32 {
  let g = vec2<f32>(clamp(u, 0.0, 1.0) * f32(P.nx - 1u), clamp(v, 0.0, 1.0) * f32(P.ny - 1u));
  let i0 = min(u32(floor(g.x)), P.nx - 1u);
  let j0 = min(u32(floor(g.y)), P.ny - 1u);
  let i1 = min(i0 + 1u, P.nx - 1u);
  let j1 = min(j0 + 1u, P.ny - 1u);
  let t = g - vec2<f32>(f32(i0), f32(j0));
  let bottom = mix(value(i0, j0), value(i1, j0), t.x);
  let top = mix(value(i0, j1), value(i1, j1), t.x);
  return mix(bottom, top, t.y);
}

// Scene height of a value: non-finite values sit at 0 and the rest are kept near the box (inside the depth range).
fn sceneZ(v: f32) -> f32 {
  let z = P.zMap.x * v + P.zMap.y;
  return select(0.0, clamp(z, -1.2, 1.2), abs(z) <= 3.0e38);
}

fn clip(p: vec3<f32>) -> vec4<f32> {
  return P.vp0 * p.x + P.vp1 * p.y + P.vp2 * p.z + P.vp3;
}

const QUAD = array<vec2<u32>, 6>(vec2(0u, 0u), vec2(1u, 0u), vec2(0u, 1u), vec2(0u, 1u), vec2(1u, 0u), vec2(1u, 1u));

// One mesh vertex: quad vid / 6, corner vid % 6 (triangles (00, 10, 01) and (01, 10, 11)).
@vertex
fn vsMesh(@builtin(vertex_index) vid: u32) -> SurfaceOut {
  let q = vid / 6u;
  let c = QUAD[vid % 6u];
  let m = f32(P.mesh);
  let u = f32(q % P.mesh + c.x) / m;
  let v = f32(q / P.mesh + c.y) / m;
  let h = sampleGrid(u, v);
  let scene = vec3<f32>(2.0 * u - 1.0, 2.0 * v - 1.0, sceneZ(h));
  var out: SurfaceOut;
  out.pos = clip(scene);
  out.scene = scene;
  out.grid = vec2<f32>(u * f32(P.nx - 1u), v * f32(P.ny - 1u));
  out.value = h;
  return out;
}

// The drawn surface's scene height at fractions (u, v): the mesh triangle's plane there, as vsMesh splits each quad.
fn meshHeight(u: f32, v: f32) -> f32 {
  let m = f32(P.mesh);
  let g = vec2<f32>(clamp(u, 0.0, 1.0), clamp(v, 0.0, 1.0)) * m;
  let c = min(floor(g), vec2<f32>(m - 1.0));
  let t = g - c;
  let z00 = sceneZ(sampleGrid(c.x / m, c.y / m));
  let z10 = sceneZ(sampleGrid((c.x + 1.0) / m, c.y / m));
  let z01 = sceneZ(sampleGrid(c.x / m, (c.y + 1.0) / m));
  if (t.x + t.y <= 1.0) {
    return z00 + t.x * (z10 - z00) + t.y * (z01 - z00);
  }
  let z11 = sceneZ(sampleGrid((c.x + 1.0) / m, (c.y + 1.0) / m));
  return z11 + (1.0 - t.x) * (z01 - z11) + (1.0 - t.y) * (z10 - z11);
}

// A point moved `lift` towards the eye, so lines on the surface pass the depth test against it.
fn lifted(p: vec3<f32>) -> vec3<f32> {
  return p + normalize(P.eye.xyz - p) * P.lift;
}

struct LineOut {
  @builtin(position) pos: vec4<f32>,
}

// The target's wireframe (line-list): `wire` + 1 lines each way, each in `mesh` pieces so it follows the surface.
@vertex
fn vsWire(@builtin(vertex_index) vid: u32) -> LineOut {
  let seg = vid >> 1u;
  let perDir = (P.wire + 1u) * P.mesh;
  let r = seg % perDir;
  let along = f32(r % P.mesh + (vid & 1u)) / f32(P.mesh);
  let across = f32(r / P.mesh) / f32(P.wire);
  let uv = select(vec2<f32>(across, along), vec2<f32>(along, across), seg < perDir);
  let p = vec3<f32>(2.0 * uv.x - 1.0, 2.0 * uv.y - 1.0, sceneZ(sampleGrid(uv.x, uv.y)));
  var out: LineOut;
  out.pos = clip(lifted(p));
  return out;
}

// The point at fraction t along crease segment s, on the drawn surface, in scene coordinates.
fn creasePoint(s: vec4<f32>, t: f32) -> vec3<f32> {
  let q = mix(s.xy, s.zw, t);
  let u = (q.x - P.view.x) / (P.view.y - P.view.x);
  let v = (q.y - P.view.z) / (P.view.w - P.view.z);
  return vec3<f32>(2.0 * u - 1.0, 2.0 * v - 1.0, meshHeight(u, v));
}

// Creases: instance = segment (instance_index counts from the draw's first instance), vertex = piece · 6 + corner of
// a quad `halfWidth` pixels to each side of the piece, extended by as much at both ends so pieces join.
@vertex
fn vsCrease(@builtin(vertex_index) vid: u32, @builtin(instance_index) inst: u32) -> LineOut {
  let s = segments[inst];
  let piece = vid / 6u;
  let c = QUAD[vid % 6u];
  let n = f32(P.pieces);
  let a = clip(lifted(creasePoint(s, f32(piece) / n)));
  let b = clip(lifted(creasePoint(s, f32(piece + 1u) / n)));
  let halfPx = P.canvas * 0.5;
  let sa = a.xy / a.w * halfPx;
  let sb = b.xy / b.w * halfPx;
  let d = sb - sa;
  let len = length(d);
  let dir = select(vec2<f32>(1.0, 0.0), d / len, len > 1e-6);
  let normal = vec2<f32>(-dir.y, dir.x);
  let e = select(a, b, c.x == 1u);
  let offset = (normal * (f32(c.y) * 2.0 - 1.0) + dir * (f32(c.x) * 2.0 - 1.0)) * P.halfWidth;
  var out: LineOut;
  out.pos = vec4<f32>(e.xy + offset / halfPx * e.w, e.z, e.w);
  return out;
}
