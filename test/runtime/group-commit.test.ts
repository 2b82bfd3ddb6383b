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
});
