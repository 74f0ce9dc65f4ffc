/** The fit worker: runs constructions off the main thread, one request at a time, in order. */
import { type FitReply, type FitRequest, handleFitMessage, transferablesOf } from './fitProtocol.ts';

// `self` is typed as a Window under the DOM lib; this is the part of a dedicated worker's scope used here.
const scope = self as unknown as { onmessage: ((e: MessageEvent<FitRequest>) => void) | null; postMessage(reply: FitReply, transfer: Transferable[]): void };
scope.onmessage = (e) => {
  const reply = handleFitMessage(e.data);
  // The network's arrays and its sorted forms are handed over, not copied (the worker keeps nothing).
  scope.postMessage(reply, transferablesOf(reply));
};
