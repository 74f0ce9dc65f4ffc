import forwardCode from '../../../shaders/train2d.forward.compute.wgsl?raw';
import gradCode from '../../../shaders/train2d.grad.compute.wgsl?raw';
import { activationOf } from '../../model/activation.ts';
import { type Network, validateNetwork } from '../../model/network.ts';
import { type TrainOptions, TrainError, checkTrainOptions } from '../../model/train1d.ts';
import { type TrainSamples2D, checkTrainSamples2D, packParams2D, unpackParams2D } from '../../model/train2d.ts';
import { GpuAdamTrainer, type GpuTrainerSpec, type TrainShape } from './train1d.ts';
import { withErrorScopes } from './errors.ts';

/**
 * Full-batch Adam training of a 2D ReLU sum on the GPU: the WGSL twin of model/train2d.ts `Trainer2D` (same loss,
 * gradients, update and parameter layout [w (N×2)…, b…, a…, c], in float32). The machinery (steps per submission,
 * uniform slots, divergence rollback, state export) is GpuAdamTrainer's, shared with GpuTrainer1D; samples go up
 * as one (x, y, z, 0) vec4 per point, and the targets z once more on their own for the loss stage. Cost per step
 * O(N·M).
 */
export class GpuTrainer2D extends GpuAdamTrainer {
  /**
   * Validates the inputs (TrainError / InvalidNetworkError), uploads them and builds the pipelines inside
   * error scopes (typed GpuError on failure), then computes the initial loss. `shape` overrides the work layout
   * (default: trainShapeOf(device)); the results agree either way within float32 rounding.
   */
  static async create(device: GPUDevice, net: Network, samples: TrainSamples2D, opts: TrainOptions, shape?: TrainShape): Promise<GpuTrainer2D> {
    const v = validateNetwork(net);
    if (v.dim !== 2) throw new TrainError('GpuTrainer2D trains 2D networks only');
    const o = checkTrainOptions(opts);
    const s = checkTrainSamples2D(samples);
    const m = s.xs.length;
    const pts = new Float32Array(4 * m);
    for (let k = 0; k < m; k++) {
      pts[4 * k] = s.xs[k];
      pts[4 * k + 1] = s.ys[k];
      pts[4 * k + 2] = s.zs[k];
    }
    const spec: GpuTrainerSpec = {
      label: 'train2d',
      activation: activationOf(v),
      code: { forward: forwardCode, grad: gradCode },
      units: v.a.length,
      perUnit: 4,
      theta: packParams2D(v),
      samples: m,
      inputs: [
        { name: 'samples', data: pts },
        { name: 'zs', data: Float32Array.from(s.zs) },
      ],
      forwardInputs: 1,
      gradInputs: 1,
      targetInput: 1,
      shape,
    };
    const trainer = await withErrorScopes(device, () => new GpuTrainer2D(device, spec, o));
    await trainer.start();
    return trainer;
  }

  /** The current parameters, read back (float32 values as numbers). */
  async network(): Promise<Network> {
    const net = unpackParams2D(await this.readTheta(), this.units);
    if (this.activation !== 'relu') net.activation = this.activation;
    return net;
  }
}
