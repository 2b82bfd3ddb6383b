// A moving-window rate limiter: at most N calls in any window, the way OpenAlgo's
// Flask-Limiter counts them. Callers wait in FIFO order for a slot; nothing fails.
//
// A slot taken with `acquire` stays busy until its holder calls `release`, and its
// window counts from that moment. The window of a call that has answered therefore
// starts after the server saw it, so network delays can never squeeze N+1 calls into
// one of the server's windows. `tryAcquire` takes a slot now or not at all (servers).

/** Above this rate a limiter is unlimited (the window would not fit in memory usefully). */
const MAX_TRACKED_RATE = 1_000_000;

export type Release = () => void;

const noop: Release = () => {};
const unlimitedSlot: Promise<Release> = Promise.resolve(noop);

interface Waiter {
  resolve: (release: Release) => void;
  reject: (err: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
  done: boolean;
}

export class RateLimiter {
  /** Calls allowed per window. */
  private readonly capacity: number;
  /** Window length in ms (1000 for integer rates). */
  private readonly windowMs: number;
  private readonly unlimited: boolean;
  /** Ring of release times, oldest first; all within the last window or still pending expiry. */
  private readonly released: Float64Array;
  private head = 0;
  private count = 0;
  /** Slots handed out and not yet released. */
  private held = 0;
  private readonly queue: Array<Waiter | undefined> = [];
  private queueHead = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;

  /** @param ratePerSec calls per second; 0 or Infinity means unlimited. */
  constructor(ratePerSec: number) {
    if (!(ratePerSec >= 0) || Number.isNaN(ratePerSec)) throw new RangeError(`rate must be >= 0, got ${ratePerSec}`);
    this.unlimited = ratePerSec === 0 || ratePerSec > MAX_TRACKED_RATE;
    this.capacity = this.unlimited ? 0 : Math.max(1, Math.floor(ratePerSec));
    this.windowMs = this.unlimited ? 0 : (this.capacity * 1000) / ratePerSec;
    this.released = new Float64Array(this.capacity);
  }

  /** Calls waiting for a slot. */
  get pending(): number {
    return this.queue.length - this.queueHead;
  }

  /**
   * Waits for a slot. Resolves to `release`, to be called once the call has finished
   * (its window starts then). Rejects only when `signal` aborts first.
   */
  acquire(signal?: AbortSignal): Promise<Release> {
    if (this.unlimited) return unlimitedSlot;
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.pending === 0 && this.free(performance.now())) return Promise.resolve(this.take());
    return new Promise<Release>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal, done: false };
      if (signal) {
        waiter.onAbort = () => {
          if (waiter.done) return;
          waiter.done = true; // left in the queue as a hole; drain skips it
          reject(abortReason(signal));
          this.drain();
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.queue.push(waiter);
      this.schedule(performance.now());
    });
  }

  /** True when a call made now would have to wait for a slot. */
  get busy(): boolean {
    return !this.unlimited && (this.pending > 0 || !this.free(performance.now()));
  }

  /** Takes a slot now if one is free (its window starts now); never waits. */
  tryAcquire(): boolean {
    if (this.unlimited) return true;
    const now = performance.now();
    if (this.pending > 0 || !this.free(now)) return false;
    this.push(now);
    return true;
  }

  /** True when a slot is free at `now`, dropping windows that have ended. */
  private free(now: number): boolean {
    while (this.count > 0 && this.released[this.head] + this.windowMs <= now) {
      this.head = (this.head + 1) % this.capacity;
      this.count--;
    }
    return this.held + this.count < this.capacity;
  }

  private take(): Release {
    this.held++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.held--;
      this.push(performance.now());
      this.schedule(performance.now());
    };
  }

  private push(at: number): void {
    this.released[(this.head + this.count) % this.capacity] = at;
    this.count++;
  }

  private drain = (): void => {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = performance.now();
    while (this.pending > 0) {
      const waiter = this.queue[this.queueHead];
      if (!waiter || waiter.done) {
        this.shift();
        continue;
      }
      if (!this.free(now)) break;
      this.shift();
      waiter.done = true;
      if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.resolve(this.take());
    }
    this.schedule(now);
  };

  private shift(): void {
    this.queue[this.queueHead++] = undefined;
    if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue.splice(0, this.queueHead);
      this.queueHead = 0;
    }
  }

  /** Arms a timer for the moment the oldest window ends, if someone is waiting for it. */
  private schedule(now: number): void {
    if (this.pending === 0) return;
    if (this.free(now)) {
      // a slot is free already (a release or an abort): hand it out on the next tick
      this.arm(now, now);
      return;
    }
    if (this.count === 0) return; // every slot is held: a release will call schedule
    this.arm(now, this.released[this.head] + this.windowMs);
  }

  private arm(now: number, at: number): void {
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(this.drain, Math.max(0, Math.ceil(at - now)));
  }
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted', 'AbortError');
}
