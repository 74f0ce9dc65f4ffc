import forwardCode from '../../../shaders/train1d.forward.compute.wgsl?raw';
import gradCode from '../../../shaders/train1d.grad.compute.wgsl?raw';
import adamCode from '../../../shaders/train1d.adam.compute.wgsl?raw';
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
import { GpuDeviceLostError, withErrorScopes } from './errors.ts';

/**
 * The `TrainParams` uniform of the four train1d shaders, defined once here (every member is 4 bytes,
 * so offset = 4·index; 40 bytes, no padding). test/gpu/train1d.test.ts checks each shader declares it so.
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
] as const;
export const TRAIN_PARAMS_SIZE = 40;

/** Samples per chunk of the gradient pass, at least; more when the partial-sum buffer would pass its budget. */
export const MIN_CHUNK_SIZE = 1024;
const PARTIAL_BUDGET_BYTES = 32 << 20;

/**
 * How the gradient pass splits M samples for N units: chunk count and size, partials within budget.
 * `perUnit` is the parameters per unit: 3 in 1D (w, b, a), 4 in 2D (w1, w2, b, a).
 */
export function planChunks(n: number, m: number, maxBindingBytes: number, perUnit = 3): { chunks: number; chunkSize: number } {
  const perChunk = 4 * (perUnit * n + 1);
  const maxChunks = Math.max(1, Math.floor(Math.min(PARTIAL_BUDGET_BYTES, maxBindingBytes) / perChunk));
  const chunkSize = Math.max(MIN_CHUNK_SIZE, Math.ceil(m / maxChunks));
  return { chunks: Math.ceil(m / chunkSize), chunkSize };
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
   * prepended. The Adam and loss stages are the same for every kind (train1d.adam with PER_UNIT, train1d.loss).
   */
  code: { forward: string; grad: string };
  units: number;
  /** Parameters per unit: 3 in 1D, 4 in 2D (the packed θ has perUnit·N + 1 values). */
  perUnit: number;
  /** Packed initial parameters (float64, uploaded as float32). */
  theta: Float64Array;
  /** Sample count M. */
  samples: number;
  /** Sample buffers to upload, in binding order: the forward pass binds all of them, the gradient pass the first `gradInputs`. */
  inputs: Array<{ name: string; data: Float32Array<ArrayBuffer> }>;
  gradInputs: number;
  /** The units' activation (default relu): the forward and gradient pipelines' ACT constant. */
  activation?: Activation;
}

/** The ACT pipeline constant of the trainers' forward and gradient shaders, per activation. */
export const ACTIVATION_CODES: Readonly<Record<Activation, number>> = { relu: 0, 'leaky-relu': 1, linear: 2, sigmoid: 3 };

