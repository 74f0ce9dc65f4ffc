/**
 * Main-thread long tasks of the 2D explorer as a user meets them (issue 11: nothing blocks input for more than
 * 100 ms), for one or more builds in one run so they share the machine's load: for each backend, round and build,
 * a fresh page at 1280×720 that (1) switches to 2D and is used: the pointer moved over the map, the map dragged,
 * the surface turned; (2) gets a 65,536-unit network on a 2048² grid; (3) with `--train`, trains it (CPU
 * backend: the API's `train()`) until two steps are done, then cancels. Each phase gives its longest task, the
 * tasks over 100 ms and their total; the table gives each build's worst round per phase. Long tasks are wall-clock
 * time: on a loaded machine every task stretches, so compare builds within one run.
 *
 *   npx tsx scripts/long-tasks-2d.ts [--dist DIR[=LABEL]]… [--backends webgpu,cpu] [--rounds K] [--train]
 */
import { type Mode, launchBrowser, serveDist } from './browser.ts';

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
for (let i = 0; i < argv.length; i++) {
  const f = argv[i];
  const v = argv[i + 1];
  if (f === '--train') train = true;
  else if (f === '--dist' && v) {
    const [dir, label] = v.split('=');
    dists.push({ dir, label: label ?? dir });
    i++;
  } else if (f === '--backends' && v) {
    backends = v.split(',').map((b) => {
      if (b !== 'webgpu' && b !== 'cpu') throw new Error(`--backends: ${b} is not webgpu or cpu`);
      return b;
    });
    i++;
  } else if (f === '--rounds' && v && Number.isInteger(Number(v)) && Number(v) >= 1) {
    rounds = Number(v);
    i++;
  } else throw new Error(`unknown flag or bad value: ${f}\nflags: --dist DIR[=LABEL] (repeatable) --backends webgpu,cpu --rounds K --train`);
}
if (dists.length === 0) dists.push({ dir: 'dist', label: 'dist' });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const OBSERVE = `window.__long = []; new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push(e.duration); }).observe({ type: 'longtask', buffered: true });`;
/** A random 65,536-unit 2D network (small output weights keep the values in range). */
const BIG = `(async () => { const n = 65536; const w = [], b = [], a = []; let s = 7; const r = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let i = 0; i < n; i++) { const t = 6.283 * r(); w.push(Math.cos(t) * 2, Math.sin(t) * 2); b.push((r() - 0.5) * 2); a.push((r() - 0.5) * 0.01); }
  const net = { dim: 2, w, b, a, c: 0 };
  window.__long.length = 0;
  await window.sandbox.setState({ network: net, look: { grid: 2048 } }); })()`;

async function phase(page: import('puppeteer').Page, run: () => Promise<void>): Promise<Phase> {
  await page.evaluate('window.__long.length = 0');
  await run();
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
          await page.goto(servers[k].url + (mode === 'cpu' ? '?backend=cpu' : ''));
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
          });
          keep(`${d.label}|${mode}|2D view in use (64 units, 512²)`, use);
          const big = await phase(page, async () => {
            await page.evaluate(BIG);
            await sleep(4000);
          });
          keep(`${d.label}|${mode}|N = 65,536 on 2048² (setState and 4 s after)`, big);
          if (train) {
            let cancelMs = 0;
            const tr = await phase(page, async () => {
              await page.evaluate('window.sandbox.setState({ look: { grid: 512 } })');
              await sleep(3000);
              await page.evaluate('window.__long.length = 0');
              cancelMs = (await page.evaluate(`(async () => {
                const ctl = new AbortController();
                const p = window.sandbox.train(100000, { signal: ctl.signal }).catch((e) => e.name);
                while (!((window.sandbox.trainingStatus().progress?.done ?? 0) >= 2)) await new Promise((r) => setTimeout(r, 20));
                const t0 = performance.now();
                ctl.abort();
                await p;
                return performance.now() - t0;
              })()`)) as number;
            });
            keep(`${d.label}|${mode}|training at N = 65,536 (2 steps, then Cancel)`, tr);
            cancels.set(`${d.label}|${mode}`, Math.max(cancels.get(`${d.label}|${mode}`) ?? 0, Math.round(cancelMs)));
          }
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
