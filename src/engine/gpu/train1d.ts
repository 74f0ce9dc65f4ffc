import forwardCode from '../../../shaders/train1d.forward.compute.wgsl?raw';
import gradCode from '../../../shaders/train1d.grad.compute.wgsl?raw';
import adamCode from '../../../shaders/train_adam.wgsl?raw';
import lossCode from '../../../shaders/train1d.loss.compute.wgsl?raw';
import activationCode from '../../../shaders/activation.wgsl?raw';
import { type Activation, activationOf } from '../../model/activation.ts';
import { type Network, validateNetwork } from '../../model/network.ts';
import {
  type TrainOptions,
  type TrainSamples,
  type TrainState,
  TrainError,
  adamCorrections,
  checkTrainOptions,
  checkTrainSamples,
  checkTrainState,
  divergedMessage,
  packParams,
  unpackParams,
} from '../../model/train1d.ts';
import { dispatchSize } from './buffers.ts';
import { type AdapterInfoLike, isCpuLikeInfo } from './context.ts';
import { GpuDeviceLostError, withErrorScopes } from './errors.ts';
import { AsyncComputePipeline } from './pipelines.ts';

/**
 * The `TrainParams` uniform of the trainers' shaders (forward, gradient, loss), defined once here (every member is
 * 4 bytes, so offset = 4·index; 48 bytes, no padding). test/gpu/train1d.test.ts checks each shader declares it so.
 */
export const TRAIN_PARAMS_LAYOUT = [
  { name: 'n', type: 'u32', offset: 0 },
  { name: 'm', type: 'u32', offset: 4 },
  { name: 'lr', type: 'f32', offset: 8 },
  { name: 'beta1', type: 'f32', offset: 12 },
  { name: 'beta2', type: 'f32', offset: 16 },
  { name: 'eps', type: 'f32', offset: 20 },
  { name: 'bc1', type: 'f32', offset: 24 },
  { name: 'bc2', type: 'f32', offset: 28 },
  { name: 'chunks', type: 'u32', offset: 32 },
  { name: 'chunkSize', type: 'u32', offset: 36 },
  { name: 'slices', type: 'u32', offset: 40 },
  { name: 'sliceUnits', type: 'u32', offset: 44 },
] as const;
export const TRAIN_PARAMS_SIZE = 48;

/** The partial sums' buffer budget of the gradient pass (bytes). */
const PARTIAL_BUDGET_BYTES = 32 << 20;

/**
 * How a trainer lays its work out: 'narrow' (CPU-like adapters: few, long workgroups, since each workgroup with
 * barriers costs SwiftShader a fixed price) or 'wide' (hardware GPUs: about WIDE_WORKGROUPS workgroups per pass,
 * the unit range of the forward pass split into slices and the samples of the gradient pass into short chunks).
 */
export type TrainShape = 'narrow' | 'wide';

/** Workgroups a 'wide' plan aims at per pass: split-K's best on an H200 (bench/NOTES.md) was about 256. */
export const WIDE_WORKGROUPS = 256;

/** A trainer's work plan: gradient chunks (samples) and forward slices (units, whole 256-unit tiles). */
export interface TrainPlan {
  chunks: number;
  chunkSize: number;
  slices: number;
  sliceUnits: number;
}

/**
 * The plan for N units and M samples: 'narrow' takes one chunk and one slice; 'wide' aims each pass at
 * WIDE_WORKGROUPS workgroups (chunks of at least 256 samples, slices of whole tiles), within the same budgets
 * (gradient partials and the forward's S·M slice sums each ≤ 32 MiB and one binding).
 */
