// The polling loop the price monitor and the order watcher share: one pass at a time (overlapping
// requests share the pass in flight), repeated on an interval while started.

export class Poller {
  private timer: NodeJS.Timeout | null = null;
  private inflight: Promise<void> | null = null;

  /** `onError` receives what a pass the caller does not await (the interval's, a kick's) throws. */
  constructor(private readonly pass: () => Promise<void>, private readonly everyMs: number, private readonly onError: (err: unknown) => void) {}

  /** Whether the interval runs. */
  get running(): boolean {
    return this.timer !== null;
  }

  /** One pass now, or the one in flight. */
  run(): Promise<void> {
    this.inflight ??= this.pass().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  /** A pass now, its failure reported rather than thrown. */
  kick(): void {
    this.run().catch(this.onError);
  }

  /** A pass that starts after the one in flight (which may have begun before what the caller just changed). */
  kickAfterCurrent(): void {
    (this.inflight ?? Promise.resolve()).then(() => this.run()).catch(this.onError);
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.kick(), this.everyMs);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
