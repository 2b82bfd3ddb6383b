// Concurrency: per-workflow FIFO lanes (the `queue` policy) and a global limit for `parallel` runs.

/** A counting semaphore whose waiters are served in arrival order. */
export class Semaphore {
  private waiters: Array<() => void> = [];
  private used = 0;
  constructor(private readonly limit: number) {}

  async acquire(): Promise<void> {
    if (this.used < this.limit) {
      this.used++;
      return;
    }
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** Takes a slot if one is free now, without waiting; true when it did. */
  tryAcquire(): boolean {
    if (this.used >= this.limit) return false;
    this.used++;
    return true;
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next(); // the slot passes straight to the next waiter
    else this.used--;
  }

  get waiting(): number {
    return this.waiters.length;
  }
}

/** Runs jobs of one key one at a time, in the order they were added; different keys run independently. */
export class Lanes<T> {
  private lanes = new Map<string, T[]>();

  constructor(private readonly runJob: (job: T) => Promise<void>) {}

  add(key: string, job: T): void {
    const lane = this.lanes.get(key);
    if (lane) {
      lane.push(job);
      return;
    }
    this.lanes.set(key, [job]);
    void this.drain(key);
  }

  /** Removes a job that has not started; true when it was waiting. */
  remove(key: string, match: (job: T) => boolean): boolean {
    const lane = this.lanes.get(key);
    if (!lane) return false;
    // Index 0 is the job in progress; only later ones can be withdrawn.
    const i = lane.findIndex((job, k) => k > 0 && match(job));
    if (i < 0) return false;
    lane.splice(i, 1);
    return true;
  }

  /** Jobs waiting or in progress. */
  get size(): number {
    let n = 0;
    for (const lane of this.lanes.values()) n += lane.length;
    return n;
  }

  busy(key: string): boolean {
    return (this.lanes.get(key)?.length ?? 0) > 0;
  }

  private async drain(key: string): Promise<void> {
    const lane = this.lanes.get(key)!;
    while (lane.length > 0) {
      try {
        await this.runJob(lane[0]);
      } catch {
        // runJob records its own failures; a lane never stalls on one.
      }
      lane.shift();
    }
    this.lanes.delete(key);
  }
}
