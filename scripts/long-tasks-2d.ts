/**
 * Main-thread long tasks of the 2D explorer as a user meets them (issue 11: nothing blocks input for more than
 * 100 ms), for one or more builds in one run so they share the machine's load: for each backend, round and build,
 * a fresh page at 1280×720 that (1) switches to 2D and is used: the pointer moved over the map, the map dragged,
 * the surface turned; (2) gets a 65,536-unit network on a 2048² grid, then a look change (the grid to 512²);
 * (3) selects one of its units; (4) with `--train`, trains it (CPU
 * backend: the API's `train()`) until two steps are done, then cancels; then a second fresh page (storage of its
 * own, so it starts in 1D) that (5) gets `setState({ units: 65536 })` in 1D, and (6) from there the mode switch
 * `setState({ network: <65,536-unit 2D network>, look: { grid: 2048 } })`, which moves the 1D network to `other`.
 * The script awaits each `setState` in the page and returns nothing: a state handed back to puppeteer is
 * serialized on the page's main thread (hundreds of ms at 65,536 units), which is the harness's cost, not the app's.
 * Each phase gives its longest task, the
 * tasks over 100 ms and their total; the table gives each build's worst round per phase. Long tasks are wall-clock
 * time: on a loaded machine every task stretches, so compare builds within one run.
 *
 * `--trace` also records a Chrome trace of each phase and adds a second table that load stretches far less: the
 * longest task by the main thread's own CPU time (a task that waits on the GPU process, or is preempted by other
 * programs, has wall time but no CPU time), the longest wait of the page's main thread on the GPU process (a
 * canvas's "GPU backpressure", WaitForToken), and the longest synchronous pipeline build on the GPU process's main
 * thread (which stalls every canvas of the page meanwhile).
 *
 * `--backends` takes the browser setups of scripts/browser.ts (`Mode`): `webgpu` and `cpu` as the browser tests
 * run them (the page composited through SwiftShader, or in software), `webgpu-sw` (WebGPU on SwiftShader, the
 * page composited in software: the browser of a user without a GPU who turned on WebGPU's SwiftShader) and
 * `cpu-gl`. Where the page is composited through SwiftShader, every frame's compositing takes the same two cores
 * as the page, which stretches its tasks' wall-clock time.
 *
 * `--save-traces DIR` (implies `--trace`) also samples the page's JavaScript and writes each phase's trace to DIR, for
 * chrome://tracing or `npx tsx scripts/trace-hotspots.ts FILE` (what the longest tasks ran).
 *
 *   npx tsx scripts/long-tasks-2d.ts [--dist DIR[=LABEL]]… [--backends webgpu,cpu,webgpu-sw,cpu-gl] [--rounds K] [--train] [--trace] [--save-traces DIR]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Mode, launchBrowser, serveDist } from './browser.ts';
import { type TraceEvent, firstMark, longestOf, threadOf, threadsNamed, threadsWith, topLevelTasks, traceEvents } from './traceTasks.ts';

interface Phase {
  longest: number;
  over100: number;
  total: number;
}

const argv = process.argv.slice(2);
const dists: { dir: string; label: string }[] = [];
let backends: Mode[] = ['webgpu', 'cpu'];
let rounds = 1;
let train = false;
let trace = false;
let saveTraces = '';
for (let i = 0; i < argv.length; i++) {
  const f = argv[i];
  const v = argv[i + 1];
  if (f === '--train') train = true;
  else if (f === '--trace') trace = true;
  else if (f === '--save-traces' && v) {
    saveTraces = v;
    trace = true;
    i++;
  }
  else if (f === '--dist' && v) {
    const [dir, label] = v.split('=');
    dists.push({ dir, label: label ?? dir });
    i++;
  } else if (f === '--backends' && v) {
    backends = v.split(',').map((b) => {
      if (b !== 'webgpu' && b !== 'cpu' && b !== 'webgpu-sw' && b !== 'cpu-gl') throw new Error(`--backends: ${b} is not webgpu, webgpu-sw, cpu or cpu-gl`);
      return b;
    });
    i++;
  } else if (f === '--rounds' && v && Number.isInteger(Number(v)) && Number(v) >= 1) {
    rounds = Number(v);
    i++;
  } else throw new Error(`unknown flag or bad value: ${f}\nflags: --dist DIR[=LABEL] (repeatable) --backends webgpu,cpu --rounds K --train --trace --save-traces DIR`);
}
if (dists.length === 0) dists.push({ dir: 'dist', label: 'dist' });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const OBSERVE = `window.__long = []; new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push(e.duration); }).observe({ type: 'longtask', buffered: true });`;
/**
 * A random 65,536-unit 2D network (small output weights keep the values in range), built in a task of its own
 * before the phase: the script's own work must not count as the app's.
 */
