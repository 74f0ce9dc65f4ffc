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
import { evaluateNetwork1D } from '../model/piecewise1d.ts';
import { type TargetSpec, sampleTarget } from '../model/targets.ts';
import { sampleTarget2D } from '../model/targets2d.ts';
import { defaultFitRunner, type FitRunner } from '../state/fitRunner.ts';
import { type AppState, type Store, type Target2DSpec, construct, target2DOf, targetOf } from '../state/state.ts';
import { fmt } from '../ui/formula.ts';
import { TOUR } from '../ui/tour.ts';
import type { ErrorChart } from '../views/charts/errorChart.ts';
import type { LogLogChart } from '../views/charts/logLogChart.ts';
import { Heatmap2D } from '../views/map2d/heatmap2d.ts';
import { Plot1D } from '../views/plot1d/plot1d.ts';
import { el, messageOf, type Say } from './dom.ts';

const ANIMATE_NS = [1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 15, 20, 25, 30, 40, 50, 60, 70, 80, 90, 100];

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
  /** Grows with each tour step shown: multiples of a step left behind stop drawing. */
  private tourToken = 0;

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
  }

  get animating(): boolean {
    return this.animateTimer !== 0;
  }

  stopAnimate(): void {
    clearInterval(this.animateTimer);
    this.animateTimer = 0;
  }

  /** Steps N through 1 … 100 every 450 ms with the current construction; a second call stops it. */
  toggleAnimateN(): void {
    if (this.animating) {
      this.stopAnimate();
      this.onStatus();
      return;
    }
    this.stopTraining();
    let i = 0;
    const stepN = () => {
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
    this.chart ??= import('../views/charts/errorChart.ts').then(({ ErrorChart }) => new ErrorChart(el('error-chart')));
    (await this.chart).show(study, `Error vs N: ${name}`);
    el('error-slope').textContent =
      `Fitted log-log slope: RMS ${fmt(study.slopeRms)}, max ${fmt(study.slopeMax)} ` +
      `(piecewise-linear interpolation of a smooth target gives about −2).`;
    return study;
  }

  private async drawMultiples(ns: number[]): Promise<void> {
    const multiples = this.multiples;
    multiples.replaceChildren();
    multiples.hidden = false;
    const s = this.store.state;
    const t = targetOf(s.target as TargetSpec);
    for (const n of ns) {
      const fig = document.createElement('figure');
      const c = document.createElement('canvas');
      const cap = document.createElement('figcaption');
      fig.append(c, cap);
      multiples.append(fig);
      const small = new Plot1D(c);
      small.resize();
      const net = construct({ ...s, units: n }, 'interpolate');
      const grid = { xMin: s.view.xMin, xMax: s.view.xMax, nx: small.sampleCount };
      const sum = await this.evaluator.evaluateGrid1D(net, grid);
      const xs = gridXs(grid);
      small.draw({ view: s.view, show: { target: true, terms: false, knots: true, error: false }, xs, target: xs.map(t.f), sum, network: net, selected: -1, hoverX: null });
      const dense = sampleTarget(t.f, t.domain, 4097);
      const st = errorStats(evaluateNetwork1D(net, dense.xs), dense.ys);
      cap.textContent = `N = ${n}: max error ${st.max.toPrecision(2)}, RMS ${st.rms.toPrecision(2)}`;
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
    const token = ++this.tourToken;
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
    this.store.set(step.patch());
    box.hidden = false;
    box.scrollIntoView({ block: 'nearest' });
    el('tour-title').textContent = `Step ${k + 1} of ${TOUR.length}: ${step.title}`;
    el('tour-caption').textContent = step.caption;
    el<HTMLButtonElement>('tour-prev').disabled = k === 0;
    el<HTMLButtonElement>('tour-next').disabled = k === TOUR.length - 1;
    await this.whenDrawn();
    if (step.multiples) await (this.store.state.mode === '2d' ? this.drawMultiples2D(step.multiples, token) : this.drawMultiples(step.multiples));
    if (step.regionGrowth) await this.drawRegionGrowth(step.regionGrowth, token);
  }
}
