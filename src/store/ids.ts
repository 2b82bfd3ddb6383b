// Short, URL-safe ids. Execution ids start with the time so that they sort (and index) in creation order.

import { randomFillSync } from 'node:crypto';

// Random bytes drawn 4 KB at a time: one randomBytes() call per id was ~3 % of the CPU under a
// webhook load (a call into OpenSSL each); each byte is still used once.
const pool = Buffer.alloc(4096);
let used = pool.length;

/** `length` random URL-safe characters (base64url alphabet, 6 bits each). */
export function randomId(length: number): string {
  const n = Math.ceil((length * 3) / 4);
  if (used + n > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  used += n;
  return pool.toString('base64url', used - n, used).slice(0, length);
}

/** 'wf_' + 10 random characters. */
export function newWorkflowId(): string {
  return 'wf_' + randomId(10);
}

/** 'ex_' + 9 base-36 time characters + 10 random characters; ordered by creation time. */
export function newExecutionId(now: number = Date.now()): string {
  return 'ex_' + now.toString(36).padStart(9, '0') + randomId(10);
}