/**
 * Full-batch Adam training of a ReLU sum on the GPU, shared by GpuTrainer1D and GpuTrainer2D: the WGSL twin of the
 * CPU trainers (same loss, gradients, update and parameter layout, in float32). Per step: forward (residual per
 * sample), gradient (one invocation per unit and sample chunk, partial sums per chunk), Adam (one invocation per
 * parameter, adding the chunks in order). Cost per step O(N·M); on SwiftShader (CPU) expect ~N·M/10⁷ s. Buffers
 * are created once in `build`; `step(k)` encodes k steps plus a final forward and loss reduction and reads
 * back one float. Calls are serialised; `destroy()` is safe twice.
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
  private readonly perUnit: number;
  private readonly label: string;
  private readonly stride: number;
  private readonly plan: { chunks: number; chunkSize: number };
  private readonly buffers: GPUBuffer[];
  private readonly uniform: GPUBuffer;
  private readonly lossOut: GPUBuffer;
  private readonly staging: GPUBuffer;
  private readonly pipelines: { forward: GPUComputePipeline; grad: GPUComputePipeline; adam: GPUComputePipeline; loss: GPUComputePipeline };
  private readonly groups: { forward: GPUBindGroup; grad: GPUBindGroup; adam: GPUBindGroup; loss: GPUBindGroup };
  private readonly theta: GPUBuffer;
  /** [theta, m1, m2] and their backups, restored when a call diverges. */
  private readonly state_: { live: GPUBuffer[]; backup: GPUBuffer[]; bytes: number };

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
    const n = spec.units;
    const m = spec.samples;
    const label = spec.label;
    const maxWg = device.limits.maxComputeWorkgroupsPerDimension;
    this.stride = Math.max(TRAIN_PARAMS_SIZE, device.limits.minUniformBufferOffsetAlignment);
    this.uniformBytes = new ArrayBuffer(this.stride * STEPS_PER_SUBMIT);
    const count = spec.perUnit * n + 1;
    const thetaBytes = Math.max(16, 4 * count);
    for (const input of spec.inputs) {
      if (Math.max(16, input.data.byteLength) > device.limits.maxStorageBufferBindingSize) {
        throw new TrainError(`too many samples for this GPU (${m}; a binding holds ${device.limits.maxStorageBufferBindingSize / (input.data.length / m) / 4})`);
      }
    }
    this.plan = planChunks(n, m, device.limits.maxStorageBufferBindingSize, spec.perUnit);
    if (this.plan.chunks > maxWg) throw new TrainError(`too many samples for this GPU (${m})`);

    const storage = (name: string, bytes: number, extra = 0) =>
      device.createBuffer({ label: `${label} ${name}`, size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | extra });
    const theta = storage('theta', thetaBytes, GPUBufferUsage.COPY_SRC);
    const m1 = storage('m1', thetaBytes, GPUBufferUsage.COPY_SRC);
    const m2 = storage('m2', thetaBytes, GPUBufferUsage.COPY_SRC);
    const backup = ['theta', 'm1', 'm2'].map((name) =>
      device.createBuffer({ label: `${label} ${name} backup`, size: thetaBytes, usage: GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST }),
    );
    const partial = storage('partial', Math.max(16, 4 * count * this.plan.chunks));
    const inputs = spec.inputs.map((input) => storage(input.name, Math.max(16, input.data.byteLength)));
    const resid = storage('resid', Math.max(16, 4 * m));
    const lossOut = storage('loss', 16, GPUBufferUsage.COPY_SRC);
    const staging = device.createBuffer({ label: `${label} readback`, size: thetaBytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const uniform = device.createBuffer({
      label: `${label} params`,
      size: this.stride * STEPS_PER_SUBMIT,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    device.queue.writeBuffer(theta, 0, Float32Array.from(spec.theta));
    // Moments start at zero (buffers are zero-initialised by WebGPU); samples go up as float32.
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
    const pipeline = (stage: string, code: string, bgl: GPUBindGroupLayout, constants?: Record<string, number>) =>
      device.createComputePipeline({
        label: `${label} ${stage}`,
        layout: device.createPipelineLayout({ bindGroupLayouts: [bgl] }),
        compute: { module: device.createShaderModule({ label: `${label} ${stage}`, code }), entryPoint: 'main', ...(constants ? { constants } : {}) },
      });
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
    const lf = layout(['uniform', 'read', ...reads(inputs.length), 'rw']);
    const lg = layout(['uniform', 'read', ...reads(spec.gradInputs), 'read', 'rw']);
    const la = layout(['uniform', 'rw', 'read', 'rw', 'rw']);
    const ll = layout(['uniform', 'read', 'rw']);
    this.pipelines = {
      // One shared act/act_deriv for both dimensions' forward and gradient stages (WGSL declarations are order-free).
      forward: pipeline('forward', activationCode + spec.code.forward, lf, act),
      grad: pipeline('grad', activationCode + spec.code.grad, lg, act),
      adam: pipeline('adam', adamCode, la, { PER_UNIT: spec.perUnit }),
      loss: pipeline('loss', lossCode, ll),
    };
    this.groups = {
      forward: group(lf, [theta, ...inputs, resid]),
      grad: group(lg, [theta, ...inputs.slice(0, spec.gradInputs), resid, partial]),
      adam: group(la, [theta, partial, m1, m2]),
      loss: group(ll, [resid, lossOut]),
    };
    this.buffers = [theta, m1, m2, partial, ...inputs, resid, lossOut, staging, uniform, ...backup];
    this.uniform = uniform;
    this.lossOut = lossOut;
    this.staging = staging;
    this.theta = theta;
    this.state_ = { live: [theta, m1, m2], backup, bytes: thetaBytes };
  }

  /** Computes the initial loss; destroys the trainer if that fails. Called by the subclass's `create`. */
  protected async start(): Promise<void> {
    try {
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
    return this.serial(() => this.readBuffer(this.theta));
  }

  /**
   * Adam's moments and step count, read back (packed like the parameters), to continue on another trainer
   * (`restoreState`, here or on the CPU twin), e.g. after a device loss if they were read before it.
   */
  state(): Promise<TrainState> {
    return this.serial(async () => {
      const m = await this.readBuffer(this.state_.live[1]);
      const v = await this.readBuffer(this.state_.live[2]);
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
      await withErrorScopes(this.device, () => {
        this.device.queue.writeBuffer(this.state_.live[1], 0, Float32Array.from(s.m));
        this.device.queue.writeBuffer(this.state_.live[2], 0, Float32Array.from(s.v));
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

  private async readBuffer(source: GPUBuffer): Promise<Float32Array> {
    const bytes = 4 * (this.perUnit * this.units + 1);
    const enc = this.device.createCommandEncoder({ label: `${this.label} read` });
    enc.copyBufferToBuffer(source, 0, this.staging, 0, bytes);
    this.device.queue.submit([enc.finish()]);
    return this.readStaging(bytes);
  }

  private copyState(enc: GPUCommandEncoder, from: GPUBuffer[], to: GPUBuffer[]): void {
    for (let i = 0; i < from.length; i++) enc.copyBufferToBuffer(from[i], 0, to[i], 0, this.state_.bytes);
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
    }
    this.device.queue.writeBuffer(this.uniform, 0, this.uniformBytes, 0, Math.max(1, count) * this.stride);
  }

  private async runSteps(k: number): Promise<number> {
    return withErrorScopes(this.device, async () => {
      const maxWg = this.device.limits.maxComputeWorkgroupsPerDimension;
      const fwd = dispatchSize(Math.ceil(this.samples / WG), maxWg);
      const grd = [Math.ceil((this.units + 1) / WG), this.plan.chunks];
      const adm = dispatchSize(Math.ceil((this.perUnit * this.units + 1) / WG), maxWg);
      let done = 0;
      // k = 0 still runs one (final) chunk: forward + loss at the current parameters.
      do {
        const count = Math.min(STEPS_PER_SUBMIT, k - done);
        this.writeSlots(count, this.t + done);
        const enc = this.device.createCommandEncoder({ label: `${this.label} steps` });
        if (done === 0 && k > 0) this.copyState(enc, this.state_.live, this.state_.backup);
        const pass = enc.beginComputePass({ label: `${this.label} steps` });
        const fwdAt = (offset: number) => {
          pass.setPipeline(this.pipelines.forward);
          pass.setBindGroup(0, this.groups.forward, [offset]);
          pass.dispatchWorkgroups(fwd[0], fwd[1]);
        };
        for (let s = 0; s < count; s++) {
          const offset = s * this.stride;
          // Residuals at the current parameters; the final forward below leaves them current for the loss.
          fwdAt(offset);
          pass.setPipeline(this.pipelines.grad);
          pass.setBindGroup(0, this.groups.grad, [offset]);
          pass.dispatchWorkgroups(grd[0], grd[1]);
          pass.setPipeline(this.pipelines.adam);
          pass.setBindGroup(0, this.groups.adam, [offset]);
          pass.dispatchWorkgroups(adm[0], adm[1]);
        }
        done += count;
        if (done === k) {
          fwdAt(0);
          pass.setPipeline(this.pipelines.loss);
          pass.setBindGroup(0, this.groups.loss, [0]);
          pass.dispatchWorkgroups(1);
        }
        pass.end();
        if (done === k) enc.copyBufferToBuffer(this.lossOut, 0, this.staging, 0, 4);
        this.device.queue.submit([enc.finish()]);
      } while (done < k);
      const [loss] = await this.readStaging(4);
      if (!Number.isFinite(loss) && k > 0) {
        const enc = this.device.createCommandEncoder({ label: `${this.label} restore` });
        this.copyState(enc, this.state_.backup, this.state_.live);
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
   * error scopes (typed GpuError on failure), then computes the initial loss.
   */
  static async create(device: GPUDevice, net: Network, samples: TrainSamples, opts: TrainOptions): Promise<GpuTrainer1D> {
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
      gradInputs: 1,
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
