// Group commit: writes asked for during one turn of the event loop share one store transaction.
// Each caller's promise resolves only once its writes are durable, so "recorded before the broker
// call" holds while concurrent runs pay for one commit instead of one each.
//
// When the caller says nothing else is in flight (`alone`), nobody can join the batch: waiting for
// the next turn would only add latency to the one run there is, so the commit happens in a
// microtask instead (still after the caller's synchronous code, still batching whatever else is
// asked for before it). Under load the turn's wait is what lets commits share a transaction.
//
// An open commit (`open`) is one that later writes may join while it is still queued: a new
// execution's, which its run, started before it is durable, joins with its first durable point (the
// running mark, its steps, an order intent). It waits for the end of the turn (or for a joining
// write, when alone), and what joined it commits or fails with it, as one.

import { trace } from './trace.js';

import type { WriteBatch } from '../store/types.js';

type Write<W> = (w: W) => void;

/** What a run commits through: the group commit, or a gate that first joins its execution's commit. */
export interface Committer<W = WriteBatch> {
  commit(write: Write<W>): Promise<void>;
}

interface Item<W> {
  writes: Array<Write<W>>;
  /** Taken by a flush: nothing can join it any more. */
  taken: boolean;
  resolve: () => void;
  reject: (e: Error) => void;
}

/** A queued commit that later writes may join until it is flushed. */
export interface OpenCommit<W = WriteBatch> {
  /** Resolves once the write (and whatever joined it) is committed. */
  readonly done: Promise<void>;
  /**
   * Adds `write` to this commit if it is still queued (answers its promise, which is `done`), or
   * answers null when it was already taken by a flush.
   */
  join(write: Write<W>): Promise<void> | null;
}

export class GroupCommit<W = WriteBatch> implements Committer<W> {
  private queue: Array<Item<W>> = [];
  private armedSoon = false;
  private armedLate = false;

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
      this.queue.push({ writes: [write], taken: false, resolve, reject });
      this.arm(this.alone());
    });
  }

  /**
   * Queues `write` for the commit at the end of this turn (even when alone), and lets later
   * writes join it until then (see OpenCommit). A joining write, when alone, brings the commit
   * forward to its own microtask.
   */
  open(write: Write<W>): OpenCommit<W> {
    let item!: Item<W>;
    const done = new Promise<void>((resolve, reject) => {
      trace?.('commit.queued');
      item = { writes: [write], taken: false, resolve, reject };
      this.queue.push(item);
      this.arm(false);
    });
    return {
      done,
      join: (more) => {
        if (item.taken) return null;
        item.writes.push(more);
        // Nothing else can share it: commit now rather than at the end of the turn.
        if (this.alone()) this.arm(true);
        return done;
      },
    };
  }

  /** Arms a flush: in a microtask when `soon`, else at the end of the turn (one of each at most). */
  private arm(soon: boolean): void {
    if (soon) {
      if (this.armedSoon) return;
      // A flush armed for the end of the turn then finds the queue empty (or what came after this one).
      this.armedSoon = true;
      queueMicrotask(() => void this.flush());
    } else if (!this.armedLate && !this.armedSoon) {
      this.armedLate = true;
      setImmediate(() => {
        this.armedLate = false;
        void this.flush();
      });
    }
  }

  /** Commits everything queued now. */
  async flush(): Promise<void> {
    this.armedSoon = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    for (const item of batch) item.taken = true;
    trace?.('commit.begin');
    try {
      await this.transaction((w) => {
        for (const item of batch) for (const write of item.writes) write(w);
      });
      trace?.('commit.done');
      for (const item of batch) item.resolve();
    } catch {
      // One failing write must not fail the others: commit each alone and report its own outcome.
      for (const item of batch) {
        try {
          await this.transaction((w) => {
            for (const write of item.writes) write(w);
          });
          item.resolve();
        } catch (e) {
          item.reject(e as Error);
        }
      }
    }
  }
}
