import { isInputError } from '../evaluator.ts';
import { type GpuStartup, requestGpu } from './context.ts';
import { messageOf } from '../../model/messages.ts';
import { GpuDeviceLostError, isDeviceLoss, isGpuFault, plainGpuFault } from './errors.ts';

/** A started WebGPU backend: the entry point, the adapter and the device. */
export type GpuReady = Extract<GpuStartup, { kind: 'ok' }>;

/** What a root module must have: a `destroy()` that releases its GPU resources and is safe to call twice. */
export interface GpuModule {
  destroy(): void;
}

/** Builds a module on `device` (the root's current one); called again on the next device after a recovery. */
export type ModuleBuild<T extends GpuModule> = (device: GPUDevice) => T | Promise<T>;

/** Sent after a lost or faulty device was replaced: every module is gone; rebuild lazily and redraw. */
export interface GpuRecovered {
  device: GPUDevice;
  adapterName: string;
  /** Why the old device was given up: what the browser or a module said (for debugging, not the screen). */
  cause: string;
  /** True when the old device was lost (a driver reset, a GPU-process crash); false for a GPU fault on a live one. */
  lost: boolean;
}

/** Sent once when the root gives up on the GPU (no new device, or faults in a row): use the CPU from now on. */
export interface GpuFallback {
  /** What the browser or a module said last (for debugging, not the screen). */
  cause: string;
  /** The same fact in plain words for the screen (see plainGpuFault). */
  plain: string;
}

/** Recoveries in a row (with no successful `run` between them) before the root gives up and falls back. */
export const MAX_RECOVERIES_IN_A_ROW = 3;

/**
 * The one owner of the GPU: the entry point, the adapter, the device, and every GPU module built on that
 * device (evaluation kernels, render layers, the target kernel, the trainer…), cached by key.
 *
 * A device loss it did not cause (seen on `device.lost` at once) or a GPU fault reported by a call makes it
 * destroy every module, retire the device, get a fresh one and tell `onRecovered` listeners; modules are
 * rebuilt by their `build` on next use. If no device can be had, or faults keep coming
 * (MAX_RECOVERIES_IN_A_ROW), it tears down and tells `onFallback` listeners once. Input errors
 * (see `isInputError`) never cause a recovery. `destroy()` tears everything down and is safe twice.
 */
export class GpuRoot {
  /** The WebGPU entry point, held for the root's life (Dawn for Node frees its instance when it is collected). */
  readonly gpu: GPU;
  private current: GpuReady | null;
  private generationNow = 0;
  private readonly modules = new Map<string, Promise<GpuModule>>();
  private readonly built = new Map<string, GpuModule>();
  private recovering: Promise<boolean> | null = null;
  private readonly retired = new WeakSet<GPUDevice>();
  private recoveriesInARow = 0;
  private failure: string | null = null;
  private destroyed = false;
  private readonly recoveredListeners = new Set<(e: GpuRecovered) => void>();
  private readonly fallbackListeners = new Set<(e: GpuFallback) => void>();

  private constructor(startup: GpuReady) {
    this.gpu = startup.gpu;
    this.current = null;
    this.adopt(startup);
  }

  /** A root for a started backend (see `requestGpu`); the root owns its device from now on. */
  static fromStartup(startup: GpuReady): GpuRoot {
    return new GpuRoot(startup);
  }

  /** The current device; null while a recovery is under way, after a fallback and after destroy(). */
  get device(): GPUDevice | null {
    return this.current?.device ?? null;
  }

  /** The current adapter, device and entry point together; null when `device` is. */
  get startup(): GpuReady | null {
    return this.current;
  }

  /** Counts devices: it changes whenever the device is retired, so a holder of device-bound state can tell. */
  get generation(): number {
    return this.generationNow;
  }

  /** True once the root has fallen back (for good) or been destroyed: no device will come any more. */
  get failed(): boolean {
    return this.failure !== null || this.destroyed;
  }

  /** Calls `listener` after each recovery onto a new device; returns a function that unsubscribes it. */
  onRecovered(listener: (e: GpuRecovered) => void): () => void {
    this.recoveredListeners.add(listener);
    return () => this.recoveredListeners.delete(listener);
  }

  /** Calls `listener` when the root falls back to the CPU for good; returns a function that unsubscribes it. */
  onFallback(listener: (e: GpuFallback) => void): () => void {
    this.fallbackListeners.add(listener);
    return () => this.fallbackListeners.delete(listener);
  }

  /**
   * The module under `key` on the current device, built by `build` on first use (and on first use after each
   * recovery), then cached: concurrent callers share one build. One key, one module type. A failed build is not
   * cached (the next call tries again) and does not by itself cause a recovery: report it through `run` or
   * `reportFault` if it was a GPU fault. Rejects with GpuDeviceLostError after a fallback or destroy().
   */
  async module<T extends GpuModule>(key: string, build: ModuleBuild<T>): Promise<T> {
    const device = await this.ready();
    // A loss noticed between ready() and here: wait for the new device rather than build on the old one.
    if (device !== this.current?.device) return this.module(key, build);
    const hit = this.modules.get(key);
    if (hit) return hit as Promise<T>;
    const generation = this.generationNow;
    // Assigned before the build can finish, so the check below sees whether this build is still the cached one.
    let made!: Promise<T>;
    made = (async () => {
      const m = await build(device);
      if (generation !== this.generationNow || this.modules.get(key) !== made) {
        m.destroy();
        throw new GpuDeviceLostError(`the GPU module '${key}' was dropped (device replaced or module released) while it was being built`);
      }
      this.built.set(key, m);
      return m;
    })();
    this.modules.set(key, made);
    made.catch(() => {
      if (this.modules.get(key) === made) this.modules.delete(key);
    });
    return made;
  }

