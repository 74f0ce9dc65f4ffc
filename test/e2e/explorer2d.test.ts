/**
 * The 2D explorer in headless Chromium, with WebGPU (SwiftShader) and with the CPU fallback (issue 9, "Done
 * when"): a known 3-unit network shows its region count and region colours at chosen map pixels; the panel's
 * Inputs control switches modes and restores both; dragging on the surface turns the camera and the picture
 * with it; dragging a unit's line on the map moves its crease; training lowers the RMS error; a link carries the
 * whole 2D state; the CPU fallback says on the surface that it is drawn on the CPU.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'puppeteer';
import { randomNetwork, type Network } from '../../src/model/network.ts';
import { unitHash } from '../../src/model/regions.ts';
import { patternColour } from '../../src/model/colormap.ts';
import { OrbitCamera } from '../../src/views/surface3d/camera.ts';
import { colourDistance, launchBrowser, openApp, pixel, screenshot, serveDist, type Mode } from './harness.ts';

let server: Awaited<ReturnType<typeof serveDist>>;
beforeAll(async () => {
  server = await serveDist();
});
afterAll(async () => {
  await server?.close();
});

type Rgb = [number, number, number];
type Shot = Awaited<ReturnType<typeof screenshot>>;
type Geometry = { left: number; top: number; width: number; height: number; kind: string; view: { xMin: number; xMax: number; yMin: number; yMax: number } };
const px = (g: Geometry, x: number) => g.left + ((x - g.view.xMin) / (g.view.xMax - g.view.xMin)) * g.width;
const py = (g: Geometry, y: number) => g.top + ((g.view.yMax - y) / (g.view.yMax - g.view.yMin)) * g.height;

const SQUARE = { xMin: -1, xMax: 1, yMin: -1, yMax: 1 };
/**
 * Three lines in general position, all crossing inside the square: x = 0.2, y = −0.1 and x + y = 0.5, meeting
 * pairwise at (0.2, −0.1), (0.2, 0.3) and (0.6, −0.1). By hand: 1 + 3 lines + 3 crossings = 7 regions, and
 * each of the 7 sign vectors that occur is its own activation pattern.
 */
const THREE: Network = { dim: 2, w: [1, 0, 0, 1, 1, 1], b: [-0.2, 0.1, -0.5], a: [1, -0.8, 0.6], c: 0.1 };
const THREE_REGIONS = 7;
/** A point well inside each of the 7 regions (at least 0.08 from every line). */
const INSIDE: Array<[number, number]> = [
  [-0.5, -0.6], // none active
  [-0.5, 0.3], // unit 1
  [0.4, -0.6], // unit 0
  [0.35, 0.05], // units 0, 1 (the triangle)
  [0.87, -0.23], // units 0, 2
  [0.6, 0.6], // units 0, 1, 2
  [0.1, 0.55], // units 1, 2 (below the legend in the map's top-left corner)
];

/** The activation-pattern id at (x, y): the XOR of the active units' hashes (src/model/regions.ts). */
function patternAt(net: Network, x: number, y: number): number {
  let id = 0;
  for (let i = 0; i < net.a.length; i++) if (net.w[2 * i] * x + net.w[2 * i + 1] * y + net.b[i] > 0) id ^= unitHash(i);
  return id >>> 0;
}
const rgb255 = (c: Rgb): Rgb => [Math.round(255 * c[0]), Math.round(255 * c[1]), Math.round(255 * c[2])];

/** The state once any construction started by the GUI has landed (an empty setState waits for it and the redraw). */
async function state(page: Page) {
  return page.evaluate(async () => {
    await window.sandbox.setState({});
    return window.sandbox.getState();
  });
}

/** The state without the other mode's waiting settings, as JSON. */
function withoutOther<T extends { other?: unknown }>(s: T): string {
  const { other: _other, ...rest } = s;
  return JSON.stringify(rest);
}

async function clickButton(page: Page, label: string): Promise<void> {
  const ok = await page.evaluate((text) => {
    const b = Array.from(document.querySelectorAll('button')).find((e) => e.textContent?.trim().startsWith(text));
    if (!b) return false;
    b.click();
    return true;
  }, label);
  expect(ok, `button "${label}"`).toBe(true);
}

