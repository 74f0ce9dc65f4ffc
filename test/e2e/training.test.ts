/**
 * Training controls in the built app, WebGPU (SwiftShader) and the CPU fallback: Step, Reset, Random init, the
 * live loss chart, noise with a train/test split (both losses shown), cancelling `train()`, and the race of
 * issue 11 (a step in flight when the user pauses and imports another network never overwrites the import).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'puppeteer';
import { randomNetwork } from '../../src/model/network.ts';
import { LOSS_COLORS } from '../../src/views/charts/lossChart.ts';
import { hexToRgb, launchBrowser, noteLongestTask, startTaskTrace, openApp, screenshot, serveDist, type Mode } from './harness.ts';

let server: Awaited<ReturnType<typeof serveDist>>;
beforeAll(async () => {
  server = await serveDist();
});
afterAll(async () => {
  await server?.close();
});

/** Clicks the panel button whose label matches. */
async function click(page: Page, label: RegExp): Promise<void> {
  const ok = await page.evaluate((src) => {
    const re = new RegExp(src);
    const b = [...document.querySelectorAll<HTMLButtonElement>('#panel button')].find((e) => re.test(e.textContent ?? ''));
    b?.click();
    return b !== undefined;
  }, label.source);
  expect(ok, `a panel button ${label}`).toBe(true);
}

/** The text of a read-only panel field, by its label. */
function field(page: Page, name: string): Promise<string> {
  return page.evaluate((n) => {
    const c = [...document.querySelectorAll('#panel .lil-controller')].find((e) => e.querySelector('.lil-name')?.textContent === n);
    return (c?.querySelector('input') as HTMLInputElement | null)?.value ?? '(missing)';
  }, name);
}

/** Pixels of the loss chart's canvas within a small distance of a colour. */
function chartPixels(page: Page, hex: string): Promise<number> {
  const rgb = hexToRgb(hex);
  return page.evaluate((c) => {
    const canvas = document.querySelector<HTMLCanvasElement>('#loss-chart canvas');
    if (!canvas) return -1;
    const px = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let k = 0; k < px.length; k += 4) if (Math.abs(px[k] - c[0]) + Math.abs(px[k + 1] - c[1]) + Math.abs(px[k + 2] - c[2]) < 60 && px[k + 3] > 200) n++;
    return n;
  }, rgb);
}

const idle = (page: Page) => page.waitForFunction(() => !window.sandbox.trainingStatus().busy, { timeout: 120_000 });

