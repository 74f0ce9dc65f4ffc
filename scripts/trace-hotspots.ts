/**
 * What the longest main-thread tasks of a Chrome trace ran: for each of the K longest tasks (by the thread's CPU
 * time), the JavaScript functions the V8 sampler saw in it (self time, then time including callees), so a long task
 * can be split where it is spent. Reads a trace written by `scripts/long-tasks-2d.ts --save-traces DIR` (sampled
 * with 'disabled-by-default-v8.cpu_profiler'); unminified builds (`npx vite build --minify false --outDir D`) give
 * readable names.
 *
 *   npx tsx scripts/trace-hotspots.ts TRACE.json [--tasks K] [--top M]
 */
import { readFileSync } from 'node:fs';
import { type TraceEvent, firstMark, threadOf, threadsNamed, threadsWith, topLevelTasks, traceEvents } from './traceTasks.ts';

interface ProfileNode {
  id: number;
  parent?: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface ChunkEvent extends TraceEvent {
  id?: string;
  args?: { name?: string; data?: { startTime?: number; cpuProfile?: { nodes?: ProfileNode[]; samples?: number[] }; timeDeltas?: number[] } };
}

const argv = process.argv.slice(2);
const file = argv.find((a) => !a.startsWith('--'));
const flag = (name: string, dflt: number) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
if (!file) throw new Error('usage: npx tsx scripts/trace-hotspots.ts TRACE.json [--tasks K] [--top M]');
const taskCount = flag('--tasks', 3);
const top = flag('--top', 15);

const events = traceEvents(readFileSync(file)) as ChunkEvent[];
let main = threadsWith(events, 'long-tasks-2d-phase');
if (main.size === 0) main = threadsNamed(events, 'CrRendererMain');
const tasks = topLevelTasks(events, main, firstMark(events, 'long-tasks-2d-phase'))
  .map((t, i) => ({ ...t, i }))
  .sort((a, b) => b.cpu - a.cpu)
  .slice(0, taskCount);

// The sampled profile: a Profile event on the main thread names its id; its ProfileChunks (written by V8's
// profiler thread) carry the nodes and the (time delta, node) samples.
const ids = new Set(events.filter((e) => e.name === 'Profile' && main.has(threadOf(e))).map((e) => e.id ?? ''));
const nodes = new Map<number, ProfileNode>();
const samples: { ts: number; node: number }[] = [];
const clocks = new Map<string, number>();
for (const e of events) {
  if (!ids.has(e.id ?? '')) continue;
  if (e.name === 'Profile') clocks.set(e.id ?? '', e.args?.data?.startTime ?? e.ts);
  if (e.name !== 'ProfileChunk') continue;
  const d = e.args?.data;
  for (const n of d?.cpuProfile?.nodes ?? []) nodes.set(n.id, n);
  let ts = clocks.get(e.id ?? '') ?? e.ts;
  const s = d?.cpuProfile?.samples ?? [];
  const deltas = d?.timeDeltas ?? [];
  for (let k = 0; k < s.length; k++) {
    ts += deltas[k] ?? 0;
    samples.push({ ts, node: s[k] });
  }
  clocks.set(e.id ?? '', ts);
}
samples.sort((a, b) => a.ts - b.ts);
const label = (n: ProfileNode | undefined) => {
  if (!n) return '?';
  const f = n.callFrame;
  const where = f.url ? `${f.url.replace(/^.*\//, '')}:${f.lineNumber + 1}` : '';
  return `${f.functionName || '(anonymous)'} ${where}`.trim();
};

console.log(`${file}: ${samples.length} samples, ${nodes.size} profile nodes`);
for (const t of tasks) {
  const inside = samples.filter((s) => s.ts >= t.ts && s.ts < t.ts + t.wall * 1000);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  for (let k = 0; k < inside.length; k++) {
    const dt = (k + 1 < inside.length ? inside[k + 1].ts : t.ts + t.wall * 1000) - inside[k].ts;
    const leaf = nodes.get(inside[k].node);
    self.set(label(leaf), (self.get(label(leaf)) ?? 0) + dt);
    const seen = new Set<string>();
    for (let n = leaf; n; n = n.parent !== undefined ? nodes.get(n.parent) : undefined) {
      const l = label(n);
      if (seen.has(l)) continue;
      seen.add(l);
      total.set(l, (total.get(l) ?? 0) + dt);
    }
  }
  console.log(`\ntask #${t.i}: ${t.wall.toFixed(1)} ms wall, ${t.cpu.toFixed(1)} ms CPU, ${inside.length} samples`);
  const show = (m: Map<string, number>, what: string) => {
    console.log(`  ${what}:`);
    for (const [l, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`    ${(us / 1000).toFixed(1).padStart(7)} ms  ${l}`);
  };
  show(self, 'self');
  show(total, 'including callees');
}
