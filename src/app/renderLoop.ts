/**
 * Coalesces redraw requests: always draws the newest state, one frame at a time, and resolves each
 * waiter once a frame at least as new as its request is on screen (rejecting if that frame failed).
 */
export class RenderLoop {
  private requested = 0;
  private drawn = 0;
  private running = false;
  private readonly waiters: { version: number; resolve: () => void; reject: (e: unknown) => void }[] = [];

  constructor(
    private readonly drawFrame: () => Promise<void>,
    private readonly onError: (e: unknown) => void,
  ) {}

  /** Asks for a frame; resolves when it (or a newer one) has been drawn. */
  request(): Promise<void> {
    const version = ++this.requested;
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ version, resolve, reject }));
    void this.pump();
    return done;
  }

  /** Whether every request made so far is drawn and no frame is being drawn. */
  get isIdle(): boolean {
    return this.drawn >= this.requested && !this.running;
  }

  /** Resolves once every request made so far is on screen. */
  idle(): Promise<void> {
    if (this.drawn >= this.requested && !this.running) return Promise.resolve();
    return new Promise<void>((resolve, reject) => this.waiters.push({ version: this.requested, resolve, reject }));
  }

  private settle(version: number, error: unknown): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i].version <= version) {
        const w = this.waiters.splice(i, 1)[0];
        if (error) w.reject(error);
        else w.resolve();
      }
    }
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.drawn < this.requested) {
        const version = this.requested;
        let error: unknown = null;
        try {
          await this.drawFrame();
        } catch (e) {
          error = e;
          this.onError(e);
        }
        this.drawn = version;
        this.settle(version, error);
      }
    } finally {
      this.running = false;
    }
  }
}
