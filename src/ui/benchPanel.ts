/**
 * The app's Benchmark panel: run/cancel, a progress bar, the results table as rows arrive, log-log charts
 * (uPlot) of time and accuracy against N, and CSV/JSON downloads with the adapter and browser. It drives the
 * same runner as `npm run bench` (src/bench/runner.ts) on the app's GPU device.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { type AccuracyTarget, type AdapterDescription, type BenchEnv, type BenchConfig, type BenchResult, type BenchRow, SIN_TARGET, defaultConfig, quickConfig, runBenchmark } from '../bench/runner.ts';
import { METHODS } from '../bench/methods.ts';
import { TABLE_COLUMNS, formatReport, rowCells, toCSV } from '../bench/format.ts';
import { CliError, parseSizes } from '../bench/cli.ts';
import { type Calibration2D, type CalibrationTableRow, formatMs } from '../engine/calibrate2d.ts';
import { PEER_EVAL_COLUMNS, PEER_TRAIN_COLUMNS, PEER_TIMING_NOTE, type PeerHandle, type PeersResult, formatPeers, peerConfig, peerEvalCells, peerTrainCells, peersToCSV, runPeers } from '../bench/peers.ts';

export interface BenchPanelDeps {
  /** The GPU device the app runs on, or null on the CPU fallback (GPU methods are then skipped, and say why). */
  getDevice: () => GPUDevice | null;
  /** The backend line the app shows ("WebGPU — adapter" or "CPU fallback — why"). */
  getBackendLabel: () => string;
  /** The 2D kernel the app's GPU evaluator uses, so the benchmark times the same one; null to derive it from the adapter. */
  getKernel2D?: () => BenchEnv['kernel2D'] | null;
  /** The target of the accuracy study; sin on [−π, π] when absent or null. */
  getTargetForAccuracy?: () => AccuracyTarget | null;
  /** The 2D method calibration (resolves once known), shown as a table under the results; absent: no table. */
  getCalibration?: () => Promise<CalibrationView>;
}

/** What the panel shows of the 2D method calibration (see src/engine/calibrate2d.ts). */
export interface CalibrationView {
  state: string;
  candidates: Array<{ id: string; label: string; detail: string }>;
  calibration: Calibration2D | null;
  table: CalibrationTableRow[];
  error?: string;
}

/** The calibration as a table: one row per output and size class, one column per candidate, the pick marked. */
export function calibrationTable(view: CalibrationView): { caption: string; head: string[]; rows: Array<{ cells: string[]; pick: number }> } {
  const ids = view.candidates.map((c) => c.id).filter((id) => view.table.some((r) => id in r.times));
  const cal = view.calibration;
  const how = view.state === 'cached' ? 'read from this adapter’s cache (measured ' + (cal?.measuredAt ?? '?') + ')' : view.state === 'measured' ? 'measured at startup' : view.state;
  const caption = cal
    ? `2D methods on ${cal.adapter}: ${how}, ${cal.samples.length} timings in ${formatMs(cal.durationMs)}; predicted ms per grid, the pick in bold.`
    : view.state === 'cpu-only'
      ? '2D method calibration: not needed without WebGPU (the CPU computes every grid).'
      : `2D method calibration: ${view.state}${view.error ? ` (${view.error})` : ''}.`;
  const head = ['output', 'N', 'grid', ...ids.map((id) => view.candidates.find((c) => c.id === id)?.label ?? id), 'pick'];
  const rows = view.table.map((r) => ({
    cells: [r.output, r.n.toLocaleString('en-US'), `${r.side}²`, ...ids.map((id) => (id in r.times ? formatMs(r.times[id]) : '–')), view.candidates.find((c) => c.id === r.pick)?.label ?? r.pick],
    pick: 3 + ids.indexOf(r.pick),
  }));
  return { caption, head, rows };
}

/** What the panel exposes, for the app and for tests. */
export interface BenchPanel {
  readonly element: HTMLElement;
  /** Runs with the panel's current settings; resolves with the result (also kept for the downloads). */
  run(): Promise<BenchResult | null>;
  cancel(): void;
  readonly result: BenchResult | null;
  /** The TensorFlow.js comparison of the last run ("Compare with TensorFlow.js"), or null. */
  readonly peers: PeersResult | null;
  destroy(): void;
}

