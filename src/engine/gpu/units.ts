import type { Network } from '../../model/network.ts';
import { GrowableBuffer } from './buffers.ts';
import { Neumaier } from '../../model/piecewise1d.ts';

/**
 * The network's units on the GPU as one vec4<f32> per unit — 1D: (w, b, a, 0); 2D: (w1, w2, b, a) —
 * the layout eval1d, eval2d and regions2d read. Uploaded once per evaluation into a reused buffer.
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

  constructor(private readonly device: GPUDevice) {
    this.buffer = new GrowableBuffer(device, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST, 'units', 16 * 256);
  }

  upload(net: Network): void {
    const n = net.a.length;
    if (this.packed.length < 4 * n) this.packed = new Float32Array(4 * Math.max(256, n));
    const p = this.packed;
    const A = new Neumaier();
    const B = new Neumaier();
    const C = new Neumaier();
    C.add(net.c);
    if (net.dim === 1) {
      for (let i = 0; i < n; i++) {
        p[4 * i] = net.w[i];
        p[4 * i + 1] = net.b[i];
        p[4 * i + 2] = net.a[i];
        p[4 * i + 3] = 0;
        A.add(0.5 * net.a[i] * net.w[i]);
        C.add(0.5 * net.a[i] * net.b[i]);
      }
    } else {
      for (let i = 0; i < n; i++) {
        p[4 * i] = net.w[2 * i];
        p[4 * i + 1] = net.w[2 * i + 1];
        p[4 * i + 2] = net.b[i];
        p[4 * i + 3] = net.a[i];
        A.add(0.5 * net.a[i] * net.w[2 * i]);
        B.add(0.5 * net.a[i] * net.w[2 * i + 1]);
        C.add(0.5 * net.a[i] * net.b[i]);
      }
    }
    this.affine = [A.value(), B.value(), C.value()];
    const bytes = 16 * n;
    const gpuBuffer = this.buffer.ensure(bytes);
    if (n > 0) this.device.queue.writeBuffer(gpuBuffer, 0, p.buffer, 0, bytes);
    this.count = n;
  }

  destroy(): void {
    this.buffer.destroy();
  }
}
