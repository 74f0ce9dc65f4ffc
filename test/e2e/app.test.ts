/**
 * The built app in headless Chromium, twice: WebGPU on SwiftShader, and with WebGPU unavailable (CPU fallback).
 * Checks the backend on screen, the scripting API against the float64 reference, validation, and pixels.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'puppeteer';
import { evaluate1DBrute, evaluate2DBrute } from '../../src/engine/cpu/evaluator.ts';
import { relativeL2 } from '../../src/model/grid.ts';
import { randomNetwork, seededRandom, type Network } from '../../src/model/network.ts';
import { PLOT_COLORS } from '../../src/views/plot1d/plot1d.ts';
import { colourDistance, hexToRgb, launchBrowser, nearestColour, openApp, pixel, screenshot, serveDist, type Mode } from './harness.ts';

let server: Awaited<ReturnType<typeof serveDist>>;
beforeAll(async () => {
  server = await serveDist();
});
afterAll(async () => {
  await server?.close();
});

/** Random inputs, rounded to float32 so the GPU and the reference see the same numbers. */
function randomInputs(count: number, seed: number, lo = -1.5, hi = 1.5): number[] {
  const rnd = seededRandom(seed);
  return Array.from({ length: count }, () => Math.fround(lo + (hi - lo) * rnd()));
}

async function stateJson(page: Page): Promise<string> {
  return page.evaluate(() => JSON.stringify(window.sandbox.getState()));
}

/** A hat: 0 outside [−1, 1], 1 at 0, knots at −1, 0, 1. */
const HAT: Network = { dim: 1, w: [1, 1, 1], b: [1, 0, -1], a: [1, -2, 1], c: 0 };
const hat = (x: number) => Math.max(0, x + 1) - 2 * Math.max(0, x) + Math.max(0, x - 1);

