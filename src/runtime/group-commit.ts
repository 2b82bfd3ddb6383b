// Group commit: writes asked for during one turn of the event loop share one SQLite transaction.
// Each caller's promise resolves only once its writes are durable, so "recorded before the broker
// call" holds while concurrent runs pay for one commit instead of one each.
//
// When the caller says nothing else is in flight (`alone`), nobody can join the batch: waiting for
// the next turn would only add latency to the one run there is, so the commit happens in a
// microtask instead (still after the caller's synchronous code, still batching whatever else is
// asked for before it). Under load the turn's wait is what lets commits share a transaction.

import { trace } from './trace.js';

export class GroupCommit {
  private queue: Array<{ write: () => void; resolve: () => void; reject: (e: Error) => void }> = [];
  private armed = false;

  constructor(
    private readonly transaction: (fn: () => void) => void,
    private readonly alone: () => boolean = () => false,
  ) {}

  /** Runs `write` inside the next group commit; resolves when it is committed. */
  commit(write: () => void): Promise<void> {
    return new Promise((resolve, reject) => {
      trace?.('commit.queued');
      this.queue.push({ write, resolve, reject });
      if (!this.armed) {
        this.armed = true;
        if (this.alone()) queueMicrotask(() => this.flush());
        else setImmediate(() => this.flush());
      }
    });
  }

  /** Commits everything queued now. */
  flush(): void {
    this.armed = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    trace?.('commit.begin');
    try {
      this.transaction(() => {
        for (const item of batch) item.write();
      });
      trace?.('commit.done');
      for (const item of batch) item.resolve();
    } catch {
      // One failing write must not fail the others: commit each alone and report its own outcome.
      for (const item of batch) {
        try {
          this.transaction(item.write);
          item.resolve();
        } catch (e) {
          item.reject(e as Error);
        }
      }
    }
  }
}
