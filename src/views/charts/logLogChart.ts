/**
 * A small log-log chart of one or more series against N (uPlot): the 2D region count and the 2D error study.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { PLOT_COLORS } from '../plot1d/plot1d.ts';
import { redrawOnRestore } from './restore.ts';

export interface LogLogSeries {
  label: string;
  values: number[];
  /** Drawn dashed (a reference curve, say). */
  dashed?: boolean;
}

const STROKES = [PLOT_COLORS.sum, PLOT_COLORS.error, '#495057'];

export class LogLogChart {
  private chart: uPlot | null = null;

  constructor(private readonly container: HTMLElement) {}

  /** Replaces the chart: `ns` on the x axis, each series on the y axis (non-positive values left out). */
  show(title: string, ns: number[], series: LogLogSeries[], yLabel: string): void {
    this.chart?.destroy();
    const pos = (v: number) => (v > 0 && Number.isFinite(v) ? v : null);
    const data: uPlot.AlignedData = [ns, ...series.map((s) => s.values.map(pos))];
    const width = Math.max(320, Math.min(720, this.container.clientWidth || 640));
    this.chart = redrawOnRestore(new uPlot(
      {
        title,
        width,
        height: 240,
        scales: { x: { distr: 3, time: false }, y: { distr: 3 } },
        axes: [
          { label: 'units N (log)' },
          { label: yLabel, size: 70, values: (_u, splits) => splits.map((v) => (v == null ? '' : v >= 0.01 && v <= 1e5 ? String(v) : v.toExponential(0))) },
        ],
        series: [
          { label: 'N' },
          ...series.map((s, i) => ({ label: s.label, stroke: STROKES[i % STROKES.length], width: 2, dash: s.dashed ? [6, 4] : undefined, points: { show: !s.dashed } })),
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
