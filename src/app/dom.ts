/** The page's fixed elements by id, and the two lines the app writes for the user: backend status and messages. */
import type { BackendStatus } from '../engine/backend.ts';

/** The element with this id; the page is static, so a missing one is a build mistake. */
export function el<T extends HTMLElement = HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`missing #${id}`);
  return e as T;
}

export { messageOf } from '../model/messages.ts';

export type Say = (text: string, kind?: 'info' | 'error') => void;

/** The status line (which backend computes) and the transient message line (errors, notes, confirmations). */
export class Notices {
  private readonly statusEl = el('backend-status');
  private readonly noticeEl = el('backend-notice');
  private readonly messageEl = el('message');
  private timer = 0;

  constructor() {
    // Notices float over the page (they never reflow it): a click puts one away.
    for (const e of [this.noticeEl, this.messageEl]) e.addEventListener('click', () => (e.hidden = true));
  }

  showStatus(s: BackendStatus): void {
    // Written only where it changes: the status is shown again whenever N changes, and each write dirties the layout.
    if (this.statusEl.textContent !== s.label) this.statusEl.textContent = s.label;
    if (this.statusEl.title !== s.label) this.statusEl.title = s.label;
    if (this.statusEl.dataset.backend !== s.kind) this.statusEl.dataset.backend = s.kind;
    if (this.noticeEl.textContent !== (s.notice ?? '')) this.noticeEl.textContent = s.notice ?? '';
    if (this.noticeEl.hidden !== !s.notice) this.noticeEl.hidden = !s.notice;
  }

  /** Startup text before a backend exists, or why startup failed. */
  showBoot(text: string, failed = false): void {
    this.statusEl.textContent = text;
    if (failed) this.statusEl.dataset.backend = 'none';
  }

  /** A message for the user that fades after 8 s. */
  readonly say: Say = (text, kind = 'error') => {
    this.messageEl.textContent = text;
    this.messageEl.dataset.kind = kind;
    this.messageEl.hidden = false;
    clearTimeout(this.timer);
    this.timer = window.setTimeout(() => (this.messageEl.hidden = true), 8000);
  };
}