/** Picks an option of a lil-gui dropdown by its row's name, as a user would (puppeteer's select fires input and change). */
async function chooseOption(page: Page, name: string, option: string): Promise<void> {
  const select = await page.evaluateHandle((n) => {
    const row = Array.from(document.querySelectorAll('.lil-controller')).find((e) => e.querySelector('.lil-name')?.textContent === n);
    return row?.querySelector('select') ?? null;
  }, name);
  const el = select.asElement() as import('puppeteer').ElementHandle<HTMLSelectElement> | null;
  expect(el, `dropdown "${name}"`).not.toBeNull();
  const value = await el!.evaluate((s, o) => Array.from(s.options).find((x) => x.textContent === o)?.value ?? null, option);
  expect(value, `option "${option}" of "${name}"`).not.toBeNull();
  await el!.select(value!);
}

/** The box of an element in page coordinates. */
async function boxOf(page: Page, selector: string) {
  return page.$eval(selector, (e) => {
    const r = e.getBoundingClientRect();
    return { left: r.left + window.scrollX, top: r.top + window.scrollY, width: r.width, height: r.height };
  });
}

/** Luminance of a screenshot pixel. */
const luma = (shot: Shot, x: number, y: number) => {
  const [r, g, b] = pixel(shot, x, y);
  return 0.299 * r + 0.587 * g + 0.114 * b;
};

/** The darkest column of row y within ±radius of x, and how much darker it is than the row's median there. */
function darkestNear(shot: Shot, x: number, y: number, radius: number): { x: number; dip: number } {
  const xs: number[] = [];
  const ls: number[] = [];
  for (let dx = -radius; dx <= radius; dx++) {
    xs.push(Math.round(x) + dx);
    ls.push(luma(shot, Math.round(x) + dx, y));
  }
  const sorted = [...ls].sort((p, q) => p - q);
  const median = sorted[sorted.length >> 1];
  let k = 0;
  for (let i = 1; i < ls.length; i++) if (ls[i] < ls[k]) k = i;
  return { x: xs[k], dip: median - ls[k] };
}

/** Centroid x of the pixels in a box that are clearly red (high) and clearly blue (low), and their counts. */
function redBlue(shot: Shot, box: { left: number; top: number; width: number; height: number }) {
  let rs = 0;
  let rc = 0;
  let bs = 0;
  let bc = 0;
  for (let y = Math.ceil(box.top); y < box.top + box.height; y++) {
    for (let x = Math.ceil(box.left); x < box.left + box.width; x++) {
      const [r, , b] = pixel(shot, x, y);
      if (r - b > 80) {
        rs += x;
        rc++;
      } else if (b - r > 80) {
        bs += x;
        bc++;
      }
    }
  }
  return { red: rs / rc, redCount: rc, blue: bs / bc, blueCount: bc };
}

