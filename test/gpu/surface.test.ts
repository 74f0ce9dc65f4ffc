import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeDevice, renderPixels } from './dawn.ts';
import { SURFACE_PARAMS_LAYOUT, SURFACE_PARAMS_SIZE, type SurfaceParams, SurfaceGpu } from '../../src/views/surface3d/surfaceGpu.ts';
import { OrbitCamera, toScene } from '../../src/views/surface3d/camera.ts';
import { heightColour, heightScale, patternColour, shadeOf } from '../../src/views/surface3d/shading.ts';
import { SurfaceCanvas } from '../../src/views/surface3d/surfaceCanvas.ts';
import { wgslStructLayout } from '../../src/views/uniformLayout.ts';
import vertSource from '../../shaders/surface.vert.wgsl?raw';
import type { DeviceValues } from '../../src/views/deviceValues.ts';

// The GPU entry point stays referenced for the whole file: Dawn tears its instance down when it is collected.
let gpu: GPU;
let device: GPUDevice;
let surface: SurfaceGpu;
const buffers: GPUBuffer[] = [];

beforeAll(async () => {
  ({ gpu, device } = await nodeDevice());
  surface = await SurfaceGpu.create(device, 'rgba8unorm');
});
afterAll(() => {
  for (const b of buffers) b.destroy();
  surface?.destroy();
  surface?.destroy();
  device?.destroy();
});

const WIDTH = 160;
const HEIGHT = 120;
const VIEW = { xMin: -1, xMax: 1, yMin: -1, yMax: 1 };

/** Writes an RGBA image as a PNG (stored for a person to look at when SURFACE_PNG_DIR is set). */
function savePng(name: string, pixels: Uint8Array, width: number, height: number): void {
  const dir = process.env.SURFACE_PNG_DIR;
  if (!dir) return;
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Uint8Array) => {
    let c = 0xffffffff;
    for (const x of b) c = crcTable[(c ^ x) & 255] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Uint8Array) => {
    const out = new Uint8Array(12 + data.length);
    const dv = new DataView(out.buffer);
    dv.setUint32(0, data.length);
    out.set(Buffer.from(type, 'latin1'), 4);
    out.set(data, 8);
    dv.setUint32(8 + data.length, crc(out.subarray(4, 8 + data.length)));
    return out;
  };
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, width);
  dv.setUint32(4, height);
  ihdr.set([8, 6, 0, 0, 0], 8);
  // Composite over white so transparent background reads as white.
  const raw = new Uint8Array((4 * width + 1) * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const k = 4 * (y * width + x);
      const a = pixels[k + 3] / 255;
      const o = y * (4 * width + 1) + 1 + 4 * x;
      for (let ch = 0; ch < 3; ch++) raw[o + ch] = Math.min(255, pixels[k + ch] + 255 * (1 - a));
      raw[o + 3] = 255;
    }
  }
  const sig = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]);
  const parts = [sig, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))];
  writeFileSync(`${dir}/${name}.png`, Buffer.concat(parts));
}

/** Values in a fresh STORAGE buffer at a byte offset (as the evaluator's handle describes them). */
function upload(values: Float32Array<ArrayBuffer> | Uint32Array<ArrayBuffer>, offset = 0): DeviceValues {
  const buffer = device.createBuffer({ size: offset + Math.max(16, values.byteLength), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(buffer, offset, values);
  buffers.push(buffer);
  return { buffer, offset, count: values.length, device };
}

/** f sampled on an nx × ny grid over VIEW, row-major, row j at the j-th y from the bottom. */
function gridOf(nx: number, ny: number, f: (x: number, y: number) => number): Float32Array<ArrayBuffer> {
  const out = new Float32Array(nx * ny);
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const x = VIEW.xMin + (nx > 1 ? (i * (VIEW.xMax - VIEW.xMin)) / (nx - 1) : 0);
      const y = VIEW.yMin + (ny > 1 ? (j * (VIEW.yMax - VIEW.yMin)) / (ny - 1) : 0);
      out[j * nx + i] = f(x, y);
    }
  }
  return out;
}