export function planTrain(n: number, m: number, maxBindingBytes: number, perUnit: number, shape: TrainShape): TrainPlan {
  const tiles = Math.max(1, Math.ceil(n / WG));
  // Narrow: one gradient chunk, so the gradient pass takes the Adam step itself (no redundant Adam per forward
  // workgroup, which cost SwiftShader 6–11 %; bench/NOTES.md).
  if (shape === 'narrow') return { chunks: 1, chunkSize: Math.max(1, m), slices: 1, sliceUnits: tiles * WG };
  const budget = Math.min(PARTIAL_BUDGET_BYTES, maxBindingBytes);
  const maxChunks = Math.max(1, Math.floor(budget / (4 * (perUnit * n + 1))));
  const wantChunks = Math.ceil(WIDE_WORKGROUPS / Math.ceil((n + 1) / WG));
  const chunkSize = Math.max(WG, Math.ceil(m / Math.min(wantChunks, maxChunks)), Math.ceil(m / maxChunks));
  const maxSlices = Math.max(1, Math.floor(budget / (4 * Math.max(1, m))));
  const wantSlices = Math.min(tiles, maxSlices, Math.ceil(WIDE_WORKGROUPS / Math.ceil(Math.max(1, m) / WG)));
  const sliceUnits = WG * Math.ceil(tiles / wantSlices);
  return { chunks: Math.ceil(m / chunkSize), chunkSize, slices: Math.ceil(tiles / (sliceUnits / WG)), sliceUnits };
}

/** The shape a device's adapter wants: 'narrow' on CPU-like adapters (GPUDevice.adapterInfo), else 'wide'. */
export function trainShapeOf(device: GPUDevice): TrainShape {
  const info = (device as GPUDevice & { adapterInfo?: AdapterInfoLike }).adapterInfo;
  return info && isCpuLikeInfo(info) ? 'narrow' : 'wide';
}

/** Steps encoded per submission: each step has its own uniform slot, addressed by a dynamic offset. */
export const STEPS_PER_SUBMIT = 64;

const WG = 256;

/** What a GPU trainer's kind supplies: its shaders, parameter layout and sample buffers. */
export interface GpuTrainerSpec {
  /** Label prefix of every GPU object ('train1d', 'train2d'). */
  label: string;
  /**
   * WGSL of the forward and gradient stages; both declare the TrainParams uniform above and get shaders/activation.wgsl
   * prepended, the forward stage also shaders/train_adam.wgsl (Adam is folded into it). The loss stage is the same
   * for every kind (train1d.loss with PER_UNIT).
   */
  code: { forward: string; grad: string };
  units: number;
  /** Parameters per unit: 3 in 1D, 4 in 2D (the packed θ has perUnit·N + 1 values). */
  perUnit: number;
  /** Packed initial parameters (float64, uploaded as float32). */
  theta: Float64Array;
  /** Sample count M. */
  samples: number;
  /**
   * Sample buffers to upload, in binding order: the forward pass binds the first `forwardInputs`, the gradient pass
   * the first `gradInputs`, the loss the one at `targetInput` (the targets y or z, one float per sample).
   */
  inputs: Array<{ name: string; data: Float32Array<ArrayBuffer> }>;
  forwardInputs: number;
  gradInputs: number;
  targetInput: number;
  /** The work layout (default: trainShapeOf(device)). */
  shape?: TrainShape;
  /** The units' activation (default relu): the forward and gradient pipelines' ACT constant. */
  activation?: Activation;
}

/** The ACT pipeline constant of the trainers' forward and gradient shaders, per activation. */
export const ACTIVATION_CODES: Readonly<Record<Activation, number>> = { relu: 0, 'leaky-relu': 1, linear: 2, sigmoid: 3 };

/**
 * Full-batch Adam training of a ReLU sum on the GPU, shared by GpuTrainer1D and GpuTrainer2D: the WGSL twin of the
 * CPU trainers (same loss, gradients, update and parameter layout, in float32). A call of k steps is 2k + 2
 * dispatches in one pass: a forward pass (slice sums per sample) at the current parameters, then per step the
 * gradient (one invocation per unit and sample chunk, partial sums per chunk, residuals formed from the slice sums)
 * and a forward pass that first takes the Adam step (adding the chunks in order) from one half of a ping-pong state
 * [θ | m1 | m2] into the other (with a single chunk the gradient pass takes the step itself and the forward pass
 * is plain); last the loss reduction, and one float is read back. Cost per step O(N·M); on
 * SwiftShader (CPU) expect ~N·M/10⁷ s. Buffers are created in the constructor. Calls are serialised; `destroy()` is
 * safe twice.
 */