  /** Destroys the module under `key` now (a pending build is destroyed when it finishes); the next `module` rebuilds it. */
  drop(key: string): void {
    this.modules.delete(key);
    const m = this.built.get(key);
    this.built.delete(key);
    m?.destroy();
  }

  /**
   * Runs `work` on the current device (waiting for a recovery under way). Input errors are rethrown as they
   * are, and so is anything that is not a GPU fault (isGpuFault). On a GPU fault the root recovers onto a fresh device and runs `work` once more; if that fails too,
   * it falls back (onFallback) and rethrows. Rejects with GpuDeviceLostError when there is no device any more.
   */
  async run<T>(work: (device: GPUDevice) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const device = await this.ready();
      const generation = this.generationNow;
      if (device !== this.current?.device) {
        attempt--;
        continue;
      }
      try {
        const result = await work(device);
        this.recoveriesInARow = 0;
        return result;
      } catch (e) {
        // Only GPU faults cost the device: input mistakes and bugs go to the caller as they are.
        if (isInputError(e) || !isGpuFault(e) || this.destroyed) throw e;
        if (attempt > 0) {
          if (generation === this.generationNow) this.fail(e);
          throw e;
        }
        if (!(await this.recover(e, generation))) throw e;
      }
    }
  }

  /**
   * Reports an error from GPU work that ran on the device of `generation` (default: the current one). A GPU
   * fault on the current device starts a recovery; input errors and faults of an already retired device do
   * not. Resolves to whether a device is available afterwards.
   */
  reportFault(error: unknown, generation = this.generationNow): Promise<boolean> {
    if (isInputError(error) || !isGpuFault(error)) return Promise.resolve(!this.failed);
    return this.recover(error, generation);
  }

  /** Tears everything down: every module, then the device. Later calls reject; safe to call twice. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.teardown();
    this.recoveredListeners.clear();
    this.fallbackListeners.clear();
  }

  private async ready(): Promise<GPUDevice> {
    if (this.recovering) await this.recovering;
    if (this.destroyed) throw new GpuDeviceLostError('the GPU root was destroyed');
    if (!this.current) throw new GpuDeviceLostError(`no GPU device any more (the app fell back to the CPU after: ${this.failure ?? 'unknown'})`);
    return this.current.device;
  }

  private adopt(startup: GpuReady): void {
    this.current = startup;
    const device = startup.device;
    const generation = this.generationNow;
    // Noticed at once, not at the next call, so the app can redraw on the new device without user input.
    void device.lost.then((info) => {
      if (this.retired.has(device) || this.destroyed) return;
      void this.recover(new GpuDeviceLostError(`${info.reason}: ${info.message || 'no message'}`), generation);
    });
  }

  /** One recovery at a time; a fault of a device that is already retired just waits for (or reports) the new one. */
  private recover(cause: unknown, generation: number): Promise<boolean> {
    if (this.failed) return Promise.resolve(false);
    if (this.recovering) return this.recovering;
    if (generation !== this.generationNow) return Promise.resolve(this.current !== null);
    this.recovering = this.replace(cause).finally(() => {
      this.recovering = null;
    });
    return this.recovering;
  }

  private async replace(cause: unknown): Promise<boolean> {
    const from = this.current;
    this.teardown();
    if (++this.recoveriesInARow > MAX_RECOVERIES_IN_A_ROW || !from) {
      this.fail(cause);
      return false;
    }
    const startup = await requestGpu(from.gpu);
    if (this.destroyed) {
      if (startup.kind === 'ok') startup.device.destroy();
      return false;
    }
    if (startup.kind !== 'ok') {
      this.fail(cause);
      return false;
    }
    this.adopt(startup);
    const event: GpuRecovered = { device: startup.device, adapterName: startup.adapterName, cause: messageOf(cause), lost: isDeviceLoss(cause) };
    for (const listener of [...this.recoveredListeners]) notify(listener, event);
    return true;
  }

  /** Falls back for good: tears down and tells the listeners once. */
  private fail(cause: unknown): void {
    if (this.failed) return;
    this.failure = messageOf(cause);
    this.teardown();
    const event: GpuFallback = { cause: this.failure, plain: plainGpuFault(cause) };
    for (const listener of [...this.fallbackListeners]) notify(listener, event);
  }

  /** Destroys every module and retires the device (its loss is then ours, not a fault). */
  private teardown(): void {
    const modules = [...this.built.values()];
    this.built.clear();
    this.modules.clear();
    for (const m of modules) m.destroy();
    if (this.current) {
      this.retired.add(this.current.device);
      this.current.device.destroy();
      this.current = null;
    }
    this.generationNow++;
  }
}

/** Calls a listener; one that throws is reported (uncaught, asynchronously) without stopping the others. */
function notify<E>(listener: (e: E) => void, event: E): void {
  try {
    listener(event);
  } catch (e) {
    queueMicrotask(() => {
      throw e;
    });
  }
}