/** Renders a frame (renderPixels: a fresh rgba8unorm texture, no validation error) and returns its bytes, rows packed. */
async function render(params: SurfaceParams, width = WIDTH, height = HEIGHT): Promise<Uint8Array> {
  return renderPixels(device, width, height, (encoder, view) => surface.encode(encoder, view, width, height, params));
}

function pixel(p: Uint8Array, x: number, y: number, width = WIDTH): [number, number, number, number] {
  const k = 4 * (Math.round(y) * width + Math.round(x));
  return [p[k], p[k + 1], p[k + 2], p[k + 3]];
}

/** The CPU twin's colour (0–255) of a point of a planar facet with scene normal n, seen by `cam`. */
function twin(base: [number, number, number], n: [number, number, number], scene: [number, number, number], cam: OrbitCamera): number[] {
  const eye = cam.eye();
  const s = shadeOf(n, [eye[0] - scene[0], eye[1] - scene[1], eye[2] - scene[2]]);
  return base.map((c) => 255 * c * s);
}

/** A 2D context that records the fallback's filled triangles (in drawing order) and counts its strokes. */
class RecordingContext {
  fills: { pts: number[]; rgb: number[] }[] = [];
  strokes = 0;
  fillStyle = '';
  strokeStyle = '';
  lineWidth = 1;
  lineJoin = 'miter';
  lineCap = 'butt';
  private path: number[] = [];
  save(): void {}
  restore(): void {}
  beginPath(): void {
    this.path = [];
  }
  moveTo(x: number, y: number): void {
    this.path.push(x, y);
  }
  lineTo(x: number, y: number): void {
    this.path.push(x, y);
  }
  closePath(): void {}
  fill(): void {
    const m = /^rgb\((\d+),(\d+),(\d+)\)$/.exec(this.fillStyle);
    if (!m) throw new Error(`unexpected fill style ${this.fillStyle}`);
    // One fill may hold many triangles (a run of one colour): each is a subpath of three points.
    for (let k = 0; k + 5 < this.path.length; k += 6) this.fills.push({ pts: this.path.slice(k, k + 6), rgb: [Number(m[1]), Number(m[2]), Number(m[3])] });
  }
  stroke(): void {
    this.strokes++;
  }
}

/** Paints the recorded triangles in order into RGBA bytes (pixel centres inside a triangle take its colour). */
function rasterise(ctx: RecordingContext, width: number, height: number): Uint8Array {
  const out = new Uint8Array(4 * width * height);
  for (const { pts, rgb } of ctx.fills) {
    const [ax, ay, bx, by, cx, cy] = pts;
    const area = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
    if (area === 0) continue;
    for (let y = Math.max(0, Math.floor(Math.min(ay, by, cy))); y <= Math.min(height - 1, Math.ceil(Math.max(ay, by, cy))); y++) {
      for (let x = Math.max(0, Math.floor(Math.min(ax, bx, cx))); x <= Math.min(width - 1, Math.ceil(Math.max(ax, bx, cx))); x++) {
        const px = x + 0.5;
        const py = y + 0.5;
        const w0 = ((bx - px) * (cy - py) - (by - py) * (cx - px)) / area;
        const w1 = ((cx - px) * (ay - py) - (cy - py) * (ax - px)) / area;
        if (w0 < 0 || w1 < 0 || w0 + w1 > 1) continue;
        out.set([...rgb, 255], 4 * (y * width + x));
      }
    }
  }
  return out;
}

/**
 * Share of the pixels both pictures cover fully, away from colour boundaries in `a` (its 3×3 neighbourhood all one
 * colour), whose colours differ by more than `tolerance` in a channel.
 */
