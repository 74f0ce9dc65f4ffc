/**
 * The side sections next to the panel: the target editor (custom expression, CSV data) and the unit
 * inspector (list, w/b/a fields, add/remove). They write patches to the store and redraw from the state.
 */
import { parseCsvPoints } from '../model/csv.ts';
import { cloneNetwork } from '../model/network.ts';
import { knotOf } from '../model/network.ts';
import { fmt } from './formula.ts';
import { type AppState, StateError, type Store } from '../state/state.ts';

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
        if (file) void file.text().then((text) => {
          this.csvInput.value = text.length > 200_000 ? text.slice(0, 200_000) : text;
          this.applyCsv(text);
        });
      });
    }
    store.subscribe((s, prev) => {
      if (s.target !== prev.target) this.show(s);
    });
    this.show(store.state);
  }

  private show(s: AppState): void {
    if (s.target.kind === 'expression' && document.activeElement !== this.exprInput) this.exprInput.value = s.target.source;
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
      const msg = e instanceof Error ? e.message.replace(/^Invalid state: [^:]*: /, '') : String(e);
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
      const pts = parseCsvPoints(text);
      this.store.set({ target: { kind: 'data', xs: pts.xs, ys: pts.ys } });
      this.csvError.textContent = `${pts.xs.length} points${pts.merged ? ` (${pts.merged} repeated x merged)` : ''}`;
      this.csvError.classList.remove('error');
      return true;
    } catch (e) {
      this.csvError.textContent = e instanceof Error ? e.message.replace(/^Invalid state: /, '') : String(e);
      this.csvError.classList.add('error');
      return false;
    }
  }
}

const LIST_LIMIT = 1000;

/** The unit list and the selected unit's fields. */
export class UnitInspector {
  private readonly list = el<HTMLSelectElement>('unit-list');
  private readonly fields = { w: el<HTMLInputElement>('unit-w'), b: el<HTMLInputElement>('unit-b'), a: el<HTMLInputElement>('unit-a') };
  private readonly knot = el<HTMLOutputElement>('unit-knot');
  private readonly note = el<HTMLElement>('unit-note');
  private listed: AppState['network'] | null = null;

  constructor(
    private readonly store: Store,
    private readonly onError: (message: string) => void,
  ) {
    this.list.addEventListener('change', () => this.set({ selected: Number(this.list.value) }));
    for (const key of ['w', 'b', 'a'] as const) {
      this.fields[key].addEventListener('change', () => {
        const s = this.store.state;
        const i = s.selected;
        if (i < 0) return;
        const v = Number(this.fields[key].value);
        const net = cloneNetwork(s.network);
        // Empty or non-numeric text becomes NaN, which validation rejects with the field's name.
        (net[key] as number[])[i] = this.fields[key].value.trim() === '' ? Number.NaN : v;
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
      this.onError(e instanceof Error ? e.message : String(e));
      return false;
    }
  }

  private render(s: AppState): void {
    const net = s.network;
    const n = net.a.length;
    if (this.listed !== net) {
      this.listed = net;
      const opts: HTMLOptionElement[] = [];
      for (let i = 0; i < Math.min(n, LIST_LIMIT); i++) {
        const o = document.createElement('option');
        o.value = String(i);
        const k = net.dim === 1 ? knotOf(net, i) : null;
        o.textContent = net.dim === 1 ? `#${i + 1}  knot ${k === null ? '—' : fmt(k)}  a ${fmt(net.a[i])}` : `#${i + 1}  a ${fmt(net.a[i])}`;
        opts.push(o);
      }
      this.list.replaceChildren(...opts);
      this.note.textContent = n > LIST_LIMIT ? `The list shows the first ${LIST_LIMIT} of ${n} units; select others on the plot or with [ and ].` : `${n} unit${n === 1 ? '' : 's'}`;
    }
    this.list.value = s.selected >= 0 && s.selected < LIST_LIMIT ? String(s.selected) : '';
    const i = s.selected;
    const on = i >= 0 && i < n && net.dim === 1;
    for (const key of ['w', 'b', 'a'] as const) {
      const f = this.fields[key];
      f.disabled = !on;
      if (document.activeElement !== f) f.value = on ? String((net[key] as number[])[i]) : '';
    }
    const k = on ? knotOf(net, i) : null;
    this.knot.textContent = on ? (k === null ? 'none (w = 0)' : fmt(k)) : '—';
  }
}
