/**
 * The eight-step tour. Each step is a state patch (so it is a live, editable scene: anything can be changed
 * from there) and a one-line caption; step 8 also shows small multiples of 2, 5, 10 and 100 units.
 */
import { interpolatePoints } from '../model/fit1d.ts';
import { TARGETS } from '../model/targets.ts';

export interface TourStep {
  title: string;
  caption: string;
  patch: () => Record<string, unknown>;
  /** Step 8: unit counts drawn side by side against the target. */
  multiples?: number[];
}

const noTarget = { target: false, terms: true, knots: true, error: false };
const withTarget = { target: true, terms: true, knots: true, error: false };

export const TOUR: readonly TourStep[] = [
  {
    title: 'A shifted ReLU',
    caption: 'ReLU(x − h) is the ReLU shifted h units to the right: here h = 0.5. Drag the knot mark along the x axis to move it.',
    patch: () => ({
      network: { dim: 1, w: [1], b: [-0.5], a: [1], c: 0 },
      view: { xMin: -2, xMax: 2, yMin: -0.5, yMax: 2 },
      show: noTarget,
      selected: 0,
    }),
  },
  {
    title: 'A neuron',
    caption: 'A neuron multiplies its input by a weight, adds its bias and applies ReLU: a·ReLU(w·x + b) is a shifted, scaled ReLU with its knot at −b/w.',
    patch: () => ({
      network: { dim: 1, w: [2], b: [-1], a: [0.75], c: 0 },
      view: { xMin: -2, xMax: 2, yMin: -0.5, yMax: 2.5 },
      show: noTarget,
      selected: 0,
    }),
  },
  {
    title: 'A weighted sum',
    caption: "The last hidden layer's output is a weighted sum of differently shifted ReLUs: the faint lines are the terms, the orange line their sum.",
    patch: () => ({
      network: { dim: 1, w: [1, 1, -1], b: [1, -0.5, -0.8], a: [0.6, -1.2, 0.8], c: 0.2 },
      view: { xMin: -2, xMax: 2, yMin: -1.5, yMax: 1.5 },
      show: noTarget,
      selected: -1,
    }),
  },
  {
    title: 'Two terms, one bend',
    caption: 'Two terms: the first is a straight line across the view, the second changes the slope at its knot, x = 0.3.',
    patch: () => ({
      network: { dim: 1, w: [1, 1], b: [2, -0.3], a: [0.5, -1.5], c: -0.5 },
      view: { xMin: -1.5, xMax: 1.5, yMin: -1.5, yMax: 1.5 },
      show: noTarget,
      selected: 1,
    }),
  },
  {
    title: 'More terms, more bends',
    caption: 'Each unit adds a bend at its knot: four units, three bends in view (the first unit is the starting slope).',
    patch: () => ({
      network: { dim: 1, w: [1, 1, 1, 1], b: [2, 0.8, -0.1, -0.9], a: [0.8, -1.6, 1.4, -1.2], c: -1 },
      view: { xMin: -1.5, xMax: 1.5, yMin: -1.5, yMax: 1.5 },
      show: noTarget,
      selected: -1,
    }),
  },
  {
    title: 'Any shape',
    caption: 'With enough units, each shifted and scaled, the sum takes any shape: 32 units interpolate sin(3x) + 0.3|x|. Move N in the panel.',
    patch: () => ({
      target: { kind: 'builtin', id: 'wiggle' },
      build: 'interpolate',
      units: 32,
      placement: 'uniform',
      show: withTarget,
      selected: -1,
    }),
  },
  {
    title: 'One unit per sample',
    caption: 'One unit per sample: the sum passes exactly through every one of these noisy samples (error 0 at each sample).',
    patch: () => {
      const noisy = TARGETS.find((t) => t.id === 'noisy')!.samples!;
      return {
        target: { kind: 'builtin', id: 'noisy' },
        network: interpolatePoints(noisy.xs, noisy.ys),
        view: { xMin: -2.2, xMax: 2.2, yMin: -1.2, yMax: 1.2 },
        show: { target: true, terms: false, knots: true, error: false },
        selected: -1,
      };
    },
  },
  {
    title: 'No true curvature',
    caption: 'ReLU never adds true curvature: the sum is piecewise linear, and only the army of units makes it look smooth — 2, 5, 10 and 100 units against sin.',
    patch: () => ({
      target: { kind: 'builtin', id: 'sin' },
      build: 'interpolate',
      units: 100,
      placement: 'uniform',
      show: { target: true, terms: false, knots: true, error: false },
      selected: -1,
    }),
    multiples: [2, 5, 10, 100],
  },
];
