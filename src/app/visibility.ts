/**
 * Hidden tabs: live loops (training, the N animation) do no work while the page is hidden and go on when it is
 * shown again. Browsers slow timers and stop animation frames in hidden tabs, but a loop that awaits GPU work or
 * a timer would still run; these helpers make the pause explicit.
 */

/** Resolves at once when the page is visible, else on the `visibilitychange` that shows it. */
export function whenVisible(doc: Document = document): Promise<void> {
  if (!doc.hidden) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const onChange = () => {
      if (doc.hidden) return;
      doc.removeEventListener('visibilitychange', onChange);
      resolve();
    };
    doc.addEventListener('visibilitychange', onChange);
  });
}
