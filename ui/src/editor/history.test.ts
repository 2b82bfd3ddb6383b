import { describe, expect, it } from 'vitest';
import { History } from './history';

describe('undo history', () => {
  it('undoes and redoes in order, and a new change forgets the redo', () => {
    const h = new History<number>();
    h.record(1);
    h.record(2);
    expect(h.undo(3)).toBe(2);
    expect(h.undo(2)).toBe(1);
    expect(h.undo(1)).toBeNull();
    expect(h.redo(1)).toBe(2);
    h.record(2);
    expect(h.canRedo).toBe(false);
  });

  it('folds keystrokes in one field into one step, but not keystrokes far apart or in another field', () => {
    let now = 0;
    const h = new History<string>(100, 1000, () => now);
    h.record('a', 'n1.qty');
    now = 300;
    h.record('ab', 'n1.qty');
    now = 600;
    h.record('abc', 'n1.symbol');
    now = 5000;
    h.record('abcd', 'n1.symbol');
    expect(h.undo('abcde')).toBe('abcd');
    expect(h.undo('abcd')).toBe('abc');
    expect(h.undo('abc')).toBe('a');
    expect(h.canUndo).toBe(false);
  });

  it('keeps at most its limit of steps', () => {
    const h = new History<number>(3);
    for (let i = 0; i < 10; i++) h.record(i);
    expect([h.undo(10), h.undo(9), h.undo(8), h.undo(7)]).toEqual([9, 8, 7, null]);
  });
});