describe.each<Mode>(['webgpu', 'cpu'])('app with %s', (mode) => {
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    browser = await launchBrowser(mode);
    ({ page, errors } = await openApp(browser, server.url));
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('says which backend runs', async () => {
    expect(await page.evaluate(() => window.sandbox.backend)).toBe(mode);
    const status = await page.$eval('#backend-status', (e) => e.textContent ?? '');
    if (mode === 'webgpu') expect(status).toMatch(/^WebGPU — \S/);
    else expect(status).toMatch(/^CPU fallback — \S/);
    await screenshot(page, `app-${mode}-start`);
  });

  it('runs under a strict Content-Security-Policy (no eval, no inline scripts, this origin only) without violations', async () => {
    const csp = await page.$eval('meta[http-equiv="Content-Security-Policy"]', (e) => e.getAttribute('content') ?? '');
    expect(csp).toMatch(/default-src 'self'/);
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).not.toMatch(/unsafe-eval/);
    // A violation is a console error ("Refused to …"), which the harness collects.
    expect(errors.filter((e) => /Content Security Policy|Refused to/.test(e))).toEqual([]);
  });

  it('starts with a JSON-serialisable state holding the network', async () => {
    const s = JSON.parse(await stateJson(page));
    expect(s.network.dim).toBe(1);
    expect(s.network.a).toHaveLength(s.units);
    expect(s.target).toEqual({ kind: 'builtin', id: 'sin' });
  });

  it('evaluates a random 1D network like the float64 reference', async () => {
    const net = randomNetwork(1, 257, 11);
    await page.evaluate((n) => window.sandbox.setState({ network: n }), net);
    const xs = randomInputs(1001, 5);
    const got = await page.evaluate((x) => window.sandbox.evaluate(new Float32Array(x)), xs);
    expect(got).toHaveLength(xs.length);
    expect(relativeL2(got, evaluate1DBrute(net, xs))).toBeLessThan(1e-5);
    const fromArray = await page.evaluate((x) => window.sandbox.evaluate(x), xs.slice(0, 7));
    expect(relativeL2(fromArray, evaluate1DBrute(net, xs.slice(0, 7)))).toBeLessThan(1e-5);
  });

  it('evaluates a random 2D network like the float64 reference and shows it in the 2D explorer', async () => {
    const net = randomNetwork(2, 65, 3);
    await page.evaluate((n) => window.sandbox.setState({ network: n }), net);
    const xy = randomInputs(2 * 777, 9);
    const got = await page.evaluate((p) => window.sandbox.evaluate(p), xy);
    expect(got).toHaveLength(777);
    expect(relativeL2(got, evaluate2DBrute(net, xy))).toBeLessThan(1e-5);
    // A 2D network switches the page to the 2D mode: the top-down map and the surface.
    expect(await page.evaluate(() => window.sandbox.getState().mode)).toBe('2d');
    expect(await page.evaluate(() => window.sandbox.geometry().kind)).toBe('map2d');
    expect(await page.$eval('#surface-stack', (e) => (e as HTMLElement).hidden)).toBe(false);
    await screenshot(page, `app-${mode}-map2d`);
  });

  it('rejects bad setState input, naming the field, and changes nothing', async () => {
    await page.evaluate((n) => window.sandbox.setState({ network: n, view: { xMin: -2, xMax: 2, yMin: -0.5, yMax: 1.5 } }), HAT);
    const before = await stateJson(page);
    const messages = await page.evaluate(async () => {
      const bad: unknown[] = [
        { units: 0 },
        { units: 1.5 },
        { units: 70000 },
        { network: { dim: 1, w: [1, Number.NaN], b: [0, 0], a: [1, 1], c: 0 } },
        { network: { dim: 1, w: [1], b: [0], a: [1], c: Number.POSITIVE_INFINITY } },
        { network: { dim: 3, w: [], b: [], a: [], c: 0 } },
        { network: { dim: 1, w: [1, 2], b: [0], a: [1], c: 0 } },
        // A valid network with a bad view must not half-apply.
        { network: { dim: 1, w: [1], b: [0], a: [1], c: 0 }, view: { xMin: 1, xMax: 0 } },
        { target: { kind: 'builtin', id: 'nope' } },
        { colour: 'red' },
        'not an object',
      ];
      const out: string[] = [];
      for (const patch of bad) {
        try {
          await window.sandbox.setState(patch);
          out.push('accepted');
        } catch (e) {
          out.push(e instanceof Error ? e.message : String(e));
        }
      }
      return out;
    });
    expect(messages).toEqual([
      expect.stringContaining('units'),
      expect.stringContaining('units'),
      expect.stringContaining('units'),
      expect.stringContaining('network.w[1]'),
      expect.stringContaining('network.c'),
      expect.stringContaining('network.dim'),
      expect.stringContaining('network.w'),
      expect.stringContaining('view.xMax'),
      expect.stringContaining('target.id'),
      expect.stringContaining('colour'),
      expect.stringContaining('patch'),
    ]);
    expect(await stateJson(page)).toBe(before);
  });

  it('rejects NaN, Infinity, odd 2D lengths and non-arrays in evaluate', async () => {
    const messages = await page.evaluate(async () => {
      const out: string[] = [];
      const tryIt = async (v: unknown) => {
        try {
          await window.sandbox.evaluate(v as number[]);
          out.push('accepted');
        } catch (e) {
          out.push(e instanceof Error ? e.message : String(e));
        }
      };
      await tryIt([0, Number.NaN]);
      await tryIt(new Float32Array([1, Number.POSITIVE_INFINITY]));
      await tryIt('1,2');
      await window.sandbox.setState({ network: { dim: 2, w: [1, 1], b: [0], a: [1], c: 0 } });
      await tryIt([0, 1, 2]);
      return out;
    });
    expect(messages[0]).toMatch(/inputs\[1\].*finite/);
    expect(messages[1]).toMatch(/inputs\[1\].*finite/);
    expect(messages[2]).toMatch(/array/);
    expect(messages[3]).toMatch(/odd length 3/);
  });

  it('draws the sum where it should be (pixel check on a hand-made network)', async () => {
    await page.evaluate(
      (n) => window.sandbox.setState({ network: n, view: { xMin: -2, xMax: 2, yMin: -0.5, yMax: 1.5 } }),
      HAT,
    );
    const g = await page.evaluate(() => window.sandbox.geometry());
    expect(g.kind).toBe('plot1d');
    const shot = await screenshot(page, `app-${mode}-hat`);
    const sum = hexToRgb(PLOT_COLORS.sum);
    const px = (x: number) => g.left + ((x - g.view.xMin) / (g.view.xMax - g.view.xMin)) * g.width;
    const py = (y: number) => g.top + ((g.view.yMax - y) / (g.view.yMax - g.view.yMin)) * g.height;
    for (const x of [-1.7, -1.3, -0.6, -0.3, 0.2, 0.45, 0.8, 1.4]) {
      const on = nearestColour(shot, px(x), py(hat(x)), sum, 2);
      expect(on.distance, `sum colour at x=${x}`).toBeLessThan(60);
      // Well above and below the curve there is none of the sum's colour.
      for (const off of [0.3, -0.3]) {
        const away = nearestColour(shot, px(x), py(hat(x) + off), sum, 3);
        expect(away.distance, `no sum colour at x=${x}, y=f(x)${off > 0 ? '+' : ''}${off}`).toBeGreaterThan(120);
      }
    }
  });

  it('keeps the page free of errors', () => {
    expect(errors).toEqual([]);
  });
});

