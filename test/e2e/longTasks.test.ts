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
import type { Browser, Page } from 'puppeteer';
import { launchBrowser, linesThroughView, openApp, serveDist } from './harness.ts';
import { firstMark, longestOf, threadsWith, topLevelTasks, traceEvents } from '../../scripts/traceTasks.ts';

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

  it('leaves the big 2D work off the main thread: no 2048² putImageData, no worker message with a plain array of numbers', async () => {
    const { page, errors } = await openApp(browser, server.url);
    // What the main thread does that scales with the grid or N, counted where it happens (no timing bounds): the
    // 2048² map must come from the grid worker as a bitmap, and networks must cross to workers as typed arrays
    // (a structured clone of plain arrays of 65,536 numbers copies them one by one on the main thread).
    await page.evaluate(() => {
      const w = window as unknown as { __puts: number[]; __plain: number[]; __arrangements?: number };
      w.__puts = [];
      w.__plain = [];
      const put = CanvasRenderingContext2D.prototype.putImageData;
      CanvasRenderingContext2D.prototype.putImageData = function (this: CanvasRenderingContext2D, ...args: unknown[]) {
        const im = args[0] as ImageData;
        w.__puts.push(im.width * im.height);
        return (put as (...a: unknown[]) => void).apply(this, args);
      } as typeof put;
      const longestPlain = (v: unknown, depth: number): number => {
        if (Array.isArray(v)) return Math.max(v.length, ...v.slice(0, 64).map((x) => (depth > 0 ? longestPlain(x, depth - 1) : 0)));
        if (v && typeof v === 'object' && !ArrayBuffer.isView(v) && depth > 0) return Math.max(0, ...Object.values(v).map((x) => longestPlain(x, depth - 1)));
        return 0;
      };
      const post = Worker.prototype.postMessage;
      Worker.prototype.postMessage = function (this: Worker, ...args: unknown[]) {
        w.__plain.push(longestPlain(args[0], 4));
        const m = args[0] as { polygons?: unknown } | null;
        if (m && typeof m === 'object' && 'polygons' in m) w.__arrangements = (w.__arrangements ?? 0) + 1;
        return (post as (...a: unknown[]) => void).apply(this, args);
      } as typeof post;
    });
    await page.evaluate(async (network) => {
      await window.sandbox.setState({ mode: '2d', network, look: { grid: 2048, colour: 'regions' } });
      await window.sandbox.setState({ look: { colour: 'values', contours: true } });
    }, linesThroughView(65_536));
    // The readouts go to their workers after the frame: the error statistics, then the exact arrangement.
    await page.waitForFunction(() => ((window as unknown as { __arrangements?: number }).__arrangements ?? 0) > 0, { timeout: 180_000, polling: 200 });
    // Hovering the 2048² region map: the highlight mask is built at the map's pixels, not over the whole grid.
    await page.evaluate(() => window.sandbox.setState({ look: { colour: 'regions', contours: false } }));
    const g = (await page.evaluate(() => window.sandbox.geometry())) as { left: number; top: number; width: number; height: number };
    const mapPixels = g.width * g.height;
    const before = await page.evaluate(() => (window as unknown as { __puts: number[] }).__puts.length);
    for (let j = 0; j < 4; j++) await page.mouse.move(g.left + g.width * (0.3 + 0.1 * j), g.top + g.height * 0.5);
    await page.waitForFunction((n) => (window as unknown as { __puts: number[] }).__puts.length > n, { timeout: 60_000, polling: 200 }, before);
    const seen = await page.evaluate(() => {
      const w = window as unknown as { __puts: number[]; __plain: number[] };
      return { puts: w.__puts, plain: w.__plain, map: document.querySelector('#plot-bg') !== null };
    });
    console.log(`2D at N = 65,536 on 2048² (cpu): putImageData sizes ${JSON.stringify(seen.puts)}, longest plain array per worker message ${JSON.stringify(seen.plain)}`);
    expect(seen.plain.length).toBeGreaterThan(0);
    expect(Math.max(...seen.plain)).toBeLessThan(4096);
    expect(seen.puts.every((px) => px < 2048 * 2048)).toBe(true);
    // Every 2048²-derived image put on the main thread is at most the map's size in device pixels (dpr 1 here).
    expect(seen.puts.length, 'the hover drew its highlight mask').toBeGreaterThan(0);
    expect(Math.max(...seen.puts)).toBeLessThanOrEqual(Math.ceil(g.width + 1) * Math.ceil(g.height + 1));
    expect(mapPixels).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });
});

