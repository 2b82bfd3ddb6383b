// Group commit: writes asked for during one turn of the event loop share one store transaction.
// Each caller's promise resolves only once its writes are durable, so "recorded before the broker
// call" holds while concurrent runs pay for one commit instead of one each.

import type { WriteBatch } from '../store/types.js';

type Write<W> = (w: W) => void;

export class GroupCommit<W = WriteBatch> {
  private queue: Array<{ write: Write<W>; resolve: () => void; reject: (e: Error) => void }> = [];
  private armed = false;

  /** `transaction` runs the writes its callback records in one commit (Store.tx). */
  constructor(private readonly transaction: (fn: Write<W>) => Promise<void>) {}

  /** Runs `write` inside the next group commit; resolves when it is committed. */
  commit(write: Write<W>): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ write, resolve, reject });
      if (!this.armed) {
        this.armed = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  /** Commits everything queued now. */
  async flush(): Promise<void> {
    this.armed = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    try {
      await this.transaction((w) => {
        for (const item of batch) item.write(w);
      });
      for (const item of batch) item.resolve();
    } catch {
      // One failing write must not fail the others: commit each alone and report its own outcome.
      for (const item of batch) {
        try {
          await this.transaction(item.write);
          item.resolve();
        } catch (e) {
          item.reject(e as Error);
        }
      }
    }
  }
}
