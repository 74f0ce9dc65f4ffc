/**
 * The error-against-N chart: RMS and max error of a construction for N = 1 … 65,536 on log-log axes
 * (uPlot), with the fitted slopes in the title.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ErrorVsN } from '../../model/errorStats.ts';
import { PLOT_COLORS } from '../plot1d/plot1d.ts';
import { redrawOnRestore } from './restore.ts';

export class ErrorChart {
  private chart: uPlot | null = null;

  constructor(private readonly container: HTMLElement) {}

  /** Replaces the chart with a new study; `exact` marks the N whose fit is exact (left off the log axis). */
  show(study: ErrorVsN, title: string, exact: boolean[] = []): void {
    this.chart?.destroy();
    // Zero and rounding-level errors (exact fits) have no place on a log axis: leave those points out.
    const pos = (v: number, i: number) => (v > 0 && Number.isFinite(v) && !exact[i] ? v : null);
    const data: uPlot.AlignedData = [study.ns, study.rms.map(pos), study.max.map(pos)];
    const width = Math.max(320, Math.min(720, this.container.clientWidth || 640));
    this.chart = redrawOnRestore(new uPlot(
      {
        title,
        width,
        height: 260,
        scales: { x: { distr: 3, time: false }, y: { distr: 3 } },
        axes: [
          { label: 'units N (log)' },
          // uPlot's default labels round small errors to 0: use powers of ten.
          { label: 'error (log)', size: 70, values: (_u, splits) => splits.map((v) => (v == null ? '' : v >= 0.01 && v <= 100 ? String(v) : v.toExponential(0))) },
        ],
        series: [
          { label: 'N' },
          { label: 'RMS error', stroke: PLOT_COLORS.sum, width: 2, points: { show: true } },
          { label: 'max error', stroke: PLOT_COLORS.error, width: 2, dash: [6, 4], points: { show: true } },
        ],
      },
      data,
      this.container,
    ));
  }

  destroy(): void {
    this.chart?.destroy();
    this.chart = null;
  }
}
