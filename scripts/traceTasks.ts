/**
 * Main-thread tasks from a Chrome trace (puppeteer's `page.tracing`), by wall clock and by the thread's own CPU time.
 * Load on the machine stretches a task's wall-clock time several-fold (it waits for a core; on SwiftShader the
 * "GPU" is the same cores), its CPU time far less, so issue 11's checks and scripts report both. Shared by
 * scripts/long-tasks-2d.ts and the e2e harness.
 */

/** The fields of a trace event these readers use. */
export interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

/** One top-level task of a thread: start (µs, the trace's clock), wall-clock and CPU time (ms). */
export interface ThreadTask {
  ts: number;
  wall: number;
  cpu: number;
}

/** The events of a trace as `page.tracing.stop()` returns it (an object with traceEvents, or a bare array). */
export function traceEvents(json: Uint8Array | string | undefined): TraceEvent[] {
  if (!json) return [];
  const text = typeof json === 'string' ? json : new TextDecoder().decode(json);
  const parsed = JSON.parse(text) as { traceEvents?: TraceEvent[] } | TraceEvent[];
  return Array.isArray(parsed) ? parsed : (parsed.traceEvents ?? []);
}

/** A thread's key, `pid:tid`. */
export const threadOf = (e: TraceEvent): string => `${e.pid}:${e.tid}`;

/** The threads a trace names `name` (e.g. 'CrRendererMain': every renderer's main thread). */
export function threadsNamed(events: readonly TraceEvent[], name: string): Set<string> {
  return new Set(events.filter((e) => e.name === 'thread_name' && e.args?.name === name).map(threadOf));
}

/** The threads where an event named `name` happened (a `performance.mark` made by the page: its main thread). */
export function threadsWith(events: readonly TraceEvent[], name: string): Set<string> {
  return new Set(events.filter((e) => e.name === name).map(threadOf));
}

/**
 * When the page first marked `name` (µs, the trace's clock), or -Infinity without such a mark. The tasks begun
 * before it are the tracing's own start (the renderer handling DevTools' start message, 60–110 ms of CPU seen on a
 * slow machine, which can still be running when the mark is made inside it) and the harness's call that made the
 * mark, not the page's, so the readers count from here (`topLevelTasks`' `since`).
 */
export function firstMark(events: readonly TraceEvent[], name: string): number {
  let first = Number.POSITIVE_INFINITY;
  for (const e of events) if (e.name === name) first = Math.min(first, e.ts);
  return Number.isFinite(first) ? first : Number.NEGATIVE_INFINITY;
}

/** The top-level tasks (RunTask spans not inside another) of the given threads that begin at `since` or later, in time order. */
export function topLevelTasks(events: readonly TraceEvent[], threads: ReadonlySet<string>, since = Number.NEGATIVE_INFINITY): ThreadTask[] {
  const spans = events
    .filter((e) => e.ph === 'X' && (e.dur ?? 0) > 0 && (e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask') && threads.has(threadOf(e)) && e.ts >= since)
    .sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
  const tasks: ThreadTask[] = [];
  const end = new Map<string, number>();
  for (const e of spans) {
    const t = threadOf(e);
    if (e.ts < (end.get(t) ?? -1)) continue;
    end.set(t, e.ts + (e.dur ?? 0));
    tasks.push({ ts: e.ts, wall: (e.dur ?? 0) / 1000, cpu: (e.tdur ?? 0) / 1000 });
  }
  return tasks;
}

/** The longest task by CPU and by wall clock (ms, rounded) and how many went over `over` ms of CPU. */
export function longestOf(tasks: readonly ThreadTask[], over = 100): { cpu: number; wall: number; overCpu: number } {
  let cpu = 0;
  let wall = 0;
  for (const t of tasks) {
    cpu = Math.max(cpu, t.cpu);
    wall = Math.max(wall, t.wall);
  }
  return { cpu: Math.round(cpu), wall: Math.round(wall), overCpu: tasks.filter((t) => t.cpu > over).length };
}
