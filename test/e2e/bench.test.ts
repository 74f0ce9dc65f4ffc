/**
 * The Benchmark panel in the built app, in headless Chromium with WebGPU on SwiftShader and without WebGPU.
 * Clicks it as a user would; checks format and correctness, never timings.
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

describe.each<Mode>(['webgpu', 'cpu'])('benchmark panel with %s', (mode) => {
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

  it('runs the quick sweep from its button: rows, error check, adapter or fallback reason, table and charts', async () => {
    await page.click('#bench-section > summary');
    // The panel's code loads when the section opens.
    const run = await page.waitForSelector('xpath/.//button[normalize-space()="Run benchmark"]', { timeout: 30_000 });
    expect(run).toBeTruthy();
    await run!.click();
    await page.waitForFunction(() => window.sandbox.benchmark.result !== null, { timeout: 180_000, polling: 250 });
    await screenshot(page, `bench-${mode}-quick`);
    const out = await page.evaluate(async () => {
      const b = window.sandbox.benchmark;
      const res = b.result;
      const panel = b.element as HTMLElement;
      return {
        rows: res!.rows.map((r) => ({ backend: r.backend, errorKind: r.errorKind, error: r.error, peakPct: r.peakPct, timing: r.timing })),
        adapter: res!.adapter?.name ?? null,
        noGpuReason: res!.noGpuReason,
        gpuTiming: res!.gpuTiming,
        accuracy: res!.accuracy.length,
        tableRows: panel.querySelectorAll('.bench-table-wrap tbody tr').length,
        charts: panel.querySelectorAll('.uplot').length,
      };
    });
    expect(out.rows.length).toBeGreaterThan(0);
    expect(out.tableRows).toBe(out.rows.length);
    expect(out.charts).toBe(2);
    expect(out.accuracy).toBeGreaterThan(0);
    for (const r of out.rows) if (r.errorKind === 'relL2') expect(r.error).toBeLessThan(1e-5);
    const gpuRows = out.rows.filter((r) => r.backend === 'gpu');
    if (mode === 'webgpu') {
      expect(out.adapter).toBeTruthy();
      expect(gpuRows.length).toBeGreaterThan(0);
      for (const r of gpuRows) expect(r.peakPct).toBeGreaterThan(0);
      expect(['timestamp-query', 'onSubmittedWorkDone']).toContain(out.gpuTiming);
    } else {
      expect(gpuRows).toHaveLength(0);
      expect(out.noGpuReason).toMatch(/CPU fallback/);
    }
    expect(errors).toEqual([]);
  });

  it('cancels a full sweep and keeps the rows measured so far', async () => {
    const out = await page.evaluate(async () => {
      const b = window.sandbox.benchmark;
      const sel = (b.element as HTMLElement).querySelector('select') as HTMLSelectElement;
      sel.value = 'default';
      sel.dispatchEvent(new Event('change'));
      const p = b.run();
      await new Promise((r) => setTimeout(r, 200));
      b.cancel();
      const res = await p;
      sel.value = 'quick';
      sel.dispatchEvent(new Event('change'));
      return { cancelled: res!.cancelled };
    });
    expect(out.cancelled).toBe(true);
  });
});
