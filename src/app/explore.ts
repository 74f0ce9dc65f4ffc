/**
 * Exploring N: the "Animate N" sweep, the error-against-N study (drawn with uPlot) and the tour, whose
 * steps are live states (any step can be left to explore from there) with small multiples on the last one.
 */
import type { AutoEvaluator } from '../engine/backend.ts';
import { countRegions } from '../model/arrangement2d.ts';
import { errorStats, errorVsN, logLogSlope, powersOfTwo, type Construction, type ErrorVsN } from '../model/errorStats.ts';
import { MAX_LS_UNITS_2D, randomHiddenUnits2D } from '../model/fit2d.ts';
import { gridXs } from '../model/grid.ts';
import type { Network } from '../model/network.ts';
import { evaluatePiecewise, piecewise1D, type PiecewiseLinear } from '../model/piecewise1d.ts';
import { type TargetSpec, sampleTarget } from '../model/targets.ts';
import { sampleTarget2D } from '../model/targets2d.ts';
import { defaultFitRunner, type FitRunner } from '../state/fitRunner.ts';
import { type AppState, type Store, type Target2DSpec, construct, target2DOf, targetOf } from '../state/state.ts';
import { fmt } from '../ui/formula.ts';
import { TOUR, type TourStep } from '../ui/tour.ts';
import type { ErrorChart } from '../views/charts/errorChart.ts';
import { regularityOf, summarizeErrors } from '../views/charts/errorSummary.ts';
import type { LogLogChart } from '../views/charts/logLogChart.ts';
import { Heatmap2D } from '../views/map2d/heatmap2d.ts';
import { Plot1D } from '../views/plot1d/plot1d.ts';
import { el, messageOf, type Say } from './dom.ts';
import { shownError } from './readouts.ts';

const ANIMATE_NS = [1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 15, 20, 25, 30, 40, 50, 60, 70, 80, 90, 100];

/** A step's caption for the state shown (steps that follow the target name it). */
export function captionOf(step: TourStep, s: AppState): string {
  if (typeof step.caption === 'string') return step.caption;
  return step.caption(s.mode === '1d' ? targetOf(s.target as TargetSpec).label : 'the target');
}

/**
 * Bends of a 1D sum inside (xMin, xMax): knots where the slope changes by more than `tol` (a slope change of
 * float noise, as interpolation leaves where the target's slopes agree, is no bend).
 */
export function bendsInView(p: PiecewiseLinear, xMin: number, xMax: number, tol: number): number {
  let n = 0;
  for (let j = 0; j < p.knots.length; j++) {
    if (p.knots[j] > xMin && p.knots[j] < xMax && Math.abs(p.slopes[j + 1] - p.slopes[j]) > tol) n++;
  }
  return n;
}

/** An error in a multiple's caption: two digits, 0 below float64 rounding. */
const errorText = (v: number) => (shownError(v) === 0 ? '0' : v.toPrecision(2));

function constructionOf(s: AppState): Construction {
  if (s.build === 'least-squares') return 'least-squares';
  return s.placement === 'curvature' ? 'interpolate-curvature' : 'interpolate-uniform';
}

export class ExploreController {
  private animateTimer = 0;
  private tourStep = -1;
  /** uPlot and the chart load with the first study, not with the page. */
  private chart: Promise<ErrorChart> | null = null;
  private readonly multiples = el('tour-multiples');
  /** The log-log charts of the 2D studies (uPlot loads with the first). */
  private logChart: Promise<LogLogChart> | null = null;
  private tourChart: Promise<LogLogChart> | null = null;
  /** 2D studies and multiples fit in a worker of their own, so the page and the store's fits go on. */
  private studyFits: FitRunner | null = null;
  /** Grows with each tour step shown (and each redraw of its multiples): superseded multiples stop drawing. */
  private tourToken = 0;
  /** The mode the open tour step was shown in (1D multiples follow the target; 2D ones are fixed fits). */
  private tourMode: AppState['mode'] = '1d';
  /** Set while a step's own patch is applied, so following the target does not redraw what the step draws. */
  private opening = false;
  private followTimer = 0;

  constructor(
    private readonly store: Store,
    private readonly evaluator: AutoEvaluator,
    private readonly say: Say,
    private readonly whenDrawn: () => Promise<void>,
    /** Stops live training (the tour and the N sweep take over the state). */
    private readonly stopTraining: () => void,
    private readonly onStatus: () => void,
  ) {
    el('tour-prev').addEventListener('click', () => this.openTour(this.tourStep - 1));
    el('tour-next').addEventListener('click', () => this.openTour(this.tourStep + 1));
    el('tour-close').addEventListener('click', () => this.openTour(-1));
    store.subscribe((s, previous) => this.followTarget(s, previous));
  }

