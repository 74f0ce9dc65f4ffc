/**
 * The live loss-over-time chart of training (uPlot): the training loss and, with a held-out set, the test
 * loss against the step, on a log y axis. Redraws at most once per animation frame however often it is fed.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { PLOT_COLORS } from '../plot1d/plot1d.ts';
import { redrawOnRestore } from './restore.ts';

/** Colours of the two curves (tests look for them on the canvas). */
export const LOSS_COLORS = { train: PLOT_COLORS.sum, test: PLOT_COLORS.error } as const;

/** One curve per loss, sampled at the same steps (null: no value at that step). */
export interface LossSeries {
  steps: readonly number[];
  train: ReadonlyArray<number>;
  test: ReadonlyArray<number | null>;
}

const HEIGHT = 150;

export class LossChart {
  private chart: uPlot | null = null;
  private pending: LossSeries | null = null;
  private frame = 0;
  private width = 0;

  constructor(private readonly container: HTMLElement) {}

  /** Shows these curves (on the next animation frame); an empty series clears the chart. */
  update(series: LossSeries): void {
    this.pending = series;
    if (!this.frame) this.frame = requestAnimationFrame(() => this.draw());
  }

  /** Number of points drawn last (for tests and readouts). */
  get points(): number {
    return this.chart ? this.chart.data[0].length : 0;
  }

  private draw(): void {
    this.frame = 0;
    const s = this.pending;
    this.pending = null;
    if (!s) return;
    // Zero or non-finite losses have no place on a log axis.
    const pos = (v: number | null) => (v !== null && v > 0 && Number.isFinite(v) ? v : null);
    const data: uPlot.AlignedData = [s.steps.slice(), s.train.map(pos), s.test.map(pos)];
    const hasTest = s.test.some((v) => v !== null);
    const width = Math.max(180, Math.floor(this.container.clientWidth || 240));
    if (!this.chart || width !== this.width) {
      this.chart?.destroy();
      this.width = width;
      this.chart = redrawOnRestore(new uPlot(
        {
          width,
          height: HEIGHT,
          legend: { show: true, live: false },
          cursor: { show: false },
          scales: { x: { time: false }, y: { distr: 3 } },
          axes: [
            { size: 28, font: '10px sans-serif', values: (_u, splits) => splits.map((v) => (v == null ? '' : String(v))) },
            { size: 44, font: '10px sans-serif', values: (_u, splits) => splits.map((v) => (v == null ? '' : v.toExponential(0))) },
          ],
          series: [
            { label: 'step' },
            { label: 'train', stroke: LOSS_COLORS.train, width: 2, points: { show: false } },
            { label: 'test', stroke: LOSS_COLORS.test, width: 2, points: { show: false } },
          ],
        },
        data,
        this.container,
      ));
    } else {
      this.chart.setData(data);
    }
    this.chart.setSeries(2, { show: hasTest });
  }

  destroy(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.chart?.destroy();
    this.chart = null;
  }
}