const STYLE = `
.bench-panel { font: 13px system-ui, sans-serif; display: grid; gap: 8px; }
.bench-panel fieldset { border: 1px solid #8884; padding: 6px 8px; display: flex; flex-wrap: wrap; gap: 6px 14px; align-items: center; }
.bench-panel label { white-space: nowrap; }
.bench-panel input[type=text] { width: 9em; }
.bench-panel input[type=number] { width: 4em; }
.bench-panel progress { width: 100%; height: 10px; }
.bench-panel .bench-status { min-height: 1.3em; }
.bench-panel .bench-error { color: #c0392b; }
.bench-panel .bench-table-wrap { max-height: 320px; overflow: auto; border: 1px solid #8884; }
.bench-panel .bench-footnote { font-size: 0.8rem; color: #495057; margin: 0.3rem 0; }
.bench-panel table { border-collapse: collapse; font: 12px ui-monospace, monospace; }
.bench-panel th, .bench-panel td { padding: 2px 6px; text-align: right; border-bottom: 1px solid #8882; white-space: nowrap; }
.bench-panel th { position: sticky; top: 0; background: Canvas; }
.bench-panel td:nth-child(2), .bench-panel td:last-child { text-align: left; }
.bench-panel .bench-charts { display: flex; flex-wrap: wrap; gap: 8px; }
.bench-panel td.bench-pick { font-weight: bold; }
.bench-panel .bench-calibration-wrap { max-height: 320px; overflow: auto; border: 1px solid #8884; }
`;

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22'];

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
}

