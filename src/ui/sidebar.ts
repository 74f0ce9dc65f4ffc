/**
 * The side sections next to the panel: the target editor (custom expression, CSV data) and the unit
 * inspector (list, w/b/a fields, add/remove). They write patches to the store and redraw from the state.
 */
import { MAX_CSV_CHARS, MAX_CSV_POINTS, parseCsvPoints, parseCsvPoints3 } from '../model/csv.ts';
import { messageOf } from '../model/messages.ts';
import { cloneNetwork } from '../model/network.ts';
import { knotOf } from '../model/network.ts';
import { type Activation, activationOf } from '../model/activation.ts';
import { fmt } from './formula.ts';
import { type AppState, StateError, type Store } from '../state/state.ts';
import { refusalText } from '../state/errors.ts';

function el<T extends HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`missing #${id}`);
  return e as T;
}

/** Custom expression and CSV data targets; errors are shown inline and the last good target stays. */
export class TargetEditor {
  private readonly exprInput = el<HTMLInputElement>('expr-input');
  private readonly exprError = el<HTMLElement>('expr-error');
  private readonly csvInput = el<HTMLTextAreaElement>('csv-input');
  private readonly csvError = el<HTMLElement>('csv-error');
  private shownMode: AppState['mode'] | null = null;

  constructor(private readonly store: Store) {
    el<HTMLFormElement>('expr-form').addEventListener('submit', (e) => {
      e.preventDefault();
      this.applyExpression(this.exprInput.value);
    });
    el<HTMLButtonElement>('csv-apply').addEventListener('click', () => this.applyCsv(this.csvInput.value));
    for (const zone of [this.csvInput, el<HTMLElement>('plot')]) {
      zone.addEventListener('dragover', (e) => e.preventDefault());
      zone.addEventListener('drop', (e) => {
        e.preventDefault();
        const file = e.dataTransfer?.files[0];
        if (!file) return;
        // A UTF-8 file has at least as many bytes as characters: one over the limit in bytes is refused
        // before it is read, and its name and size are said.
        if (file.size > MAX_CSV_CHARS) {
          this.showCsvError(`${file.name} is ${(file.size / 1e6).toFixed(1)} MB; data files are read up to ${MAX_CSV_CHARS / 1e6} MB (${MAX_CSV_POINTS.toLocaleString('en-US')} points)`);
          return;
        }
        file.text().then(
          (text) => {
            this.csvInput.value = text.length > 200_000 ? text.slice(0, 200_000) : text;
            this.applyCsv(text);
          },
          (err: unknown) => this.showCsvError(`${file.name} could not be read: ${messageOf(err)}`),
        );
      });
    }
    store.subscribe((s, prev) => {
      if (s.target !== prev.target || s.mode !== prev.mode) this.show(s);
    });
    this.show(store.state);
  }

  private show(s: AppState): void {
    if (s.target.kind === 'expression' && document.activeElement !== this.exprInput) this.exprInput.value = s.target.source;
    if (this.shownMode === s.mode) return;
    // The same boxes serve both modes: their labels and examples follow the mode.
    this.shownMode = s.mode;
    const two = s.mode === '2d';
    el<HTMLElement>('expr-label').textContent = two ? 'Expression f(x, y) =' : 'Expression f(x) =';
    this.exprInput.placeholder = two ? 'exp(-(x^2 + y^2)/0.2) - 0.5*x*y' : 'sin(3*x) + 0.3*abs(x)';
    el<HTMLElement>('csv-label').textContent = two
      ? 'Data: one “x, y, z” per line (paste, or drop a CSV file here or on the map)'
      : 'Data: one “x, y” per line (paste, or drop a CSV file here or on the plot)';
    if (s.target.kind !== 'expression' && document.activeElement !== this.exprInput) this.exprInput.value = '';
    this.exprError.replaceChildren();
    this.csvError.textContent = '';
  }