export abstract class GpuAdamTrainer {
  private destroyed = false;
  private chain: Promise<unknown> = Promise.resolve();
  private t = 0;
  private last = Number.NaN;
  private opts: Required<TrainOptions>;
  private readonly uniformBytes: ArrayBuffer;
  readonly units: number;
  readonly samples: number;
  /** The units' activation (the pipelines' ACT constant). */
  readonly activation: Activation;
  /** The work layout in use. */
  readonly shape: TrainShape;
  /** The work plan in use (chunks of the gradient pass, slices of the forward pass). */
  readonly plan: TrainPlan;
  private readonly perUnit: number;
  private readonly label: string;
  private readonly stride: number;
  private readonly buffers: GPUBuffer[];
  private readonly uniform: GPUBuffer;
  private readonly lossOut: GPUBuffer;
  private readonly staging: GPUBuffer;
  /** Compiled asynchronously by `start()` (a synchronous build holds the GPU process's main thread, and every canvas of the page with it). */
  private readonly pipelines: { forward: AsyncComputePipeline; step: AsyncComputePipeline; grad: AsyncComputePipeline; loss: AsyncComputePipeline };
  /** Bind groups per live half p: the forward reads state[p] and writes state[1 − p]. */
  private readonly groups: { forward: GPUBindGroup[]; grad: GPUBindGroup[]; loss: GPUBindGroup[] };
  /** The ping-pong halves [θ | m1 | m2] (3·count floats each), which of them is live, and the rollback copy. */
  private readonly state_: { halves: GPUBuffer[]; backup: GPUBuffer; count: number; bytes: number };
  private live = 0;

