/**
 * The 1D plot's level of detail (issue 10): at N = 65,536 the plot shows the sum line, the largest terms and a
 * band for the rest, not a solid dark area; the sentence saying so is on the plot. Pixel counts are compared
 * with an N = 8 baseline taken in the same run, on both backends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'puppeteer';
import { PLOT_COLORS } from '../../src/views/plot1d/plot1d.ts';
import { lodNote } from '../../src/views/plot1d/lod.ts';
import { randomNetwork } from '../../src/model/network.ts';
import { colourDistance, hexToRgb, launchBrowser, openApp, pixel, screenshot, serveDist, type Mode } from './harness.ts';

let server: Awaited<ReturnType<typeof serveDist>>;
beforeAll(async () => {
  server = await serveDist();
});
afterAll(async () => {
  await server?.close();
});

type Geometry = { left: number; top: number; width: number; height: number; view: { xMin: number; xMax: number; yMin: number; yMax: number } };
type Shot = Awaited<ReturnType<typeof screenshot>>;

/** Pixels inside the plot area that are dark and grey (the terms' colour piled up), not a coloured curve. */
function darkGreyPixels(shot: Shot, g: Geometry): number {
  let count = 0;
  for (let y = Math.ceil(g.top) + 2; y < g.top + g.height - 2; y++) {
    for (let x = Math.ceil(g.left) + 2; x < g.left + g.width - 2; x++) {
      const [r, gr, b] = pixel(shot, x, y);
      if (Math.max(r, gr, b) < 140 && Math.max(r, gr, b) - Math.min(r, gr, b) < 40) count++;
    }
  }
  return count;
}

describe.each<Mode>(['webgpu', 'cpu'])('level of detail with %s', (mode) => {
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    browser = await launchBrowser(mode);
    ({ page, errors } = await openApp(browser, server.url));
    await page.setViewport({ width: 1280, height: 720 });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('at N = 65,536 shows the sum line, not a solid dark area, and says so on the plot', async () => {
    const show = (n: number) =>
      page.evaluate(
        (k) =>
          window.sandbox.setState({
            target: { kind: 'builtin', id: 'sin' },
            build: 'interpolate',
            units: k,
            selected: -1,
            show: { terms: true, target: false, knots: true, error: false },
            view: { xMin: -3.3, xMax: 3.3, yMin: -1.6, yMax: 1.6 },
          }),
        n,
      );
    await show(8);
    const g: Geometry = await page.evaluate(() => window.sandbox.geometry());
    const small = await screenshot(page, `lod-${mode}-8`);
    expect(await page.$eval('#plot', (c) => (c as HTMLCanvasElement).dataset.note ?? null)).toBeNull();
    await show(65536);
    const big = await screenshot(page, `lod-${mode}-65536`);
    const darkSmall = darkGreyPixels(small, g);
    const darkBig = darkGreyPixels(big, g);
    console.log(`${mode}: dark grey pixels in the plot, N = 8: ${darkSmall}, N = 65,536: ${darkBig}`);
    // Every term drawn at N = 65,536 filled much of the plot; the largest 64 and a light band do not.
    expect(darkBig).toBeLessThan(3 * darkSmall + 2000);

    // The sum (orange) on sin(x) at several x; the interpolant is exact to the eye there.
    const sum = hexToRgb(PLOT_COLORS.sum);
    const px = (x: number) => g.left + ((x - g.view.xMin) / (g.view.xMax - g.view.xMin)) * g.width;
    const py = (y: number) => g.top + ((g.view.yMax - y) / (g.view.yMax - g.view.yMin)) * g.height;
    for (const x of [-2.5, -1, 0.4, 2]) {
      let best = Infinity;
      for (let dy = -3; dy <= 3; dy++) best = Math.min(best, colourDistance(pixel(big, px(x), py(Math.sin(x)) + dy), sum));
      expect(best, `the sum at x = ${x}`).toBeLessThan(90);
    }

    const note = await page.$eval('#plot', (c) => (c as HTMLCanvasElement).dataset.note ?? null);
    expect(note).toBe(lodNote(64, 65536));
    // The sentence is drawn: dark text pixels in its place at the bottom left of the plot.
    let text = 0;
    for (let y = g.top + g.height - 32; y < g.top + g.height - 14; y++) {
      for (let x = g.left + 6; x < g.left + 300; x++) if (Math.max(...pixel(big, x, y)) < 120) text++;
    }
    expect(text, 'note text pixels').toBeGreaterThan(50);
    expect(errors).toEqual([]);
  });

  it('draws the rest of the terms as a band and the knots as a density strip', async () => {
    // Random units with knots over the view, output weights scaled so each term reaches about ±0.5 whatever N.
    const spread = (n: number) => {
      const net = randomNetwork(1, n, 11, [-3, 3]);
      return { ...net, a: net.a.map((a) => (a * Math.sqrt(n)) / 3), c: 0 };
    };
    const show = (n: number) =>
      page.evaluate(
        (net) => window.sandbox.setState({ network: net, selected: -1, show: { terms: true, target: false, knots: true, error: false }, view: { xMin: -3.3, xMax: 3.3, yMin: -1.6, yMax: 1.6 } }),
        spread(n),
      );
    await show(8);
    const g: Geometry = await page.evaluate(() => window.sandbox.geometry());
    const small = await screenshot(page, `lod-${mode}-band-8`);
    await show(65536);
    const big = await screenshot(page, `lod-${mode}-band-65536`);
    // The band: light grey pixels (the band's fill over white) in the plot, more than at N = 8 where there is none.
    const light = (shot: Shot) => {
      let c = 0;
      for (let y = Math.ceil(g.top) + 2; y < g.top + g.height - 20; y++) {
        for (let x = Math.ceil(g.left) + 2; x < g.left + g.width - 2; x++) {
          const [r, gr, b] = pixel(shot, x, y);
          if (r > 200 && r < 238 && Math.abs(r - b) < 12 && Math.abs(r - gr) < 12) c++;
        }
      }
      return c;
    };
    expect(light(big), 'band pixels').toBeGreaterThan(light(small) + 500);

    // The knots as a density strip: the strip is not one solid bar of the sum's colour.
    const stripY = g.top + g.height - 6;
    const shades = new Set<string>();
    for (let x = Math.ceil(g.left) + 2; x < g.left + g.width - 2; x++) shades.add(pixel(big, x, stripY).join(','));
    expect(shades.size, 'knot strip shades').toBeGreaterThan(3);

    expect(errors).toEqual([]);
  });
});