  /**
   * While a 1D step with multiples is open, its caption and multiples follow the target, the placement and the
   * window (redrawn 150 ms after the last change, superseded drawings dropped).
   */
  private followTarget(s: AppState, previous: AppState): void {
    const step = TOUR[this.tourStep];
    if (this.opening || !step?.multiples || this.tourMode !== '1d') return;
    if (s.mode !== '1d') {
      this.multiples.hidden = true;
      return;
    }
    if (s.mode === previous.mode && s.target === previous.target && s.placement === previous.placement && s.view === previous.view) return;
    el('tour-caption').textContent = captionOf(step, s);
    clearTimeout(this.followTimer);
    const ns = step.multiples;
    this.followTimer = window.setTimeout(() => {
      this.drawMultiples(ns, ++this.tourToken).catch((e) => this.say(messageOf(e)));
    }, 150);
  }

  get animating(): boolean {
    return this.animateTimer !== 0;
  }

  stopAnimate(): void {
    clearInterval(this.animateTimer);
    this.animateTimer = 0;
  }

  /** Steps N through 1 … 100 every 450 ms with the current construction (paused while the tab is hidden); a second call stops it. */
  toggleAnimateN(): void {
    if (this.animating) {
      this.stopAnimate();
      this.onStatus();
      return;
    }
    this.stopTraining();
    let i = 0;
    const stepN = () => {
      // A hidden tab skips its ticks: the sweep waits at this N and goes on when the page is shown again.
      if (document.hidden) return;
      try {
        const s = this.store.state;
        this.store.set({ build: s.build === 'least-squares' || s.mode === '2d' ? 'least-squares' : 'interpolate', units: ANIMATE_NS[i] });
      } catch (e) {
        // Refused (a 2D network, say): once is enough to say why.
        this.say(messageOf(e));
        i = ANIMATE_NS.length;
      }
      i++;
      if (i >= ANIMATE_NS.length) {
        this.stopAnimate();
        this.onStatus();
      }
    };
    stepN();
    this.animateTimer = window.setInterval(stepN, 450);
    this.onStatus();
  }

  /** Fits a 2D least-squares network off the main thread (a worker of the explorer's own). */
  private fit2D(s: AppState, units: number, signal: AbortSignal): Promise<Network> {
    this.studyFits ??= defaultFitRunner();
    return this.studyFits.fit({ mode: '2d', target: s.target, units, placement: s.placement, ridge: s.ridge, seed: s.seed, build: 'least-squares' }, signal);
  }

  /** Max and RMS error of a 2D network against the target on a grid of its window (NaN target points left out). */
  private async errors2D(net: Network, s: AppState, side = 128): Promise<{ max: number; rms: number }> {
    const grid = { ...s.view2d, nx: side, ny: side };
    const values = await this.evaluator.evaluateGrid2D(net, grid);
    const target = sampleTarget2D(target2DOf(s.target as Target2DSpec), grid);
    const st = errorStats(values, target);
    return { max: st.max, rms: st.rms };
  }

  /**
   * The 2D error-against-N study: least squares with the state's seed and ridge for N = 4, 8, … up to the
   * least-squares limit, errors over the window on a 128² grid, drawn log-log with the fitted slopes.
   */
  private async errorChart2D(): Promise<ErrorVsN> {
    const s = this.store.state;
    el('error-section').hidden = false;
    const slope = el('error-slope');
    const ns = powersOfTwo(MAX_LS_UNITS_2D).filter((n) => n >= 4);
    const rms: number[] = [];
    const max: number[] = [];
    const gridSizes: number[] = [];
    const abort = new AbortController();
    for (const n of ns) {
      slope.textContent = `Computing… N = ${n.toLocaleString('en-US')} (least squares in a worker)`;
      const net = await this.fit2D(s, n, abort.signal);
      const e = await this.errors2D(net, s);
      rms.push(e.rms);
      max.push(e.max);
      gridSizes.push(128 * 128);
    }
    const slopeRms = logLogSlope(ns, rms);
    const slopeMax = logLogSlope(ns, max);
    const t = target2DOf(s.target as Target2DSpec);
    this.logChart ??= import('../views/charts/logLogChart.ts').then(({ LogLogChart }) => new LogLogChart(el('error-chart')));
    (await this.logChart).show(`Error vs N (2D): ${t.label}, random planes + least squares (seed ${s.seed})`, ns, [
      { label: 'RMS error', values: rms },
      { label: 'max error', values: max, dashed: true },
    ], 'error (log)');
    slope.textContent =
      `Fitted log-log slope: RMS ${fmt(slopeRms)}, max ${fmt(slopeMax)} over the window on a 128² grid. ` +
      `With N random planes the facets have about N² corners, but least squares weighs them together, so the error falls more slowly than in 1D.`;
    el('error-section').scrollIntoView({ block: 'nearest' });
    return { ns, rms, max, slopeRms, slopeMax, gridSizes } as unknown as ErrorVsN;
  }