function disagreement(a: Uint8Array, b: Uint8Array, tolerance: number, width = WIDTH): { share: number; both: number } {
  let both = 0;
  let differ = 0;
  const height = a.length / 4 / width;
  const uniform = (k: number) => {
    const x = (k / 4) % width;
    const y = Math.floor(k / 4 / width);
    if (x < 1 || y < 1 || x >= width - 1 || y >= height - 1) return false;
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const j = k + 4 * (dy * width + dx);
        for (let ch = 0; ch < 4; ch++) if (Math.abs(a[j + ch] - a[k + ch]) > 1) return false;
      }
    }
    return true;
  };
  for (let k = 0; k < a.length; k += 4) {
    if (a[k + 3] !== 255 || b[k + 3] !== 255 || !uniform(k)) continue;
    both++;
    if (Math.abs(a[k] - b[k]) > tolerance || Math.abs(a[k + 1] - b[k + 1]) > tolerance || Math.abs(a[k + 2] - b[k + 2]) > tolerance) differ++;
  }
  return { share: both > 0 ? differ / both : 1, both };
}

describe('SurfaceParams', () => {
  it('is declared in the shader exactly as the TypeScript layout packs it', () => {
    const { members, size } = wgslStructLayout(vertSource, 'SurfaceParams');
    expect(members).toEqual(SURFACE_PARAMS_LAYOUT.map((m) => ({ ...m })));
    expect(size).toBe(SURFACE_PARAMS_SIZE);
  });
});

