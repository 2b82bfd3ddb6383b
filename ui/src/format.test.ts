import { describe, expect, it } from 'vitest';
import { runTime, shortId } from './format';

describe('run ids and times as the UI shows them', () => {
  it('tells apart runs whose time-ordered ids share their first characters', () => {
    // Two ids of the same minute: 'ex_' + 9 time characters + 10 random ones.
    const a = 'ex_0mwzx1k2ab7f3k9qz1c';
    const b = 'ex_0mwzx1k2a9d2m4x8w5e';
    expect(shortId(a)).toBe('k9qz1c');
    expect(shortId(a)).not.toBe(shortId(b));
    expect(shortId('run_12')).toBe('run_12');
  });

  it('shows a run of today by its clock time and an older one with its date', () => {
    const now = new Date(2026, 10, 28, 15, 0, 0);
    expect(runTime(new Date(2026, 10, 28, 9, 15, 7).toISOString(), now)).toMatch(/^0?9:15:07$/);
    expect(runTime(new Date(2026, 10, 26, 9, 15, 7).toISOString(), now)).toMatch(/26.*0?9:15:07$/);
  });
});
