/**
 * What a user waits for, measured in headless Chromium on the built app: the first frame after navigation,
 * the frame after a pan (the view moved, the promise of setState resolving once the redraw is on screen, then
 * painted) at several N in 1D and for a 2D network, the N slider dragged to 65,536, and the longest
 * main-thread task meanwhile. Several builds can be
 * measured in one run (e.g. before and after a change), each with WebGPU (SwiftShader here) and without.
 *
 *   npm run bench:frames -- [--dist DIR[=LABEL]]… [--backends webgpu,cpu] [--sizes 8,4096,65536] [--size2d 4096]
 *                           [--repeats K] [--query plot=canvas] [--out FILE.json]
 */
import { writeFileSync } from 'node:fs';
import type { Page } from 'puppeteer';
import { randomNetwork } from '../src/model/network.ts';
import { type Mode, launchBrowser, serveDist } from './browser.ts';

interface Options {
  dists: { dir: string; label: string }[];
  backends: Mode[];
  sizes: number[];
  size2d: number;
  repeats: number;
  out: string | null;
  /** A query string for the page, e.g. `?plot=canvas`. */
  query: string;
}

function usage(message: string): never {
  console.error(`frame-timing: ${message}\nflags: --dist DIR[=LABEL] (repeatable) --backends webgpu,cpu --sizes 8,4096,65536 --size2d N --repeats K --query Q --out FILE`);
  process.exit(2);
}

function parseArgs(argv: string[]): Options {
  const o: Options = { dists: [], backends: ['webgpu', 'cpu'], sizes: [8, 4096, 65536], size2d: 4096, repeats: 5, out: null, query: '' };
  const ints = (v: string, flag: string) =>
    v.split(',').map((s) => {
      const n = Number(s);
      if (!Number.isInteger(n) || n < 1 || n > 65536) usage(`${flag}: ${s} is not an integer from 1 to 65536`);
      return n;
    });
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const v = argv[i + 1];
    if (v === undefined && flag !== '--help') usage(`${flag} needs a value`);
    switch (flag) {
      case '--dist': {
        const [dir, label] = v.split('=');
        o.dists.push({ dir, label: label ?? dir });
        break;
      }
      case '--query':
        o.query = v.startsWith('?') ? v : `?${v}`;
        break;
      case '--backends':
        o.backends = v.split(',').map((b) => (b === 'webgpu' || b === 'cpu' ? b : usage(`--backends: ${b} is not webgpu or cpu`)));
        break;
      case '--sizes':
        o.sizes = ints(v, '--sizes');
        break;
      case '--size2d':
        o.size2d = ints(v, '--size2d')[0];
        break;
      case '--repeats':
        o.repeats = ints(v, '--repeats')[0];
        break;
      case '--out':
        o.out = v;
        break;
      case '--help':
        usage('help');
        break;
      default:
        usage(`unknown flag ${flag}`);
    }
    i++;
  }
  if (o.dists.length === 0) o.dists.push({ dir: 'dist', label: 'dist' });
  return o;
}

/**
 * Installed before the app's code runs: the first frame's time, and every long task. A string, not a function:
 * tsx would wrap a function's inner names in helpers that do not exist in the page.
 */
const INSTRUMENT = `
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  let api;
  Object.defineProperty(window, 'sandbox', {
    configurable: true,
    get: () => api,
    set: (v) => {
      api = v;
      v.ready.then(() => (window.__firstFrame = performance.now()));
    },
  });
`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Median time of `repeats` pans (each a 2 % shift of the window) and the longest task during them. */
async function panFrames(page: Page, field: 'view' | 'view2d', repeats: number): Promise<{ medianMs: number; longestTaskMs: number }> {
  return page.evaluate(
    async (field, repeats) => {
      const w = window as unknown as { __longTasks: { start: number; duration: number }[] };
      const sb = window.sandbox;
      const t0 = performance.now();
      const times: number[] = [];
      for (let k = 0; k < repeats; k++) {
        const v = sb.getState()[field];
        const d = (k % 2 === 0 ? 0.02 : -0.02) * (v.xMax - v.xMin);
        const start = performance.now();
        await sb.setState({ [field]: { xMin: v.xMin + d, xMax: v.xMax + d } });
        // Until the page has painted it: the frame's canvas work is rasterised after the script returns.
        await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
        times.push(performance.now() - start);
      }
      // Long tasks are reported after they end: give the observer a moment.
      await new Promise((r) => setTimeout(r, 50));
      const longest = Math.max(0, ...w.__longTasks.filter((t) => t.start + t.duration >= t0).map((t) => t.duration));
      times.sort((a, b) => a - b);
      return { medianMs: times[Math.floor(times.length / 2)], longestTaskMs: longest };
    },
    field,
    repeats,
  );
}

/**
 * The N slider dragged from 1 to 65,536 with least squares: one `setState({units})` per animation frame (as a
 * drag sends them, not awaited), 33 steps along log₂ N; the time from the last input until its network is
 * on screen, and the longest main-thread task during the whole drag.
 */
