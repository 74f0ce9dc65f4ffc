/**
 * The 2D explorer's top-down map in headless Chromium, WebGPU (SwiftShader) and CPU fallback: a known 3-unit
 * network coloured by its values gives known colours at chosen pixels, and a 1D-only construction asked of the 2D
 * mode is refused without costing the GPU. (Regions colouring and the GUI: explorer2d.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'puppeteer';
import type { Network } from '../../src/model/network.ts';
import { colourDistance, launchBrowser, openApp, pixel, screenshot, serveDist, type Mode } from './harness.ts';

let server: Awaited<ReturnType<typeof serveDist>>;
beforeAll(async () => {
  server = await serveDist();
});
afterAll(async () => {
  await server?.close();
});

/** f(x, y) = ReLU(x) − ReLU(−x) + 0.5·ReLU(y) = x + 0.5·ReLU(y): on [−1, 1]² its max |f| is 1.5, at (1, 1). */
const THREE_UNITS: Network = { dim: 2, w: [1, 0, -1, 0, 0, 1], b: [0, 0, 0], a: [1, -1, 0.5], c: 0 };
const f = (x: number, y: number) => x + 0.5 * Math.max(0, y);
const SCALE = 1.5;

/** The map's colour for a value (blue < 0 < red, white at 0), as documented. */
function expectedColour(v: number): [number, number, number] {
  const m = Math.min(1, Math.abs(v) / SCALE);
  const fade = Math.round(255 * (1 - m));
  return [v > 0 ? 255 : fade, Math.round(255 * (1 - m * 0.85)), v < 0 ? 255 : fade];
}

describe.each<Mode>(['webgpu', 'cpu'])('2D map with %s', (mode) => {
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    browser = await launchBrowser(mode);
    // SwiftShader would colour the map on the CPU (faster there): ask for the fragment shader to test it too.
    ({ page, errors } = await openApp(browser, `${server.url}?map=gpu`));
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('shows a known 3-unit network with the expected colours at chosen pixels', async () => {
    // A 2D network switches to the 2D mode; the map colours values here, with nothing drawn over them.
    await page.evaluate(
      (net) =>
        window.sandbox.setState({ network: net, view2d: { xMin: -1, xMax: 1, yMin: -1, yMax: 1 }, look: { colour: 'values', creases: false, contours: false, exact: false } }),
      THREE_UNITS,
    );
    expect(await page.evaluate(() => window.sandbox.getState().mode)).toBe('2d');
    const geo = await page.evaluate(() => window.sandbox.geometry());
    expect(geo.kind).toBe('map2d');
    // With WebGPU the map is coloured on the GPU from the evaluator's buffer; without it, on the CPU.
    expect(await page.evaluate(() => window.sandbox.info().plot)).toBe(mode);
    const shot = await screenshot(page, `map2d-${mode}-three-units`);
    // Points away from the creases (x = 0, y = 0), where the picture is smooth, and clear of the legend at the
    // map's top left.
    const points = [
      [0.5, 0.5],
      [-0.5, -0.5],
      [0.75, -0.6],
      [-0.6, 0.45],
      [0.3, 0.9],
      [-0.9, -0.3],
    ];
    for (const [x, y] of points) {
      const px = geo.left + ((x - geo.view.xMin) / (geo.view.xMax - geo.view.xMin)) * geo.width;
      const py = geo.top + ((geo.view.yMax - y) / (geo.view.yMax - geo.view.yMin)) * geo.height;
      const got = pixel(shot, px, py);
      const want = expectedColour(f(x, y));
      expect(colourDistance(got, want), `(${x}, ${y}): got ${got}, want ${want}`).toBeLessThan(8);
    }
    // Outside the plot area the page background stays white: the map is clipped to its rectangle.
    expect(colourDistance(pixel(shot, geo.left - 20, geo.top + geo.height / 2), [255, 255, 255])).toBeLessThan(8);
    expect(errors).toEqual([]);
  });

  it('refuses a 1D-only construction in the 2D mode with a message, and keeps the backend and the network', async () => {
    const before = await page.evaluate(() => ({ backend: window.sandbox.backend, state: JSON.stringify(window.sandbox.getState()), status: document.getElementById('backend-status')!.textContent }));
    const message = await page.evaluate(() => window.sandbox.setState({ build: 'interpolate', units: 32 }).then(() => 'accepted', (e: Error) => e.message));
    expect(message).toMatch(/build: .*1D only/);
    const after = await page.evaluate(() => ({ backend: window.sandbox.backend, state: JSON.stringify(window.sandbox.getState()), status: document.getElementById('backend-status')!.textContent }));
    expect(after).toEqual(before);
    expect(after.backend).toBe(mode);
    expect(await page.evaluate(() => document.getElementById('backend-notice')!.hidden)).toBe(true);
    expect(errors).toEqual([]);
  });
});