const BIG_BUILD = `(() => { const n = 65536; const w = [], b = [], a = []; let s = 7; const r = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let i = 0; i < n; i++) { const t = 6.283 * r(); w.push(Math.cos(t) * 2, Math.sin(t) * 2); b.push((r() - 0.5) * 2); a.push((r() - 0.5) * 0.01); }
  window.__bigNet = { dim: 2, w, b, a, c: 0 }; })()`;
const BIG = `(async () => { window.__long.length = 0;
  await window.sandbox.setState({ network: window.__bigNet, look: { grid: 2048 } }); })()`;

/** What a phase's trace shows (see --trace). */
interface Traced {
  longestCpu: number;
  over100Cpu: number;
  longestGpuWait: number;
  longestSyncPipeline: number;
}

/** The page's performance.mark at the start of each traced phase: it names the page's main thread in the trace. */
const PHASE_MARK = 'long-tasks-2d-phase';

/** The --trace figures of one trace (see the file comment). */
function traced(json: Uint8Array): Traced {
  const ev = traceEvents(json);
  // The page's main thread is where its mark landed; other renderers (a closed page) are not the app's.
  let main = threadsWith(ev, PHASE_MARK);
  if (main.size === 0) main = threadsNamed(ev, 'CrRendererMain');
  const gpuMain = threadsNamed(ev, 'CrGpuMain');
  const tasks = longestOf(topLevelTasks(ev, main, firstMark(ev, PHASE_MARK)));
  const spans = ev.filter((e) => e.ph === 'X' && (e.dur ?? 0) > 0);
  const longest = (a: TraceEvent[]) => Math.round(a.reduce((m, e) => Math.max(m, e.dur ?? 0), 0) / 1000);
  const waits = spans.filter((e) => main.has(threadOf(e)) && /GPU backpressure|WaitForToken|WaitForGetOffset|WaitSyncToken/.test(e.name));
  const builds = spans.filter((e) => gpuMain.has(threadOf(e)) && /^DeviceBase::APICreate(Compute|Render)Pipeline$/.test(e.name));
  return { longestCpu: tasks.cpu, over100Cpu: tasks.overCpu, longestGpuWait: longest(waits), longestSyncPipeline: longest(builds) };
}

const TRACE_CATEGORIES = ['blink.user_timing', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'toplevel', 'gpu', 'gpu.dawn', 'webgpu'];
const traces = new Map<string, Traced>();