describe('SurfaceGpu', () => {
  it('draws the plane z = x from above with its colours left to right, as the CPU twin shades it', async () => {
    const nx = 63;
    const ny = 65;
    const values = upload(gridOf(nx, ny, (x) => x), 260);
    const camera = new OrbitCamera({ azimuth: 0, elevation: 89 });
    const zRange: [number, number] = [-1, 1];
    const pixels = await render({ values, nx, ny, view: VIEW, zRange, camera, mesh: 37 });
    savePng('surface-plane-top', pixels, WIDTH, HEIGHT);
    // Scene z = 0.6·x, so the normal is (−0.6, 0, 1) everywhere.
    const n: [number, number, number] = [-0.6, 0, 1];
    let last = -Infinity;
    for (const x of [-0.9, -0.6, -0.3, 0, 0.3, 0.6, 0.9]) {
      const [sx, sy] = camera.project(x, 0, x, VIEW, zRange, WIDTH, HEIGHT);
      const got = pixel(pixels, sx - 0.5, sy - 0.5);
      const want = twin(heightColour(x, heightScale(zRange)), n, toScene(x, 0, x, VIEW, zRange), camera);
      for (let ch = 0; ch < 3; ch++) expect(Math.abs(got[ch] - want[ch])).toBeLessThanOrEqual(3);
      expect(got[3]).toBe(255);
      // Red minus blue grows left to right: blue below 0, red above.
      expect(got[0] - got[2]).toBeGreaterThan(last);
      last = got[0] - got[2];
    }
    // Outside the surface the canvas stays clear.
    expect(pixel(pixels, 1, 1)[3]).toBe(0);
  });

  it("tints the selected unit's hinged plane (its active side) orange, and nothing else", async () => {
    const nx = 33;
    const ny = 33;
    const values = upload(gridOf(nx, ny, () => 0));
    const camera = new OrbitCamera({ azimuth: 0, elevation: 89 });
    const zRange: [number, number] = [-1, 1];
    const plain = await render({ values, nx, ny, view: VIEW, zRange, camera, mesh: 16 });
    // Unit ReLU(x − 0.2): active for x > 0.2.
    const tinted = await render({ values, nx, ny, view: VIEW, zRange, camera, mesh: 16, highlight: { unit: [1, 0, -0.2] } });
    for (const x of [-0.8, -0.3, 0.1, 0.4, 0.8]) {
      const [sx, sy] = camera.project(x, 0, 0, VIEW, zRange, WIDTH, HEIGHT);
      const a = pixel(plain, sx - 0.5, sy - 0.5);
      const b = pixel(tinted, sx - 0.5, sy - 0.5);
      if (x > 0.2) {
        expect(b[0] - b[2]).toBeGreaterThan(a[0] - a[2] + 40);
      } else {
        for (let ch = 0; ch < 3; ch++) expect(b[ch]).toBe(a[ch]);
      }
    }
  });

  it('hides what lies behind a ridge (depth test), whichever side it is drawn from', async () => {
    const nx = 101;
    const ny = 101;
    // A tall thin ridge along y = 0 on a floor at 0.
    const values = upload(gridOf(nx, ny, (_x, y) => (Math.abs(y) < 0.06 ? 1 : 0)));
    const zRange: [number, number] = [0, 1];
    for (const azimuth of [0, 180]) {
      const camera = new OrbitCamera({ azimuth, elevation: 20 });
      const pixels = await render({ values, nx, ny, view: VIEW, zRange, camera, mesh: 200 });
      savePng(`surface-ridge-az${azimuth}`, pixels, WIDTH, HEIGHT);
      const far = azimuth === 0 ? 0.9 : -0.9;
      const [bx, by] = camera.project(0, far, 0, VIEW, zRange, WIDTH, HEIGHT);
      const [fx, fy] = camera.project(0, -far, 0, VIEW, zRange, WIDTH, HEIGHT);
      // The floor in front is white (height 0) times the light; the floor behind the ridge is covered by its wall,
      // reddish where the ray meets it (a fifth of the way up).
      const front = pixel(pixels, fx, fy);
      const behind = pixel(pixels, bx, by);
      expect(Math.abs(front[0] - front[2])).toBeLessThanOrEqual(2);
      expect(behind[0] - behind[2]).toBeGreaterThan(15);
    }
  });

  it('turning the camera by 180° mirrors the picture of a surface that does not depend on y', async () => {
    const nx = 64;
    const ny = 48;
    const values = upload(gridOf(nx, ny, (x) => x * x * x - 0.4 * x), 4);
    const zRange: [number, number] = [-0.6, 0.6];
    const shots: Uint8Array[] = [];
    for (const azimuth of [0, 180]) {
      const camera = new OrbitCamera({ azimuth, elevation: 35 });
      shots.push(await render({ values, nx, ny, view: VIEW, zRange, camera, mesh: 96 }));
      savePng(`surface-mirror-az${azimuth}`, shots.at(-1) as Uint8Array, WIDTH, HEIGHT);
    }
    // A pixel matches when its mirror or a neighbour of it has its colour (edges may rasterise a pixel apart).
    const matches = (a: number[], x: number, y: number) => {
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const mx = WIDTH - 1 - x + dx;
          if (mx < 0 || mx >= WIDTH || y + dy < 0 || y + dy >= HEIGHT) continue;
          const b = pixel(shots[1], mx, y + dy);
          if (a.every((v, ch) => Math.abs(v - b[ch]) <= 12)) return true;
        }
      }
      return false;
    };
    let differing = 0;
    let covered = 0;
    for (let y = 0; y < HEIGHT; y++) {
      for (let x = 0; x < WIDTH; x++) {
        const a = pixel(shots[0], x, y);
        if (a[3] > 0) covered++;
        // Silhouette pixels are partly covered, and the multisample pattern is not mirror-symmetric: skip them.
        if (a[3] === 255 && !matches(a, x, y)) differing++;
      }
    }
    expect(covered).toBeGreaterThan(0.15 * WIDTH * HEIGHT);
    expect(differing).toBeLessThan(0.002 * covered);
    // And it is not symmetric in itself: the mirror is a real change.
    let self = 0;
    for (let y = 0; y < HEIGHT; y++) for (let x = 0; x < WIDTH; x++) if (pixel(shots[0], x, y).some((v, ch) => Math.abs(v - pixel(shots[0], WIDTH - 1 - x, y)[ch]) > 12)) self++;
    expect(self).toBeGreaterThan(0.1 * covered);
  });

  // The pyramid 1 − max(|x|, |y|) from four units: its four facets, split by the lines x = ±y.
  const pyramid = (x: number, y: number) => 1 - 0.5 * (Math.max(0, x + y) + Math.max(0, x - y) + Math.max(0, -x + y) + Math.max(0, -x - y));
  const patternAt = (x: number, y: number) => (x + y > 0 ? 1 : 0) | (x - y > 0 ? 2 : 0) | (-x + y > 0 ? 4 : 0) | (-x - y > 0 ? 8 : 0);

  it('shades each facet of a pyramid flat, in its pattern colour, as the CPU twin does; creases lie on the diagonals', async () => {
    const nx = 65;
    const ny = 65;
    const values = upload(gridOf(nx, ny, pyramid));
    const pattern = upload(Uint32Array.from(gridOf(nx, ny, patternAt)));
    const zRange: [number, number] = [0, 1];
    // Facets slope at 50°: from 70° up all four face the eye.
    const camera = new OrbitCamera({ azimuth: -25, elevation: 70 });
    const base: SurfaceParams = { values, nx, ny, view: VIEW, zRange, camera, mesh: 64, colour: 'pattern', pattern };
    const pixels = await render(base);
    // Scene z = 1.2·z − 0.6, so the facet z = 1 − x has the normal (1.2, 0, 1), and so on.
    savePng('surface-pyramid', pixels, WIDTH, HEIGHT);
    const facets: [number, number, [number, number, number]][] = [
      [0.55, 0, [1.2, 0, 1]],
      [-0.55, 0, [-1.2, 0, 1]],
      [0, 0.55, [0, 1.2, 1]],
      [0, -0.55, [0, -1.2, 1]],
    ];
    const shades = new Set<string>();
    for (const [cx, cy, n] of facets) {
      const want = twin(patternColour(patternAt(cx, cy)), n, toScene(cx, cy, pyramid(cx, cy), VIEW, zRange), camera);
      // Points across the facet (well inside it) all have the facet's one colour.
      for (const [dx, dy] of [
        [0, 0],
        [0.15, 0.05],
        [-0.1, -0.08],
        [0.05, -0.12],
      ]) {
        const x = cx + (cx === 0 ? dx * 0.5 : dx * 0.4);
        const y = cy + (cy === 0 ? dy * 0.5 : dy * 0.4);
        const [sx, sy] = camera.project(x, y, pyramid(x, y), VIEW, zRange, WIDTH, HEIGHT);
        const got = pixel(pixels, sx - 0.5, sy - 0.5);
        for (let ch = 0; ch < 3; ch++) expect(Math.abs(got[ch] - want[ch])).toBeLessThanOrEqual(3);
      }
      shades.add(want.map((v) => Math.round(v)).join());
    }
    expect(shades.size).toBe(4);
    // The creases: the two diagonals, drawn dark over the surface.
    const creases = new Float32Array([-1, -1, 1, 1, -1, 1, 1, -1]);
    const withCreases = await render({ ...base, creases, highlight: { segment: [-1, 1, 1, -1] } });
    savePng('surface-pyramid-creases', withCreases, WIDTH, HEIGHT);
    const [sx, sy] = camera.project(0.5, 0.5, pyramid(0.5, 0.5), VIEW, zRange, WIDTH, HEIGHT);
    const onCrease = pixel(withCreases, sx - 0.5, sy - 0.5);
    expect(Math.max(onCrease[0], onCrease[1], onCrease[2])).toBeLessThan(90);
    const [hx, hy] = camera.project(-0.5, 0.5, pyramid(-0.5, 0.5), VIEW, zRange, WIDTH, HEIGHT);
    const onHighlight = pixel(withCreases, hx - 0.5, hy - 0.5);
    expect(onHighlight[0]).toBeGreaterThan(200);
    expect(onHighlight[2]).toBeLessThan(80);
    // Away from the creases nothing changed.
    const [ax, ay] = camera.project(0.55, 0, pyramid(0.55, 0), VIEW, zRange, WIDTH, HEIGHT);
    expect(pixel(withCreases, ax, ay)).toEqual(pixel(pixels, ax, ay));
  });

  it('the canvas fallback paints what the GPU draws: the same facets and colours, and what hides what', async () => {
    const nx = 65;
    const ny = 65;
    const zRange: [number, number] = [0, 1];
    const draw = async (f: (x: number, y: number) => number, id: (x: number, y: number) => number, camera: OrbitCamera, name: string) => {
      const grid = gridOf(nx, ny, f);
      const ids = Uint32Array.from(gridOf(nx, ny, id));
      const gpuPixels = await render({ values: upload(grid), nx, ny, view: VIEW, zRange, camera, mesh: 64, colour: 'pattern', pattern: upload(ids) });
      const ctx = new RecordingContext();
      new SurfaceCanvas().draw(ctx as unknown as CanvasRenderingContext2D, WIDTH, HEIGHT, { values: grid, nx, ny, view: VIEW, zRange, camera, mesh: 64, colour: 'pattern', pattern: ids });
      expect(ctx.fills.length).toBe(2 * 64 * 64);
      const cpuPixels = rasterise(ctx, WIDTH, HEIGHT);
      savePng(`surface-fallback-${name}`, cpuPixels, WIDTH, HEIGHT);
      savePng(`surface-gpu-${name}`, gpuPixels, WIDTH, HEIGHT);
      return { gpuPixels, cpuPixels };
    };
    // The pyramid in pattern colours: away from the creases every pixel agrees.
    const { gpuPixels, cpuPixels } = await draw(pyramid, patternAt, new OrbitCamera({ azimuth: -25, elevation: 70 }), 'pyramid');
    const { share, both } = disagreement(gpuPixels, cpuPixels, 4);
    expect(both).toBeGreaterThan(0.1 * WIDTH * HEIGHT);
    expect(share).toBeLessThan(0.005);
    // A ridge seen low hides the floor behind it, in the fallback's painter's order as with the depth buffer. (The
    // wall's colours differ: the GPU picks the pattern per pixel, the fallback per triangle.)
    const ridge = (_x: number, y: number) => (Math.abs(y) < 0.1 ? 1 : 0);
    for (const azimuth of [15, 195]) {
      const camera = new OrbitCamera({ azimuth, elevation: 20 });
      const r = await draw(ridge, (x, y) => ridge(x, y) + 20, camera, `ridge-az${azimuth}`);
      const far = azimuth < 90 ? 0.8 : -0.8;
      const floor = twin(patternColour(20), [0, 0, 1], toScene(0, far, 0, VIEW, zRange), camera).map(Math.round);
      const [bx, by] = camera.project(0, far, 0, VIEW, zRange, WIDTH, HEIGHT);
      const [fx, fy] = camera.project(0, -far, 0, VIEW, zRange, WIDTH, HEIGHT);
      for (const pixels of [r.gpuPixels, r.cpuPixels]) {
        expect(pixel(pixels, fx, fy).slice(0, 3).every((v, ch) => Math.abs(v - floor[ch]) <= 3)).toBe(true);
        expect(pixel(pixels, bx, by).slice(0, 3).some((v, ch) => Math.abs(v - floor[ch]) > 10)).toBe(true);
      }
    }
  });

  it('draws the same picture whatever the compute grid, since the mesh samples it (a plane from 2×2 and 63×65)', async () => {
    const f = (x: number, y: number) => 0.7 * x - 0.3 * y + 0.1;
    const camera = new OrbitCamera({ azimuth: 30, elevation: 40 });
    const zRange: [number, number] = [-1, 1.2];
    const a = await render({ values: upload(gridOf(2, 2, f)), nx: 2, ny: 2, view: VIEW, zRange, camera, mesh: 50 });
    const b = await render({ values: upload(gridOf(63, 65, f), 8), nx: 63, ny: 65, view: VIEW, zRange, camera, mesh: 50 });
    let worst = 0;
    for (let k = 0; k < a.length; k++) worst = Math.max(worst, Math.abs(a[k] - b[k]));
    expect(worst).toBeLessThanOrEqual(3);
    // A single grid point draws a flat square at its height.
    const one = await render({ values: upload(new Float32Array([0.5])), nx: 1, ny: 1, view: VIEW, zRange, camera, mesh: 3 });
    expect(pixel(one, WIDTH / 2, HEIGHT / 2)[3]).toBe(255);
  });

  it('draws the target as a wireframe or a translucent second surface over the network', async () => {
    const nx = 48;
    const ny = 48;
    const values = upload(gridOf(nx, ny, (x, y) => 0.5 * x * y));
    const target = upload(gridOf(nx, ny, (x, y) => 0.6 - x * x - y * y));
    const camera = new OrbitCamera();
    const zRange: [number, number] = [-1.4, 0.6];
    const base: SurfaceParams = { values, nx, ny, view: VIEW, zRange, camera, mesh: 64 };
    const plain = await render(base);
    const wire = await render({ ...base, target: { values: target, style: 'wireframe' } });
    const fill = await render({ ...base, target: { values: target, style: 'translucent' } });
    savePng('surface-target-wire', wire, WIDTH, HEIGHT);
    savePng('surface-target-fill', fill, WIDTH, HEIGHT);
    const changed = (p: Uint8Array) => {
      let c = 0;
      for (let k = 0; k < p.length; k += 4) if (Math.abs(p[k] - plain[k]) + Math.abs(p[k + 1] - plain[k + 1]) + Math.abs(p[k + 2] - plain[k + 2]) > 20) c++;
      return c;
    };
    // Lines cover a little of the picture, a translucent surface much of it.
    expect(changed(wire)).toBeGreaterThan(200);
    expect(changed(fill)).toBeGreaterThan(changed(wire));
  });

  it('rejects frames whose shapes or colours do not fit, and draws nothing after destroy', async () => {
    const values = upload(new Float32Array(6));
    const camera = new OrbitCamera();
    const texture = device.createTexture({ size: [8, 8], format: 'rgba8unorm', usage: GPUTextureUsage.RENDER_ATTACHMENT });
    const encoder = device.createCommandEncoder();
    const base: SurfaceParams = { values, nx: 2, ny: 3, view: VIEW, zRange: [0, 1], camera };
    const bad: Partial<SurfaceParams>[] = [
      { nx: 2, ny: 2 },
      { nx: 0, ny: 3 },
      { view: { xMin: 1, xMax: 1, yMin: 0, yMax: 1 } },
      { zRange: [1, 0] },
      { zRange: [0, Number.NaN] },
      { colour: 'pattern' },
      { values: { ...values, offset: 2 } },
      { target: { values: upload(new Float32Array(4)), style: 'wireframe' } },
    ];
    for (const b of bad) expect(() => surface.encode(encoder, texture.createView(), 8, 8, { ...base, ...b })).toThrow(RangeError);
    texture.destroy();
    const spare = await SurfaceGpu.create(device, 'rgba8unorm');
    spare.destroy();
    spare.destroy();
    const enc2 = device.createCommandEncoder();
    const t2 = device.createTexture({ size: [8, 8], format: 'rgba8unorm', usage: GPUTextureUsage.RENDER_ATTACHMENT });
    expect(() => spare.encode(enc2, t2.createView(), 8, 8, base)).not.toThrow();
    t2.destroy();
  });
});