  /** The error-against-N study of the current target and construction, drawn as a log-log chart. */
  async errorChart(): Promise<ErrorVsN> {
    if (this.store.state.mode === '2d') return this.errorChart2D();
    const s = this.store.state;
    el('error-section').hidden = false;
    el('error-slope').textContent = 'Computing…';
    await new Promise((r) => setTimeout(r, 20));
    const t = targetOf(s.target as TargetSpec);
    const construction = constructionOf(s);
    const study = errorVsN(t.f, t.domain, powersOfTwo(65_536), construction);
    const name = `${t.label}, ${construction}${s.build === 'custom' ? ' (the network is custom: its construction is shown)' : ''}`;
    // Captions fit the target: exact fits say so (no NaN slopes), and kinks and jumps are not called smooth.
    let scale = 0;
    for (const y of sampleTarget(t.f, t.domain, 4097).ys) if (Number.isFinite(y)) scale = Math.max(scale, Math.abs(y));
    const summary = summarizeErrors(study, regularityOf(t.f, t.domain), scale);
    this.chart ??= import('../views/charts/errorChart.ts').then(({ ErrorChart }) => new ErrorChart(el('error-chart')));
    (await this.chart).show(study, `Error vs N: ${name}`, summary.exact);
    el('error-slope').textContent = summary.caption;
    el('error-section').scrollIntoView({ block: 'nearest' });
    return study;
  }

  /**
   * The 1D multiples: the state's target interpolated with N units each (the state's placement), as small plots
   * captioned with their bends in view and their errors over the target's domain. A newer token stops the drawing.
   */
  private async drawMultiples(ns: number[], token: number): Promise<void> {
    const multiples = this.multiples;
    const s = this.store.state;
    const t = targetOf(s.target as TargetSpec);
    const dense = sampleTarget(t.f, t.domain, 4097);
    // A slope change counts as a bend above 1e-9 of the target's own slope scale (range over domain width).
    let lo = Infinity;
    let hi = -Infinity;
    for (const y of dense.ys) {
      lo = Math.min(lo, y);
      hi = Math.max(hi, y);
    }
    const scale = hi > lo ? (hi - lo) / (t.domain[1] - t.domain[0]) : 1;
    const figs: HTMLElement[] = [];
    for (let k = 0; k < ns.length; k++) {
      const fig = document.createElement('figure');
      fig.append(document.createElement('canvas'), document.createElement('figcaption'));
      figs.push(fig);
    }
    multiples.replaceChildren(...figs);
    multiples.hidden = false;
    multiples.dataset.target = t.label;
    for (let k = 0; k < ns.length; k++) {
      const n = ns[k];
      const small = new Plot1D(figs[k].querySelector('canvas')!);
      small.resize();
      const net = construct({ ...s, units: n }, 'interpolate');
      const grid = { xMin: s.view.xMin, xMax: s.view.xMax, nx: small.sampleCount };
      const sum = await this.evaluator.evaluateGrid1D(net, grid);
      if (token !== this.tourToken) return;
      const xs = gridXs(grid);
      small.draw({ view: s.view, show: { target: true, terms: false, knots: true, error: false }, xs, target: xs.map(t.f), sum, network: net, samples: t.samples, selected: -1, hoverX: null });
      const pieces = piecewise1D(net);
      const st = errorStats(evaluatePiecewise(pieces, dense.xs), dense.ys);
      const bends = bendsInView(pieces, s.view.xMin, s.view.xMax, 1e-9 * scale);
      figs[k].querySelector('figcaption')!.textContent =
        `N = ${n}: ${bends} bend${bends === 1 ? '' : 's'} in view · max error ${errorText(st.max)}, RMS ${errorText(st.rms)}`;
    }
  }

