// Values that look secret (a key named like one, a URL's secret query parameter) are hidden wherever
// Flow shows a value: logs, stored runs, and the field parsers' messages (DESIGN.md §6).

const SECRET_KEY = /^(api[-_]?key|secret|token|authorization|password|passwd|x-api-key|bot[-_]?token|webhook[-_]?secret)$/i;
export const REDACTED = '[redacted]';

const SECRET_PARAM = /([?&](?:api[-_]?key|apikey|secret|token|access[-_]?token|key|password|signature|sig)=)[^&#]*/gi;

/** Hides the values of secret-looking query parameters in a URL (`?token=…` → `?token=[redacted]`). */
export function redactUrl(text: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(text) && text.includes('=') ? text.replace(SECRET_PARAM, `$1${REDACTED}`) : text;
}

/** True when a value holds something redact() would change (checked without copying). */
function holdsSecret(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('=') && redactUrl(value) !== value;
  if (Array.isArray(value)) return value.some(holdsSecret);
  if (value !== null && typeof value === 'object') {
    for (const k in value) {
      if (SECRET_KEY.test(k) || holdsSecret((value as Record<string, unknown>)[k])) return true;
    }
  }
  return false;
}

/**
 * A value with secret-looking keys (and URL query secrets) replaced, at any depth. The value
 * itself comes back when there is nothing to hide: callers must not mutate what they pass in later.
 */
export function redact<T>(value: T): T {
  return holdsSecret(value) ? redactCopy(value) : value;
}

function redactCopy<T>(value: T): T {
  if (typeof value === 'string') return redactUrl(value) as T;
  if (Array.isArray(value)) return value.map(redactCopy) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? REDACTED : redactCopy(v);
    return out as T;
  }
  return value;
}
