import { NetCache, handleGridMessage } from '../../src/engine/cpu/gridProtocol.ts';
import type { GridReply, GridRequest } from '../../src/engine/cpu/gridProtocol.ts';
import type { GridWorker } from '../../src/engine/cpu/workerEvaluator.ts';

/** A stand-in grid worker that answers with the real handler a macrotask later, in order. */
export class FakeGridWorker implements GridWorker {
  onmessage: ((e: MessageEvent<GridReply>) => void) | null = null;
  onerror: ((e: Event) => void) | null = null;
  posted: GridRequest[] = [];
  private readonly cache = new NetCache();
  postMessage(req: GridRequest): void {
    this.posted.push(req);
    // Structured clone, as postMessage does (the network arrives as a plain object).
    const copy = structuredClone(req);
    setTimeout(() => this.onmessage?.({ data: handleGridMessage(copy, this.cache) } as MessageEvent<GridReply>), 0);
  }
  terminate(): void {}
}
