/** The shape of the application state (validation and defaults live in `schema.ts`). */
import type { KnotPlacement } from '../model/fit1d.ts';
import type { ValidNetwork } from '../model/network.ts';
import type { Activation } from '../model/activation.ts';
import type { TargetSpec } from '../model/targets.ts';
import type { Target2DSpec } from '../model/targets2d.ts';

/** Which explorer is shown: the 1D plot or the 2D surface and map. Each keeps its own settings. */
export type Mode = '1d' | '2d';

/** A target of either mode: 1D specs in the 1D mode, 2D specs (x, y → z) in the 2D mode. */
export type AnyTarget = TargetSpec | Target2DSpec;

/** A rectangle of the plane shown on screen. */
export interface ViewRange {
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
}

/**
 * How the network is made: `interpolate` and `least-squares` rebuild it from (target, units, placement,
 * ridge) whenever any of those change; `custom` keeps the network exactly as it is (built by hand, trained,
 * imported or set by a script).
 */
export type BuildMode = 'interpolate' | 'least-squares' | 'custom';

/** Which layers the plot draws (1D; in 2D `target` and `error` mean the same, the rest is in `Look2D`). */
export interface ShowFlags {
  target: boolean;
  /** Each unit's own term a_i·ReLU(w_i·x + b_i), faint. */
  terms: boolean;
  /** Knot marks on the x axis. */
  knots: boolean;
  /** The error f − target as a second trace. */
  error: boolean;
}

/** How the 2D explorer looks: what the map colours, which overlays it draws, and the surface's camera. */
export interface Look2D {
  /** The top-down map's colouring: the values, the error f − target, or one colour per linear region. */
  colour: 'values' | 'error' | 'regions';
  /** Each unit's zero line (its crease) on the map and the surface. */
  creases: boolean;
  /** Contour lines of the values on the map. */
  contours: boolean;
  /** The exact region outlines (arrangement of the lines, up to 1,000 units). */
  exact: boolean;
  /** The target on the surface: hidden, a wireframe or a translucent second surface. */
  target: 'off' | 'wireframe' | 'translucent';
  /** Side of the compute grid over the window (values, regions, target): 16 … 2048 samples per side. */
  grid: number;
  /** The orbit camera of the surface (angles in degrees; distance in scene units; pan in scene units). */
  camera: Camera3D;
}

/** An orbit camera around the centre of the 2D window. */
export interface Camera3D {
  azimuth: number;
  elevation: number;
  distance: number;
  panX: number;
  panY: number;
}

/** What each mode keeps for itself; the inactive mode's copy waits in `AppState.other`. */
export interface ModeSettings {
  mode: Mode;
  network: ValidNetwork;
  target: AnyTarget;
  units: number;
  build: BuildMode;
  placement: KnotPlacement;
  ridge: number;
  lr: number | 'auto';
  seed: number;
  show: ShowFlags;
  selected: number;
  activation: Activation;
}

export interface AppState {
  /** The explorer shown; the fields below up to `selected` are this mode's (the other's wait in `other`). */
  mode: Mode;
  network: ValidNetwork;
  target: AnyTarget;
  /** The unit count of the constructions (1 … 65,536). */
  units: number;
  build: BuildMode;
  /** Where the constructions put their knots. */
  placement: KnotPlacement;
  /** Ridge weight λ of the least-squares construction. */
  ridge: number;
  /** Adam's learning rate for training; 'auto' follows N (min(0.01, 0.5/N), see model/trainSetup.ts `defaultLr`). */
  lr: number | 'auto';
  /** Training: σ of the Gaussian noise added to the target's samples (seeded by `seed`; 0: none). */
  noise: number;
  /** Training: the fraction of the samples held out as a test set (seeded by `seed`; 0 … 0.9; 0: none). */
  holdout: number;
  /** Seed of the random hidden units (2D least squares) and of random initialisations. */
  seed: number;
  /** The 1D plot's window. */
  view: ViewRange;
  /** The window of the 2D explorer (its map, and the base of its surface). */
  view2d: ViewRange;
  /** How the 2D explorer looks. */
  look: Look2D;
  show: ShowFlags;
  /** The selected unit (inspector, keyboard, highlight), or −1 for none. */
  selected: number;
  /** The hidden units' activation; the network always carries the same one (ReLU unless the control experiment). */
  activation: Activation;
  /** The other mode's settings as it was left (null until it was visited): switching back restores them. */
  other: ModeSettings | null;
}

/** Everything a construction (a fit) depends on: a fit made from equal inputs builds the same network. */
export interface FitInputs {
  mode: Mode;
  target: AnyTarget;
  units: number;
  placement: KnotPlacement;
  ridge: number;
  seed: number;
  build: 'interpolate' | 'least-squares';
  /** The activation the construction builds with (absent: relu, for inputs made before activations existed). */
  activation?: Activation;
}