async function sliderDrag(page: Page): Promise<{ medianMs: number; longestTaskMs: number }> {
  return page.evaluate(async () => {
    const w = window as unknown as { __longTasks: { start: number; duration: number }[] };
    const sb = window.sandbox;
    await sb.setState({ target: { kind: 'builtin', id: 'sin' }, build: 'least-squares', units: 1, show: { terms: false } });
    const t0 = performance.now();
    let last: Promise<unknown> = Promise.resolve();
    let lastInput = 0;
    for (let k = 0; k <= 32; k++) {
      await new Promise((r) => requestAnimationFrame(r));
      // From the moment the input is given: a page that fits inside setState must not hide that time.
      lastInput = performance.now();
      last = sb.setState({ units: Math.round(2 ** (k / 2)) }).catch(() => undefined);
    }
    await last;
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const onScreen = performance.now() - lastInput;
    await new Promise((r) => setTimeout(r, 50));
    const longest = Math.max(0, ...w.__longTasks.filter((t) => t.start + t.duration >= t0).map((t) => t.duration));
    await sb.setState({ show: { terms: true } });
    return { medianMs: onScreen, longestTaskMs: longest };
  });
}

interface Row {
  build: string;
  backend: Mode;
  backendLabel: string;
  case: string;
  medianMs: number;
  longestTaskMs: number | null;
}

async function measure(url: string, label: string, mode: Mode, o: Options): Promise<Row[]> {
  const browser = await launchBrowser(mode);
  const rows: Row[] = [];
  try {
    const firsts: number[] = [];
    let page: Page | null = null;
    // The first frame of a fresh page, three times (the browser's caches warm after the first).
    for (let k = 0; k < 3; k++) {
      await page?.close();
      page = await browser.newPage();
      await page.evaluateOnNewDocument(INSTRUMENT);
      await page.goto(url, { waitUntil: 'load' });
      await page.waitForFunction(() => (window as unknown as { __firstFrame?: number }).__firstFrame !== undefined, { timeout: 120_000 });
      firsts.push(await page.evaluate(() => (window as unknown as { __firstFrame: number }).__firstFrame));
    }
    const p = page!;
    const backendLabel = await p.evaluate(() => document.getElementById('backend-status')?.textContent ?? '');
    rows.push({ build: label, backend: mode, backendLabel, case: 'first frame after navigation', medianMs: median(firsts), longestTaskMs: null });
    for (const n of o.sizes) {
      await p.evaluate((n) => window.sandbox.setState({ build: 'interpolate', units: n }), n);
      const r = await panFrames(p, 'view', n >= 16384 ? Math.min(3, o.repeats) : o.repeats);
      rows.push({ build: label, backend: mode, backendLabel, case: `1D pan, N = ${n}`, ...r });
    }
    // The largest N again with the unit terms hidden: what the sum, the knots and the readouts cost alone.
    const nMax = Math.max(...o.sizes);
    await p.evaluate((n) => window.sandbox.setState({ build: 'interpolate', units: n, show: { terms: false } }), nMax);
    const bare = await panFrames(p, 'view', nMax >= 16384 ? Math.min(3, o.repeats) : o.repeats);
    rows.push({ build: label, backend: mode, backendLabel, case: `1D pan, N = ${nMax}, terms hidden`, ...bare });
    await p.evaluate(() => window.sandbox.setState({ show: { terms: true } }));
    const drag = await sliderDrag(p);
    rows.push({ build: label, backend: mode, backendLabel, case: 'N slider dragged 1 → 65,536 (least squares), last input → on screen', ...drag });
    const net = randomNetwork(2, o.size2d, 7);
    await p.evaluate((net) => window.sandbox.setState({ network: net, view2d: { xMin: -1, xMax: 1, yMin: -1, yMax: 1 } }), net);
    const r2 = await panFrames(p, 'view2d', o.repeats);
    rows.push({ build: label, backend: mode, backendLabel, case: `2D pan, N = ${o.size2d}`, ...r2 });
  } finally {
    await browser.close();
  }
  return rows;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const rows: Row[] = [];
  for (const d of o.dists) {
    const server = await serveDist(d.dir);
    try {
      for (const mode of o.backends) {
        console.error(`measuring ${d.label} with ${mode}…`);
        rows.push(...(await measure(server.url + o.query, d.label, mode, o)));
      }
    } finally {
      await server.close();
    }
  }
  const fmt = (v: number | null) => (v === null ? '' : v < 10 ? v.toFixed(2) : v.toFixed(0));
  console.log('| build | backend | case | median ms | longest task ms |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const r of rows) console.log(`| ${r.build} | ${r.backend} | ${r.case} | ${fmt(r.medianMs)} | ${fmt(r.longestTaskMs)} |`);
  const labels = [...new Set(rows.map((r) => `${r.backend}: ${r.backendLabel}`))];
  console.log(`\nAdapters: ${labels.join('; ')}. Software adapters give CPU timings: compare rows within one run.`);
  if (o.out) writeFileSync(o.out, JSON.stringify({ startedAt: new Date().toISOString(), options: o, rows }, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
