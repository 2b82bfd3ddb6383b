// Secrets never reach logs, variables or stored run data (DESIGN.md §6).

// What looks secret (by key name, or as a URL query parameter) is a shared rule: the field parsers'
// messages hide it too (src/contract/), so it lives there and the engine re-exports it.
export { redact, redactUrl, REDACTED } from '../contract/redact.js';
import { REDACTED } from '../contract/redact.js';

/** Drops the webhook `secret` from a trigger payload (it must never become `{{webhook.secret}}`). */
export function withoutSecret(payload: Record<string, unknown>): Record<string, unknown> {
  if (!Object.prototype.hasOwnProperty.call(payload, 'secret')) return payload;
  const { secret: _secret, ...rest } = payload;
  return rest;
}

/** Replaces known secret values wherever they occur in a value (strings and keys, at any depth). */
export type Scrub = <T>(value: T) => T;

/** Shorter values are not scrubbed: replacing a short string everywhere would mangle ordinary text. */
const MIN_SECRET_LENGTH = 8;
const identity: Scrub = (value) => value;

/**
 * A scrubber for known secret values (API keys, bot tokens, webhook secrets, the API token), in
 * every encoding Flow itself produces them in: plain, JSON-escaped (once or twice, as text inside
 * stored JSON), and URL-encoded (path, query and form style). Copies only what holds a secret.
 */
export function secretScrubber(secrets: Iterable<string | null | undefined>): Scrub {
  const needles = new Set<string>();
  for (const s of secrets) {
    if (typeof s !== 'string' || s.length < MIN_SECRET_LENGTH) continue;
    const escaped = JSON.stringify(s).slice(1, -1);
    for (const v of [s, escaped, JSON.stringify(escaped).slice(1, -1), encodeURIComponent(s), encodeURI(s), new URLSearchParams({ s }).toString().slice(2)]) {
      needles.add(v);
    }
  }
  if (needles.size === 0) return identity;
  // Longest first: a secret that contains another is replaced whole.
  const list = [...needles].sort((a, b) => b.length - a.length);
  const inText = (text: string) => list.some((n) => text.includes(n));
  const holds = (value: unknown): boolean => {
    if (typeof value === 'string') return inText(value);
    if (Array.isArray(value)) return value.some(holds);
    if (value !== null && typeof value === 'object') {
      for (const k in value) if (inText(k) || holds((value as Record<string, unknown>)[k])) return true;
    }
    return false;
  };
  const replace = (text: string) => {
    let out = text;
    for (const n of list) if (out.includes(n)) out = out.replaceAll(n, REDACTED);
    return out;
  };
  const copy = (value: unknown): unknown => {
    if (typeof value === 'string') return replace(value);
    if (Array.isArray(value)) return value.map(copy);
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[replace(k)] = copy(v);
      return out;
    }
    return value;
  };
  return <T>(value: T): T => (holds(value) ? (copy(value) as T) : value);
}
