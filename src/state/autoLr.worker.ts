/** The learning-rate worker: `autoLr` off the main thread (see autoLrRunner.ts). */
import { type AutoLrReply, type AutoLrRequest, handleAutoLrMessage } from './autoLrRunner.ts';

// `self` is typed as a Window under the DOM lib; this is the part of a dedicated worker's scope used here.
const scope = self as unknown as { onmessage: ((e: MessageEvent<AutoLrRequest>) => void) | null; postMessage(reply: AutoLrReply): void };
scope.onmessage = (e) => scope.postMessage(handleAutoLrMessage(e.data));
