/**
 * The numbers beside the plot: N, linear pieces, max and RMS error (also in the panel), the hover line,
 * the formula, and a calm summary for screen readers.
 */
import type { Network } from '../model/network.ts';
import { fmt, formulaLines } from '../ui/formula.ts';
import type { Panel } from '../ui/panel.ts';
import { el } from './dom.ts';

/** What the hover readout shows at one x. */
export interface HoverReadout {
  x: number;
  target: number;
  sum: number;
  error: number;
  active: number;
}

/** What the 2D hover readout shows at one point. */
export interface HoverReadout2D {
  x: number;
  y: number;
  value: number;
  target: number;
  error: number;
  /** The active units there (their count is the length). */
  active: number;
  /** The region's plane there: f = gx·x + gy·y + c. */
  plane: { gx: number; gy: number; c: number };
  /** The active units' indices (0-based), when known. */
  activeUnits?: number[];
}

/** " (#1, #4, #9, …)": the first active units, numbered as in the Units list. */
function activeList(units: number[] | undefined): string {
  if (!units || units.length === 0) return '';
  const shown = units.slice(0, 8).map((i) => `#${i + 1}`).join(', ');
  return ` (${shown}${units.length > 8 ? ', …' : ''})`;
}

const num = (v: number) => (Number.isFinite(v) ? v.toPrecision(3) : '—');

/** Errors below this are float64 rounding of values near 1 (an exact fit reads ~1e-15): shown as 0. */
export const ROUNDING_ERROR = 1e-12;

/** An error as the readouts show it: NaN (nothing to compare with) stays NaN, rounding noise becomes 0. */
export function shownError(v: number): number {
  return Number.isFinite(v) && Math.abs(v) < ROUNDING_ERROR ? 0 : v;
}

/** Sets an element's text unless it already reads so (a write, even of the same text, dirties the layout). */
function setText(e: HTMLElement, text: string): void {
  if (e.textContent !== text) e.textContent = text;
}

function setTitle(e: HTMLElement, text: string): void {
  if (e.title !== text) e.title = text;
}

/** Up to this many units the formula is written in the task that changed the network. */
const FORMULA_AT_ONCE_UP_TO = 4096;

export class Readouts {
  private readonly n = el('readout-n');
  private readonly pieces = el('readout-pieces');
  private readonly piecesLabel = el('readout-pieces-label');
  private readonly max = el('readout-max');
  private readonly rms = el('readout-rms');
  private readonly live = el('readout-live');
  private readonly hoverEl = el('hover-readout');
  private readonly symbolic = el('formula-symbolic');
  private readonly numeric = el('formula-numeric');
  private liveTimer = 0;
  /** Set once the panel exists; frames drawn before that (a device loss during boot) skip it. */
  panel: Panel | null = null;

  /** The network whose formula is shown (every store change asks; only a new network is written out again). */
  private formulaOf: Network | null = null;
  /**
   * Where a big network's formula is written: by default a task of its own; the app passes its frame controller's
   * `afterPicture`, so it comes after the picture of that network is on screen.
   */
  defer: (job: () => void) => void = (job) => setTimeout(job, 0);

  formula(net: Network): void {
    if (net === this.formulaOf) return;
    this.formulaOf = net;
    if (net.a.length <= FORMULA_AT_ONCE_UP_TO) return this.writeFormula(net);
    // A big network's formula (an O(N) scan of its units) is written later, not in the task that landed its fit;
    // a newer network supersedes it.
    this.defer(() => {
      if (this.formulaOf === net) this.writeFormula(net);
    });
  }

  private writeFormula(net: Network): void {
    const f = formulaLines(net);
    this.symbolic.textContent = f.symbolic;
    this.numeric.textContent = f.numeric;
  }

