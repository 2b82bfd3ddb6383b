// Short, URL-safe ids. Execution ids start with the time so that they sort (and index) in creation order.

import { randomBytes } from 'node:crypto';

/** `length` random URL-safe characters (base64url alphabet, 6 bits each). */
export function randomId(length: number): string {
  return randomBytes(Math.ceil((length * 3) / 4)).toString('base64url').slice(0, length);
}

/** 'wf_' + 10 random characters. */
export function newWorkflowId(): string {
  return 'wf_' + randomId(10);
}

/** 'ex_' + 9 base-36 time characters + 10 random characters; ordered by creation time. */
export function newExecutionId(now: number = Date.now()): string {
  return 'ex_' + now.toString(36).padStart(9, '0') + randomId(10);
}
