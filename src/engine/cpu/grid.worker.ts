/** The CPU grid worker: 2D grids (values, regions, target), point lists and error readouts off the main thread. */
import { type GridReply, type GridRequest, NetCache, handleGridMessage, transferListOf, withBitmap } from './gridProtocol.ts';

// `self` is typed as a Window under the DOM lib; this is the part of a dedicated worker's scope used here.
const scope = self as unknown as {
  onmessage: ((e: MessageEvent<GridRequest>) => void) | null;
  postMessage(reply: GridReply, transfer: Transferable[]): void;
};
const cache = new NetCache();
scope.onmessage = async (e) => {
  // Jobs stay in order: the queue posts the next one only after this reply.
  const reply = await withBitmap(handleGridMessage(e.data, cache));
  scope.postMessage(reply, transferListOf(reply));
};
