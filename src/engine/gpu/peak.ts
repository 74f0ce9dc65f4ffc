import code from '../../../shaders/peak.compute.wgsl?raw';
import { GpuTimer, type GpuTimingMethod } from './timer.ts';

/** FLOP per invocation per loop trip, in every entry point: 32 vec4 steps × 4 lanes × 2 (a multiply-add counts as 2). */
export const PEAK_FLOP_PER_TRIP = 32 * 4 * 2;

/** The forms measured: fma() with 8, 4 or 2 live chains, and a plain multiply-add with 4. */
export const PEAK_FORMS = ['fma8', 'fma4', 'fma2', 'muladd4'] as const;
export type PeakForm = (typeof PEAK_FORMS)[number];
const WG = 256;

/** One peak measurement. */
export interface PeakResult {
  /** The fastest form, in FLOP/s (FMA = 2 FLOP). */
  flops: number;
  /** Which form reached it (fma() with 8, 4 or 2 live chains, or a plain multiply-add). */
  form: PeakForm;
  /** Every form, FLOP/s. */
  byForm: Record<PeakForm, number>;
  invocations: number;
  trips: number;
  /** Median kernel time of the fastest form, ms. */
  timeMs: number;
  timing: GpuTimingMethod;
}

/**
 * The FMA-peak microbenchmark (shaders/peak.compute.wgsl): independent vec4 multiply-add chains on enough
 * invocations to fill the adapter, in four forms (8, 4 or 2 live fma() chains, or a plain multiply-add); the
 * peak is the fastest form. Owns its two pipelines and buffers; `destroy()` is safe twice.
 */
export class PeakKernel {
  private readonly pipelines: Record<PeakForm, GPUComputePipeline>;
  private readonly uniform: GPUBuffer;
  private out: GPUBuffer | null = null;
  private outInvocations = 0;
  private readonly bindGroups = new Map<string, GPUBindGroup>();
  private readonly timer: GpuTimer;
  private destroyed = false;

  constructor(
    private readonly device: GPUDevice,
    now: () => number,
    useTimestamps?: boolean,
  ) {
    const module = device.createShaderModule({ label: 'peak', code });
    this.pipelines = Object.fromEntries(
      PEAK_FORMS.map((f) => [f, device.createComputePipeline({ label: `peak ${f}`, layout: 'auto', compute: { module, entryPoint: `main_${f}` } })]),
    ) as Record<PeakForm, GPUComputePipeline>;
    this.uniform = device.createBuffer({ label: 'peak params', size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.timer = new GpuTimer(device, now, useTimestamps);
  }

  get timing(): GpuTimingMethod {
    return this.timer.method;
  }

  private bind(form: PeakForm, invocations: number): GPUBindGroup {
    if (!this.out || invocations > this.outInvocations) {
      this.out?.destroy();
      this.out = this.device.createBuffer({ label: 'peak out', size: 16 * invocations, usage: GPUBufferUsage.STORAGE });
      this.outInvocations = invocations;
      this.bindGroups.clear();
    }
    let bg = this.bindGroups.get(form);
    if (!bg) {
      bg = this.device.createBindGroup({
        layout: this.pipelines[form].getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: this.uniform } },
          { binding: 1, resource: { buffer: this.out } },
        ],
      });
      this.bindGroups.set(form, bg);
    }
    return bg;
  }

  /** Kernel time in ms of one dispatch of `invocations` (a multiple of 256) running `trips` loop trips. */
  /** One dispatch; `expectMs` lets the timer sleep instead of polling while it runs (see GpuTimer.time). */
  async runOnce(form: PeakForm, invocations: number, trips: number, expectMs = 0): Promise<number> {
    if (this.destroyed) throw new Error('PeakKernel used after destroy()');
    const params = new ArrayBuffer(16);
    new Uint32Array(params)[0] = trips;
    new Float32Array(params)[1] = 0.999;
    new Float32Array(params)[2] = 1e-3;
    this.device.queue.writeBuffer(this.uniform, 0, params);
    const bg = this.bind(form, invocations);
    const groups = invocations / WG;
    const maxDim = this.device.limits.maxComputeWorkgroupsPerDimension;
    const gy = Math.ceil(groups / maxDim);
    if (groups % gy !== 0) throw new RangeError('peak: invocations must fold evenly into the dispatch');
    return this.timer.time(1, (encoder, ts) => {
      const pass = encoder.beginComputePass({ timestampWrites: ts(0) });
      pass.setPipeline(this.pipelines[form]);
      pass.setBindGroup(0, bg);
      pass.dispatchWorkgroups(groups / gy, gy);
      pass.end();
    }, 1, expectMs);
  }

  /**
   * Measures the peak: grows the loop until one dispatch takes at least `minMs`, then takes the median of
   * `repeats` runs for each form. `invocations` defaults to 64 Ki (enough to fill any current adapter).
   */
  async measure(opts: { minMs?: number; repeats?: number; invocations?: number; maxTrips?: number } = {}): Promise<PeakResult> {
    const minMs = opts.minMs ?? 50;
    const repeats = opts.repeats ?? 3;
    const invocations = opts.invocations ?? 65536;
    const maxTrips = opts.maxTrips ?? 1 << 16;
    const byForm = { fma8: 0, fma4: 0, fma2: 0, muladd4: 0 };
    const times = { fma8: 0, fma4: 0, fma2: 0, muladd4: 0 };
    let trips = 4;
    let last = await this.runOnce('fma4', invocations, trips);
    while (trips < maxTrips && (trips < 16 || last < minMs)) {
      trips *= 2;
      last = await this.runOnce('fma4', invocations, trips, 2 * last);
    }
    for (const form of PEAK_FORMS) {
      // The forms differ by up to ~3x (spills on CPU adapters): expect half of the fma4 time.
      const warm = await this.runOnce(form, invocations, trips, last / 2);
      const ts: number[] = [];
      for (let r = 0; r < repeats; r++) ts.push(await this.runOnce(form, invocations, trips, Math.min(warm, ...ts)));
      ts.sort((p, q) => p - q);
      times[form] = ts[ts.length >> 1];
      byForm[form] = (invocations * trips * PEAK_FLOP_PER_TRIP) / (times[form] / 1e3);
    }
    const form = PEAK_FORMS.reduce((best, f) => (byForm[f] > byForm[best] ? f : best));
    return { flops: byForm[form], form, byForm, invocations, trips, timeMs: times[form], timing: this.timer.method };
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.uniform.destroy();
    this.out?.destroy();
    this.timer.destroy();
  }
}