async function phase(page: import('puppeteer').Page, run: () => Promise<void>, key?: string): Promise<Phase> {
  await page.evaluate('window.__long.length = 0');
  if (trace && key) {
    // Saved traces also sample the page's JavaScript, to see what a long task runs (it costs a little CPU).
    await page.tracing.start({ categories: saveTraces ? [...TRACE_CATEGORIES, 'disabled-by-default-v8.cpu_profiler'] : TRACE_CATEGORIES });
    await page.evaluate((m) => performance.mark(m), PHASE_MARK);
  }
  await run();
  if (trace && key) {
    const json = (await page.tracing.stop()) ?? new TextEncoder().encode('[]');
    if (saveTraces) {
      mkdirSync(saveTraces, { recursive: true });
      writeFileSync(join(saveTraces, `${key.replace(/[^A-Za-z0-9]+/g, '-').slice(0, 90)}.json`), json);
    }
    const t = traced(json);
    const old = traces.get(key);
    traces.set(key, old ? { longestCpu: Math.max(old.longestCpu, t.longestCpu), over100Cpu: Math.max(old.over100Cpu, t.over100Cpu), longestGpuWait: Math.max(old.longestGpuWait, t.longestGpuWait), longestSyncPipeline: Math.max(old.longestSyncPipeline, t.longestSyncPipeline) } : t);
  }
  const lt = (await page.evaluate('window.__long')) as number[];
  return { longest: Math.round(Math.max(0, ...lt)), over100: lt.filter((x) => x > 100).length, total: Math.round(lt.reduce((a, b) => a + b, 0)) };
}

const results = new Map<string, Phase>();
const keep = (key: string, p: Phase) => {
  const old = results.get(key);
  results.set(key, old ? { longest: Math.max(old.longest, p.longest), over100: Math.max(old.over100, p.over100), total: Math.max(old.total, p.total) } : p);
};

/** The slowest Cancel per build and backend (ms from abort() until train() settled). */
const cancels = new Map<string, number>();

