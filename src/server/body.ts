// Request bodies: JSON parsed only after an iterative depth check (nothing recursive may see a
// hostile nesting), and an oversized body drained (bounded) so the client reads our 413.

import type { IncomingMessage } from 'node:http';
import { FlowError } from '../errors.js';

/** Deeper than any workflow or alert needs; deep enough to stay clear of every recursive walk. */
export const MAX_JSON_DEPTH = 64;

/** True when the JSON text nests objects/arrays deeper than `max` (one pass, no recursion). */
export function jsonTooDeep(text: string, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > max) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}

export const tooDeep = () => new FlowError('too_deep', `the body nests objects or arrays more than ${MAX_JSON_DEPTH} levels deep`, 400);

/** Parses a JSON body; a FlowError (400) for text that is not JSON or nests too deep. */
export function parseJson(text: string): unknown {
  if (jsonTooDeep(text)) throw tooDeep();
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new FlowError('invalid_json', `the body is not valid JSON (${(e as Error).message})`, 400);
  }
}

/**
 * Reads and discards the rest of a request body, up to `maxBytes` or `maxMs`, so a client still
 * sending (a 5 MB alert) sees the answer instead of a broken pipe. Resolves either way.
 */
export function drain(req: IncomingMessage, maxBytes = 16 * 1024 * 1024, maxMs = 2_000): Promise<void> {
  if (req.complete || req.readableEnded || req.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let seen = 0;
    const finish = () => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', finish);
      req.off('close', finish);
      req.off('error', finish);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > maxBytes) finish();
    };
    const timer = setTimeout(finish, maxMs);
    req.on('data', onData);
    req.on('end', finish);
    req.on('close', finish);
    req.on('error', finish);
    req.resume();
  });
}