describe.each<Mode>(['webgpu', 'cpu'])('2D explorer with %s', (mode) => {
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    browser = await launchBrowser(mode);
    // On SwiftShader the surface is drawn on the canvas by default (measured faster there): ask for the WebGPU
    // pipeline, which these tests are about; the last test checks the default.
    ({ page, errors } = await openApp(browser, mode === 'webgpu' ? `${server.url}?surface=gpu` : server.url));
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** Shows THREE in regions colouring with nothing drawn over the colours, and checks count and pixels. */
  async function checkThreeUnits(p: Page, name: string): Promise<void> {
    await p.mouse.move(2, 2);
    await p.evaluate(
      (net, v) =>
        window.sandbox.setState({ mode: '2d', network: net, view2d: v, selected: -1, look: { colour: 'regions', creases: false, contours: false, exact: false, target: 'off' } }),
      THREE,
      SQUARE,
    );
    const r = await p.evaluate(() => window.sandbox.regions());
    expect(r.exact).toBe(THREE_REGIONS);
    expect(r.counted).toBe(THREE_REGIONS);
    // Each region's polygon carries its pattern: the seven ids are the ones computed here, all different.
    const ids = new Set(INSIDE.map(([x, y]) => patternAt(THREE, x, y)));
    expect(ids.size).toBe(THREE_REGIONS);
    if (r.polygons) expect(new Set(r.polygons.map((q: { pattern: number }) => q.pattern >>> 0))).toEqual(ids);
    const g: Geometry = await p.evaluate(() => window.sandbox.geometry());
    expect(g.kind).toBe('map2d');
    expect(g.view).toEqual(SQUARE);
    const shot = await screenshot(p, name);
    for (const [x, y] of INSIDE) {
      const want = rgb255(patternColour(patternAt(THREE, x, y)));
      const got = pixel(shot, px(g, x), py(g, y));
      expect(colourDistance(got, want), `(${x}, ${y}) at (${px(g, x).toFixed(1)}, ${py(g, y).toFixed(1)}): got ${got}, want ${want}`).toBeLessThan(6);
      // The readout agrees on the pattern there.
      expect((await p.evaluate((a, b) => window.sandbox.readout2d(a, b).pattern, x, y)) >>> 0).toBe(patternAt(THREE, x, y));
    }
    // Neighbouring regions really differ on screen (the check above is not passing on one flat colour).
    const colours = INSIDE.map(([x, y]) => pixel(shot, px(g, x), py(g, y)));
    for (let i = 0; i < colours.length; i++) for (let j = i + 1; j < colours.length; j++) expect(colourDistance(colours[i], colours[j])).toBeGreaterThan(10);
  }

  it('shows a known 3-unit network with the hand-counted regions and their colours at chosen map pixels', async () => {
    await checkThreeUnits(page, `explorer2d-${mode}-three-regions`);
    expect((await page.evaluate(() => window.sandbox.info())).plot).toBe('cpu');
    if (mode === 'webgpu') {
      // SwiftShader colours the map on the canvas by default; the fragment shader path must colour alike.
      const { page: gpuPage, errors: gpuErrors } = await openApp(browser, `${server.url}?map=gpu`);
      await checkThreeUnits(gpuPage, `explorer2d-${mode}-three-regions-mapgpu`);
      expect((await gpuPage.evaluate(() => window.sandbox.info())).plot).toBe('webgpu');
      expect(gpuErrors).toEqual([]);
      await gpuPage.close();
    }
    expect(errors).toEqual([]);
  });

  it('switches modes with the panel’s Inputs control and restores each mode exactly as it was left', async () => {
    const bends: Network = { dim: 1, w: [1, 1, 1], b: [1, -0.2, -1.1], a: [1, -2, 1.5], c: 0.2 };
    await page.evaluate(
      (n) => window.sandbox.setState({ mode: '1d', network: n, view: { xMin: -2.5, xMax: 2.25, yMin: -1, yMax: 2 }, selected: 1, lr: 0.037, show: { terms: false, knots: true, target: true, error: true } }),
      bends,
    );
    const s1 = await state(page);
    expect(s1.mode).toBe('1d');
    expect(await page.$eval('#surface-stack', (e) => (e as HTMLElement).hidden)).toBe(true);

    await chooseOption(page, 'Inputs', '2D surface');
    let s = await state(page);
    expect(s.mode).toBe('2d');
    expect(s.network.dim).toBe(2);
    expect(s.other?.mode).toBe('1d');
    expect(await page.$eval('#surface-stack', (e) => (e as HTMLElement).hidden)).toBe(false);
    expect(await page.evaluate(() => window.sandbox.geometry().kind)).toBe('map2d');
    // Make the 2D mode its own: a hand-made network, a window, a look and a camera of its own.
    const net2 = randomNetwork(2, 9, 21);
    await page.evaluate(
      (n) =>
        window.sandbox.setState({
          network: n,
          view2d: { xMin: -1.3, xMax: 0.9, yMin: -0.7, yMax: 1.1 },
          selected: 4,
          lr: 0.004,
          seed: 11,
          target: { kind: 'builtin', id: 'saddle' },
          look: { colour: 'error', contours: true, exact: false, target: 'translucent', camera: { azimuth: 40, elevation: 20, distance: 5, panX: 0.1, panY: -0.2 } },
        }),
      net2,
    );
    const s2 = await state(page);
    expect(s2.build).toBe('custom');
    await screenshot(page, `explorer2d-${mode}-mode-2d`);

    await chooseOption(page, 'Inputs', '1D plot');
    s = await state(page);
    // The 1D mode as it was left; the window of the map and the look are the page's, kept as 2D left them.
    expect(withoutOther(s)).toBe(withoutOther({ ...s1, view2d: s2.view2d, look: s2.look }));
    expect(JSON.stringify(s.other)).toBe(JSON.stringify({ mode: '2d', network: s2.network, target: s2.target, units: s2.units, build: s2.build, placement: s2.placement, ridge: s2.ridge, lr: s2.lr, seed: s2.seed, show: s2.show, selected: s2.selected, activation: s2.activation }));
    expect(await page.$eval('#surface-stack', (e) => (e as HTMLElement).hidden)).toBe(true);
    expect(await page.evaluate(() => window.sandbox.geometry().kind)).toBe('plot1d');

    await chooseOption(page, 'Inputs', '2D surface');
    s = await state(page);
    expect(withoutOther(s)).toBe(withoutOther(s2));
    expect(s.network).toEqual(net2);
    expect(await page.$eval('#surface-stack', (e) => (e as HTMLElement).hidden)).toBe(false);
    expect(errors).toEqual([]);
  });

  it('turns the camera by dragging on the surface: the high side of the plane z = x moves across', async () => {
    // f = x on the square (the unit x + 2 is active everywhere): red (high) on the +x side, blue on the −x side.
    const plane: Network = { dim: 2, w: [1, 0], b: [2], a: [1], c: -2 };
    const cam0 = { azimuth: 0, elevation: 35, distance: 4.6, panX: 0, panY: 0 };
    await page.mouse.move(2, 2);
    await page.evaluate(
      (n, v, c) => window.sandbox.setState({ mode: '2d', network: n, view2d: v, selected: -1, look: { colour: 'values', creases: false, contours: false, exact: false, target: 'off', camera: c } }),
      plane,
      SQUARE,
      cam0,
    );
    const box = await boxOf(page, '#surface');
    const before = await screenshot(page, `explorer2d-${mode}-camera-0`);
    const b0 = redBlue(before, box);
    // Where the camera model puts the high edge's middle (1, 0, 1) and the low edge's (−1, 0, −1) on this canvas.
    const proj = (c: typeof cam0, x: number) => box.left + new OrbitCamera(c).project(x, 0, x, SQUARE, [-1, 1], box.width, box.height)[0];
    expect(proj(cam0, 1)).toBeGreaterThan(proj(cam0, -1));
    expect(b0.redCount).toBeGreaterThan(2000);
    expect(b0.blueCount).toBeGreaterThan(2000);
    expect(b0.red, 'high side on the right at azimuth 0').toBeGreaterThan(b0.blue + 40);

    // A short drag to the right turns the scene's front to the right: the azimuth falls by 0.4° per pixel.
    const cy = box.top + box.height / 2;
    // From near the left edge; the canvas captures the pointer, so the drag may leave it.
    const x0 = box.left + 10;
    await page.mouse.move(x0, cy);
    await page.mouse.down();
    await page.mouse.move(x0 + 50, cy, { steps: 5 });
    let s = await state(page);
    expect(s.look.camera.azimuth).toBeCloseTo(-20, 6);
    expect(s.look.camera.elevation).toBeCloseTo(35, 9);
    // On to 450 pixels in all: 180°, seen from the other side.
    await page.mouse.move(x0 + 450, cy, { steps: 20 });
    await page.mouse.up();
    s = await state(page);
    const az = s.look.camera.azimuth;
    expect(Math.abs(Math.abs(az) - 180), `azimuth ${az}`).toBeLessThan(1e-6);
    expect(s.look.camera.elevation).toBeCloseTo(35, 9);
    const after = await screenshot(page, `explorer2d-${mode}-camera-180`);
    const b1 = redBlue(after, box);
    const cam1 = { ...cam0, azimuth: az };
    expect(proj(cam1, 1)).toBeLessThan(proj(cam1, -1));
    expect(b1.red, 'high side on the left after half a turn').toBeLessThan(b1.blue - 40);
    // Half a turn about the vertical axis through the centre mirrors the plane's picture left to right.
    const mid = box.left + box.width / 2;
    expect(Math.abs(b1.red - mid - (mid - b0.red))).toBeLessThan(0.08 * box.width);
    expect(Math.abs(b1.blue - mid - (mid - b0.blue))).toBeLessThan(0.08 * box.width);
    // The keyboard turns it too: the surface has focus after the drag; ← adds 5°.
    await page.keyboard.press('ArrowLeft');
    s = await state(page);
    expect(Math.abs(Math.abs(s.look.camera.azimuth) - 175)).toBeLessThan(1e-6);
    expect(errors).toEqual([]);
  });

  it('moves a crease by dragging the selected unit’s line on the map', async () => {
    await page.mouse.move(2, 2);
    await page.evaluate(
      (net, v) =>
        window.sandbox.setState({ mode: '2d', network: net, view2d: v, selected: -1, look: { colour: 'regions', creases: true, contours: false, exact: false, target: 'off' } }),
      THREE,
      SQUARE,
    );
    const g: Geometry = await page.evaluate(() => window.sandbox.geometry());
    const row = py(g, -0.6);
    let shot = await screenshot(page, `explorer2d-${mode}-crease-before`);
    // Unit 0's crease x = 0.2 is a dark line across the row y = −0.6 (no other line crosses it in view). The 1 px
    // line can fall between two pixels on the map's square (a dip of ~23 then, against ≤ 8 where no line runs).
    let d = darkestNear(shot, px(g, 0.2), row, 6);
    expect(Math.abs(d.x - px(g, 0.2)), 'crease at x = 0.2').toBeLessThanOrEqual(1.5);
    expect(d.dip).toBeGreaterThan(15);
    expect(darkestNear(shot, px(g, 0.5), row, 4).dip).toBeLessThan(8);

    // A click on the line selects its unit.
    await page.mouse.click(px(g, 0.2), row);
    let s = await state(page);
    expect(s.selected).toBe(0);
    // The move handle sits at the middle of the visible segment, (0.2, 0); drag it to x = 0.5.
    await page.mouse.move(px(g, 0.2), py(g, 0));
    await page.mouse.down();
    await page.mouse.move(px(g, 0.5), py(g, 0), { steps: 8 });
    await page.mouse.up();
    s = await state(page);
    expect(s.selected).toBe(0);
    expect(s.build).toBe('custom');
    const perPx = (g.view.xMax - g.view.xMin) / g.width;
    // Only unit 0's bias moved: its line is now x = 0.5 (to a pixel), the other units are untouched.
    expect(s.network.w.slice(0, 2)).toEqual([1, 0]);
    expect(Math.abs(-s.network.b[0] - 0.5)).toBeLessThan(1.5 * perPx);
    expect(s.network.b.slice(1)).toEqual(THREE.b.slice(1));
    expect(s.network.a).toEqual(THREE.a);
    // Escape deselects (the map has focus), so the moved line is drawn as a plain crease again.
    await page.keyboard.press('Escape');
    expect((await state(page)).selected).toBe(-1);
    await page.mouse.move(2, 2);
    await page.evaluate(() => window.sandbox.setState({}));
    shot = await screenshot(page, `explorer2d-${mode}-crease-after`);
    const x1 = -s.network.b[0];
    d = darkestNear(shot, px(g, x1), row, 6);
    expect(Math.abs(d.x - px(g, x1)), `crease at x = ${x1}`).toBeLessThanOrEqual(1.5);
    expect(d.dip).toBeGreaterThan(15);
    expect(darkestNear(shot, px(g, 0.2), row, 4).dip, 'no crease left at x = 0.2').toBeLessThan(8);
    // Between the old and the new line unit 0 is now off: the map shows that region's colour there.
    const moved = { ...THREE, b: s.network.b };
    const want = rgb255(patternColour(patternAt(moved, 0.35, -0.6)));
    expect(patternAt(moved, 0.35, -0.6)).not.toBe(patternAt(THREE, 0.35, -0.6));
    expect(colourDistance(pixel(shot, px(g, 0.35), row), want)).toBeLessThan(6);
    expect((await page.evaluate(() => window.sandbox.regions())).exact).toBe(THREE_REGIONS);
    expect(errors).toEqual([]);
  });

  it('reads out and highlights the hovered region, and zooms the map about the cursor with the wheel', async () => {
    await page.mouse.move(2, 2);
    await page.evaluate(
      (net, v) =>
        window.sandbox.setState({ mode: '2d', network: net, view2d: v, selected: -1, look: { colour: 'regions', creases: false, contours: false, exact: false, target: 'off' } }),
      THREE,
      SQUARE,
    );
    const g: Geometry = await page.evaluate(() => window.sandbox.geometry());
    // Hover inside the region where no unit is active: the readout names it, and that region is lightened.
    await page.mouse.move(px(g, -0.5), py(g, -0.6));
    await page.waitForFunction(() => /0 active units/.test(document.getElementById('hover-readout')!.textContent ?? ''));
    const text = await page.$eval('#hover-readout', (e) => e.textContent ?? '');
    expect(text).toMatch(/\(x, y\) = \(-0\.5\d*, -0\.6\d*\)/);
    await page.evaluate(() => window.sandbox.setState({}));
    const shot = await screenshot(page, `explorer2d-${mode}-hover`);
    const light = (c: Rgb): Rgb => rgb255([c[0] + (1 - c[0]) * 0.4, c[1] + (1 - c[1]) * 0.4, c[2] + (1 - c[2]) * 0.4]);
    const off = patternColour(patternAt(THREE, -0.8, -0.3));
    expect(colourDistance(pixel(shot, px(g, -0.8), py(g, -0.3)), light(off)), 'hovered region lightened').toBeLessThan(8);
    const other = patternColour(patternAt(THREE, 0.6, 0.6));
    expect(colourDistance(pixel(shot, px(g, 0.6), py(g, 0.6)), rgb255(other)), 'other regions as they were').toBeLessThan(6);
    // The wheel zooms in about the cursor: the data point under it stays under it.
    const cx = px(g, 0.5);
    const cy = py(g, -0.5);
    await page.mouse.move(cx, cy);
    await page.mouse.wheel({ deltaY: -200 });
    await page.waitForFunction(() => window.sandbox.getState().view2d.xMax - window.sandbox.getState().view2d.xMin < 1.99);
    const v = (await state(page)).view2d;
    expect(v.xMax - v.xMin).toBeLessThan(2);
    const gz: Geometry = await page.evaluate(() => window.sandbox.geometry());
    expect(Math.abs(px(gz, 0.5) - cx)).toBeLessThan(1);
    expect(Math.abs(py(gz, -0.5) - cy)).toBeLessThan(1);
    await page.mouse.move(2, 2);
    expect(errors).toEqual([]);
  });

  it('lowers the RMS error by training from the panel’s Train button', async () => {
    const start = randomNetwork(2, 12, 5);
    await page.evaluate(
      (n, v) => window.sandbox.setState({ mode: '2d', network: n, view2d: v, target: { kind: 'builtin', id: 'bump' }, lr: 0.02, selected: -1, look: { colour: 'values' } }),
      start,
      SQUARE,
    );
    const readRms = () => page.$eval('#readout-rms', (e) => Number(e.textContent));
    await page.waitForFunction(() => Number.isFinite(Number(document.getElementById('readout-rms')!.textContent)) && document.getElementById('readout-rms')!.textContent !== '');
    const rms0 = await readRms();
    expect(rms0).toBeGreaterThan(0);
    await clickButton(page, 'Train (Space)');
    await page.waitForFunction(() => /Pause training/.test(document.body.textContent ?? ''));
    await new Promise((r) => setTimeout(r, 2000));
    await clickButton(page, 'Pause training');
    const s = await state(page);
    expect(s.build).toBe('custom');
    expect(JSON.stringify(s.network)).not.toBe(JSON.stringify(start));
    await page.waitForFunction(
      (r0) => {
        const t = document.getElementById('readout-rms')!.textContent ?? '';
        return t !== '' && Number.isFinite(Number(t)) && Number(t) !== r0;
      },
      {},
      rms0,
    );
    const rms1 = await readRms();
    expect(rms1, `RMS ${rms0} → ${rms1}`).toBeLessThan(rms0 * 0.9);
    // And through the API: more steps never raise the training loss. Live training may already sit on Adam's plateau
    // at lr 0.02, where the loss wanders (CI saw +1.2 % over 200 steps), so the API steps run at a tenth of that rate,
    // where Adam settles into the minimum instead of circling it; within 1 %.
    await page.evaluate(() => window.sandbox.setState({ lr: 0.002 }));
    const a = await page.evaluate(() => window.sandbox.train(5));
    const b = await page.evaluate(() => window.sandbox.train(200));
    expect(b.loss).toBeLessThan(a.loss * 1.01);
    expect((await page.evaluate(() => window.sandbox.info())).trainer).not.toBeNull();
    // Live training now converges within its 2 s on this small fit (thousands of steps), so more steps need not lower
    // the readout below rms1 (Adam hovers on the plateau): the readout must stay far below the start.
    await page.waitForFunction((r0) => Number(document.getElementById('readout-rms')!.textContent) < r0 * 0.5, {}, rms0);
    // The region readout settles on the trained network's counts, as regions() gives them.
    const r = await page.evaluate(() => window.sandbox.regions());
    const want = `${r.counted.toLocaleString('en-US')} / ${r.exact.toLocaleString('en-US')}`;
    await page
      .waitForFunction((w) => document.getElementById('readout-pieces')!.textContent === w, { timeout: 20_000 }, want)
      .catch(() => undefined);
    await screenshot(page, `explorer2d-${mode}-trained`);
    expect(await page.$eval('#readout-pieces', (e) => e.textContent)).toBe(want);
    expect(errors).toEqual([]);
  });

  it('round-trips the whole 2D state through a link exactly', async () => {
    const net = randomNetwork(2, 20, 33);
    await page.evaluate(
      (n) =>
        window.sandbox.setState({
          mode: '2d',
          network: n,
          target: { kind: 'expression', source: 'sin(3*x) * y + 0.25' },
          view2d: { xMin: -1.234567891234, xMax: 0.987654321, yMin: -0.5, yMax: 1.75 },
          selected: 7,
          lr: 0.0123,
          seed: 42,
          look: { colour: 'error', creases: false, contours: true, exact: true, target: 'translucent', grid: 256, camera: { azimuth: -123.456, elevation: 61.5, distance: 3.3, panX: 0.25, panY: -0.125 } },
        }),
      net,
    );
    const want = await state(page);
    expect(want.mode).toBe('2d');
    const link = await page.evaluate(() => window.sandbox.link());
    expect(link).not.toBeNull();
    const other = await browser.newPage();
    const otherErrors: string[] = [];
    other.on('pageerror', (e) => otherErrors.push(String(e)));
    await other.goto(link!, { waitUntil: 'load' });
    await other.waitForFunction(() => window.sandbox !== undefined);
    await other.evaluate(() => window.sandbox.ready);
    const got = await state(other);
    expect(withoutOther(got)).toBe(withoutOther(want));
    expect(got.network).toEqual(net);
    await screenshot(other, `explorer2d-${mode}-from-link`);
    expect(otherErrors).toEqual([]);
    await other.close();
  });

  it("runs the tour's 2D chapter: hinged plane, crease, pyramid (9 regions), the bump from 50/500/2,000 units, regions against N", async () => {
    for (let k = 10; k <= 14; k++) {
      const s = await page.evaluate((i) => window.sandbox.tour(i), k);
      expect(await page.$eval('#tour-title', (e) => e.textContent)).toMatch(new RegExp(`^Step ${k} of 14`));
      expect(s.mode).toBe('2d');
      if (k === 10) expect((await page.evaluate(() => window.sandbox.regions())).exact).toBe(2);
      if (k === 11) expect((await page.evaluate(() => window.sandbox.regions())).exact).toBe(4);
      if (k === 12) {
        const r = await page.evaluate(() => window.sandbox.regions());
        expect(r.exact).toBe(9);
        expect(r.counted).toBe(9);
        // The flat top: f = 1 inside the frame of lines.
        for (const v of await page.evaluate(() => window.sandbox.evaluate([0, 0, 0.2, -0.3]))) expect(v).toBeCloseTo(1, 6);
      }
      if (k === 13) {
        await page.waitForFunction(() => [...document.querySelectorAll('#tour-multiples figcaption')].filter((e) => /max error/.test(e.textContent ?? '')).length === 3, { timeout: 120_000 });
        const caps = await page.$$eval('#tour-multiples figcaption', (e) => e.map((x) => x.textContent ?? ''));
        expect(caps.map((c) => /N = ([\d,]+)/.exec(c)![1])).toEqual(['50', '500', '2,000']);
        // More units, smaller error.
        const rms = caps.map((c) => Number(/RMS ([\d.e+-]+)/.exec(c)![1]));
        expect(rms[2]).toBeLessThan(rms[0]);
      }
      if (k === 14) {
        await page.waitForFunction(() => !!document.querySelector('#tour-chart .u-title'), { timeout: 60_000 });
        const title = await page.$eval('#tour-chart .u-title', (e) => e.textContent ?? '');
        const slope = Number(/slope ([\d.−-]+)/.exec(title)![1].replace('−', '-'));
        expect(slope).toBeGreaterThan(1.6);
        expect(slope).toBeLessThan(2.2);
        expect(await page.$eval('#tour-multiples', (e) => (e as HTMLElement).hidden)).toBe(true);
      }
    }
    await page.click('#tour-close');
    expect(await page.$eval('#tour', (e) => (e as HTMLElement).hidden)).toBe(true);
    expect(errors).toEqual([]);
  });

  it(`says on the surface where it is drawn (${mode === 'cpu' ? 'the CPU, with a note' : 'WebGPU, no note'})`, async () => {
    await page.mouse.move(2, 2);
    await page.evaluate((v) => window.sandbox.setState({ mode: '2d', target: { kind: 'builtin', id: 'cone' }, units: 32, build: 'least-squares', view2d: v, look: { colour: 'regions', target: 'wireframe', contours: false, camera: { azimuth: -30, elevation: 32, distance: 4.6, panX: 0, panY: 0 } } }), SQUARE);
    const info = await page.evaluate(() => window.sandbox.info());
    expect(info.surface).toBe(mode);
    expect(await page.evaluate(() => window.sandbox.backend)).toBe(mode);
    const box = await boxOf(page, '#surface');
    const shot = await screenshot(page, `explorer2d-${mode}-surface-note`);
    // The note is drawn in #9c6500 at the canvas's top left: count its pixels there.
    const note: Rgb = [0x9c, 0x65, 0x00];
    let count = 0;
    for (let y = Math.ceil(box.top); y < box.top + 24; y++) for (let x = Math.ceil(box.left); x < box.left + 360; x++) if (colourDistance(pixel(shot, x, y), note) < 40) count++;
    if (mode === 'cpu') expect(count, 'note pixels').toBeGreaterThan(60);
    else expect(count, 'note pixels').toBe(0);
    if (mode === 'webgpu') {
      // Without ?surface=gpu a software adapter draws the surface on the canvas, and says so.
      const { page: plain, errors: plainErrors } = await openApp(browser, server.url);
      await plain.evaluate((v) => window.sandbox.setState({ mode: '2d', target: { kind: 'builtin', id: 'cone' }, units: 32, build: 'least-squares', view2d: v }), SQUARE);
      expect((await plain.evaluate(() => window.sandbox.info())).surface).toBe('cpu');
      const plainBox = await boxOf(plain, '#surface');
      const plainShot = await screenshot(plain, 'explorer2d-webgpu-surface-default');
      let plainNote = 0;
      for (let y = Math.ceil(plainBox.top); y < plainBox.top + 24; y++) for (let x = Math.ceil(plainBox.left); x < plainBox.left + 360; x++) if (colourDistance(pixel(plainShot, x, y), note) < 40) plainNote++;
      expect(plainNote, 'note pixels on the default SwiftShader page').toBeGreaterThan(60);
      expect(plainErrors).toEqual([]);
      await plain.close();
    }
    // The surface itself is drawn in both: plenty of non-white pixels in the canvas.
    let painted = 0;
    for (let y = Math.ceil(box.top); y < box.top + box.height; y += 2) for (let x = Math.ceil(box.left); x < box.left + box.width; x += 2) if (colourDistance(pixel(shot, x, y), [255, 255, 255]) > 30) painted++;
    expect(painted).toBeGreaterThan(2000);
    expect(errors).toEqual([]);
  });
});