const servers = await Promise.all(dists.map((d) => serveDist(d.dir)));
try {
  for (const mode of backends) {
    for (let round = 0; round < rounds; round++) {
      for (const [k, d] of dists.entries()) {
        console.error(`${d.label}, ${mode}, round ${round + 1}…`);
        const browser = await launchBrowser(mode);
        try {
          const page = await browser.newPage();
          await page.setViewport({ width: 1280, height: 720 });
          await page.evaluateOnNewDocument(OBSERVE);
          await page.goto(servers[k].url + (mode === 'cpu' || mode === 'cpu-gl' ? '?backend=cpu' : ''));
          await page.waitForFunction('document.body.dataset.ready === "true"', { timeout: 120_000 });
          const use = await phase(page, async () => {
            await page.evaluate('window.sandbox.setState({ mode: "2d" })');
            await sleep(2500);
            const g = (await page.evaluate('window.sandbox.geometry()')) as { left: number; top: number; width: number; height: number };
            for (let j = 0; j < 10; j++) await page.mouse.move(g.left + g.width * (0.2 + 0.06 * j), g.top + g.height * 0.5);
            await page.mouse.down();
            for (let j = 0; j < 8; j++) await page.mouse.move(g.left + g.width * 0.8 - 10 * j, g.top + g.height * 0.5);
            await page.mouse.up();
            const sb = await page.$eval('#surface', (e) => {
              const r = e.getBoundingClientRect();
              return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
            });
            await page.mouse.move(sb.x, sb.y);
            await page.mouse.down();
            for (let j = 0; j < 8; j++) await page.mouse.move(sb.x + 12 * j, sb.y);
            await page.mouse.up();
            await sleep(2000);
          }, `${d.label}|${mode}|2D view in use (64 units, 512²)`);
          keep(`${d.label}|${mode}|2D view in use (64 units, 512²)`, use);
          await page.evaluate(BIG_BUILD);
          await sleep(500);
          const big = await phase(page, async () => {
            await page.evaluate(BIG);
            await sleep(4000);
          }, `${d.label}|${mode}|N = 65,536 on 2048² (setState and 4 s after)`);
          keep(`${d.label}|${mode}|N = 65,536 on 2048² (setState and 4 s after)`, big);
          // A look change at that size (the grid to 512², as training would want): its own phase, so that the
          // training phase's trace and its wall-clock figures cover the same time.
          const lookKey = `${d.label}|${mode}|N = 65,536: look change, grid 2048² → 512² (setState and 3 s after)`;
          keep(lookKey, await phase(page, async () => {
            // Awaited in the page, nothing returned (see the file comment: a returned state is the harness's cost).
            await page.evaluate('(async () => { await window.sandbox.setState({ look: { grid: 512 } }); })()');
            await sleep(3000);
          }, lookKey));
          // A unit selected from the list (its crease and plane highlighted, the list and inspector updated).
          const selectKey = `${d.label}|${mode}|N = 65,536: a unit selected (setState and 2 s after)`;
          keep(selectKey, await phase(page, async () => {
            await page.evaluate('(async () => { await window.sandbox.setState({ selected: 40000 }); })()');
            await sleep(2000);
          }, selectKey));
          if (train) {
            let cancelMs = 0;
            const tr = await phase(page, async () => {
              cancelMs = (await page.evaluate(`(async () => {
                const ctl = new AbortController();
                const p = window.sandbox.train(100000, { signal: ctl.signal }).catch((e) => e.name);
                while (!((window.sandbox.trainingStatus().progress?.done ?? 0) >= 2)) await new Promise((r) => setTimeout(r, 20));
                const t0 = performance.now();
                ctl.abort();
                await p;
                return performance.now() - t0;
              })()`)) as number;
            }, `${d.label}|${mode}|training at N = 65,536 (2 steps, then Cancel)`);
            keep(`${d.label}|${mode}|training at N = 65,536 (2 steps, then Cancel)`, tr);
            cancels.set(`${d.label}|${mode}`, Math.max(cancels.get(`${d.label}|${mode}`) ?? 0, Math.round(cancelMs)));
          }
          // From 1D: a context of its own, so the autosave of the page above (2D, 65,536 units) is not restored; that
          // page is closed first (a trace covers every renderer's main thread).
          await page.close();
          const context = await browser.createBrowserContext();
          const page1d = await context.newPage();
          await page1d.setViewport({ width: 1280, height: 720 });
          await page1d.evaluateOnNewDocument(OBSERVE);
          await page1d.goto(servers[k].url + (mode === 'cpu' || mode === 'cpu-gl' ? '?backend=cpu' : ''));
          await page1d.waitForFunction('document.body.dataset.ready === "true"', { timeout: 120_000 });
          await sleep(2000);
          const unitsKey = `${d.label}|${mode}|1D: API units = 65,536 (setState and 4 s after)`;
          keep(unitsKey, await phase(page1d, async () => {
            await page1d.evaluate('(async () => { await window.sandbox.setState({ units: 65536 }); })()');
            await sleep(4000);
          }, unitsKey));
          await page1d.evaluate(BIG_BUILD);
          await sleep(500);
          const switchKey = `${d.label}|${mode}|from 1D at 65,536: switch to 2D at 65,536 on 2048² (setState and 4 s after)`;
          keep(switchKey, await phase(page1d, async () => {
            await page1d.evaluate(BIG);
            await sleep(4000);
          }, switchKey));
        } finally {
          await browser.close();
        }
      }
    }
  }
} finally {
  await Promise.all(servers.map((s) => s.close()));
}

console.log(`\nLongest main-thread tasks (the worst of ${rounds} round${rounds === 1 ? '' : 's'}; wall-clock ms)\n`);
console.log('| build | backend | phase | longest task ms | tasks > 100 ms | long-task ms in all |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const [key, p] of results) {
  const [label, mode, name] = key.split('|');
  console.log(`| ${label} | ${mode} | ${name} | ${p.longest} | ${p.over100} | ${p.total} |`);
}
for (const [key, ms] of cancels) console.log(`\nCancel answered (${key.replace('|', ', ')}): ${ms} ms at most`);
if (trace) {
  console.log(`\nFrom the traces (--trace; the worst of ${rounds} round${rounds === 1 ? '' : 's'}; ms)\n`);
  console.log('| build | backend | phase | longest task, main-thread CPU | tasks > 100 ms CPU | longest wait on the GPU process | longest sync pipeline build (GPU process) |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const [key, t] of traces) {
    const [label, mode, name] = key.split('|');
    console.log(`| ${label} | ${mode} | ${name} | ${t.longestCpu} | ${t.over100Cpu} | ${t.longestGpuWait} | ${t.longestSyncPipeline} |`);
  }
}
