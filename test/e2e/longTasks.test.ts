/**
 * Main-thread tasks while training at N = 65,536 on the CPU backend, measured in the page with a PerformanceObserver
 * on 'longtask' (issue 11: no task over 100 ms, Cancel answered within 100 ms).
 *
 * The machine running the suite may be loaded (two shared cores make a 30 ms slice last several times as long), so
 * each bound is 100 ms or, when larger, a baseline measured in the same page just before: the longest task of
 * committing a network of the same size (validation, the redraw, the autosave), which every training call ends
 * with too. An unsliced training step (tens of millions of products at this size) or a Cancel that waits for the
 * call to end exceeds either bound.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'puppeteer';
import { launchBrowser, openApp, serveDist } from './harness.ts';

let server: Awaited<ReturnType<typeof serveDist>>;
beforeAll(async () => {
  server = await serveDist();
});
afterAll(async () => {
  await server?.close();
});

describe('long tasks while training at N = 65,536 (cpu)', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser('cpu');
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('keeps every training task within 100 ms (or a commit of the same network) and answers Cancel as soon', async () => {
    const { page, errors } = await openApp(browser, server.url);
    await page.evaluate(() => {
      const w = window as unknown as { __long: number[] };
      w.__long = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.__long.push(e.duration);
      }).observe({ type: 'longtask' });
    });
    await page.evaluate(() => window.sandbox.setState({ units: 65_536, build: 'interpolate' }));
    expect(await page.evaluate(() => window.sandbox.getState().network.a.length)).toBe(65_536);

    // The baseline: three commits of a network of this size, as a training call makes at its end.
    const baseline = await page.evaluate(async () => {
      const w = window as unknown as { __long: number[] };
      await new Promise((r) => setTimeout(r, 1000));
      w.__long.length = 0;
      for (let i = 0; i < 3; i++) {
        const net = window.sandbox.getState().network;
        await window.sandbox.setState({ network: { ...net, c: net.c + 1e-3 } });
        await new Promise((r) => setTimeout(r, 500));
      }
      return Math.max(0, ...w.__long);
    });

    const run = await page.evaluate(async () => {
      const w = window as unknown as { __long: number[] };
      await new Promise((r) => setTimeout(r, 1000));
      w.__long.length = 0;
      const ctl = new AbortController();
      const p = window.sandbox.train(100_000, { signal: ctl.signal }).then(
        () => 'finished',
        (e: Error) => e.name,
      );
      // Several full steps at this size (each a forward and a backward pass over 65,536 units × the samples).
      while (!((window.sandbox.trainingStatus().progress?.done ?? 0) >= 2)) await new Promise((r) => setTimeout(r, 20));
      const during = [...w.__long];
      const t0 = performance.now();
      ctl.abort();
      const outcome = await p;
      const cancelMs = performance.now() - t0;
      return { outcome, cancelMs, during, steps: window.sandbox.trainingStatus().steps };
    });
    const bound = Math.max(100, baseline);
    console.log(`training at N = 65,536 (cpu): longest task ${Math.round(Math.max(0, ...run.during))} ms over ${run.steps} steps, Cancel answered in ${Math.round(run.cancelMs)} ms; baseline commit ${Math.round(baseline)} ms`);
    expect(run.outcome).toBe('TrainingCancelledError');
    expect(run.steps).toBeGreaterThanOrEqual(2);
    expect(Math.max(0, ...run.during)).toBeLessThanOrEqual(bound);
    // Cancel: at most one slice (30 ms), then the commit of the steps kept.
    expect(run.cancelMs).toBeLessThanOrEqual(100 + baseline);
    expect(errors).toEqual([]);
  });
});
