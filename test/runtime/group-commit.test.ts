import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../src/runtime/group-commit.js';

describe('group commit', () => {
  it('writes asked for in one turn share one transaction, and each resolves after it', async () => {
    const log: string[] = [];
    const gc = new GroupCommit<void>(async (fn) => {
      log.push('begin');
      fn();
      log.push('commit');
    });
    const a = gc.commit(() => void log.push('a'));
    const b = gc.commit(() => void log.push('b'));
    expect(log).toEqual([]); // nothing before the turn ends
    await Promise.all([a, b]);
    expect(log).toEqual(['begin', 'a', 'b', 'commit']);
  });

  it('a failing write fails only its own caller', async () => {
    const committed: string[] = [];
    const gc = new GroupCommit<void>(async (fn) => {
      const before = committed.length;
      try {
        fn();
      } catch (e) {
        committed.length = before; // roll back
        throw e;
      }
    });
    const ok = gc.commit(() => void committed.push('ok'));
    const bad = gc.commit(() => {
      throw new Error('disk full');
    });
    await expect(ok).resolves.toBeUndefined();
    await expect(bad).rejects.toThrow('disk full');
    expect(committed).toEqual(['ok']);
  });

  it('alone, it commits without waiting for the next turn, still after the caller and still resolving only once committed', async () => {
    const log: string[] = [];
    let alone = true;
    const gc = new GroupCommit<void>(async (fn) => {
      log.push('begin');
      fn();
      log.push('commit');
    }, () => alone);
    const turn = new Promise<void>((resolve) => setImmediate(() => resolve(void log.push('next turn'))));
    const a = gc.commit(() => void log.push('a'));
    const b = gc.commit(() => void log.push('b')); // asked before the microtask: shares the transaction
    expect(log).toEqual([]);
    await a;
    expect(log).toEqual(['begin', 'a', 'b', 'commit']);
    await Promise.all([b, turn]);
    expect(log).toEqual(['begin', 'a', 'b', 'commit', 'next turn']);

    // Not alone (others in flight): the commit waits for the turn, so theirs can join it.
    alone = false;
    log.length = 0;
    const c = gc.commit(() => void log.push('c'));
    queueMicrotask(() => log.push('microtask'));
    await Promise.all([c, new Promise<void>((resolve) => setImmediate(resolve))]);
    expect(log).toEqual(['microtask', 'begin', 'c', 'commit']);
  });

  it('an open commit waits for the end of the turn unless a write joins it (alone); what joined it commits or fails with it', async () => {
    const committed: string[] = [];
    const log: string[] = [];
    const gc = new GroupCommit<void>(async (fn) => {
      const before = committed.length;
      log.push('begin');
      try {
        fn();
      } catch (e) {
        committed.length = before; // roll back
        throw e;
      }
    }, () => true);
    // Nothing joins: committed at the end of the turn, not in a microtask.
    const lone = gc.open(() => void committed.push('x1'));
    await Promise.resolve();
    await Promise.resolve();
    expect(committed).toEqual([]);
    await lone.done;
    expect(committed).toEqual(['x1']);
    expect(lone.join(() => void committed.push('late'))).toBeNull(); // taken: nothing can join it now

    // A write joins it: one transaction, committed in a microtask, both promises are the one outcome.
    log.length = 0;
    committed.length = 0;
    const turn = new Promise<void>((resolve) => setImmediate(() => resolve(void log.push('next turn'))));
    const open = gc.open(() => void committed.push('execution'));
    const joined = open.join(() => void committed.push('intent'));
    expect(joined).toBe(open.done);
    await joined;
    expect(log).toEqual(['begin']);
    expect(committed).toEqual(['execution', 'intent']);
    await turn;

    // A joined write that fails fails the open commit with it (rolled back together); others in the batch commit.
    committed.length = 0;
    const other = gc.commit(() => void committed.push('other'));
    const doomed = gc.open(() => void committed.push('execution 2'));
    const failing = doomed.join(() => {
      throw new Error('disk full');
    })!;
    await expect(failing).rejects.toThrow('disk full');
    await expect(doomed.done).rejects.toThrow('disk full');
    await expect(other).resolves.toBeUndefined();
    expect(committed).toEqual(['other']);
  });
});
