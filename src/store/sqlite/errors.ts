// Maps SQLite failures to StoreError values.

import { StoreError } from '../errors.js';

export function asStoreError(e: unknown, what: string): unknown {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return e;
  if (code.startsWith('SQLITE_CONSTRAINT')) return new StoreError('conflict', `${what} already exists`, { cause: e });
  if (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_')) {
    return new StoreError('busy', `the database stayed locked while writing ${what}; another process holds it`, { cause: e });
  }
  return e;
}
