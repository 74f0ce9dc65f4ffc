/**
 * Constructions with the Gram matrix on the GPU: for 2D least squares on a hardware GPU, HᵀH and Hᵀz (the heavy
 * part, M·N²/2 multiply-adds) are accumulated by the GPU kernel on the app's device, and the worker only solves the
 * (N+1)² system in float64 (with the kernel's ridge floor: float32 sums need a little λ). Everything else, and every
 * case without a hardware device, goes to the worker as before.
 * A GPU failure here is not a reason to fail the fit: the worker then computes the Gram itself.
 */
import type { AutoEvaluator } from '../engine/backend.ts';
import { isCpuLikeAdapter } from '../engine/gpu/context.ts';
import { GpuGram2D } from '../engine/gpu/gram2d.ts';
import { randomHiddenUnits2D } from '../model/fit2d.ts';
import type { Network } from '../model/network.ts';
import type { FitRunner, GivenGram } from '../state/fitRunner.ts';
import { type FitInputs, type Target2DSpec, samples2DOf, target2DOf } from '../state/state.ts';

/** GPU root module key of the Gram kernel. */
const GRAM = 'gram2d';

export class GpuGramFitRunner implements FitRunner {
  /** Set once the backend is up (the store exists before it, to restore the state first). */
  evaluator: AutoEvaluator | null = null;

  constructor(private readonly base: FitRunner) {}

  async fit(inputs: FitInputs, signal: AbortSignal, gram?: GivenGram): Promise<Network> {
    const root = this.evaluator?.root;
    // On CPU-like adapters (SwiftShader) the GPU Gram measured about 130× slower than the worker's (which skips
    // the work of units that are on for a whole block of samples): there the worker computes it.
    const cpuLike = root?.startup ? isCpuLikeAdapter(root.startup.adapter) : true;
    // The GPU Gram has ReLU features; other activations' Grams come from the worker (fit2d.ts gramActivation2D).
    const relu = (inputs.activation ?? 'relu') === 'relu';
    if (gram || inputs.mode !== '2d' || inputs.build !== 'least-squares' || !root?.device || cpuLike || !relu) {
      return this.base.fit(inputs, signal, gram);
    }
    let given: GivenGram | undefined;
    try {
      const t = target2DOf(inputs.target as Target2DSpec);
      const samples = samples2DOf(inputs.target as Target2DSpec, inputs.units);
      const { w, b } = randomHiddenUnits2D(inputs.units, t.domain, inputs.seed);
      const kernel = await root.module(GRAM, (device) => GpuGram2D.create(device));
      if (signal.aborted) throw signal.reason;
      given = await root.run(() => kernel.compute(w, b, samples.xs, samples.ys, samples.zs));
    } catch (e) {
      if (signal.aborted) throw signal.reason;
      // Input problems surface from the worker's own fit with the usual messages; GPU trouble just costs time.
      void e;
    }
    if (signal.aborted) throw signal.reason;
    return this.base.fit(inputs, signal, given);
  }
}
