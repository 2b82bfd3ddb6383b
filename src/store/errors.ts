// Store failures as values with a code a caller can branch on and a message a trader can act on.

export type StoreErrorCode =
  | 'not_found'
  | 'conflict'
  | 'busy'
  | 'schema_too_new'
  | 'bad_secret_key'
  | 'secret_decrypt_failed';

export class StoreError extends Error {
  readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
    this.code = code;
  }
}

export function isStoreError(e: unknown, code?: StoreErrorCode): e is StoreError {
  return e instanceof StoreError && (code === undefined || e.code === code);
}
