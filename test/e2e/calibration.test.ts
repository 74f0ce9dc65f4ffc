/**
 * The 2D method calibration in the built app (issue 12): measured after the first 2D frame, named on the status
 * line, shown in the Benchmark panel, and read back from the cache after a reload instead of measured again.
 * Checks what is shown and where it came from, never timings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'puppeteer';
import { launchBrowser, openApp, serveDist } from './harness.ts';

let server: Awaited<ReturnType<typeof serveDist>>;
beforeAll(async () => {
  server = await serveDist();
});
afterAll(async () => {
  await server?.close();
});

type Info = Awaited<ReturnType<typeof window.sandbox.calibration>>;

describe('2D method calibration with webgpu', () => {
  let browser: Browser;
  let page: Page;
  let errors: string[];
  beforeAll(async () => {
    browser = await launchBrowser('webgpu');
    ({ page, errors } = await openApp(browser, server.url));
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('measures after the first 2D frame, names the pick on the status line and in the Benchmark panel, and a reload reads the cache', async () => {
    await page.evaluate(() => window.sandbox.setState({ mode: '2d' }));
    const first = (await page.evaluate(() => window.sandbox.calibration())) as Info;
    expect(first.state).toBe('measured');
    const ids = first.candidates.map((c) => c.id);
    expect(ids).toContain('cpu');
    expect(first.table.length).toBeGreaterThan(0);
    for (const r of first.table) {
      expect(ids).toContain(r.pick);
      expect(r.times[r.pick]).toBe(Math.min(...Object.values(r.times)));
    }
    // The status line names the pick for the current grid (512² by default) and why.
    await page.waitForFunction(() => /2D: .+ \(.+ at 512², (measured|predicted from what was measured) at startup\)/.test(document.getElementById('backend-status')!.textContent ?? ''), { timeout: 10_000 });

    await page.click('#bench-section > summary');
    await page.waitForSelector('.bench-calibration-wrap tbody tr', { timeout: 30_000 });
    const panel = await page.evaluate(() => ({
      rows: document.querySelectorAll('.bench-calibration-wrap tbody tr').length,
      picks: document.querySelectorAll('.bench-calibration-wrap td.bench-pick').length,
      caption: document.querySelector('.bench-calibration p')?.textContent ?? '',
    }));
    expect(panel.rows).toBe(first.table.length);
    expect(panel.picks).toBe(first.table.length);
    expect(panel.caption).toMatch(/measured at startup/);

    await page.reload({ waitUntil: 'load' });
    await page.waitForFunction(() => window.sandbox !== undefined, { timeout: 60_000 });
    await page.evaluate(() => window.sandbox.ready);
    const again = (await page.evaluate(() => window.sandbox.calibration())) as Info;
    expect(again.state).toBe('cached');
    expect(again.calibration!.measuredAt).toBe(first.calibration!.measuredAt);
    expect(again.table).toEqual(first.table);
    expect(errors).toEqual([]);
  });
});

describe('2D method calibration without webgpu', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser('cpu');
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('has nothing to choose: the CPU computes every grid', async () => {
    const { page, errors } = await openApp(browser, server.url);
    await page.evaluate(() => window.sandbox.setState({ mode: '2d' }));
    const info = (await page.evaluate(() => window.sandbox.calibration())) as Info;
    expect(info.state).toBe('cpu-only');
    expect(info.table).toEqual([]);
    expect(await page.$eval('#backend-status', (e) => e.textContent)).not.toMatch(/2D: /);
    expect(errors).toEqual([]);
  });
});
