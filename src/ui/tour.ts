/**
 * The tour: the 1D steps, then the 2D chapter. Each step is a state patch (so it is a live, editable scene:
 * anything can be changed from there) and a one-line caption; step 8 also shows small multiples of 3, 5, 10
 * and 100 units of the current target, the 2D bump step three least-squares fits side by side, and the last
 * step the region count against N. The neuron and weighted-sum steps point at the network diagram.
 */
import { interpolatePoints } from '../model/fit1d.ts';
import { TARGETS } from '../model/targets.ts';

export interface TourStep {
  title: string;
  /** The caption; a function of the current target's label where the step follows the target. */
  caption: string | ((targetLabel: string) => string);
  patch: () => Record<string, unknown>;
  /** Which of the article's figures the network diagram shows in this step (it is highlighted). */
  diagram?: 'neuron' | 'layer';
  /** Unit counts drawn side by side against the target (1D: interpolation; 2D: least squares). */
  multiples?: number[];
  /** The 2D chapter's last step: exact region counts of random arrangements against N. */
  regionGrowth?: number[];
}


/** The 2D chapter's look: regions coloured, creases drawn, the target hidden unless a step shows it. */
const look2d = (target: 'off' | 'wireframe') => ({ colour: 'regions', creases: true, exact: true, contours: false, target, camera: { azimuth: -30, elevation: 32, distance: 4.6, panX: 0, panY: 0 } });
const square = (h: number) => ({ xMin: -h, xMax: h, yMin: -h, yMax: h });

const noTarget = { target: false, terms: true, knots: true, error: false };
const withTarget = { target: true, terms: true, knots: true, error: false };
/** Every step sets ReLU (the sandbox's subject), so the linear control step does not linger after it. */
const relu = { activation: 'relu' };
/** Every 1D step names its mode, so the tour works from the 2D explorer too. */
const in1d = (patch: Record<string, unknown>) => ({ mode: '1d', ...relu, ...patch });
const in2d = (patch: Record<string, unknown>) => ({ mode: '2d', ...relu, ...patch });

/** Four units, three bends in view: steps 5 and the linear control use the same network. */
const FOUR_UNITS = { dim: 1, w: [1, 1, 1, 1], b: [2, 0.8, -0.1, -0.9], a: [0.8, -1.6, 1.4, -1.2], c: -1 };

/**
 * One unit per sample: the interpolant through the samples (one unit at each sample but the last) and one more
 * unit at the last sample that cancels the final slope, so that beyond the samples the sum stays flat as the data
 * target does. The sum then equals the data target everywhere, not only at the samples.
 */
function onePerSample(xs: number[], ys: number[]) {
  const net = interpolatePoints(xs, ys);
  const finalSlope = net.a.reduce((p, q) => p + q, 0);
  net.w.push(1);
  net.b.push(-xs[xs.length - 1]);
  net.a.push(-finalSlope);
  return net;
}

/** The control experiment: the same four units with linear activations. */
const LINEAR_STEP: TourStep = {
  title: 'Swap ReLU for a linear unit',
  caption:
    'Swap ReLU for a linear unit: the same four units as in step 5, but each term is now the straight line a·(w·x + b), and their sum stays a straight line however many units are added. The bends — and with them every other shape — come from ReLU.',
  patch: () => in1d({ activation: 'linear', network: FOUR_UNITS, view: { xMin: -1.5, xMax: 1.5, yMin: -1.5, yMax: 1.5 }, show: noTarget, selected: -1 }),
  diagram: 'layer',
};

