/**
 * The hidden units' activation φ: f(x) = c + Σ_i a_i·φ(w_i·x + b_i). ReLU is the sandbox's subject; the others are
 * the article's control experiment: leaky ReLU (slope 0.01 left of the knot), linear (no bend at all: the sum is
 * affine whatever N is) and the sigmoid of Nielsen's universality proof, σ(z) = 1/(1 + e^(−z)).
 *
 * The piecewise-linear ones (relu, leaky-relu, linear) are φ(z) = α·z + (1 − α)·max(0, z) with α the slope left of
 * the knot (0, 0.01, 1), which is what lets every exact method (knot sweeps, piecewise forms, regions) and the
 * GPU's |z| kernels serve them: see `plSlope` and `absSplit`.
 */

/** The activations a network may use; absent in a network means 'relu'. */
export type Activation = 'relu' | 'leaky-relu' | 'linear' | 'sigmoid';

/** Every activation, in the panel's order. */
export const ACTIVATIONS: readonly Activation[] = ['relu', 'leaky-relu', 'linear', 'sigmoid'];

/** Leaky ReLU's slope left of the knot. */
export const LEAKY_SLOPE = 0.01;

/** Human names for the panel and messages. */
export const ACTIVATION_LABELS: Readonly<Record<Activation, string>> = {
  relu: 'ReLU',
  'leaky-relu': 'Leaky ReLU (0.01)',
  linear: 'Linear (none)',
  sigmoid: 'Sigmoid σ',
};

/** True for an activation name. */
export function isActivation(x: unknown): x is Activation {
  return typeof x === 'string' && (ACTIVATIONS as readonly string[]).includes(x);
}

/** True for the piecewise-linear activations, which the exact methods serve. */
export function isPiecewiseLinear(act: Activation): boolean {
  return act !== 'sigmoid';
}

/** A network's activation (absent = relu). */
export function activationOf(net: { activation?: Activation }): Activation {
  return net.activation ?? 'relu';
}

/**
 * The slope α left of the knot of a piecewise-linear activation (φ(z) = α·z for z ≤ 0, z for z > 0);
 * throws for sigmoid, which has no knot.
 */
export function plSlope(act: Activation): number {
  switch (act) {
    case 'relu':
      return 0;
    case 'leaky-relu':
      return LEAKY_SLOPE;
    case 'linear':
      return 1;
    case 'sigmoid':
      throw new Error('sigmoid is not piecewise linear');
  }
}

/** The logistic sigmoid, written so that neither side overflows. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** φ(z). */
export function act(activation: Activation, z: number): number {
  switch (activation) {
    case 'relu':
      return z > 0 ? z : 0;
    case 'leaky-relu':
      return z > 0 ? z : LEAKY_SLOPE * z;
    case 'linear':
      return z;
    case 'sigmoid':
      return sigmoid(z);
  }
}

/** φ'(z); at a knot (z = 0) the left slope, as ReLU'(0) = 0 in the trainers. */
export function actDeriv(activation: Activation, z: number): number {
  switch (activation) {
    case 'relu':
      return z > 0 ? 1 : 0;
    case 'leaky-relu':
      return z > 0 ? 1 : LEAKY_SLOPE;
    case 'linear':
      return 1;
    case 'sigmoid': {
      const s = sigmoid(z);
      return s * (1 - s);
    }
  }
}

/**
 * The split the GPU's value kernels use: φ(z) = lin·z + abs·|z| for the piecewise-linear activations
 * (max(0, z) = (z + |z|)/2, so lin = (1 + α)/2 and abs = (1 − α)/2); the kernels sum abs·a·|z| and the host adds
 * the affine part lin·Σ a·(w·x + b) in float64. Throws for sigmoid.
 */
export function absSplit(activation: Activation): { lin: number; abs: number } {
  const alpha = plSlope(activation);
  return { lin: (1 + alpha) / 2, abs: (1 - alpha) / 2 };
}
