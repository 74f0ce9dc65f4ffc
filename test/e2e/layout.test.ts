/**
 * The page at 1280×720, with WebGPU (SwiftShader) and in the CPU fallback: it explains itself (premise, tour
 * button, a legend that lists what is drawn), fits one screen in both modes (plot, panel and target box in the
 * viewport, no page scrolling), and its controls behave (the N box replaces its text, λ shows in full, Space on
 * the page body scrolls instead of starting training).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'puppeteer';
import { launchBrowser, openApp, serveDist, type Mode } from './harness.ts';
import { TOUR } from '../../src/ui/tour.ts';

let server: Awaited<ReturnType<typeof serveDist>>;
beforeAll(async () => {
  server = await serveDist();
});
afterAll(async () => {
  await server?.close();
});

async function state(page: Page) {
  return page.evaluate(async () => {
    await window.sandbox.setState({});
    return window.sandbox.getState();
  });
}

type Box = { left: number; top: number; right: number; bottom: number };
async function box(page: Page, selector: string): Promise<Box> {
  return page.$eval(selector, (e) => {
    const r = e.getBoundingClientRect();
    return { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
  });
}
function inside(b: Box, w: number, h: number): boolean {
  return b.left >= 0 && b.top >= 0 && b.right <= w + 0.5 && b.bottom <= h + 0.5 && b.right > b.left && b.bottom > b.top;
}

/** The lil-gui row of the panel with this name. */
async function rowSelector(page: Page, name: string): Promise<string> {
  const id = await page.evaluate((n) => {
    const row = Array.from(document.querySelectorAll('#panel .lil-controller')).find((e) => e.querySelector('.lil-name')?.textContent === n);
    if (!row) return null;
    row.id ||= `row-${n.replace(/\W+/g, '-')}`;
    return row.id;
  }, name);
  expect(id, `panel row "${name}"`).not.toBeNull();
  return `#${id}`;
}

const legendKeys = (page: Page) => page.$$eval('#plot-legend [data-key]', (rows) => rows.map((r) => (r as HTMLElement).dataset.key));

