/**
 * Background measuring that steps aside while the user is busy. The 2D calibration's timings run real work on
 * the adapter; on a software adapter (SwiftShader) that work takes the same CPU cores as the page, so a timing
 * during a drag stretched the page's own tasks two- to fourfold, and the drag's input spoilt the timing in turn.
 * The calibration therefore waits between timings until the pointer, wheel and keys have been still for a moment.
 */

/** How long input must have been still before background measuring goes on, ms. */
export const INPUT_QUIET_MS = 300;

/** The longest one wait lasts, ms: a user who never stops moving still gets the measured choice in the end. */
export const INPUT_MAX_WAIT_MS = 5000;

const INPUT_EVENTS = ['pointermove', 'pointerdown', 'wheel', 'keydown', 'touchstart'] as const;

export class InputQuiet {
  private last = -Infinity;

  /** `target`: where input is heard (the window; null: nowhere, so `wait` is a macrotask alone). */
  constructor(
    target: EventTarget | null,
    private readonly now: () => number = () => performance.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
    private readonly quietMs = INPUT_QUIET_MS,
    private readonly maxWaitMs = INPUT_MAX_WAIT_MS,
  ) {
    for (const type of INPUT_EVENTS) target?.addEventListener(type, () => this.heard(), { capture: true, passive: true });
  }

  /** Notes input now (the listeners call it). */
  heard(): void {
    this.last = this.now();
  }

  /** A macrotask, then until input has been still for `quietMs` (or `maxWaitMs` have passed since the call). */
  async wait(): Promise<void> {
    const start = this.now();
    await this.sleep(0);
    for (;;) {
      const now = this.now();
      const left = Math.min(this.last + this.quietMs - now, start + this.maxWaitMs - now);
      if (left <= 0) return;
      await this.sleep(left);
    }
  }
}
