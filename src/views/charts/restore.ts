import type uPlot from 'uplot';

/**
 * A GPU-process crash clears GPU-backed 2D canvases (the browser fires `contextlost`, then `contextrestored` on a
 * blank canvas); uPlot only paints on new data, so the chart would stay empty until the next point. Returns the chart.
 */
export function redrawOnRestore(chart: uPlot): uPlot {
  // A restored context has lost the state uPlot set once (its pixel-ratio line widths): setting the size sets it up again.
  chart.ctx.canvas.addEventListener('contextrestored', () => {
    chart.setSize({ width: chart.width, height: chart.height });
  });
  return chart;
}