  protected constructor(
    private readonly device: GPUDevice,
    spec: GpuTrainerSpec,
    opts: Required<TrainOptions>,
  ) {
    this.opts = opts;
    this.activation = spec.activation ?? 'relu';
    this.units = spec.units;
    this.samples = spec.samples;
    this.perUnit = spec.perUnit;
    this.label = spec.label;
    this.shape = spec.shape ?? trainShapeOf(device);
    const n = spec.units;
    const m = spec.samples;
    const label = spec.label;
    const maxWg = device.limits.maxComputeWorkgroupsPerDimension;
    this.stride = Math.max(TRAIN_PARAMS_SIZE, device.limits.minUniformBufferOffsetAlignment);
    this.uniformBytes = new ArrayBuffer(this.stride * STEPS_PER_SUBMIT);
    const count = spec.perUnit * n + 1;
    const stateBytes = 3 * 4 * count;
    for (const input of spec.inputs) {
      if (Math.max(16, input.data.byteLength) > device.limits.maxStorageBufferBindingSize) {
        throw new TrainError(`too many samples for this GPU (${m}; a binding holds ${device.limits.maxStorageBufferBindingSize / (input.data.length / m) / 4})`);
      }
    }
    if (stateBytes > device.limits.maxStorageBufferBindingSize) throw new TrainError(`too many units for this GPU (${n})`);
    this.plan = planTrain(n, m, device.limits.maxStorageBufferBindingSize, spec.perUnit, this.shape);
    if (this.plan.chunks > maxWg) throw new TrainError(`too many samples for this GPU (${m})`);

    const storage = (name: string, bytes: number, extra = 0) =>
      device.createBuffer({ label: `${label} ${name}`, size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | extra });
    // Moments start at zero (buffers are zero-initialised by WebGPU); samples go up as float32.
    const halves = [0, 1].map((h) => storage(`state ${h}`, stateBytes, GPUBufferUsage.COPY_SRC));
    const backup = device.createBuffer({ label: `${label} state backup`, size: stateBytes, usage: GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
    const partial = storage('partial', Math.max(16, 4 * count * this.plan.chunks));
    const inputs = spec.inputs.map((input) => storage(input.name, Math.max(16, input.data.byteLength)));
    const fwd = storage('slice sums', Math.max(16, 4 * m * this.plan.slices));
    const lossOut = storage('loss', 16, GPUBufferUsage.COPY_SRC);
    const staging = device.createBuffer({ label: `${label} readback`, size: 4 * count, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const uniform = device.createBuffer({
      label: `${label} params`,
      size: this.stride * STEPS_PER_SUBMIT,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    device.queue.writeBuffer(halves[0], 0, Float32Array.from(spec.theta));
    spec.inputs.forEach((input, i) => device.queue.writeBuffer(inputs[i], 0, input.data));

    const layout = (kinds: Array<'uniform' | 'read' | 'rw'>) =>
      device.createBindGroupLayout({
        entries: kinds.map((k, binding) => ({
          binding,
          visibility: GPUShaderStage.COMPUTE,
          buffer:
            k === 'uniform'
              ? { type: 'uniform' as const, hasDynamicOffset: true, minBindingSize: TRAIN_PARAMS_SIZE }
              : { type: k === 'read' ? ('read-only-storage' as const) : ('storage' as const) },
        })),
      });
    const pipeline = (stage: string, module: GPUShaderModule, bgl: GPUBindGroupLayout, constants: Record<string, number>) =>
      new AsyncComputePipeline(device, {
        label: `${label} ${stage}`,
        layout: device.createPipelineLayout({ bindGroupLayouts: [bgl] }),
        compute: { module, entryPoint: 'main', constants },
      });
    const shader = (stage: string, code: string) => device.createShaderModule({ label: `${label} ${stage}`, code });
    const act = { ACT: ACTIVATION_CODES[spec.activation ?? 'relu'] };
    const group = (bgl: GPUBindGroupLayout, bufs: GPUBuffer[]) =>
      device.createBindGroup({
        layout: bgl,
        entries: [
          { binding: 0, resource: { buffer: uniform, offset: 0, size: TRAIN_PARAMS_SIZE } },
          ...bufs.map((buffer, i) => ({ binding: i + 1, resource: { buffer } })),
        ],
      });
    const reads = (k: number) => new Array<'read'>(k).fill('read');
    const lf = layout(['uniform', 'read', 'read', 'rw', ...reads(spec.forwardInputs), 'rw']);
    const lg = layout(['uniform', 'read', ...reads(spec.gradInputs), 'read', 'rw', 'rw']);
    const ll = layout(['uniform', 'read', 'read', 'read', 'rw']);
    // One shared act/act_deriv (and Adam) for both dimensions' stages (WGSL declarations are order-free).
    const forwardModule = shader('forward', activationCode + adamCode + spec.code.forward);
    this.pipelines = {
      forward: pipeline('forward', forwardModule, lf, { ...act, UPDATE: 0 }),
      step: pipeline('adam + forward', forwardModule, lf, { ...act, UPDATE: 1 }),
      grad: pipeline('grad', shader('grad', activationCode + adamCode + spec.code.grad), lg, { ...act, ADAM: this.plan.chunks === 1 ? 1 : 0 }),
      loss: pipeline('loss', shader('loss', lossCode), ll, { PER_UNIT: spec.perUnit }),
    };
    const fwdInputs = inputs.slice(0, spec.forwardInputs);
    const gradInputs = inputs.slice(0, spec.gradInputs);
    this.groups = {
      forward: [0, 1].map((p) => group(lf, [halves[p], partial, halves[1 - p], ...fwdInputs, fwd])),
      grad: [0, 1].map((p) => group(lg, [halves[p], ...gradInputs, fwd, partial, halves[1 - p]])),
      loss: [0, 1].map((p) => group(ll, [halves[p], fwd, inputs[spec.targetInput], lossOut])),
    };
    this.buffers = [...halves, backup, partial, ...inputs, fwd, lossOut, staging, uniform];
    this.uniform = uniform;
    this.lossOut = lossOut;
    this.staging = staging;
    this.state_ = { halves, backup, count, bytes: stateBytes };
  }

  /** Computes the initial loss; destroys the trainer if that fails. Called by the subclass's `create`. */
  protected async start(): Promise<void> {
    try {
      await Promise.all(Object.values(this.pipelines).map((p) => p.ready()));
      await this.step(0);
    } catch (e) {
      this.destroy();
      throw e;
    }
  }

  /** Steps taken so far (Adam's t). */
  get steps(): number {
    return this.t;
  }

  /** Loss after the last completed call (create or step); the same value `step` returned. */
  loss(): number {
    return this.last;
  }

  /** Changes lr (or the other Adam constants) for later steps; moments are kept. */
  setOptions(opts: Partial<TrainOptions>): void {
    this.opts = checkTrainOptions({ ...this.opts, ...opts });
  }

  /** Takes k ≥ 0 Adam steps on the GPU and resolves to the loss at the parameters after the last one. */
  step(k = 1): Promise<number> {
    if (!Number.isInteger(k) || k < 0) return Promise.reject(new TrainError(`step count must be an integer ≥ 0, got ${k}`));
    return this.serial(() => this.runSteps(k));
  }

  /** The current parameters, packed (float32 values as numbers). */
  protected readTheta(): Promise<Float32Array> {
    return this.serial(() => this.readState(0));
  }

  /**
   * Adam's moments and step count, read back (packed like the parameters), to continue on another trainer
   * (`restoreState`, here or on the CPU twin), e.g. after a device loss if they were read before it.
   */
  state(): Promise<TrainState> {
    return this.serial(async () => {
      const m = await this.readState(1);
      const v = await this.readState(2);
      return { m: Float64Array.from(m), v: Float64Array.from(v), t: this.t };
    });
  }

  /**
   * Continues from an exported state (same network size): uploads the moments and sets the step count; the
   * parameters stay those the trainer was created with. TrainError for a state that does not fit.
   */
  restoreState(state: TrainState): Promise<void> {
    let s: TrainState;
    try {
      s = checkTrainState(state, this.perUnit * this.units + 1);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.serial(async () => {
      const live = this.state_.halves[this.live];
      const part = 4 * this.state_.count;
      await withErrorScopes(this.device, () => {
        this.device.queue.writeBuffer(live, part, Float32Array.from(s.m));
        this.device.queue.writeBuffer(live, 2 * part, Float32Array.from(s.v));
      });
      this.t = s.t;
    });
  }

  /** Releases every buffer; later calls reject. Safe to call more than once. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const b of this.buffers) b.destroy();
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.chain.then(() => {
      if (this.destroyed) throw new GpuDeviceLostError('the trainer was destroyed');
      return work();
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Part `which` (0 θ, 1 m1, 2 m2) of the live state, read back. */
  private async readState(which: number): Promise<Float32Array> {
    const bytes = 4 * this.state_.count;
    const enc = this.device.createCommandEncoder({ label: `${this.label} read` });
    enc.copyBufferToBuffer(this.state_.halves[this.live], which * bytes, this.staging, 0, bytes);
    this.device.queue.submit([enc.finish()]);
    return this.readStaging(bytes);
  }

  private async readStaging(bytes: number): Promise<Float32Array> {
    await this.staging.mapAsync(GPUMapMode.READ, 0, bytes);
    const out = new Float32Array(this.staging.getMappedRange(0, bytes).slice(0));
    this.staging.unmap();
    return out;
  }

  /** Uniform slots for the steps t0 + 1 … t0 + count (at least one slot: forward and loss read n and m). */
  private writeSlots(count: number, t0: number): void {
    const { lr, beta1, beta2, eps } = this.opts;
    const words = this.stride / 4;
    const u = new Uint32Array(this.uniformBytes);
    const f = new Float32Array(this.uniformBytes);
    for (let s = 0; s < Math.max(1, count); s++) {
      const [bc1, bc2] = adamCorrections(beta1, beta2, t0 + s + 1);
      const o = s * words;
      u[o] = this.units;
      u[o + 1] = this.samples;
      f[o + 2] = lr;
      f[o + 3] = beta1;
      f[o + 4] = beta2;
      f[o + 5] = eps;
      f[o + 6] = bc1;
      f[o + 7] = bc2;
      u[o + 8] = this.plan.chunks;
      u[o + 9] = this.plan.chunkSize;
      u[o + 10] = this.plan.slices;
      u[o + 11] = this.plan.sliceUnits;
    }
    this.device.queue.writeBuffer(this.uniform, 0, this.uniformBytes, 0, Math.max(1, count) * this.stride);
  }

  private async runSteps(k: number): Promise<number> {
    return withErrorScopes(this.device, async () => {
      const maxWg = this.device.limits.maxComputeWorkgroupsPerDimension;
      const fwd = dispatchSize(Math.ceil(this.samples / WG) * this.plan.slices, maxWg);
      const grd = [Math.ceil((this.units + 1) / WG), this.plan.chunks];
      const start = this.live;
      let done = 0;
      // k = 0 still runs one (final) chunk: forward + loss at the current parameters.
      do {
        const count = Math.min(STEPS_PER_SUBMIT, k - done);
        this.writeSlots(count, this.t + done);
        const enc = this.device.createCommandEncoder({ label: `${this.label} steps` });
        if (done === 0 && k > 0) enc.copyBufferToBuffer(this.state_.halves[this.live], 0, this.state_.backup, 0, this.state_.bytes);
        const pass = enc.beginComputePass({ label: `${this.label} steps` });
        if (done === 0) {
          // Slice sums at the current parameters; every later forward pass (with Adam) keeps them current.
          pass.setPipeline(this.pipelines.forward.pipeline);
          pass.setBindGroup(0, this.groups.forward[this.live], [0]);
          pass.dispatchWorkgroups(fwd[0], fwd[1]);
        }
        for (let s = 0; s < count; s++) {
          const offset = s * this.stride;
          pass.setPipeline(this.pipelines.grad.pipeline);
          pass.setBindGroup(0, this.groups.grad[this.live], [offset]);
          pass.dispatchWorkgroups(grd[0], grd[1]);
          if (this.plan.chunks === 1) {
            // The gradient pass took the Adam step (one chunk): a plain forward pass at the new parameters.
            this.live = 1 - this.live;
            pass.setPipeline(this.pipelines.forward.pipeline);
            pass.setBindGroup(0, this.groups.forward[this.live], [offset]);
          } else {
            pass.setPipeline(this.pipelines.step.pipeline);
            pass.setBindGroup(0, this.groups.forward[this.live], [offset]);
            this.live = 1 - this.live;
          }
          pass.dispatchWorkgroups(fwd[0], fwd[1]);
        }
        done += count;
        if (done === k) {
          pass.setPipeline(this.pipelines.loss.pipeline);
          pass.setBindGroup(0, this.groups.loss[this.live], [0]);
          pass.dispatchWorkgroups(1);
        }
        pass.end();
        if (done === k) enc.copyBufferToBuffer(this.lossOut, 0, this.staging, 0, 4);
        this.device.queue.submit([enc.finish()]);
      } while (done < k);
      const [loss] = await this.readStaging(4);
      if (!Number.isFinite(loss) && k > 0) {
        this.live = start;
        const enc = this.device.createCommandEncoder({ label: `${this.label} restore` });
        enc.copyBufferToBuffer(this.state_.backup, 0, this.state_.halves[start], 0, this.state_.bytes);
        this.device.queue.submit([enc.finish()]);
        throw new TrainError(divergedMessage(this.opts.lr));
      }
      this.t += k;
      this.last = loss;
      return loss;
    });
  }
}

/** Full-batch Adam training of a 1D ReLU sum on the GPU: the WGSL twin of model/train1d.ts `Trainer1D` (see GpuAdamTrainer). */
export class GpuTrainer1D extends GpuAdamTrainer {
  /**
   * Validates the inputs (TrainError / InvalidNetworkError), uploads them and builds the pipelines inside
   * error scopes (typed GpuError on failure), then computes the initial loss. `shape` overrides the work layout
   * (default: trainShapeOf(device)); the results agree either way within float32 rounding.
   */
  static async create(device: GPUDevice, net: Network, samples: TrainSamples, opts: TrainOptions, shape?: TrainShape): Promise<GpuTrainer1D> {
    const v = validateNetwork(net);
    if (v.dim !== 1) throw new TrainError('GpuTrainer1D trains 1D networks only');
    const o = checkTrainOptions(opts);
    const s = checkTrainSamples(samples);
    const spec: GpuTrainerSpec = {
      label: 'train1d',
      activation: activationOf(v),
      code: { forward: forwardCode, grad: gradCode },
      units: v.a.length,
      perUnit: 3,
      theta: packParams(v),
      samples: s.xs.length,
      inputs: [
        { name: 'xs', data: Float32Array.from(s.xs) },
        { name: 'ys', data: Float32Array.from(s.ys) },
      ],
      forwardInputs: 1,
      gradInputs: 2,
      targetInput: 1,
      shape,
    };
    const trainer = await withErrorScopes(device, () => new GpuTrainer1D(device, spec, o));
    await trainer.start();
    return trainer;
  }

  /** The current parameters, read back (float32 values as numbers). */
  async network(): Promise<Network> {
    const net = unpackParams(await this.readTheta(), this.units);
    if (this.activation !== 'relu') net.activation = this.activation;
    return net;
  }
}