describe.each<Mode>(['webgpu', 'cpu'])('training with %s', (mode) => {
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

  it('Step takes one Adam step (one epoch: full batch); Reset goes back to the construction it started from', async () => {
    await page.evaluate(() => window.sandbox.setState({ target: { kind: 'builtin', id: 'sin' }, units: 16, build: 'interpolate', lr: 'auto', noise: 0, holdout: 0 }));
    const start = await page.evaluate(() => window.sandbox.getState().network);
    await click(page, /^Step/);
    await page.waitForFunction(() => window.sandbox.trainingStatus().steps === 1, { timeout: 60_000 });
    const st = await page.evaluate(() => window.sandbox.trainingStatus());
    expect(st.epochs).toBe(1);
    // 'auto' near a fit: at most min(0.01, 0.5/N), lowered so the first step lowers the loss (autoLr).
    expect(st.lr).toBeGreaterThan(0);
    expect(st.lr).toBeLessThanOrEqual(0.01);
    expect(st.history.train.length).toBe(2);
    expect(st.history.train[1]).toBeLessThanOrEqual(st.history.train[0]);
    expect(await field(page, 'Steps')).toBe('1');
    const after = await page.evaluate(() => window.sandbox.getState());
    expect(after.build).toBe('custom');
    expect(after.network).not.toEqual(start);
    await click(page, /^Reset \(back/);
    await page.evaluate(() => window.sandbox.setState({}));
    const back = await page.evaluate(() => window.sandbox.getState());
    expect(back.build).toBe('interpolate');
    expect(back.network).toEqual(start);
    expect(await page.evaluate(() => window.sandbox.trainingStatus().steps)).toBe(0);
  });

  it('Random init draws a seeded network of the current N; Reset comes back to it', async () => {
    await page.evaluate(() => window.sandbox.setState({ units: 24, seed: 5 }));
    await click(page, /^Random init/);
    const a = await page.evaluate(() => window.sandbox.getState().network);
    expect(a.a.length).toBe(24);
    await page.evaluate(() => window.sandbox.train(10));
    await click(page, /^Random init/);
    expect(await page.evaluate(() => window.sandbox.getState().network)).toEqual(a);
    await page.evaluate(() => window.sandbox.train(5));
    await click(page, /^Reset \(back/);
    expect(await page.evaluate(() => window.sandbox.getState().network)).toEqual(a);
  });

  it('the loss chart gets a point per call and draws the training curve', async () => {
    await page.evaluate(() => window.sandbox.setState({ units: 16, build: 'interpolate', holdout: 0 }));
    await click(page, /^Random init/);
    for (let i = 0; i < 4; i++) await page.evaluate(() => window.sandbox.train(25));
    const st = await page.evaluate(() => window.sandbox.trainingStatus());
    // The start and one point per call.
    expect(st.history.steps).toEqual([0, 25, 50, 75, 100]);
    expect(st.history.train[4]).toBeLessThan(st.history.train[0]);
    await new Promise((r) => setTimeout(r, 300));
    expect(await chartPixels(page, LOSS_COLORS.train)).toBeGreaterThan(30);
    expect(await chartPixels(page, LOSS_COLORS.test)).toBe(0);
    await screenshot(page, `training-${mode}-chart`);
  });

  it('noise and a held-out test set: both losses in the result, the panel and the chart', async () => {
    await page.evaluate(() => window.sandbox.setState({ units: 32, noise: 0.1, holdout: 0.25, seed: 3 }));
    await click(page, /^Random init/);
    const r = await page.evaluate(() => window.sandbox.train(200));
    expect(r.testLoss).not.toBeNull();
    expect(r.testLoss!).toBeGreaterThan(0);
    const st = await page.evaluate(() => window.sandbox.trainingStatus());
    expect(st.samples).toBe(384);
    expect(st.testSamples).toBe(128);
    // The noise (σ = 0.1) stays in the training loss: it cannot fall far below σ² = 0.01 without overfitting.
    expect(st.loss).toBeGreaterThan(0.001);
    expect(Number(await field(page, 'Train loss (MSE)'))).toBeCloseTo(st.loss, 3);
    expect(Number(await field(page, 'Test loss (MSE)'))).toBeCloseTo(st.testLoss, 3);
    expect(await field(page, 'Samples train / test')).toBe('384 / 128');
    await new Promise((r) => setTimeout(r, 300));
    expect(await chartPixels(page, LOSS_COLORS.train)).toBeGreaterThan(30);
    expect(await chartPixels(page, LOSS_COLORS.test)).toBeGreaterThan(30);
    await screenshot(page, `training-${mode}-train-test`);
    await page.evaluate(() => window.sandbox.setState({ noise: 0, holdout: 0 }));
  });

  it('train() can be cancelled: it keeps the completed steps and says so', async () => {
    await page.evaluate(() => window.sandbox.setState({ units: 2048, build: 'interpolate' }));
    const before = await page.evaluate(() => window.sandbox.getState().network);
    const msg = await page.evaluate(async () => {
      const ctl = new AbortController();
      const p = window.sandbox.train(100_000, { signal: ctl.signal }).then(
        () => 'finished',
        (e: Error) => `${e.name}: ${e.message}`,
      );
      // Cancel once steps are under way (the GPU call or CPU slices are running).
      while (!((window.sandbox.trainingStatus().progress?.done ?? 0) > 0)) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 300));
      ctl.abort();
      return p;
    });
    expect(msg).toMatch(/^TrainingCancelledError: training was cancelled after (\d+) of 100000 steps; those \1 steps were kept$/);
    const kept = Number(/after (\d+)/.exec(msg)![1]);
    expect(await page.evaluate(() => window.sandbox.trainingStatus().steps)).toBe(kept);
    expect(await page.evaluate(() => window.sandbox.getState().network)).not.toEqual(before);
    // stopTraining() stops the live loop too.
    await click(page, /Train \(Space\)/);
    await page.waitForFunction(() => window.sandbox.trainingStatus().training);
    await page.evaluate(() => window.sandbox.stopTraining());
    await idle(page);
    expect(await page.evaluate(() => window.sandbox.trainingStatus().training)).toBe(false);
    expect(errors).toEqual([]);
  });
});

describe.each<Mode>(['webgpu', 'cpu'])('the race of issue 11 with %s', (mode) => {
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

  it('pause, then import a 2D network at once: a step still in flight never overwrites it, also after a reload', async () => {
    await page.evaluate(() => window.sandbox.setState({ mode: '1d', units: 16_384, build: 'interpolate', show: { terms: false } }));
    await click(page, /Train \(Space\)/);
    // A step is in flight on the GPU.
    await page.waitForFunction(() => window.sandbox.trainingStatus().busy, { timeout: 120_000 });
    await startTaskTrace(page);
    const net2d = randomNetwork(2, 12, 77);
    await page.evaluate(async (text) => {
      const b = [...document.querySelectorAll<HTMLButtonElement>('#panel button')].find((e) => /Pause training \(Space\)/.test(e.textContent ?? ''))!;
      b.click();
      // At once: no await between the pause and the import.
      await window.sandbox.importJson(text);
    }, JSON.stringify(net2d));
    const want = await page.evaluate(() => window.sandbox.getState());
    expect(want.mode).toBe('2d');
    expect(want.network.a.length).toBe(12);
    await new Promise((r) => setTimeout(r, 6000));
    await idle(page);
    expect(await page.evaluate(() => window.sandbox.getState())).toEqual(want);
    await noteLongestTask(page, `pause, then import during training, ${mode}`);
    await page.reload({ waitUntil: 'load' });
    await page.waitForFunction(() => window.sandbox !== undefined, { timeout: 60_000 });
    await page.evaluate(() => window.sandbox.ready);
    const reloaded = await page.evaluate(() => window.sandbox.getState());
    expect(reloaded.mode).toBe('2d');
    expect(reloaded.network).toEqual(want.network);
    expect(errors).toEqual([]);
  });
});
