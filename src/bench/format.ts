import type { BenchResult, BenchRow } from './runner.ts';

/** Engineering notation with SI prefixes: 1.23 G, 456 k. */
export function si(x: number, digits = 3): string {
  if (Number.isNaN(x)) return 'n/a';
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const units = ['', 'k', 'M', 'G', 'T', 'P'];
  let k = 0;
  let v = Math.abs(x);
  while (v >= 1000 && k < units.length - 1) {
    v /= 1000;
    k++;
  }
  return `${x < 0 ? '-' : ''}${v.toPrecision(digits)}${units[k] ? ' ' + units[k] : ''}`;
}

export function ms(x: number): string {
  if (x >= 100) return x.toFixed(0);
  if (x >= 1) return x.toFixed(2);
  return x.toPrecision(2);
}

function err(r: BenchRow): string {
  if (r.errorKind === 'mismatch') return `${(100 * r.error).toFixed(2)}% ids`;
  return r.error === 0 ? '0' : r.error.toExponential(1);
}

export const TABLE_COLUMNS = ['dim', 'method', 'N', 'grid', 'median ms', 'min ms', 'max ms', 'unit-evals/s', 'FLOP/s', '% peak', 'error', 'note'];

/** The rows as text columns (the CLI's table and the panel's). */
export function rowCells(r: BenchRow): string[] {
  return [
    `${r.dim}D`,
    r.method,
    String(r.n),
    r.grid,
    ms(r.medianMs),
    ms(r.minMs),
    ms(r.maxMs),
    si(r.unitEvalsPerS) + (r.exact ? '*' : ''),
    si(r.flopPerS) + (r.exact ? '*' : ''),
    r.peakPct === null ? '' : r.peakPct.toFixed(1) + (r.exact ? '*' : ''),
    err(r),
    r.note,
  ];
}

function pad(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  ').trimEnd()).join('\n');
}

/** A plain-text report: header lines, the timing table, skipped points, the accuracy table and notes. */
export function formatReport(res: BenchResult): string {
  const lines: string[] = [];
  lines.push(`Platform: ${res.platform}`);
  lines.push(`Adapter: ${res.adapter ? res.adapter.name : `none (${res.noGpuReason})`}`);
  if (res.peak) {
    lines.push(
      `FMA peak: ${si(res.peak.flops)}FLOP/s (${res.peak.form}; ${Object.entries(res.peak.byForm).map(([f, v]) => `${f} ${si(v)}`).join(', ')}; ` +
        `${res.peak.invocations} invocations × ${res.peak.trips} trips, ${res.peak.timing}; highest of ${res.peakSamples.length} measurement(s)` +
        (res.peakSamples.length > 1 ? `, lowest ${si(Math.min(...res.peakSamples))}FLOP/s)` : ')'),
    );
  }
  if (res.gpuTiming) lines.push(`GPU timing: ${res.gpuTiming}`);
  lines.push(`Duration: ${(res.durationMs / 1e3).toFixed(1)} s${res.cancelled ? ' (cancelled)' : ''}`);
  lines.push('');
  if (res.rows.length) {
    lines.push(pad([TABLE_COLUMNS, ...res.rows.map(rowCells)]));
    lines.push('* exact method: brute-force-equivalent rates (N·G / time), not arithmetic performed.');
  } else {
    lines.push('(no timing rows)');
  }
  if (res.skipped.length) {
    lines.push('');
    lines.push('Skipped:');
    for (const s of res.skipped) lines.push(`  ${s.dim}D ${s.method}${s.n !== null ? ` N=${s.n}` : ''}${s.grid ? ` grid ${s.grid}` : ''}: ${s.reason}`);
  }
  if (res.accuracy.length) {
    lines.push('');
    lines.push(`Accuracy vs N: ${res.accuracy[0].target}, ${res.accuracy[0].construction} (float64, CPU knot sweep)`);
    lines.push(
      pad([
        ['N', 'samples', 'max error', 'RMS error', 'eval ms'],
        ...res.accuracy.map((a) => [String(a.n), String(a.samples), a.maxErr.toExponential(2), a.rmsErr.toExponential(2), ms(a.evalMs)]),
      ]),
    );
  }
  if (res.notes.length) {
    lines.push('');
    for (const n of res.notes) lines.push(`- ${n}`);
  }
  return lines.join('\n');
}

export const CSV_COLUMNS = [
  'kind',
  'dim',
  'method',
  'backend',
  'n',
  'grid',
  'points',
  'measured_points',
  'median_ms',
  'min_ms',
  'max_ms',
  'repeats',
  'setup_ms',
  'unit_evals_per_s',
  'flop_per_unit_eval',
  'flop_per_s',
  'peak_pct',
  'error_kind',
  'error',
  'timing',
  'exact',
  'max_err',
  'rms_err',
  'adapter',
  'note',
] as const;

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * One CSV table: `kind` = timing rows (one per measurement) and accuracy rows (max_err, rms_err per N).
 * Metadata (adapter, peak, platform, config) is in results.json; the adapter is repeated per row here.
 */
export function toCSV(res: BenchResult): string {
  const adapter = res.adapter?.name ?? '';
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of res.rows) {
    const rec: Record<(typeof CSV_COLUMNS)[number], unknown> = {
      kind: 'timing',
      dim: r.dim,
      method: r.method,
      backend: r.backend,
      n: r.n,
      grid: r.grid,
      points: r.points,
      measured_points: r.measuredPoints,
      median_ms: r.medianMs,
      min_ms: r.minMs,
      max_ms: r.maxMs,
      repeats: r.repeats,
      setup_ms: r.setupMs,
      unit_evals_per_s: r.unitEvalsPerS,
      flop_per_unit_eval: r.flopPerUnitEval,
      flop_per_s: r.flopPerS,
      peak_pct: r.peakPct,
      error_kind: r.errorKind,
      error: r.error,
      timing: r.timing,
      exact: r.exact,
      max_err: null,
      rms_err: null,
      adapter: r.backend === 'gpu' ? adapter : 'CPU',
      note: r.note,
    };
    lines.push(CSV_COLUMNS.map((c) => csvCell(rec[c])).join(','));
  }
  for (const a of res.accuracy) {
    const rec: Partial<Record<(typeof CSV_COLUMNS)[number], unknown>> = {
      kind: 'accuracy',
      dim: 1,
      method: a.construction,
      backend: 'cpu',
      n: a.n,
      points: a.samples,
      median_ms: a.evalMs,
      max_err: a.maxErr,
      rms_err: a.rmsErr,
      adapter: 'CPU',
      note: `target ${a.target}`,
    };
    lines.push(CSV_COLUMNS.map((c) => csvCell(rec[c])).join(','));
  }
  return lines.join('\n') + '\n';
}