function describeDevice(device: GPUDevice | null, label: string): AdapterDescription | null {
  if (!device) return null;
  // GPUDevice.adapterInfo is recent; older browsers only have the app's label.
  const info = (device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
  return {
    name: label.replace(/^WebGPU — /, '') || 'WebGPU adapter',
    vendor: info?.vendor,
    architecture: info?.architecture,
    device: info?.device,
    description: info?.description,
    features: [...device.features].map(String).sort(),
  };
}

/** What the * on an exact method's % peak means (the table's footnote and its cells' tooltip). */
export const PEAK_NOTE =
  'exact methods (knot sweeps) do far less arithmetic than brute force: their FLOP/s and % peak are brute-force-equivalent rates (N·G evaluations / time), so they can exceed 100% of the FMA peak.';

/** Log-axis tick labels that stay readable down to 1e-12 (uPlot's default rounds small ones to 0). */
function logTicks(_u: uPlot, splits: number[]): string[] {
  return splits.map((v) => (v == null ? '' : v >= 0.01 && v < 1e5 ? String(+v.toPrecision(3)) : v.toExponential(0)));
}

function saveFile(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * Builds the panel inside `parent`. Nothing runs until the user presses Run (or `run()` is called).
 */
export function mountBenchmarkPanel(parent: HTMLElement, deps: BenchPanelDeps): BenchPanel {
  if (!document.getElementById('bench-panel-style')) {
    document.head.append(el('style', { id: 'bench-panel-style', textContent: STYLE }));
  }
  const root = el('section', { className: 'bench-panel' });
  root.setAttribute('aria-label', 'Benchmark');

  const preset = el('select', {}, el('option', { value: 'quick', textContent: 'quick (seconds)' }), el('option', { value: 'default', textContent: 'full sweep (≈ 1–2 min)' }));
  const dim1 = el('input', { type: 'checkbox', checked: true });
  const dim2 = el('input', { type: 'checkbox', checked: true });
  const sizes = el('input', { type: 'text', value: '1,64,1024', title: 'unit counts: a comma list and/or ranges of powers of two, e.g. 1..65536' });
  const repeats = el('input', { type: 'number', min: '1', max: '100', value: '2' });
  // TF.js loads only when this is ticked and a run starts (its own chunk): WebGPU backend on the page's device, else CPU.
  const peersBox = el('input', { type: 'checkbox', checked: false, title: 'also run TensorFlow.js (WebGPU backend on this page\'s GPU device, CPU backend without WebGPU) on the same networks and grids, and an Adam step; shows times and ratios' });
  const peerTrain = el('input', { type: 'text', value: '4096', title: 'unit counts N of the Adam-step comparison (4096 samples each); empty: none' });
  const methodBoxes = new Map<string, HTMLInputElement>();
  const methodField = el('fieldset', {}, el('legend', { textContent: 'Methods' }));
  for (const id of [...new Set(METHODS.map((m) => m.id))]) {
    const box = el('input', { type: 'checkbox', checked: !id.startsWith('gpu-v') });
    methodBoxes.set(id, box);
    methodField.append(el('label', {}, box, ` ${id}`));
  }
  preset.addEventListener('change', () => {
    const c = preset.value === 'quick' ? quickConfig() : defaultConfig();
    sizes.value = c.sizes.length === 17 ? '1..65536' : c.sizes.join(',');
    repeats.value = String(c.repeats);
  });

  const runBtn = el('button', { type: 'button', textContent: 'Run benchmark' });
  const cancelBtn = el('button', { type: 'button', textContent: 'Cancel', disabled: true });
  const csvBtn = el('button', { type: 'button', textContent: 'Download CSV', disabled: true });
  const jsonBtn = el('button', { type: 'button', textContent: 'Download JSON', disabled: true });
  const bar = el('progress', { max: 1, value: 0 });
  const status = el('div', { className: 'bench-status', textContent: 'Measures evaluation cost and accuracy against the unit count N on this device. Leave the page alone while it runs.' });
  const headRow = el('tr');
  for (const c of TABLE_COLUMNS) headRow.append(el('th', { textContent: c, title: c === '% peak' ? PEAK_NOTE : '' }));
  const tbody = el('tbody');
  const tableWrap = el('div', { className: 'bench-table-wrap' }, el('table', {}, el('thead', {}, headRow), tbody));
  const footnote = el('p', { className: 'bench-footnote', textContent: `* ${PEAK_NOTE}` });
  const peerWrap = el('div', { className: 'bench-peers', hidden: true });
  const peerCsvBtn = el('button', { type: 'button', textContent: 'Download TF.js CSV', disabled: true });
  const charts = el('div', { className: 'bench-charts' });
  const timeChartBox = el('div');
  const accChartBox = el('div');
  charts.append(timeChartBox, accChartBox);

  const calibrationBox = el('div', { className: 'bench-calibration' });
  const showCalibration = (view: CalibrationView) => {
    const t = calibrationTable(view);
    const head = el('tr');
    for (const h of t.head) head.append(el('th', { textContent: h }));
    const body = el('tbody');
    for (const r of t.rows) {
      const tr = el('tr');
      r.cells.forEach((c, i) => tr.append(el('td', { textContent: c, className: i === r.pick ? 'bench-pick' : '' })));
      body.append(tr);
    }
    calibrationBox.replaceChildren(el('p', { className: 'bench-footnote', textContent: t.caption }), t.rows.length ? el('div', { className: 'bench-calibration-wrap' }, el('table', {}, el('thead', {}, head), body)) : '');
  };
  if (deps.getCalibration) {
    calibrationBox.textContent = '2D method calibration: waiting for it…';
    void deps.getCalibration().then(showCalibration, (e: unknown) => (calibrationBox.textContent = `2D method calibration: ${e instanceof Error ? e.message : String(e)}`));
  }

  root.append(
    el(
      'fieldset',
      {},
      el('legend', { textContent: 'Sweep' }),
      el('label', {}, 'preset ', preset),
      el('label', {}, dim1, ' 1D'),
      el('label', {}, dim2, ' 2D'),
      el('label', {}, 'N ', sizes),
      el('label', {}, 'repeats ', repeats),
      el('label', {}, peersBox, ' Compare with TensorFlow.js'),
      el('label', {}, 'train N ', peerTrain),
    ),
    methodField,
    el('div', {}, runBtn, ' ', cancelBtn, ' ', csvBtn, ' ', jsonBtn, ' ', peerCsvBtn),
    bar,
    status,
    tableWrap,
    footnote,
    peerWrap,
    charts,
    calibrationBox,
  );
  parent.append(root);

  let controller: AbortController | null = null;
  let result: BenchResult | null = null;
  let peers: PeersResult | null = null;
  let peerHandle: PeerHandle | null = null;
  let peerDevice: GPUDevice | null = null;
  let plots: uPlot[] = [];

  const setStatus = (text: string, error = false) => {
    status.textContent = text;
    status.classList.toggle('bench-error', error);
  };

  function readConfig(): BenchConfig {
    const base = preset.value === 'quick' ? quickConfig() : defaultConfig();
    const dims = [dim1.checked ? 1 : 0, dim2.checked ? 2 : 0].filter((d): d is 1 | 2 => d !== 0);
    if (!dims.length) throw new CliError('choose 1D, 2D or both');
    const methods = [...methodBoxes].filter(([, b]) => b.checked).map(([id]) => id);
    if (!methods.length) throw new CliError('choose at least one method');
    const r = Number(repeats.value);
    if (!Number.isInteger(r) || r < 1 || r > 100) throw new CliError('repeats: a whole number from 1 to 100');
    const target = deps.getTargetForAccuracy?.() ?? SIN_TARGET;
    return { ...base, dims, methods, sizes: parseSizes('N', sizes.value, 65536), repeats: r, accuracy: target };
  }

  /** TF.js for the comparison, loaded on first use (a chunk of its own) on the app's device, or its CPU backend. */
  async function loadPeer(device: GPUDevice | null): Promise<PeerHandle> {
    if (peerHandle && peerDevice === device) return peerHandle;
    peerHandle?.dispose();
    peerHandle = null;
    const { loadTfWebGpu, loadTfCpu } = await import('../bench/peersTf.ts');
    const info = device ? (device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo : undefined;
    peerHandle = device ? await loadTfWebGpu(device, info) : await loadTfCpu();
    peerDevice = device;
    return peerHandle;
  }

  function showPeers(p: PeersResult): void {
    const table = (cols: string[], rows: string[][]) => {
      const head = el('tr');
      for (const c of cols) head.append(el('th', { textContent: c }));
      const body = el('tbody');
      for (const r of rows) {
        const tr = el('tr');
        for (const c of r) tr.append(el('td', { textContent: c }));
        body.append(tr);
      }
      return el('div', { className: 'bench-table-wrap' }, el('table', {}, el('thead', {}, head), body));
    };
    peerWrap.replaceChildren(el('strong', { textContent: `Compared with ${p.peers.map((h) => h.label).join('; ')}` }));
    if (p.eval.length) peerWrap.append(el('div', { textContent: 'Evaluation (ms per whole grid; ratio = TF.js / sandbox)' }), table(PEER_EVAL_COLUMNS, p.eval.map(peerEvalCells)));
    if (p.train.length) peerWrap.append(el('div', { textContent: 'Training (ms per Adam step)' }), table(PEER_TRAIN_COLUMNS, p.train.map(peerTrainCells)));
    const notes = [...p.skipped.map((k) => `skipped ${k.what}: ${k.reason}`), ...p.notes, PEER_TIMING_NOTE];
    peerWrap.append(el('p', { className: 'bench-footnote', textContent: notes.join(' ') }));
    peerWrap.hidden = false;
  }

  function addRow(r: BenchRow): void {
    const tr = el('tr');
    const cells = rowCells(r);
    TABLE_COLUMNS.forEach((c, i) => tr.append(el('td', { textContent: cells[i], title: c === '% peak' && r.exact ? PEAK_NOTE : '' })));
    tbody.append(tr);
  }

  function drawCharts(res: BenchResult): void {
    for (const p of plots) p.destroy();
    plots = [];
    const width = Math.max(320, Math.min(560, (parent.clientWidth || 1100) / 2 - 16));
    const ns = [...new Set(res.rows.map((r) => r.n))].sort((p, q) => p - q);
    const keys = [...new Set(res.rows.map((r) => `${r.dim}D ${r.method} ${r.grid}`))];
    if (ns.length && keys.length) {
      const data: uPlot.AlignedData = [ns, ...keys.map((k) => ns.map((n) => res.rows.find((r) => `${r.dim}D ${r.method} ${r.grid}` === k && r.n === n)?.medianMs ?? null))];
      plots.push(
        new uPlot(
          {
            title: 'median time per evaluation (ms) vs N',
            width,
            height: 300,
            scales: { x: { distr: 3, time: false }, y: { distr: 3 } },
            axes: [{ label: 'units N (log)' }, { label: 'ms (log)', size: 60, values: logTicks }],
            series: [{ label: 'N' }, ...keys.map((k, i) => ({ label: k, stroke: PALETTE[i % PALETTE.length], width: 1.5, points: { show: true } }))],
          },
          data,
          timeChartBox,
        ),
      );
    }
    if (res.accuracy.length) {
      const pos = (v: number) => (v > 0 && Number.isFinite(v) ? v : null);
      plots.push(
        new uPlot(
          {
            title: `accuracy vs N: ${res.accuracy[0].target}, uniform interpolation`,
            width,
            height: 300,
            scales: { x: { distr: 3, time: false }, y: { distr: 3 } },
            axes: [{ label: 'units N (log)' }, { label: 'error (log)', size: 70, values: logTicks }],
            series: [
              { label: 'N' },
              { label: 'max error', stroke: PALETTE[1], width: 2, points: { show: true } },
              { label: 'RMS error', stroke: PALETTE[0], width: 2, points: { show: true } },
            ],
          },
          [res.accuracy.map((a) => a.n), res.accuracy.map((a) => pos(a.maxErr)), res.accuracy.map((a) => pos(a.rmsErr))],
          accChartBox,
        ),
      );
    }
  }

  async function run(): Promise<BenchResult | null> {
    if (controller) return null;
    let config: BenchConfig;
    try {
      config = readConfig();
    } catch (e) {
      setStatus(e instanceof Error ? e.message : String(e), true);
      return null;
    }
    controller = new AbortController();
    runBtn.disabled = true;
    cancelBtn.disabled = false;
    tbody.replaceChildren();
    bar.value = 0;
    peers = null;
    peerWrap.hidden = true;
    peerCsvBtn.disabled = true;
    let peerTrainSizes: number[] = [];
    if (peersBox.checked && peerTrain.value.trim()) {
      try {
        peerTrainSizes = parseSizes('train N', peerTrain.value, 65536);
      } catch (e) {
        setStatus(e instanceof Error ? e.message : String(e), true);
        controller = null;
        runBtn.disabled = false;
        cancelBtn.disabled = true;
        return null;
      }
    }
    const device = deps.getDevice();
    const label = deps.getBackendLabel();
    try {
      const res = await runBenchmark(
        {
          now: () => performance.now(),
          device,
          adapter: describeDevice(device, label),
          noGpuReason: device ? undefined : label,
          platform: navigator.userAgent,
          kernel2D: deps.getKernel2D?.() ?? undefined,
        },
        config,
        {
          signal: controller.signal,
          onProgress: (p) => {
            bar.max = Math.max(1, p.total);
            bar.value = p.done;
            if (p.row) addRow(p.row);
            else setStatus(`${p.done}/${p.total}: ${p.message}`);
          },
        },
      );
      result = res;
      // Rows arrived one by one; % of peak is only known at the end (the run's highest peak), so redraw them.
      tbody.replaceChildren();
      for (const r of res.rows) addRow(r);
      drawCharts(res);
      const peak = res.peak ? `; FMA peak ${(res.peak.flops / 1e9).toFixed(2)} GFLOP/s` : '';
      csvBtn.disabled = jsonBtn.disabled = false;
      if (res.gpuLost) {
        // Ended early by the device, not by a bug: the rows so far stand and can be downloaded.
        setStatus(`${res.gpuLost} ${res.rows.length} row(s) measured in ${(res.durationMs / 1e3).toFixed(1)} s: Download CSV or JSON keeps them; run again once the page shows WebGPU.`, true);
        return res;
      }
      if (peersBox.checked && !res.cancelled) {
        setStatus('Loading TensorFlow.js for the comparison…');
        let handle: PeerHandle;
        try {
          handle = await loadPeer(device);
        } catch (e) {
          setStatus(`TensorFlow.js could not be loaded: ${e instanceof Error ? e.message : String(e)}`, true);
          return res;
        }
        peers = await runPeers(
          { now: () => performance.now(), device, adapter: res.adapter, platform: navigator.userAgent, kernel2D: deps.getKernel2D?.() ?? undefined },
          res,
          [handle],
          peerConfig(res, { trainSizes: peerTrainSizes, train: peerTrainSizes.length > 0 }),
          { signal: controller.signal, onProgress: (m) => setStatus(m) },
        );
        showPeers(peers);
        peerCsvBtn.disabled = false;
      }
      setStatus(`${res.cancelled ? 'Cancelled' : 'Done'} in ${(res.durationMs / 1e3).toFixed(1)} s on ${res.adapter?.name ?? `the CPU (${res.noGpuReason})`}${peak}; GPU timing: ${res.gpuTiming ?? 'n/a'}. ${res.skipped.length ? `${res.skipped.length} point(s) skipped (see JSON).` : ''}`);
      return res;
    } catch (e) {
      setStatus(`Benchmark failed: ${e instanceof Error ? e.message : String(e)}`, true);
      return null;
    } finally {
      controller = null;
      runBtn.disabled = false;
      cancelBtn.disabled = true;
    }
  }

  runBtn.addEventListener('click', () => void run());
  cancelBtn.addEventListener('click', () => controller?.abort());
  csvBtn.addEventListener('click', () => result && saveFile('results.csv', toCSV(result), 'text/csv'));
  jsonBtn.addEventListener('click', () => {
    if (!result) return;
    const report = formatReport(result) + (peers ? `\n\n${formatPeers(peers)}` : '');
    saveFile('results.json', JSON.stringify({ ...result, ...(peers ? { peers } : {}), browser: navigator.userAgent, report }, null, 2), 'application/json');
  });
  peerCsvBtn.addEventListener('click', () => peers && saveFile('peers.csv', peersToCSV(peers), 'text/csv'));

  return {
    element: root,
    run,
    cancel: () => controller?.abort(),
    get result() {
      return result;
    },
    get peers() {
      return peers;
    },
    destroy() {
      controller?.abort();
      peerHandle?.dispose();
      for (const p of plots) p.destroy();
      plots = [];
      root.remove();
    },
  };
}
