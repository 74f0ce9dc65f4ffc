/**
 * Faults, hidden tabs and the Content-Security-Policy, in the built app: a real GPU-process crash (DevTools'
 * `Browser.crashGpuProcess`) in 1D and 2D brings the same picture back on WebGPU with no uncaught error; a device
 * loss (`sandbox.simulateDeviceLoss()`) during training keeps Adam's state, and during a benchmark keeps the rows
 * measured and their download; a hidden tab pauses live training and the N animation; no CSP violation anywhere;
 * and without WebGPU a GPU-process crash, which clears the GPU-backed 2D canvases, paints the same views and loss
 * chart again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'puppeteer';
import { randomNetwork } from '../../src/model/network.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Mode, type OpenOptions, RESULTS, launchBrowser, noteLongestTask, startTaskTrace, openApp, screenshot, serveDist } from './harness.ts';

let server: Awaited<ReturnType<typeof serveDist>>;
beforeAll(async () => {
  server = await serveDist();
});
afterAll(async () => {
  await server?.close();
});

/** Records CSP violations from the first script on (before the app's own). */
async function watchCsp(page: Page): Promise<void> {
  await page.evaluateOnNewDocument(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective}: ${e.blockedURI}`));
  });
}

/** The harness's openApp with the CSP watched; only uncaught errors count (the faults log GPU errors on purpose). */
const WATCHED: OpenOptions = { beforeLoad: watchCsp, consoleErrors: false };

/** Fraction of pixels whose colour differs by more than `tolerance` (any channel) between two PNG data URLs. */
async function pictureDifference(page: Page, a: string, b: string, tolerance = 48): Promise<number> {
  return page.evaluate(
    async (p, q, tol) => {
      const load = async (src: string) => {
        const img = new Image();
        img.src = src;
        await img.decode();
        const c = document.createElement('canvas');
        c.width = img.width;
        c.height = img.height;
        const ctx = c.getContext('2d')!;
        ctx.drawImage(img, 0, 0);
        return ctx.getImageData(0, 0, img.width, img.height);
      };
      const [x, y] = [await load(p), await load(q)];
      if (x.width !== y.width || x.height !== y.height) return 1;
      let off = 0;
      for (let k = 0; k < x.data.length; k += 4) {
        const d = Math.max(Math.abs(x.data[k] - y.data[k]), Math.abs(x.data[k + 1] - y.data[k + 1]), Math.abs(x.data[k + 2] - y.data[k + 2]));
        if (d > tol) off++;
      }
      return off / (x.width * x.height);
    },
    a,
    b,
    tolerance,
  );
}

const picture = (page: Page) => page.evaluate(() => window.sandbox.pngDataUrl());
const notice = (page: Page) => page.$eval('#backend-notice', (e) => ((e as HTMLElement).hidden ? '' : (e.textContent ?? '')));

/** Pretends the tab was hidden or shown (headless pages are always visible), as the browser would say it. */
async function setHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate((h) => {
    if (h) {
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    } else {
      // The own properties go; the prototype's getters answer again.
      delete (document as unknown as Record<string, unknown>).hidden;
      delete (document as unknown as Record<string, unknown>).visibilityState;
    }
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

async function clickButton(page: Page, label: string): Promise<void> {
  const ok = await page.evaluate((text) => {
    const b = Array.from(document.querySelectorAll('button')).find((e) => e.textContent?.trim().startsWith(text));
    b?.click();
    return b !== undefined;
  }, label);
  expect(ok, `button "${label}"`).toBe(true);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('faults with webgpu', () => {
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    browser = await launchBrowser('webgpu');
    ({ page, errors: pageErrors } = await openApp(browser, `${server.url}?plot=gpu&eval1d=gpu`, WATCHED));
  });
  afterAll(async () => {
    await browser?.close();
  });

  for (const mode of ['1d', '2d'] as const) {
    it(`a GPU-process crash in ${mode.toUpperCase()}: noticed at once, redrawn on WebGPU with the same picture, said plainly, nothing uncaught`, async () => {
      // 2D on SwiftShader draws on the canvas by default (measured faster): the map and the surface are put on WebGPU.
      const p = mode === '1d' ? { page, errors: pageErrors } : await openApp(browser, `${server.url}?map=gpu&surface=gpu`, WATCHED);
      if (mode === '2d') await p.page.evaluate(() => window.sandbox.setState({ mode: '2d', look: { grid: 128 } }));
      expect(await p.page.evaluate(() => window.sandbox.backend)).toBe('webgpu');
      const before = await picture(p.page);
      await startTaskTrace(p.page);
      const cdp = await browser.target().createCDPSession();
      await cdp.send('Browser.crashGpuProcess');
      await cdp.detach();
      // No user input: the loss alone brings the redraw and the notice.
      await p.page.waitForFunction(() => /redrawn on WebGPU/.test(document.getElementById('backend-notice')?.textContent ?? ''), { timeout: 120_000 });
      expect(await notice(p.page)).toBe('The GPU was reset; redrawn on WebGPU.');
      await noteLongestTask(p.page, `GPU-process crash, ${mode.toUpperCase()}, webgpu`);
      const after = await picture(p.page);
      await screenshot(p.page, `faults-crash-${mode}`);
      mkdirSync(RESULTS, { recursive: true });
      for (const [name, url] of [['before', before], ['after', after]]) writeFileSync(join(RESULTS, `faults-crash-${mode}-${name}.png`), Buffer.from(url.split(',')[1], 'base64'));
      const info = await p.page.evaluate(() => window.sandbox.info());
      expect(info.plot).toBe('webgpu');
      if (mode === '2d') expect(info.surface).toBe('webgpu');
      expect(await pictureDifference(p.page, before, after)).toBeLessThan(0.002);
      expect(info.uncaught).toBe(0);
      expect(p.errors).toEqual([]);
      if (mode === '2d') await p.page.close();
    });
  }

  it('a device loss during training: training goes on at the same loss (Adam kept), train() rejects plainly', async () => {
    await page.evaluate(() => window.sandbox.setState({ mode: '1d', target: { kind: 'builtin', id: 'sin' }, build: 'least-squares', units: 16 }));
    const start = randomNetwork(1, 16, 5, [-3, 3]);
    await page.evaluate((n) => window.sandbox.setState({ network: n, lr: 0.01 }), start);
    const t0 = Date.now();
    const trained = await page.evaluate(() => window.sandbox.train(400));
    // Steps for about 2 s: long enough to be cut by the loss, short enough that the old queue drains soon after.
    const longRun = Math.max(400, Math.round((400 * 2000) / Math.max(1, Date.now() - t0)));
    expect(trained.backend).toBe('webgpu');
    const before = await page.evaluate(() => window.sandbox.train(1));
    await startTaskTrace(page);
    // Lost between two calls: the next call builds a trainer on the new device and restores the moments.
    await page.evaluate(() => window.sandbox.simulateDeviceLoss());
    const after = await page.evaluate(() => window.sandbox.train(1));
    expect(after.backend).toBe('webgpu');
    // Fresh moments made the next step 109× worse; Adam's next step from the same state changes the loss little.
    expect(after.loss / before.loss).toBeLessThan(1.5);
    expect(after.loss / before.loss).toBeGreaterThan(0.5);
    // Lost while a call runs: it rejects with a plain message, nothing of it committed, and training goes on after.
    const net0 = JSON.stringify(await page.evaluate(() => window.sandbox.getState().network));
    const outcome = await page.evaluate(async (k) => {
      const run = window.sandbox.train(k).then(
        () => 'finished',
        (e: Error) => e.message,
      );
      await new Promise((r) => setTimeout(r, 300));
      await window.sandbox.simulateDeviceLoss();
      return run;
    }, longRun);
    expect(outcome).toMatch(/^the GPU was lost during training/);
    expect(outcome).not.toMatch(/mapAsync|GPUBuffer|Failed to execute/);
    expect(JSON.stringify(await page.evaluate(() => window.sandbox.getState().network))).toBe(net0);
    const again = await page.evaluate(() => window.sandbox.train(1));
    expect(again.loss / after.loss).toBeLessThan(1.5);
    await noteLongestTask(page, 'device loss during training, webgpu');
    expect((await page.evaluate(() => window.sandbox.info())).uncaught).toBe(0);
  });

  it('a device loss during a benchmark: the rows measured are kept and downloadable, with a plain message', async () => {
    await page.evaluate(async () => {
      const section = document.getElementById('bench-section') as HTMLDetailsElement;
      section.open = true;
      await window.sandbox.benchmark.load();
      // Capture downloads instead of saving them.
      const w = window as unknown as { __blobs: Blob[] };
      w.__blobs = [];
      const create = URL.createObjectURL.bind(URL);
      URL.createObjectURL = (b: Blob | MediaSource) => (b instanceof Blob && w.__blobs.push(b), create(b));
      HTMLAnchorElement.prototype.click = function () {};
    });
    await startTaskTrace(page);
    const rowsBefore = await page.evaluate(async () => {
      const run = window.sandbox.benchmark.run();
      const rows = () => document.querySelectorAll('.bench-panel tbody tr').length;
      while (rows() < 3) await new Promise((r) => setTimeout(r, 50));
      const seen = rows();
      // A recovery still under way from an earlier test: lose the device once it has a new one.
      for (;;) {
        try {
          await window.sandbox.simulateDeviceLoss();
          break;
        } catch (e) {
          if (!/under way/.test((e as Error).message)) throw e;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      (window as unknown as { __run: unknown }).__run = await run;
      return seen;
    });
    const res = await page.evaluate(() => {
      const r = window.sandbox.benchmark.result!;
      return { rows: r.rows.length, gpuLost: r.gpuLost ?? null, cancelled: r.cancelled };
    });
    expect(res.gpuLost).toBe('The GPU was lost during the benchmark; the rows measured before it are kept.');
    expect(res.cancelled).toBe(false);
    expect(res.rows).toBeGreaterThanOrEqual(rowsBefore);
    const status = await page.$eval('.bench-panel .bench-status', (e) => e.textContent ?? '');
    expect(status).toMatch(/^The GPU was lost during the benchmark; the rows measured before it are kept\./);
    expect(status).not.toMatch(/mapAsync|GPUBuffer|Failed to execute/);
    await clickButton(page, 'Download CSV');
    await clickButton(page, 'Download JSON');
    const files = await page.evaluate(async () => Promise.all((window as unknown as { __blobs: Blob[] }).__blobs.map((b) => b.text())));
    expect(files).toHaveLength(2);
    expect(files[0].trimEnd().split('\n')).toHaveLength(res.rows + 1);
    expect(JSON.parse(files[1]).rows).toHaveLength(res.rows);
    await noteLongestTask(page, 'device loss during a benchmark, webgpu');
    await screenshot(page, 'faults-bench-lost');
    expect((await page.evaluate(() => window.sandbox.info())).uncaught).toBe(0);
    expect(pageErrors).toEqual([]);
  });

  it('has the CSP and no violation in all of that', async () => {
    const csp = await page.$eval('meta[http-equiv="Content-Security-Policy"]', (e) => e.getAttribute('content') ?? '');
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp)).toEqual([]);
  });
});

describe('hidden tabs and the CSP with cpu', () => {
  const mode: Mode = 'cpu';
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    browser = await launchBrowser(mode);
    ({ page, errors: pageErrors } = await openApp(browser, server.url, WATCHED));
  });
  afterAll(async () => {
    await browser?.close();
  });

  const net = async () => JSON.stringify(await page.evaluate(() => window.sandbox.getState().network));
  const units = async () => page.evaluate(() => window.sandbox.getState().units);

  it('a hidden tab pauses live training and the N animation; shown again, they go on (training only if it ran)', async () => {
    await page.evaluate((n) => window.sandbox.setState({ network: n, lr: 0.01 }), randomNetwork(1, 12, 5, [-3, 3]));
    await startTaskTrace(page);
    // Hidden while not training: shown again, nothing starts.
    await setHidden(page, true);
    await setHidden(page, false);
    const still = await net();
    await sleep(500);
    expect(await net()).toBe(still);

    await clickButton(page, 'Train (Space)');
    await page.waitForFunction(() => /Pause/.test(document.body.textContent ?? ''));
    await sleep(300);
    await setHidden(page, true);
    await sleep(300); // the step under way when the tab was hidden lands
    const hidden = await net();
    await sleep(1000);
    expect(await net()).toBe(hidden);
    await setHidden(page, false);
    await sleep(800);
    expect(await net()).not.toBe(hidden);
    await clickButton(page, 'Pause training');

    await clickButton(page, 'Animate N');
    await sleep(1000);
    await setHidden(page, true);
    const n1 = await units();
    await sleep(1400);
    expect(await units()).toBe(n1);
    await setHidden(page, false);
    await sleep(1400);
    expect(await units()).toBeGreaterThan(n1);
    await clickButton(page, 'Stop animating N');
    await noteLongestTask(page, 'hidden tab during training and the N animation, cpu');
    expect(pageErrors).toEqual([]);
  });

  it('has the CSP, and the 1D and 2D views, the error chart and the benchmark panel (run and charts) raise no violation', async () => {
    const csp = await page.$eval('meta[http-equiv="Content-Security-Policy"]', (e) => e.getAttribute('content') ?? '');
    expect(csp).toMatch(/default-src 'self'/);
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).not.toMatch(/unsafe-eval/);
    await page.evaluate(() => window.sandbox.setState({ build: 'interpolate', units: 8 }));
    await page.evaluate(() => window.sandbox.errorVsN());
    await page.evaluate(() => window.sandbox.setState({ mode: '2d' }));
    await page.evaluate(() => window.sandbox.regions());
    await page.evaluate(async () => {
      (document.getElementById('bench-section') as HTMLDetailsElement).open = true;
      const panel = await window.sandbox.benchmark.load();
      // A small sweep, so the charts are drawn within seconds.
      const sizes = panel.element.querySelector('input[type=text]') as HTMLInputElement;
      sizes.value = '1,16';
      const boxes = panel.element.querySelectorAll('input[type=checkbox]');
      (boxes[1] as HTMLInputElement).checked = false; // 2D off
      await window.sandbox.benchmark.run();
    });
    expect(await page.evaluate(() => document.querySelectorAll('.bench-panel .uplot').length)).toBeGreaterThan(0);
    await screenshot(page, 'faults-csp-cpu');
    expect(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp)).toEqual([]);
    expect((await page.evaluate(() => window.sandbox.info())).uncaught).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});

describe('a GPU-process crash without WebGPU (cpu)', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchBrowser('cpu');
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** Records the 2D canvases the browser lost and restored (the events do not bubble: caught on the way down). */
  async function watchContexts(page: Page): Promise<void> {
    await page.evaluateOnNewDocument(() => {
      const w = window as unknown as { __restored: string[] };
      w.__restored = [];
      document.addEventListener('contextrestored', (e) => w.__restored.push((e.target as HTMLElement).id || 'canvas'), true);
    });
  }

  /** The views and the loss chart as on screen (a PNG data URL of each). */
  async function onScreen(page: Page): Promise<string[]> {
    const shots: string[] = [];
    for (const sel of ['#views', '#loss-chart']) {
      const el = await page.$(sel);
      shots.push(`data:image/png;base64,${await el!.screenshot({ encoding: 'base64' })}`);
    }
    return shots;
  }

  for (const dim of ['1d', '2d'] as const) {
    it(`in ${dim.toUpperCase()}: the 2D canvases the crash cleared are painted again, the loss chart too, nothing uncaught`, async () => {
      const { page, errors } = await openApp(browser, server.url, { beforeLoad: watchContexts, consoleErrors: false });
      await page.setViewport({ width: 1280, height: 720 });
      if (dim === '2d') await page.evaluate(() => window.sandbox.setState({ mode: '2d' }));
      await clickButton(page, 'Step (one Adam step)');
      await page.waitForFunction(() => window.sandbox.trainingStatus().steps === 1 && !window.sandbox.trainingStatus().busy, { timeout: 60_000 });
      await sleep(2000);
      const before = await onScreen(page);
      await startTaskTrace(page);
      const cdp = await browser.target().createCDPSession();
      await cdp.send('Browser.crashGpuProcess');
      await cdp.detach();
      // Chromium without WebGPU keeps its 2D canvases on the GPU here: the crash clears them.
      await page.waitForFunction(() => (window as unknown as { __restored: string[] }).__restored.includes('plot'), { timeout: 60_000 });
      await sleep(3000);
      const after = await onScreen(page);
      await noteLongestTask(page, `GPU-process crash, ${dim.toUpperCase()}, cpu`);
      mkdirSync(RESULTS, { recursive: true });
      for (const [name, urls] of [['before', before], ['after', after]] as const) {
        writeFileSync(join(RESULTS, `faults-crash-cpu-${dim}-${name}.png`), Buffer.from(urls[0].split(',')[1], 'base64'));
        writeFileSync(join(RESULTS, `faults-crash-cpu-${dim}-loss-${name}.png`), Buffer.from(urls[1].split(',')[1], 'base64'));
      }
      expect(await pictureDifference(page, before[0], after[0]), 'the views').toBeLessThan(0.002);
      expect(await pictureDifference(page, before[1], after[1]), 'the loss chart').toBeLessThan(0.002);
      expect((await page.evaluate(() => window.sandbox.info())).uncaught).toBe(0);
      expect(errors).toEqual([]);
      await page.close();
    });
  }
});
