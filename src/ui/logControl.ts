/**
 * A log-scale number control inside a lil-gui row: a coarse slider (log steps) and a number box that takes any
 * allowed value typed in full. Clicking or tabbing into the box selects its text, so typing replaces the value
 * ("12⏎" over "8" gives 12, not 812); Enter or leaving the box commits, Escape restores. Used for the unit count
 * N (1 … 65,536) and the ridge λ (0, 1e-12 … 1e3), where a linear slider put every useful value in its first pixel.
 */
import type { Controller } from 'lil-gui';
import { MAX_UNITS } from '../model/network.ts';

/** A scale: slider positions 0 … steps and the values they stand for; parse/format for the box. */
export interface LogScale {
  steps: number;
  valueAt(position: number): number;
  positionOf(value: number): number;
  format(value: number): string;
  /** The value typed, or a message saying what the field takes. */
  parse(text: string): number | string;
}

const thousands = (n: number) => n.toLocaleString('en-US');

/** N: slider in eighths of a power of two (1, 1.09, … rounded), box any whole number 1 … MAX_UNITS. */
export const UNITS_SCALE: LogScale = {
  steps: 8 * Math.log2(MAX_UNITS),
  valueAt: (p) => Math.max(1, Math.min(MAX_UNITS, Math.round(2 ** (p / 8)))),
  positionOf: (v) => Math.max(0, Math.min(8 * Math.log2(MAX_UNITS), Math.round(8 * Math.log2(Math.max(1, v))))),
  format: (v) => String(v),
  parse: (text) => {
    const t = text.replace(/[\s,_]/g, '');
    const v = Number(t);
    if (t === '' || !Number.isInteger(v) || v < 1 || v > MAX_UNITS) return `Units N: type a whole number from 1 to ${thousands(MAX_UNITS)} (got “${text.trim()}”).`;
    return v;
  },
};

/** Ridge λ range and the mantissas of its slider positions per decade. */
export const RIDGE_MIN_DECADE = -12;
export const RIDGE_MAX = 1e3;
const MANTISSAS = [1, 2, 5];
const DECADES = Math.log10(RIDGE_MAX) - RIDGE_MIN_DECADE;

/** λ written in full and short: 0, 1e-6, 2.5e-7, 0.001, 0.5, 20. */
export function formatRidge(v: number): string {
  if (v === 0) return '0';
  if (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e4) return v.toExponential().replace('e+', 'e');
  return String(v);
}

/** λ: position 0 is 0 (no ridge), then 1, 2, 5 per decade from 1e-12 to 1e3; the box takes any 0 … 1e3. */
export const RIDGE_SCALE: LogScale = {
  steps: DECADES * MANTISSAS.length + 1,
  valueAt: (p) => {
    if (p <= 0) return 0;
    const k = Math.min(p - 1, DECADES * MANTISSAS.length);
    // Built from text so that 5e-7 is 5e-7, not 5.000000000000001e-7.
    return Number(`${MANTISSAS[k % MANTISSAS.length]}e${RIDGE_MIN_DECADE + Math.floor(k / MANTISSAS.length)}`);
  },
  positionOf: (v) => {
    if (!(v > 0)) return 0;
    const x = Math.log10(v) - RIDGE_MIN_DECADE;
    const decade = Math.floor(x + 1e-9);
    const rest = 10 ** (x - decade);
    // The nearest of 1, 2, 5 (and 10, the next decade's 1) on the log scale.
    const marks = [...MANTISSAS, 10];
    let best = 0;
    for (let i = 1; i < marks.length; i++) if (Math.abs(Math.log(rest / marks[i])) < Math.abs(Math.log(rest / marks[best]))) best = i;
    return Math.max(1, Math.min(DECADES * MANTISSAS.length + 1, decade * MANTISSAS.length + best + 1));
  },
  format: formatRidge,
  parse: (text) => {
    const t = text.trim();
    const v = Number(t);
    if (t === '' || !Number.isFinite(v) || v < 0 || v > RIDGE_MAX) return `Ridge λ: type a number from 0 to ${RIDGE_MAX} such as 1e-6 (got “${t}”).`;
    return v;
  },
};

export interface LogControlOptions {
  scale: LogScale;
  /** Commit on every slider movement (cheap enough), or only when it is let go. */
  live: boolean;
  commit(value: number): void;
  error(message: string): void;
}

/**
 * Turns a lil-gui row (any controller, for its name, layout and show/hide) into the slider + box. The row's
 * own widget is replaced; `set` shows a value from the state.
 */
export class LogControl {
  readonly slider: HTMLInputElement;
  readonly box: HTMLInputElement;
  private value = Number.NaN;

  constructor(
    readonly controller: Controller,
    private readonly opts: LogControlOptions,
  ) {
    const { scale } = opts;
    controller.domElement.classList.add('log-control');
    const slider = document.createElement('input');
    slider.type = 'range';
    slider.min = '0';
    slider.max = String(scale.steps);
    slider.step = '1';
    slider.setAttribute('aria-labelledby', controller.$name.id);
    const box = document.createElement('input');
    box.type = 'text';
    box.inputMode = 'decimal';
    box.spellcheck = false;
    box.autocomplete = 'off';
    box.setAttribute('aria-labelledby', controller.$name.id);
    controller.$widget.replaceChildren(slider, box);
    this.slider = slider;
    this.box = box;

    slider.addEventListener('input', () => {
      const v = scale.valueAt(Number(slider.value));
      box.value = scale.format(v);
      if (opts.live) this.commit(v);
    });
    slider.addEventListener('change', () => this.commit(scale.valueAt(Number(slider.value))));

    // Select the whole text on focus, and keep it selected through the click that focused the box.
    let justFocused = false;
    box.addEventListener('focus', () => {
      box.select();
      justFocused = true;
    });
    box.addEventListener('mouseup', (e) => {
      if (justFocused) e.preventDefault();
      justFocused = false;
    });
    box.addEventListener('keydown', (e) => {
      justFocused = false;
      if (e.key === 'Enter') {
        e.preventDefault();
        this.commitText();
        box.select();
      } else if (e.key === 'Escape') {
        box.value = scale.format(this.value);
        box.blur();
      }
    });
    box.addEventListener('blur', () => this.commitText());
  }

  /** Shows a value from the state (the box is left alone while it is being typed in). */
  set(value: number): void {
    this.value = value;
    const p = this.opts.scale.positionOf(value);
    // Keep the slider where the user left it when that position already stands for this value.
    if (this.opts.scale.valueAt(Number(this.slider.value)) !== value) this.slider.value = String(p);
    if (document.activeElement !== this.box) this.box.value = this.opts.scale.format(value);
  }

  private commitText(): void {
    const text = this.box.value;
    if (text === this.opts.scale.format(this.value)) return;
    const v = this.opts.scale.parse(text);
    if (typeof v === 'string') {
      this.opts.error(v);
      this.box.value = this.opts.scale.format(this.value);
      return;
    }
    this.commit(v);
  }

  private commit(v: number): void {
    if (v === this.value) return;
    this.value = v;
    this.opts.commit(v);
  }
}
