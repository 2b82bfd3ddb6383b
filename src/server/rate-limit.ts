// Per-key rate limit over a sliding minute (webhooks per token).

export class SlidingWindowLimiter {
  private readonly hits = new Map<string, number[]>();

  /** perMinute 0 turns the limit off. */
  constructor(private readonly perMinute: number, private readonly now: () => number = Date.now) {}

  /** Records a hit; false when the key is over its limit (the hit is not counted then). */
  take(key: string): boolean {
    if (this.perMinute <= 0) return true;
    const now = this.now();
    let list = this.hits.get(key);
    if (!list) {
      if (this.hits.size > 50_000) this.sweep(now);
      list = [];
      this.hits.set(key, list);
    }
    while (list.length > 0 && list[0] <= now - 60_000) list.shift();
    if (list.length >= this.perMinute) return false;
    list.push(now);
    return true;
  }

  /** Seconds until the key may send again. */
  retryAfter(key: string): number {
    const list = this.hits.get(key);
    if (!list || list.length === 0) return 0;
    return Math.max(1, Math.ceil((list[0] + 60_000 - this.now()) / 1000));
  }

  private sweep(now: number): void {
    for (const [key, list] of this.hits) if (list.length === 0 || list[list.length - 1] <= now - 60_000) this.hits.delete(key);
  }
}
