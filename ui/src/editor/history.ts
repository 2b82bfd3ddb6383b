// Undo/redo over whole-graph snapshots. Typing into one field coalesces into one undo step.

export class History<T> {
  private past: T[] = [];
  private future: T[] = [];
  private lastKey: string | null = null;
  private lastAt = 0;

  constructor(private readonly limit = 100, private readonly coalesceMs = 1_000, private readonly clock: () => number = Date.now) {}

  /**
   * Records the state before a change. Changes with the same `key` within `coalesceMs` of each
   * other (keystrokes in one field) share the snapshot taken before the first of them.
   */
  record(before: T, key: string | null = null): void {
    const now = this.clock();
    const coalesce = key !== null && key === this.lastKey && now - this.lastAt < this.coalesceMs;
    this.lastKey = key;
    this.lastAt = now;
    if (coalesce) return;
    this.past.push(before);
    if (this.past.length > this.limit) this.past.shift();
    this.future = [];
  }

  undo(current: T): T | null {
    const prev = this.past.pop();
    if (prev === undefined) return null;
    this.future.push(current);
    this.lastKey = null;
    return prev;
  }

  redo(current: T): T | null {
    const next = this.future.pop();
    if (next === undefined) return null;
    this.past.push(current);
    this.lastKey = null;
    return next;
  }

  get canUndo(): boolean {
    return this.past.length > 0;
  }

  get canRedo(): boolean {
    return this.future.length > 0;
  }

  clear(): void {
    this.past = [];
    this.future = [];
    this.lastKey = null;
  }
}
