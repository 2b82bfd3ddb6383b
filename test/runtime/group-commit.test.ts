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
});