  /** The 2D multiples: least-squares fits of the state's target with N units each, as small maps with their errors. */
  private async drawMultiples2D(ns: number[], token: number): Promise<void> {
    const multiples = this.multiples;
    multiples.replaceChildren();
    multiples.hidden = false;
    const s = this.store.state;
    const abort = new AbortController();
    for (const n of ns) {
      const fig = document.createElement('figure');
      const c = document.createElement('canvas');
      const cap = document.createElement('figcaption');
      cap.textContent = `N = ${n.toLocaleString('en-US')}: fitting…`;
      fig.append(c, cap);
      multiples.append(fig);
    }
    const figs = [...multiples.children] as HTMLElement[];
    for (let k = 0; k < ns.length; k++) {
      if (token !== this.tourToken) return abort.abort();
      const net = await this.fit2D(s, ns[k], abort.signal);
      if (token !== this.tourToken) return;
      const canvas = figs[k].querySelector('canvas')!;
      const small = new Heatmap2D(canvas);
      small.resize();
      const side = 160;
      const grid = { ...s.view2d, nx: side, ny: side };
      small.draw({ view: s.view2d, nx: side, ny: side, values: await this.evaluator.evaluateGrid2D(net, grid) });
      const e = await this.errors2D(net, s);
      figs[k].querySelector('figcaption')!.textContent = `N = ${ns[k].toLocaleString('en-US')}: max error ${e.max.toPrecision(2)}, RMS ${e.rms.toPrecision(2)}`;
    }
  }

  /**
   * The region count against N: exact counts inside the window for the first N of the state's random hidden
   * units (the least-squares construction's lines), beside 1 + N + N(N − 1)/2 for lines in general position.
   */
  private async drawRegionGrowth(ns: number[], token: number): Promise<{ ns: number[]; exact: number[] }> {
    const s = this.store.state;
    const box = el('tour-chart');
    box.hidden = false;
    const all = randomHiddenUnits2D(Math.max(...ns), s.view2d, s.seed);
    const exact: number[] = [];
    for (const n of ns) {
      if (token !== this.tourToken) break;
      const net = { dim: 2 as const, w: Array.from(all.w.subarray(0, 2 * n)) as number[], b: Array.from(all.b.subarray(0, n)) as number[], a: new Array<number>(n).fill(1), c: 0 };
      exact.push(countRegions(net, s.view2d));
      // One count per task: the page stays responsive while the larger ones run.
      await new Promise((r) => setTimeout(r, 0));
    }
    const general = ns.map((n) => 1 + n + (n * (n - 1)) / 2);
    this.tourChart ??= import('../views/charts/logLogChart.ts').then(({ LogLogChart }) => new LogLogChart(box));
    (await this.tourChart).show(`Linear regions inside the window against N (slope ${fmt(logLogSlope(ns.slice(-4), exact.slice(-4)))} at the top)`, ns.slice(0, exact.length), [
      { label: 'exact count (random units)', values: exact },
      { label: '1 + N + N(N−1)/2 (all crossings inside)', values: general.slice(0, exact.length), dashed: true },
    ], 'regions (log)');
    return { ns, exact };
  }

  /** Opens tour step k from the page (buttons, panel): a refusal becomes a message. */
  openTour(k: number): void {
    this.showTour(k).catch((e) => this.say(messageOf(e)));
  }

  /** Opens tour step k (0-based), or closes the tour for k outside the steps. */
  async showTour(k: number): Promise<void> {
    const box = el('tour');
    this.multiples.hidden = true;
    el('tour-chart').hidden = true;
    clearTimeout(this.followTimer);
    const token = ++this.tourToken;
    const diagram = el('network-diagram');
    delete diagram.dataset.tour;
    if (k < 0 || k >= TOUR.length) {
      this.tourStep = -1;
      box.hidden = true;
      return;
    }
    this.tourStep = k;
    const step = TOUR[k];
    this.stopTraining();
    this.stopAnimate();
    this.onStatus();
    this.opening = true;
    try {
      this.store.set(step.patch());
    } finally {
      this.opening = false;
    }
    this.tourMode = this.store.state.mode;
    if (step.diagram) diagram.dataset.tour = step.diagram;
    box.hidden = false;
    box.scrollIntoView({ block: 'nearest' });
    el('tour-title').textContent = `Step ${k + 1} of ${TOUR.length}: ${step.title}`;
    el('tour-caption').textContent = captionOf(step, this.store.state);
    el<HTMLButtonElement>('tour-prev').disabled = k === 0;
    el<HTMLButtonElement>('tour-next').disabled = k === TOUR.length - 1;
    await this.whenDrawn();
    if (step.multiples) await (this.store.state.mode === '2d' ? this.drawMultiples2D(step.multiples, token) : this.drawMultiples(step.multiples, token));
    if (step.regionGrowth) await this.drawRegionGrowth(step.regionGrowth, token);
  }
}
