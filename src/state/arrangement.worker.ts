/** The arrangement worker: computes exact arrangements off the main thread, one request at a time, in order. */
import { type ArrangementReply, type ArrangementRequest, handleArrangementMessage, replyTransfer } from './arrangementProtocol.ts';

// `self` is typed as a Window under the DOM lib; this is the part of a dedicated worker's scope used here.
const scope = self as unknown as {
  onmessage: ((e: MessageEvent<ArrangementRequest>) => void) | null;
  postMessage(reply: ArrangementReply, transfer: ArrayBuffer[]): void;
};
scope.onmessage = (e) => {
  const reply = handleArrangementMessage(e.data);
  scope.postMessage(reply, replyTransfer(reply));
};
