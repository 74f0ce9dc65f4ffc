import { type Network, isValidNetwork } from '../../model/network.ts';
import { GrowableBuffer } from './buffers.ts';
import { Neumaier } from '../../model/piecewise1d.ts';
import { absSplit, activationOf } from '../../model/activation.ts';

/**
 * The network's units on the GPU as one vec4<f32> per unit — 1D: (w, b, a', 0); 2D: (w1, w2, b, a') —
 * the layout eval1d, eval2d and regions2d read. The kernels sum ½·Σ a'·|z| (or ½·Σ a'·σ(z) in their SIGMOID
 * pipelines) on top of the affine part: for φ = lin·z + abs·|z| (model/activation.ts absSplit) a' = 2·abs·a and
 * the affine part is lin·Σ a·(w·x + b) + c (ReLU: a' = a, lin = ½); linear units leave no |z| term at all
 * (count 0); sigmoid packs a' = 2a with the affine part (0, 0, c). Uploaded into a reused buffer, and not again while the same
 * validated network (frozen, so the same object means the same units) is evaluated call after call.
 */
export class UnitBuffer {
  readonly buffer: GrowableBuffer;
  private packed = new Float32Array(0);
  count = 0;
  /**
   * The affine part of the sum under max(0, z) = (z + |z|)/2, summed in float64 over all units:
   * f = A·x + B·y + C + ½·Σ a·|z| with A = ½Σa·w1, B = ½Σa·w2 (0 in 1D), C = c + ½Σa·b.
   */
  affine: [number, number, number] = [0, 0, 0];
  /** Whether the network uploaded is a sigmoid one: it needs the SIGMOID pipelines, not the |z| ones. */
  sigmoid = false;
  /** The validated network in the buffer now; null when unknown (not validated, or a call failed). */
  private uploaded: Network | null = null;

  constructor(private readonly device: GPUDevice) {
    this.buffer = new GrowableBuffer(device, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST, 'units', 16 * 256);
  }

  /** Packs and writes `net`'s units; a no-op when `net` is the validated network uploaded last. */
  upload(net: Network): void {
    if (net === this.uploaded) return;
    const n = net.a.length;
    if (this.packed.length < 4 * n) this.packed = new Float32Array(4 * Math.max(256, n));
    const p = this.packed;
    const A = new Neumaier();
    const B = new Neumaier();
    const C = new Neumaier();
    C.add(net.c);
    const activation = activationOf(net);
    const sigmoid = activation === 'sigmoid';
    const { lin, abs } = sigmoid ? { lin: 0, abs: 1 } : absSplit(activation);
    const scale = 2 * abs;
    if (net.dim === 1) {
      for (let i = 0; i < n; i++) {
        p[4 * i] = net.w[i];
        p[4 * i + 1] = net.b[i];
        p[4 * i + 2] = scale * net.a[i];
        p[4 * i + 3] = 0;
        if (lin !== 0) {
          A.add(lin * net.a[i] * net.w[i]);
          C.add(lin * net.a[i] * net.b[i]);
        }
      }
    } else {
      for (let i = 0; i < n; i++) {
        p[4 * i] = net.w[2 * i];
        p[4 * i + 1] = net.w[2 * i + 1];
        p[4 * i + 2] = net.b[i];
        p[4 * i + 3] = scale * net.a[i];
        if (lin !== 0) {
          A.add(lin * net.a[i] * net.w[2 * i]);
          B.add(lin * net.a[i] * net.w[2 * i + 1]);
          C.add(lin * net.a[i] * net.b[i]);
        }
      }
    }
    this.affine = [A.value(), B.value(), C.value()];
    this.sigmoid = sigmoid;
    const bytes = 16 * n;
    const gpuBuffer = this.buffer.ensure(bytes);
    if (n > 0) this.device.queue.writeBuffer(gpuBuffer, 0, p.buffer, 0, bytes);
    // Linear units have no |z| part: the affine part is the whole sum.
    this.count = scale === 0 ? 0 : n;
    this.uploaded = isValidNetwork(net) ? net : null;
  }

  /** Forgets which network is uploaded, so the next upload writes it (after a failed call). */
  invalidate(): void {
    this.uploaded = null;
  }

  destroy(): void {
    this.uploaded = null;
    this.buffer.destroy();
  }
}
