/**
 * Resolves in a task of its own, ahead of timers (a MessageChannel message, as the browser's scheduler.yield
 * does): input and rendering waiting meanwhile run first, without the 4 ms timer clamp, and a hidden tab does not
 * throttle it like a timer. Where MessageChannel is missing, a zero timer.
 */
export function nextTask(): Promise<void> {
  if (typeof MessageChannel !== 'function') return new Promise((resolve) => setTimeout(resolve, 0));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