  /**
   * The frame's measurements; `pieceCount` null where pieces are not counted (2D). With the target hidden
   * (`targetShown` false) there is nothing on screen to compare with, so the errors read "—".
   */
  show(n: number, pieceCount: number | null, max: number, rms: number, targetShown = true): void {
    max = targetShown ? shownError(max) : NaN;
    rms = targetShown ? shownError(rms) : NaN;
    const why = targetShown ? "over the view, within the target's domain" : 'the target is hidden: tick Target to measure the error';
    // Written only where they change: each write makes the page lay out again before it paints.
    setTitle(this.max, why);
    setTitle(this.rms, why);
    setText(this.piecesLabel, 'Linear pieces in view');
    setText(this.n, String(n));
    setText(this.pieces, pieceCount === null ? '—' : String(pieceCount));
    setTitle(this.pieces.parentElement!, `${this.piecesLabel.textContent}: ${this.pieces.textContent}`);
    setText(this.max, num(max));
    setText(this.rms, num(rms));
    this.panel?.readouts(pieceCount, max, rms);
    // Screen readers get a calm summary, at most every 800 ms, rather than every frame.
    clearTimeout(this.liveTimer);
    this.liveTimer = window.setTimeout(() => {
      this.live.textContent =
        `${n} units, ${pieceCount ?? 'no'} linear pieces in view, ` +
        `max error ${Number.isFinite(max) ? max.toPrecision(3) : 'not available'}, RMS error ${Number.isFinite(rms) ? rms.toPrecision(3) : 'not available'}`;
    }, 800);
  }

  /**
   * The 2D frame's measurements: regions in view as counted on the grid and as computed exactly (null while
   * the exact count is running or unknown), and the errors over the window within the target's domain.
   */
  show2D(n: number, counted: number | null, exact: number | null, max: number, rms: number, regionsUndefined = false): void {
    this.piecesLabel.textContent = 'Regions in view (grid / exact)';
    this.n.textContent = String(n);
    const c = counted === null ? '—' : counted.toLocaleString('en-US');
    const x = exact === null ? '…' : exact.toLocaleString('en-US');
    // Sigmoid units have no creases: there are no linear regions to count.
    this.pieces.textContent = regionsUndefined ? 'not defined (sigmoid units)' : `${c} / ${x}`;
    // The count may be ellipsised in a narrow column (index.html): the whole of it on hover.
    this.pieces.parentElement!.title = `${this.piecesLabel.textContent}: ${this.pieces.textContent}`;
    this.max.textContent = num(max);
    this.rms.textContent = num(rms);
    this.panel?.readouts(null, max, rms);
    this.panel?.regions(counted, exact, regionsUndefined ? 'not defined (sigmoid)' : undefined);
    clearTimeout(this.liveTimer);
    this.liveTimer = window.setTimeout(() => {
      this.live.textContent =
        `${n} units, ${regionsUndefined ? 'no' : (exact ?? counted ?? 'unknown')} linear regions in view, ` +
        `max error ${Number.isFinite(max) ? max.toPrecision(3) : 'not available'}, RMS error ${Number.isFinite(rms) ? rms.toPrecision(3) : 'not available'}`;
    }, 800);
  }

  /** The 2D hover line at a point, or the prompt (null). */
  hover2D(r: HoverReadout2D | null): void {
    if (r === null) {
      this.hoverEl.textContent = 'Hover over the map to read values; click a unit’s line to select it.';
      return;
    }
    this.hoverEl.textContent =
      `(x, y) = (${fmt(r.x)}, ${fmt(r.y)}) · f ${fmt(r.value)} · target ${Number.isFinite(r.target) ? fmt(r.target) : 'undefined'} · ` +
      `error ${Number.isFinite(r.error) ? fmt(r.error) : '—'} · ${r.active} active unit${r.active === 1 ? '' : 's'}${activeList(r.activeUnits)} · ` +
      `region's plane ${fmt(r.plane.gx)}·x + ${fmt(r.plane.gy)}·y + ${fmt(r.plane.c)}`;
  }

  /** The hover line: a prompt when nothing is hovered, the values at x otherwise, empty for views without it. */
  hover(r: HoverReadout | null | 'none'): void {
    if (r === 'none') this.hoverEl.textContent = '';
    else if (r === null) this.hoverEl.textContent = 'Hover over the plot to read values.';
    else {
      this.hoverEl.textContent =
        `x = ${fmt(r.x)} · target ${Number.isFinite(r.target) ? fmt(r.target) : 'undefined'} · sum ${fmt(r.sum)} · ` +
        `error ${Number.isFinite(r.error) ? fmt(r.error) : '—'} · ${r.active} active unit${r.active === 1 ? '' : 's'}`;
    }
  }
}