describe('the autosave and the hover of a 65,536-unit 2D state (cpu)', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser('cpu');
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('writes the autosave from the storage worker, and paints only the hovered region, never the whole 2048² grid', async () => {
    const { page, errors } = await openApp(browser, server.url);
    // Counted where it happens (no timing bounds): IndexedDB serializes what `put` gets on the calling thread, and a
    // whole-grid highlight is one 2048² putImageData per pointer move.
    await page.evaluate(() => {
      const w = window as unknown as { __puts: number[]; __idbPuts: number };
      w.__puts = [];
      w.__idbPuts = 0;
      const put = CanvasRenderingContext2D.prototype.putImageData;
      CanvasRenderingContext2D.prototype.putImageData = function (this: CanvasRenderingContext2D, ...args: unknown[]) {
        const im = args[0] as ImageData;
        w.__puts.push(im.width * im.height);
        return (put as (...a: unknown[]) => void).apply(this, args);
      } as typeof put;
      const idbPut = IDBObjectStore.prototype.put;
      IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: unknown[]) {
        w.__idbPuts++;
        return (idbPut as (...a: unknown[]) => IDBRequest).apply(this, args);
      } as typeof idbPut;
    });
    await page.evaluate(async (network) => {
      await window.sandbox.setState({ mode: '2d', network, look: { grid: 2048, colour: 'regions', exact: false } });
      await window.sandbox.saved();
    }, linesThroughView(65_536));
    // The autosave is in the database (read here directly), written without a main-thread put.
    const stored = await page.evaluate(
      () =>
        new Promise<{ units: number; typed: boolean; puts: number }>((resolve, reject) => {
          const open = indexedDB.open('relu-sandbox');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const get = open.result.transaction('kv').objectStore('kv').get('autosave');
            get.onsuccess = () => {
              open.result.close();
              const a = (get.result as { network?: { a: ArrayLike<number> } } | undefined)?.network?.a;
              resolve({ units: a?.length ?? 0, typed: a instanceof Float64Array, puts: (window as unknown as { __idbPuts: number }).__idbPuts });
            };
          };
        }),
    );
    expect(stored).toEqual({ units: 65_536, typed: true, puts: 0 });
    // Hover the map once the regions' pattern is there: each move highlights the region under the pointer.
    const g = (await page.evaluate(() => window.sandbox.geometry())) as { left: number; top: number; width: number; height: number };
    await page.evaluate(() => void ((window as unknown as { __puts: number[] }).__puts.length = 0));
    for (let k = 0; k < 60; k++) {
      await page.mouse.move(g.left + g.width * (0.3 + 0.007 * k), g.top + g.height * (0.4 + 0.003 * k));
      await new Promise((r) => setTimeout(r, 50));
      if ((await page.evaluate(() => (window as unknown as { __puts: number[] }).__puts.length)) >= 5) break;
    }
    const puts = await page.evaluate(() => (window as unknown as { __puts: number[] }).__puts);
    console.log(`hover at N = 65,536 on 2048² (cpu): highlight putImageData sizes ${JSON.stringify(puts)}`);
    expect(puts.length).toBeGreaterThan(0);
    expect(Math.max(...puts)).toBeLessThan(2048 * 2048);
    expect(await page.$eval('#hover-readout', (e) => e.textContent ?? '')).toMatch(/active units/);
    expect(errors).toEqual([]);
  });
});

/**
 * The longest top-level task of the page's main thread while `run` runs, by the thread's own CPU time and by wall
 * clock (ms), from a Chrome trace: load on the machine stretches a task's wall-clock time several-fold (it waits for
 * a core), its CPU time far less.
 */
async function longestTask(page: Page, run: () => Promise<unknown>): Promise<{ cpu: number; wall: number }> {
  await page.tracing.start({ categories: ['devtools.timeline', 'toplevel', 'blink.user_timing'] });
  await page.evaluate(() => performance.mark('long-task-probe'));
  await run();
  const events = traceEvents(await page.tracing.stop());
  // The page's main thread is where its mark was made.
  const main = threadsWith(events, 'long-task-probe');
  if (main.size === 0) throw new Error('the trace holds no mark of the page');
  // From the mark on: the task before it is the tracing's own start.
  const { cpu, wall } = longestOf(topLevelTasks(events, main, firstMark(events, 'long-task-probe')));
  return { cpu, wall };
}

describe('long tasks of 65,536 units in 1D and of the switch from there to a 65,536-unit 2D network (cpu)', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser('cpu');
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('keeps the API units = 65,536 and the mode switch within 100 ms of main-thread CPU per task (or a 2D commit of that size)', async () => {
    const { page, errors } = await openApp(browser, server.url);
    const settle = (ms: number) => page.evaluate((t) => new Promise((r) => setTimeout(r, t)), ms);
    await settle(1000);
    // (b) The interpolation of 65,536 units: the fit runs in the worker, its network lands, the plot redraws.
    const units = await longestTask(page, async () => {
      await page.evaluate(async () => {
        await window.sandbox.setState({ units: 65_536 });
      });
      await settle(1500);
    });
    // The 2D network goes into the page first, in tasks of its own (the test's, not the app's).
    await page.evaluate((network) => void ((window as unknown as { __big: unknown }).__big = network), linesThroughView(65_536));
    await settle(500);
    // (a) The switch: the 1D network moves to `other`, the 2D one is validated and drawn on a 2048² grid.
    const modeSwitch = await longestTask(page, async () => {
      await page.evaluate(async () => {
        await window.sandbox.setState({ network: (window as unknown as { __big: never }).__big, look: { grid: 2048 } });
      });
      await settle(3000);
    });
    const after = await page.evaluate(() => {
      const s = window.sandbox.getState();
      return { mode: s.mode, units: s.network.a.length, other: s.other && { mode: s.other.mode, units: s.other.units, build: s.other.build, length: s.other.network.a.length } };
    });
    expect(after).toEqual({ mode: '2d', units: 65_536, other: { mode: '1d', units: 65_536, build: 'interpolate', length: 65_536 } });
    // The baseline, in the same page: a commit of a 2D network of that size on that grid without a switch (validation,
    // the 2D frame, the autosave), the least a network of this size costs here.
    const commit = await longestTask(page, async () => {
      await page.evaluate(async () => {
        const big = (window as unknown as { __big: { c: number } }).__big;
        await window.sandbox.setState({ network: { ...big, c: 1e-3 } });
      });
      await settle(3000);
    });
    const bound = Math.max(100, commit.cpu);
    console.log(
      `longest main-thread task, CPU (wall) ms: units = 65,536 in 1D ${units.cpu} (${units.wall}); switch to 2D at 65,536 on 2048² ${modeSwitch.cpu} (${modeSwitch.wall}); baseline 2D commit ${commit.cpu} (${commit.wall})`,
    );
    expect(units.cpu).toBeLessThanOrEqual(bound);
    expect(modeSwitch.cpu).toBeLessThanOrEqual(bound);
    expect(errors).toEqual([]);
  });
});