describe('?backend=cpu', () => {
  it('forces the CPU even where WebGPU is available', async () => {
    const browser = await launchBrowser('webgpu');
    try {
      const { page, errors } = await openApp(browser, `${server.url}?backend=cpu`);
      expect(await page.evaluate(() => window.sandbox.backend)).toBe('cpu');
      expect(await page.$eval('#backend-status', (e) => e.textContent)).toMatch(/^CPU fallback — forced/);
      const net = randomNetwork(1, 63, 2);
      await page.evaluate((n) => window.sandbox.setState({ network: n }), net);
      const xs = randomInputs(100, 4);
      const got = await page.evaluate((x) => window.sandbox.evaluate(x), xs);
      expect(relativeL2(got, evaluate1DBrute(net, xs))).toBeLessThan(1e-12);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});

describe('WebGPU curve rendering against its Canvas twin', () => {
  it('draws the same curves, pixel for pixel within a pixel, for a random network', async () => {
    const browser = await launchBrowser('webgpu');
    try {
      const net = randomNetwork(1, 33, 21, [-1.8, 1.8]);
      const patch = { network: net, target: { kind: 'builtin', id: 'wiggle' }, view: { xMin: -2, xMax: 2, yMin: -2.5, yMax: 2.5 }, show: { target: true, terms: true, knots: false, error: false } };
      const rows: Record<string, { sum: number[]; target: number[] }> = {};
      // On SwiftShader the 1D plot draws on the canvas by default (measured faster there): ?plot=gpu forces WebGPU.
      for (const query of ['?plot=gpu', '?plot=canvas']) {
        const { page, errors } = await openApp(browser, `${server.url}${query}`);
        await page.evaluate((p) => window.sandbox.setState(p), patch);
        expect((await page.evaluate(() => window.sandbox.info())).plot).toBe(query === '?plot=canvas' ? 'cpu' : 'webgpu');
        const g = await page.evaluate(() => window.sandbox.geometry());
        const shot = await screenshot(page, `twin-${query === '?plot=canvas' ? 'canvas' : 'webgpu'}`);
        const colourRows = (hex: string) => {
          const c = hexToRgb(hex);
          const out: number[] = [];
          for (let x = Math.ceil(g.left) + 2; x < g.left + g.width - 2; x++) {
            let s = 0;
            let k = 0;
            for (let y = Math.ceil(g.top); y < g.top + g.height; y++) {
              if (colourDistance(pixel(shot, x, y), c) < 60) {
                s += y;
                k++;
              }
            }
            out.push(k ? s / k : Number.NaN);
          }
          return out;
        };
        rows[query === '?plot=gpu' ? 'webgpu' : query] = { sum: colourRows(PLOT_COLORS.sum), target: colourRows(PLOT_COLORS.target) };
        expect(errors).toEqual([]);
        await page.close();
      }
      for (const layer of ['sum', 'target'] as const) {
        const a = rows.webgpu[layer];
        const b = rows['?plot=canvas'][layer];
        const signed: number[] = [];
        for (let i = 0; i < a.length; i++) if (Number.isFinite(a[i]) && Number.isFinite(b[i])) signed.push(a[i] - b[i]);
        const diffs = signed.map(Math.abs).sort((p, q) => p - q);
        // Most columns show the curve in both renderings, at the same height: a row centre is the mean of the
        // coloured rows, so one pixel more or less on either edge moves it by 0.5 (quantisation, not an offset).
        expect(diffs.length, `${layer}: columns with the curve in both`).toBeGreaterThan(0.8 * a.length);
        expect(Math.abs(signed.reduce((p, q) => p + q, 0) / signed.length), `${layer}: mean signed row difference`).toBeLessThan(0.2);
        expect(diffs[Math.floor(diffs.length / 2)], `${layer}: median row difference`).toBeLessThanOrEqual(0.5);
        expect(diffs[Math.floor(diffs.length * 0.98)], `${layer}: 98th percentile row difference`).toBeLessThanOrEqual(1.5);
      }
    } finally {
      await browser.close();
    }
  });
});