  /** Applies an expression target; on error shows the message and marks the position. Returns success. */
  applyExpression(source: string): boolean {
    try {
      this.store.set({ target: { kind: 'expression', source } });
      this.exprError.replaceChildren();
      this.exprInput.removeAttribute('aria-invalid');
      return true;
    } catch (e) {
      this.exprInput.setAttribute('aria-invalid', 'true');
      const msg = e instanceof StateError ? e.detail : messageOf(e);
      const pos = e instanceof StateError ? e.position : undefined;
      const text = document.createElement('div');
      text.textContent = msg;
      this.exprError.replaceChildren(text);
      if (pos !== undefined) {
        // The source with the offending character marked, like a compiler's caret.
        const code = document.createElement('code');
        code.className = 'expr-caret';
        const at = Math.min(pos, source.length);
        const mark = document.createElement('mark');
        mark.textContent = source.slice(at, at + 1) || ' ';
        code.append(source.slice(0, at), mark, source.slice(at + 1));
        this.exprError.append(code);
        this.exprInput.setSelectionRange(at, Math.min(source.length, at + 1));
      }
      return false;
    }
  }

  /** Parses CSV text into a data target; on error names the line and keeps the old target. */
  applyCsv(text: string): boolean {
    try {
      if (this.store.state.mode === '2d') {
        const pts = parseCsvPoints3(text);
        this.store.set({ target: { kind: 'data', xs: pts.xs, ys: pts.ys, zs: pts.zs } });
        this.csvError.textContent = `${pts.xs.length} points${pts.merged ? ` (${pts.merged} repeated (x, y) merged)` : ''}`;
        this.csvError.classList.remove('error');
        return true;
      }
      const pts = parseCsvPoints(text);
      this.store.set({ target: { kind: 'data', xs: pts.xs, ys: pts.ys } });
      this.csvError.textContent = `${pts.xs.length} points${pts.merged ? ` (${pts.merged} repeated x merged)` : ''}`;
      this.csvError.classList.remove('error');
      return true;
    } catch (e) {
      this.showCsvError(refusalText(e));
      return false;
    }
  }

  private showCsvError(message: string): void {
    this.csvError.textContent = message;
    this.csvError.classList.add('error');
  }
}

const LIST_LIMIT = 1000;

/**
 * What −b/w (1D) or w·(x, y) + b = 0 (2D) is for a unit of this activation: a ReLU or leaky unit bends there (a
 * knot, a crease); a linear unit never bends, its term only crosses zero there; a sigmoid unit is at half height.
 */
export function pointName(activation: Activation): { short: string; line: string } {
  if (activation === 'linear') return { short: 'zero at', line: 'zero line' };
  if (activation === 'sigmoid') return { short: 'midpoint', line: 'midline' };
  return { short: 'knot', line: 'crease' };
}
/** Options made per task (see render). */
const LIST_SLICE = 100;

/** The unit list and the selected unit's fields. */
export class UnitInspector {
  private readonly list = el<HTMLSelectElement>('unit-list');
  private readonly fields = { w: el<HTMLInputElement>('unit-w'), w2: el<HTMLInputElement>('unit-w2'), b: el<HTMLInputElement>('unit-b'), a: el<HTMLInputElement>('unit-a') };
  private readonly knot = el<HTMLOutputElement>('unit-knot');
  private readonly note = el<HTMLElement>('unit-note');
  private listed: AppState['network'] | null = null;

  constructor(
    private readonly store: Store,
    private readonly onError: (message: string) => void,
    /** Where the list's slices are built (default: a task each; the app defers them until its picture is on screen). */
    private readonly defer: (job: () => void) => void = (job) => setTimeout(job, 0),
  ) {
    this.list.addEventListener('change', () => this.set({ selected: Number(this.list.value) }));
    for (const key of ['w', 'w2', 'b', 'a'] as const) {
      this.fields[key].addEventListener('change', () => {
        const s = this.store.state;
        const i = s.selected;
        if (i < 0) return;
        const v = Number(this.fields[key].value);
        const net = cloneNetwork(s.network);
        // Empty or non-numeric text becomes NaN, which validation rejects with the field's name.
        const value = this.fields[key].value.trim() === '' ? Number.NaN : v;
        // In 2D, w holds (w1, w2) per unit: "w" edits w1, "w2" the second weight.
        if (key === 'w' || key === 'w2') net.w[i * net.dim + (key === 'w2' ? 1 : 0)] = value;
        else net[key][i] = value;
        if (!this.set({ network: net, selected: i })) this.render(this.store.state);
      });
    }
    store.subscribe((s) => this.render(s));
    this.render(store.state);
  }