export const TOUR: readonly TourStep[] = [
  {
    title: 'A shifted ReLU',
    caption: 'ReLU(x − h) is the ReLU shifted h units to the right: here h = 0.5. Drag the knot mark along the x axis to move it.',
    patch: () => in1d({
      network: { dim: 1, w: [1], b: [-0.5], a: [1], c: 0 },
      view: { xMin: -2, xMax: 2, yMin: -0.5, yMax: 2 },
      show: noTarget,
      selected: 0,
    }),
  },
  {
    title: 'A neuron',
    caption:
      'A neuron multiplies its input by a weight, adds its bias and applies ReLU; the output layer scales it: a·ReLU(w·x + b), a shifted, scaled ReLU with its knot at −b/w. The diagram shows the neuron: x × w + b → ReLU → × a.',
    patch: () => in1d({
      network: { dim: 1, w: [2], b: [-1], a: [0.75], c: 0 },
      view: { xMin: -2, xMax: 2, yMin: -0.5, yMax: 2.5 },
      show: noTarget,
      selected: 0,
    }),
    diagram: 'neuron',
  },
  {
    title: 'A weighted sum',
    caption:
      "The last hidden layer feeds the output a weighted sum of differently shifted ReLUs (the diagram: each unit's term, its weight a on the edge to Σ): the faint lines are the terms, the orange line their sum.",
    patch: () => in1d({
      network: { dim: 1, w: [1, 1, -1], b: [1, -0.5, -0.8], a: [0.6, -1.2, 0.8], c: 0.2 },
      view: { xMin: -2, xMax: 2, yMin: -1.5, yMax: 1.5 },
      show: noTarget,
      selected: -1,
    }),
    diagram: 'layer',
  },
  {
    title: 'Two terms, one bend',
    caption: 'Two terms: the first is a straight line across the view, the second changes the slope at its knot, x = 0.3.',
    patch: () => in1d({
      network: { dim: 1, w: [1, 1], b: [2, -0.3], a: [0.5, -1.5], c: -0.5 },
      view: { xMin: -1.5, xMax: 1.5, yMin: -1.5, yMax: 1.5 },
      show: noTarget,
      selected: 1,
    }),
  },
  {
    title: 'More terms, more bends',
    caption: 'Each unit adds a bend at its knot: four units, three bends in view (the first unit is the starting slope).',
    patch: () => in1d({
      network: FOUR_UNITS,
      view: { xMin: -1.5, xMax: 1.5, yMin: -1.5, yMax: 1.5 },
      show: noTarget,
      selected: -1,
    }),
  },
  {
    title: 'Any shape',
    caption: 'With enough units, each shifted and scaled, the sum takes any shape: 32 units interpolate sin(3x) + 0.3|x|. Move N in the panel.',
    patch: () => in1d({
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
    caption:
      'One unit per sample: 40 noisy samples, 40 units. The sum passes exactly through every sample, runs straight between them and stays flat beyond the last, as the data does: the max error reads 0 (below float64 rounding).',
    patch: () => {
      const noisy = TARGETS.find((t) => t.id === 'noisy')!.samples!;
      return in1d({
        target: { kind: 'builtin', id: 'noisy' },
        network: onePerSample(noisy.xs, noisy.ys),
        view: { xMin: -2.2, xMax: 2.2, yMin: -1.2, yMax: 1.2 },
        show: { target: true, terms: false, knots: true, error: false },
        selected: -1,
      });
    },
  },
  {
    title: 'No true curvature',
    caption: (target) =>
      `ReLU never adds true curvature: the sum is piecewise linear, and only the army of units makes it look smooth. Below: 3, 5, 10 and 100 units interpolating ${target}, with their bends in view and their errors (change the target and they follow).`,
    patch: () => in1d({
      target: { kind: 'builtin', id: 'sin' },
      build: 'interpolate',
      units: 100,
      placement: 'uniform',
      show: { target: true, terms: false, knots: true, error: false },
      selected: -1,
    }),
    multiples: [3, 5, 10, 100],
  },
  LINEAR_STEP,
  {
    title: 'Two inputs: a hinged plane',
    caption:
      'With two inputs a unit a·ReLU(w₁x + w₂y + b) is flat on one side of its line w₁x + w₂y + b = 0 and a tilted plane on the other: a hinged plane. Drag its line on the map to move it, its end handle to turn it; drag the surface to turn it round.',
    patch: () => in2d({
      network: { dim: 2, w: [1, 0.5], b: [0.2], a: [1], c: 0 },
      view2d: square(1),
      look: look2d('off'),
      selected: 0,
    }),
  },
  {
    title: 'Two planes, one crease each',
    caption: 'Two units: their lines cross and cut the square into 4 regions (one colour each); on each region the sum is one plane, and the planes meet along straight creases.',
    patch: () => in2d({
      network: { dim: 2, w: [1, 0, 0, 1], b: [0, 0], a: [0.8, 0.6], c: 0 },
      view2d: square(1),
      look: look2d('off'),
      selected: -1,
    }),
  },
  {
    title: 'A pyramid from four units',
    caption: 'Four units whose lines frame a square: the sum is flat on top and falls away on every side — a (flat-topped) pyramid of 9 planar facets.',
    patch: () => in2d({
      network: { dim: 2, w: [1, 0, -1, 0, 0, 1, 0, -1], b: [-0.4, -0.4, -0.4, -0.4], a: [-1, -1, -1, -1], c: 1 },
      view2d: square(1.5),
      look: look2d('off'),
      selected: -1,
    }),
  },
  {
    title: 'A bump from many planes',
    caption:
      'Random hinged planes with output weights by least squares approximate a Gaussian bump: 50, 500 and 2,000 units side by side with their errors. The facets shrink and the surface looks smooth, yet every piece is still flat.',
    patch: () => in2d({
      target: { kind: 'builtin', id: 'bump' },
      build: 'least-squares',
      units: 500,
      seed: 1,
      view2d: square(1),
      look: { ...look2d('wireframe'), colour: 'values', creases: false },
      selected: -1,
    }),
    multiples: [50, 500, 2000],
  },
  {
    title: 'Regions grow like N²',
    caption:
      'N lines in general position cut the plane into 1 + N + N(N − 1)/2 regions, so the number of flat pieces grows like N²: below, the exact count inside the square for random units, against N. The map colours each region of the 64-unit network here.',
    patch: () => in2d({
      target: { kind: 'builtin', id: 'bump' },
      build: 'least-squares',
      units: 64,
      seed: 1,
      view2d: square(1),
      look: look2d('off'),
      selected: -1,
    }),
    regionGrowth: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
  },
];

/** Index of the 2D chapter's first step (the panel's tour button opens it in the 2D mode). */
export const FIRST_2D_STEP = TOUR.findIndex((step) => step.patch().mode === '2d');
