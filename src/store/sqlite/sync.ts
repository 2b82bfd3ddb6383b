// The SQLite parts are synchronous (better-sqlite3: a call is a few microseconds, no I/O wait worth
// yielding for); the store they assemble answers promises, as every store does (types.ts).

/** T with every promise-returning method made synchronous. */
export type Sync<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => R : T[K];
};

/** A synchronous function as one answering a promise: a throw becomes a rejection. */
export function promised<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => Promise<R> {
  return (...args) => {
    try {
      return Promise.resolve(fn(...args));
    } catch (e) {
      return Promise.reject(e);
    }
  };
}
