/**
 * The Benchmark panel's "Compare with TensorFlow.js" in the built app, in headless Chromium under the page's CSP:
 * TF.js loads as its own chunk (WebGPU backend on the app's device on SwiftShader, the CPU backend without WebGPU)
 * and the panel shows evaluation and training rows with ratios. Small sizes; checks format and correctness, never timings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'puppeteer';
import { launchBrowser, openApp, screenshot, serveDist, type Mode } from './harness.ts';

let server: Awaited<ReturnType<typeof serveDist>>;
beforeAll(async () => {
  server = await serveDist();
});
afterAll(async () => {
  await server?.close();
});

describe.each<Mode>(['webgpu', 'cpu'])('TensorFlow.js comparison with %s', (mode) => {
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

  it('shows TF.js rows with ratios next to the sandbox, computing the same values', async () => {
    await page.click('#bench-section > summary');
    const run = await page.waitForSelector('xpath/.//button[normalize-space()="Run benchmark"]', { timeout: 30_000 });
    // A small sweep: 2D only, N = 16, one training size of 16 units.
    await page.evaluate(() => {
      const panel = window.sandbox.benchmark.element as HTMLElement;
      const label = (text: string) => [...panel.querySelectorAll('label')].find((l) => l.textContent?.trim().startsWith(text))!;
      (label('1D').querySelector('input') as HTMLInputElement).checked = false;
      (label('N').querySelector('input') as HTMLInputElement).value = '16';
      (label('train N').querySelector('input') as HTMLInputElement).value = '16';
      (label('Compare with TensorFlow.js').querySelector('input') as HTMLInputElement).checked = true;
    });
    await run!.click();
    await page.waitForFunction(() => window.sandbox.benchmark.peers !== null, { timeout: 200_000, polling: 250 });
    await screenshot(page, `bench-peers-${mode}`);
    const out = await page.evaluate(() => {
      const b = window.sandbox.benchmark;
      const p = b.peers!;
      const wrap = (b.element as HTMLElement).querySelector('.bench-peers') as HTMLElement;
      return {
        peers: p.peers.map((h) => h.id),
        evalRows: p.eval.map((r) => ({ ratio: r.ratio, ratioRead: r.ratioRead, error: r.peerError, n: r.n })),
        trainRows: p.train.map((r) => ({ ratio: r.ratio, error: r.peerError, gpu: r.sandboxGpuMs, cpu: r.sandboxCpuMs })),
        skipped: p.skipped,
        shown: !wrap.hidden,
        tableRows: wrap.querySelectorAll('tbody tr').length,
        text: wrap.textContent ?? '',
      };
    });
    expect(out.peers).toEqual([mode === 'webgpu' ? 'tfjs-webgpu' : 'tfjs-cpu']);
    expect(out.skipped).toEqual([]);
    expect(out.evalRows.length).toBeGreaterThan(0);
    for (const r of out.evalRows) {
      expect(r.n).toBe(16);
      expect(r.ratio).toBeGreaterThan(0);
      expect(r.ratioRead).toBeGreaterThan(0);
      expect(r.error).toBeLessThan(1e-5);
    }
    expect(out.trainRows).toHaveLength(1);
    expect(out.trainRows[0].ratio).toBeGreaterThan(0);
    expect(out.trainRows[0].error).toBeLessThan(1e-4);
    expect(out.trainRows[0].cpu).toBeGreaterThan(0);
    if (mode === 'webgpu') expect(out.trainRows[0].gpu).toBeGreaterThan(0);
    else expect(out.trainRows[0].gpu).toBeNull();
    expect(out.shown).toBe(true);
    expect(out.tableRows).toBe(out.evalRows.length + out.trainRows.length);
    expect(out.text).toMatch(/×/);
    // Nothing blocked by the CSP, no uncaught error.
    expect(errors).toEqual([]);
  });
});