describe.each<Mode>(['webgpu', 'cpu'])('layout at 1280×720 with %s', (mode) => {
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const W = 1280;
  const H = 720;

  beforeAll(async () => {
    browser = await launchBrowser(mode);
    ({ page, errors } = await openApp(browser, server.url + (mode === 'cpu' ? '?backend=cpu' : '')));
    await page.setViewport({ width: W, height: H, deviceScaleFactor: 1 });
    await page.evaluate(() => window.sandbox.setState({ mode: '1d', target: { kind: 'builtin', id: 'sin' }, build: 'interpolate', units: 8, selected: -1, show: { target: true, terms: true, knots: true, error: false } }));
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('states its premise and offers the tour in the header', async () => {
    expect(await page.$eval('#premise', (e) => e.textContent)).toMatch(/sum of N shifted ReLUs bends at N knots/);
    const tour = await box(page, '#start-tour');
    expect(inside(tour, W, H)).toBe(true);
    expect(await page.$eval('#start-tour', (e) => e.textContent)).toBe('Start the tour');
  });

  it('1D: plot, panel and target box in the viewport together, no page scrolling', async () => {
    await page.evaluate(() => window.sandbox.setState({ mode: '1d' }));
    for (const sel of ['#plot-stack', '#expr-input', '#csv-input', '#panel .lil-title', await rowSelector(page, 'Units N'), await rowSelector(page, 'Target')]) {
      expect(inside(await box(page, sel), W, H), sel).toBe(true);
    }
    expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeLessThanOrEqual(H);
    const plot = await box(page, '#plot-stack');
    expect(plot.right - plot.left).toBeGreaterThan(600);
    expect(plot.bottom - plot.top).toBeGreaterThan(400);
  });

  it('1D: the legend lists what is drawn, and only that', async () => {
    await page.evaluate(() => window.sandbox.setState({ show: { target: true, terms: true, knots: true, error: false }, selected: -1 }));
    expect(await legendKeys(page)).toEqual(['target', 'sum', 'terms', 'knots']);
    expect(inside(await box(page, '#plot-legend'), W, H)).toBe(true);
    await page.evaluate(() => window.sandbox.setState({ show: { target: false, terms: false, knots: true, error: true }, selected: 2 }));
    expect(await legendKeys(page)).toEqual(['sum', 'knots', 'selected', 'error']);
    expect(await page.$eval('#plot-legend [data-key="selected"]', (e) => e.textContent)).toBe('selected unit #3');
    expect(await page.$eval('#plot-legend [data-key="sum"]', (e) => e.textContent)).toBe('sum of 8 terms (the network)');
    // Swatches in the plot's own colours.
    const stroke = (key: string) => page.$eval(`#plot-legend [data-key="${key}"] line`, (l) => l.getAttribute('stroke'));
    expect(await stroke('sum')).toBe('#e8590c');
    expect(await stroke('selected')).toBe('#0ca678');
    await page.evaluate(() => window.sandbox.setState({ target: { kind: 'builtin', id: 'noisy' }, show: { target: true, terms: true, knots: true, error: false }, selected: -1 }));
    expect(await legendKeys(page)).toEqual(['target', 'samples', 'sum', 'terms', 'knots']);
    await page.evaluate(() => window.sandbox.setState({ target: { kind: 'builtin', id: 'sin' } }));
  });

  it('the N box replaces its text: click, type 12, Enter gives 12 units', async () => {
    await page.evaluate(() => window.sandbox.setState({ units: 8, build: 'interpolate' }));
    const row = await rowSelector(page, 'Units N');
    const input = `${row} input[type="text"]`;
    expect(await page.$eval(input, (e) => (e as HTMLInputElement).value)).toBe('8');
    await page.click(input);
    await page.keyboard.type('12');
    await page.keyboard.press('Enter');
    expect((await state(page)).units).toBe(12);
    expect(await page.$eval(input, (e) => (e as HTMLInputElement).value)).toBe('12');
    // A wrong entry is refused with a message naming the field; N stays.
    await page.click(input);
    await page.keyboard.type('70000');
    await page.keyboard.press('Enter');
    expect((await state(page)).units).toBe(12);
    expect(await page.$eval('#message', (e) => e.textContent)).toMatch(/Units N: type a whole number from 1 to 65,536/);
    // Exactly one N control in the panel.
    const names = await page.$$eval('#panel .lil-controller', (rows) => rows.filter((r) => r.querySelector('input[type="range"], input[type="number"], input[type="text"]')).map((r) => r.querySelector('.lil-name')?.textContent ?? ''));
    expect(names.filter((n) => /\bN\b/.test(n))).toEqual(['Units N']);
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  });

  it('λ shows in full: 1e-6, on a log slider; typing 1e-3 sets it', async () => {
    await page.evaluate(() => window.sandbox.setState({ ridge: 1e-6 }));
    const row = await rowSelector(page, 'Ridge λ (least sq.)');
    const input = `${row} input[type="text"]`;
    expect(await page.$eval(input, (e) => (e as HTMLInputElement).value)).toBe('1e-6');
    await page.click(input);
    await page.keyboard.type('1e-3');
    await page.keyboard.press('Enter');
    expect((await state(page)).ridge).toBe(1e-3);
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.evaluate(() => window.sandbox.setState({ ridge: 1e-6 }));
  });

  it('Space on the page body does not start training', async () => {
    await page.evaluate(() => {
      (document.activeElement as HTMLElement | null)?.blur();
      document.body.focus();
    });
    await page.keyboard.press('Space');
    await new Promise((r) => setTimeout(r, 300));
    expect(await page.evaluate(() => window.sandbox.getState().build)).not.toBe('custom');
    expect(await page.evaluate(() => /Pause training/.test(document.getElementById('panel')!.textContent ?? ''))).toBe(false);
  });

  it('2D: map, surface, panel and target box in the viewport; the 1D legend steps aside', async () => {
    await page.evaluate(() => window.sandbox.setState({ mode: '2d' }));
    // Space in the test before scrolled the panel's column (as it should: it is taller than the screen with the
    // Training folder open); a user coming to 2D sees its top.
    await page.evaluate(() => document.querySelectorAll('main, aside, #side').forEach((e) => (e.scrollTop = 0)));
    for (const sel of ['#plot-stack', '#surface-stack', '#expr-input', '#panel .lil-title', await rowSelector(page, 'Units N')]) {
      expect(inside(await box(page, sel), W, H), sel).toBe(true);
    }
    expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeLessThanOrEqual(H);
    expect(await page.$eval('#plot-legend', (e) => (e as HTMLElement).hidden)).toBe(true);
    await page.evaluate(() => window.sandbox.setState({ mode: '1d' }));
    expect(await page.$eval('#plot-legend', (e) => (e as HTMLElement).hidden)).toBe(false);
  });

  it('2D: the map takes its box’s width with the legend under it, the surface note stays on its canvas, a long regions count never cuts “RMS error”', async () => {
    await page.evaluate(() => window.sandbox.setState({ mode: '2d' }));
    await page.evaluate(() => window.sandbox.setState({}));
    // The square map spans its box but for the tick labels' margins (58 + 14 px), not a square shrunk beside its legend.
    const g = await page.evaluate(() => window.sandbox.geometry());
    const stack = await box(page, '#plot-stack');
    expect(g.kind).toBe('map2d');
    expect(g.width).toBeGreaterThanOrEqual(stack.right - stack.left - 58 - 14 - 4);
    expect(g.top + g.height).toBeLessThan(stack.bottom);
    // Under the map's tick labels, inside the box: the legend's bar (and its frame), a row of non-white pixels nearly the map's width.
    const bar = await page.evaluate((g) => {
      const c = document.getElementById('plot') as HTMLCanvasElement;
      const r = c.getBoundingClientRect();
      const x0 = Math.round(g.left - r.left);
      const y0 = Math.round(g.top - r.top + g.height + 20);
      const rows = Math.min(70, c.height - y0);
      const data = c.getContext('2d')!.getImageData(x0, y0, Math.round(g.width), rows).data;
      let best = 0;
      for (let y = 0; y < rows; y++) {
        let n = 0;
        for (let x = 0; x < Math.round(g.width); x++) {
          const i = 4 * (y * Math.round(g.width) + x);
          if (data[i + 3] > 200 && 765 - data[i] - data[i + 1] - data[i + 2] > 60) n++;
        }
        best = Math.max(best, n);
      }
      return { best, width: Math.round(g.width) };
    }, g);
    expect(bar.best, 'the legend bar under the map').toBeGreaterThanOrEqual(0.8 * bar.width);
    // The surface's note ("CPU drawing, coarser mesh (…)", #9c6500) is drawn, and wrapped short of the canvas's right edge.
    const note = await page.evaluate(() => {
      const c = document.getElementById('surface') as HTMLCanvasElement;
      const h = Math.min(c.height, 60);
      const data = c.getContext('2d')!.getImageData(0, 0, c.width, h).data;
      let right = -1;
      let count = 0;
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < c.width; x++) {
          const i = 4 * (y * c.width + x);
          if (data[i + 3] > 100 && Math.abs(data[i] - 156) < 40 && Math.abs(data[i + 1] - 101) < 40 && data[i + 2] < 60) {
            count++;
            right = Math.max(right, x);
          }
        }
      }
      return { right, count, width: c.width };
    });
    expect(note.count, 'the surface note').toBeGreaterThan(20);
    expect(note.right, 'the surface note’s right edge').toBeLessThan(note.width - 4);
    // A regions count longer than the row has room for: it yields (ellipsised); N, Max error and RMS error stay whole in the row.
    const row = await page.evaluate(() => {
      document.getElementById('readout-pieces')!.textContent = '4,194,304 / 2,147,483,648 (a count longer than the row)';
      const r = (e: Element) => e.getBoundingClientRect();
      const dl = r(document.querySelector('.readouts')!);
      const items = Array.from(document.querySelectorAll('.readouts > div')).map((d) => ({ id: d.querySelector('dd')!.id, left: r(d).left, right: r(d).right, clipped: d.scrollWidth > d.clientWidth + 1 }));
      return { right: dl.right, items };
    });
    for (const id of ['readout-n', 'readout-max', 'readout-rms']) {
      const item = row.items.find((x) => x.id === id)!;
      expect(item.right, id).toBeLessThanOrEqual(row.right + 0.5);
      expect(item.clipped, id).toBe(false);
    }
    expect(row.items.find((x) => x.id === 'readout-pieces')!.clipped).toBe(true);
    await page.evaluate(() => window.sandbox.setState({ mode: '1d' }));
    expect(errors).toEqual([]);
  });

  it('a tour step with small multiples keeps the card, the plot and the multiples in view', async () => {
    // The first step with small multiples (1-based for the API).
    const step = TOUR.findIndex((t) => t.multiples !== undefined) + 1;
    expect(step).toBeGreaterThan(0);
    await page.evaluate((k) => window.sandbox.tour(k), step);
    await page.waitForFunction(() => !document.getElementById('tour-multiples')!.hidden, { timeout: 30_000 });
    for (const sel of ['#tour', '#plot-stack', '#tour-multiples']) expect(inside(await box(page, sel), W, H), sel).toBe(true);
    await page.evaluate(() => window.sandbox.tour(0));
    expect(errors).toEqual([]);
  });
});
