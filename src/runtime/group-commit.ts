// Group commit: writes asked for during one turn of the event loop share one store transaction.
// Each caller's promise resolves only once its writes are durable, so "recorded before the broker
// call" holds while concurrent runs pay for one commit instead of one each.
//
// When the caller says nothing else is in flight (`alone`), nobody can join the batch: waiting for
// the next turn would only add latency to the one run there is, so the commit happens in a
// microtask instead (still after the caller's synchronous code, still batching whatever else is
// asked for before it). Under load the turn's wait is what lets commits share a transaction.

import { trace } from './trace.js';

import type { WriteBatch } from '../store/types.js';

type Write<W> = (w: W) => void;

export class GroupCommit<W = WriteBatch> {
  private queue: Array<{ write: Write<W>; resolve: () => void; reject: (e: Error) => void }> = [];
  private armed = false;

  /**
   * `transaction` runs the writes its callback records in one commit (Store.tx); `alone` says
   * whether nothing else is in flight (then the commit need not wait for the next turn).
   */
  constructor(
    private readonly transaction: (fn: Write<W>) => Promise<void>,
    private readonly alone: () => boolean = () => false,
  ) {}

  /** Runs `write` inside the next group commit; resolves when it is committed. */
  commit(write: Write<W>): Promise<void> {
    return new Promise((resolve, reject) => {
      trace?.('commit.queued');
      this.queue.push({ write, resolve, reject });
      if (!this.armed) {
        this.armed = true;
        if (this.alone()) queueMicrotask(() => void this.flush());
        else setImmediate(() => void this.flush());
      }
    });
  }

  /** Commits everything queued now. */
  async flush(): Promise<void> {
    this.armed = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    trace?.('commit.begin');
    try {
      await this.transaction((w) => {
        for (const item of batch) item.write(w);
      });
      trace?.('commit.done');
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
