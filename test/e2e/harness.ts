/**
 * Browser-test harness: the app built by `npm test` before vitest runs, served and opened in headless Chromium
 * (see scripts/browser.ts), plus screenshot and pixel helpers.
 */
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer';
import { ROOT } from '../../scripts/browser.ts';
import { firstMark, longestOf, threadsWith, topLevelTasks, traceEvents } from '../../scripts/traceTasks.ts';

export { DIST, ROOT, launchBrowser, serveDist, type Mode } from '../../scripts/browser.ts';
export const RESULTS = join(ROOT, 'test-results');

/** What `openApp` does besides opening the page. */
export interface OpenOptions {
  /** Runs on the new page before it loads (e.g. `evaluateOnNewDocument` hooks that must see the first script). */
  beforeLoad?: (page: Page) => Promise<void>;
  /** Whether console.error messages count as errors (default true); false keeps only uncaught page errors. */
  consoleErrors?: boolean;
}

/** Opens the app, waits for `sandbox.ready`, and collects page errors so tests can assert there were none. */
export async function openApp(browser: Browser, url: string, opts: OpenOptions = {}): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  if (opts.consoleErrors ?? true) {
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
  }
  await watchLongTasks(page);
  await opts.beforeLoad?.(page);
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(() => window.sandbox !== undefined, { timeout: 60_000 });
  await page.evaluate(() => window.sandbox.ready);
  return { page, errors };
}

/** Collects the page's main-thread long tasks (over 50 ms) from its first script on; see `longTasksSince`. */
export async function watchLongTasks(page: Page): Promise<void> {
  await page.evaluateOnNewDocument(() => {
    const w = window as unknown as { __longTasks: number[] };
    w.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__longTasks.push(e.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
}

/** The long tasks' durations (ms) since the last call (or the page's start), and forgets them. */
export function longTasksSince(page: Page): Promise<number[]> {
  return page.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks.splice(0));
}

const TRACE_MARK = 'task-trace-probe';
const tracing = new WeakSet<Page>();

/**
 * Forgets the long tasks so far (`longTasksSince`) and starts a Chrome trace of the page (one per browser at a
 * time), so that `noteLongestTask` also gives the main thread's CPU time per task, which load stretches far less
 * than wall clock.
 */
export async function startTaskTrace(page: Page): Promise<void> {
  await longTasksSince(page);
  await page.tracing.start({ categories: ['toplevel', 'blink.user_timing'] });
  tracing.add(page);
  await page.evaluate((m) => performance.mark(m), TRACE_MARK);
}

/**
 * Appends the longest main-thread task since the last `longTasksSince` (or `startTaskTrace`) to
 * test-results/long-tasks.jsonl under a class of input or fault, for issue 11's table: by wall clock (the page's
 * longtask observer; on a loaded machine every task stretches) and, after `startTaskTrace`, by the main thread's CPU
 * time (`cpu`, `overCpu100`). Returns the wall-clock figure.
 */
export async function noteLongestTask(page: Page, label: string): Promise<number> {
  const tasks = await longTasksSince(page);
  const longest = Math.round(Math.max(0, ...tasks));
  let cpu: { cpu?: number; overCpu100?: number } = {};
  if (tracing.has(page)) {
    tracing.delete(page);
    // A mark now too: after a reload the page's main thread may be another process's.
    await page.evaluate((m) => performance.mark(m), TRACE_MARK);
    const events = traceEvents(await page.tracing.stop());
    const t = longestOf(topLevelTasks(events, threadsWith(events, TRACE_MARK), firstMark(events, TRACE_MARK)));
    cpu = { cpu: t.cpu, overCpu100: t.overCpu };
  }
  mkdirSync(RESULTS, { recursive: true });
  appendFileSync(join(RESULTS, 'long-tasks.jsonl'), `${JSON.stringify({ label, longest, over100: tasks.filter((t) => t > 100).length, ...cpu, at: new Date().toISOString() })}\n`);
  return longest;
}

/** Saves a PNG under test-results/ and returns its RGBA pixels for checks. */
export async function screenshot(page: Page, name: string): Promise<{ path: string; width: number; height: number; rgba: Uint8Array }> {
  mkdirSync(RESULTS, { recursive: true });
  const path = join(RESULTS, `${name}.png`);
  await page.screenshot({ path });
  // Decode in the page itself (the browser has a PNG decoder; Node has none built in).
  const data = readFileSync(path).toString('base64');
  const decoded = await page.evaluate(async (b64: string) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width;
    c.height = img.height;
    const ctx = c.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    return { width: img.width, height: img.height, px: Array.from(ctx.getImageData(0, 0, img.width, img.height).data) };
  }, data);
  return { path, width: decoded.width, height: decoded.height, rgba: Uint8Array.from(decoded.px) };
}

/** Colour of a screenshot pixel. */
export function pixel(shot: { width: number; rgba: Uint8Array }, x: number, y: number): [number, number, number] {
  const k = 4 * (Math.round(y) * shot.width + Math.round(x));
  return [shot.rgba[k], shot.rgba[k + 1], shot.rgba[k + 2]];
}

export function hexToRgb(hex: string): [number, number, number] {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

export function colourDistance(p: [number, number, number], q: [number, number, number]): number {
  return Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
}

/** Smallest colour distance to `colour` within ±`radius` pixels vertically of (x, y). */
export function nearestColour(
  shot: { width: number; height: number; rgba: Uint8Array },
  x: number,
  y: number,
  colour: [number, number, number],
  radius: number,
): { distance: number; dy: number } {
  let best = { distance: Infinity, dy: 0 };
  for (let dy = -radius; dy <= radius; dy++) {
    const yy = Math.round(y) + dy;
    if (yy < 0 || yy >= shot.height) continue;
    const d = colourDistance(pixel(shot, x, yy), colour);
    if (d < best.distance) best = { distance: d, dy };
  }
  return best;
}

/**
 * n ReLU units in 2D whose lines all cross the default view (|w| = 2, b in ±1) with small output weights: a big
 * network whose creases and regions fill the map. Seeded, so every test gets the same one.
 */
export function linesThroughView(n: number, seed = 7): { dim: 2; w: number[]; b: number[]; a: number[]; c: number } {
  const w: number[] = [];
  const b: number[] = [];
  const a: number[] = [];
  let s = seed;
  const r = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 0; i < n; i++) {
    const t = 6.283 * r();
    w.push(Math.cos(t) * 2, Math.sin(t) * 2);
    b.push((r() - 0.5) * 2);
    a.push((r() - 0.5) * 0.01);
  }
  return { dim: 2, w, b, a, c: 0 };
}
