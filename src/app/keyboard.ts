/**
 * Page-wide shortcuts; they stay out of the way while a text field has focus, and Space (which scrolls the
 * page) toggles training only while the plot, the surface or the panel has focus.
 */
export interface Shortcuts {
  toggleTraining(): void;
  resetView(): void;
  exportJson(): void;
}

/** Whether a key event belongs to a text field (or a modifier chord) rather than to the page. */
export function ownedByField(e: Pick<KeyboardEvent, 'ctrlKey' | 'metaKey' | 'altKey'>, target: { tagName?: string; isContentEditable?: boolean } | null): boolean {
  if (e.ctrlKey || e.metaKey || e.altKey) return true;
  const tag = target?.tagName ?? '';
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || target?.isContentEditable === true;
}

/** Where Space means "play or pause training": the views and the panel (not its buttons, which Space presses). */
export const SPACE_SCOPE = '#plot, #surface, #panel';

/**
 * Whether Space on this target toggles training: only inside SPACE_SCOPE and not on a button. On the page
 * body (or anything else) Space scrolls, as the reader expects.
 */
export function spaceToggles(target: { tagName?: string; closest?(selector: string): unknown } | null): boolean {
  if (!target || target.tagName === 'BUTTON' || typeof target.closest !== 'function') return false;
  return target.closest(SPACE_SCOPE) !== null;
}

export function installShortcuts(actions: Shortcuts): void {
  window.addEventListener('keydown', (e) => {
    const t = e.target as HTMLElement | null;
    if (ownedByField(e, t)) return;
    if (e.key === ' ') {
      if (!spaceToggles(t)) return;
      e.preventDefault();
      actions.toggleTraining();
    } else if (e.key === 'r' || e.key === 'R') actions.resetView();
    else if (e.key === 'e' || e.key === 'E') actions.exportJson();
  });
}
