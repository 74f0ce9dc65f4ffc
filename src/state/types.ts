/** The shape of the application state (validation and defaults live in `schema.ts`). */
import type { KnotPlacement } from '../model/fit1d.ts';
import type { ValidNetwork } from '../model/network.ts';
import type { TargetSpec } from '../model/targets.ts';

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

/** Which layers the 1D plot draws. */
export interface ShowFlags {
  target: boolean;
  /** Each unit's own term a_i·ReLU(w_i·x + b_i), faint. */
  terms: boolean;
  /** Knot marks on the x axis. */
  knots: boolean;
  /** The error f − target as a second trace. */
  error: boolean;
}

export interface AppState {
  network: ValidNetwork;
  target: TargetSpec;
  /** The unit count of the constructions (1 … 65,536). */
  units: number;
  build: BuildMode;
  /** Where the constructions put their knots. */
  placement: KnotPlacement;
  /** Ridge weight λ of the least-squares construction. */
  ridge: number;
  /** Adam's learning rate for training. */
  lr: number;
  /** The 1D plot's window. */
  view: ViewRange;
  /** The window of the 2D heat map (shown when the network is 2D). */
  view2d: ViewRange;
  show: ShowFlags;
  /** The selected unit (inspector, keyboard, highlight), or −1 for none. */
  selected: number;
}

/** Everything a construction (a fit) depends on: a fit made from equal inputs builds the same network. */
export interface FitInputs {
  target: TargetSpec;
  units: number;
  placement: KnotPlacement;
  ridge: number;
  build: 'interpolate' | 'least-squares';
}
