/**
 * Exploring N: the "Animate N" sweep, the error-against-N study (drawn with uPlot) and the tour, whose
 * steps are live states (any step can be left to explore from there) with small multiples on the last one.
 */
import type { AutoEvaluator } from '../engine/backend.ts';
import { errorStats, errorVsN, powersOfTwo, type Construction, type ErrorVsN } from '../model/errorStats.ts';
import { gridXs } from '../model/grid.ts';
import { evaluatePiecewise, piecewise1D } from '../model/piecewise1d.ts';
import { sampleTarget } from '../model/targets.ts';
import { type AppState, type Store, construct, targetOf } from '../state/state.ts';
import { fmt } from '../ui/formula.ts';
import { TOUR } from '../ui/tour.ts';
import type { ErrorChart } from '../views/charts/errorChart.ts';
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
        this.store.set({ build: this.store.state.build === 'least-squares' ? 'least-squares' : 'interpolate', units: ANIMATE_NS[i] });
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

  /** The error-against-N study of the current target and construction, drawn as a log-log chart. */
  async errorChart(): Promise<ErrorVsN> {
    const s = this.store.state;
    el('error-section').hidden = false;
    el('error-slope').textContent = 'Computing…';
    await new Promise((r) => setTimeout(r, 20));
    const t = targetOf(s.target);
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
    const t = targetOf(s.target);
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
      const st = errorStats(evaluatePiecewise(piecewise1D(net), dense.xs), dense.ys);
      cap.textContent = `N = ${n}: max error ${st.max.toPrecision(2)}, RMS ${st.rms.toPrecision(2)}`;
    }
  }

  /** Opens tour step k from the page (buttons, panel): a refusal becomes a message. */
  openTour(k: number): void {
    this.showTour(k).catch((e) => this.say(messageOf(e)));
  }

  /** Opens tour step k (0-based), or closes the tour for k outside the steps. */
  async showTour(k: number): Promise<void> {
    const box = el('tour');
    this.multiples.hidden = true;
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
    if (step.multiples) await this.drawMultiples(step.multiples);
  }
}
