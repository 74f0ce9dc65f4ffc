/** Page-wide shortcuts; they stay out of the way while a text field (or a button, for Space) has focus. */
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

export function installShortcuts(actions: Shortcuts): void {
  window.addEventListener('keydown', (e) => {
    const t = e.target as HTMLElement | null;
    if (ownedByField(e, t)) return;
    if (e.key === ' ' && t?.tagName !== 'BUTTON') {
      e.preventDefault();
      actions.toggleTraining();
    } else if (e.key === 'r' || e.key === 'R') actions.resetView();
    else if (e.key === 'e' || e.key === 'E') actions.exportJson();
  });
}