  private set(patch: object): boolean {
    try {
      this.store.set(patch);
      return true;
    } catch (e) {
      this.onError(messageOf(e));
      return false;
    }
  }

  private render(s: AppState): void {
    const net = s.network;
    const n = net.a.length;
    if (this.listed !== net) {
      this.listed = net;
      // In slices of LIST_SLICE options, a task each: 1,000 options made in the task that landed a fit were
      // its longest part (about 150 ms under load). A newer network stops the slices of an older one.
      const option = (i: number) => {
        const o = document.createElement('option');
        o.value = String(i);
        const k = net.dim === 1 ? knotOf(net, i) : null;
        o.textContent = net.dim === 1 ? `#${i + 1}  ${where.short} ${k === null ? '—' : fmt(k)}  a ${fmt(net.a[i])}` : `#${i + 1}  w (${fmt(net.w[2 * i])}, ${fmt(net.w[2 * i + 1])})  a ${fmt(net.a[i])}`;
        return o;
      };
      const where = pointName(activationOf(net));
      const total = Math.min(n, LIST_LIMIT);
      const slice = (from: number) => {
        if (this.listed !== net) return;
        const opts: HTMLOptionElement[] = [];
        for (let i = from; i < Math.min(total, from + LIST_SLICE); i++) opts.push(option(i));
        if (from === 0) this.list.replaceChildren(...opts);
        else this.list.append(...opts);
        const sel = this.store.state.selected;
        if (sel >= from && sel < from + LIST_SLICE && this.store.state.network === net) this.list.value = String(sel);
        if (from + LIST_SLICE < total) this.defer(() => slice(from + LIST_SLICE));
      };
      // A big network's first slice waits for a task of its own too (not the one that landed its fit).
      if (total > LIST_SLICE) this.defer(() => slice(0));
      else slice(0);
      this.note.textContent = n > LIST_LIMIT ? `The list shows the first ${LIST_LIMIT} of ${n} units; select others on the plot or with [ and ].` : `${n} unit${n === 1 ? '' : 's'}`;
    }
    this.list.value = s.selected >= 0 && s.selected < LIST_LIMIT ? String(s.selected) : '';
    const i = s.selected;
    const on = i >= 0 && i < n;
    const two = net.dim === 2;
    // Written only where they change (every state change comes here; each write dirties the page's layout).
    const setText = (e: HTMLElement, text: string) => void (e.textContent !== text && (e.textContent = text));
    setText(el<HTMLElement>('unit-w-label'), two ? 'w₁' : 'w');
    if (this.fields.w2.hidden !== !two) this.fields.w2.hidden = !two;
    const w2Label = el<HTMLElement>('unit-w2-label');
    if (w2Label.hidden !== !two) w2Label.hidden = !two;
    const where = pointName(activationOf(net));
    setText(el<HTMLElement>('unit-knot-label'), two ? where.line : `${where.short} −b/w`);
    const value = { w: net.w[i * net.dim], w2: two ? net.w[i * 2 + 1] : Number.NaN, b: net.b[i], a: net.a[i] };
    for (const key of ['w', 'w2', 'b', 'a'] as const) {
      const f = this.fields[key];
      f.disabled = !on || (key === 'w2' && !two);
      if (document.activeElement !== f) f.value = on && !(key === 'w2' && !two) ? String(value[key]) : '';
    }
    if (two) {
      setText(this.knot, on ? (value.w === 0 && value.w2 === 0 ? 'none (w = 0)' : `${fmt(value.w)}·x + ${fmt(value.w2)}·y + ${fmt(value.b)} = 0`) : '—');
    } else {
      const k = on ? knotOf(net, i) : null;
      setText(this.knot, on ? (k === null ? 'none (w = 0)' : fmt(k)) : '—');
    }
  }
}
