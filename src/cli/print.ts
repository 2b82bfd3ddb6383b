// Human-readable output for the CLI.

import type { RunResult } from '../engine/types.js';
import type { Problem } from '../workflow/schema.js';

const MARK: Record<string, string> = { completed: '✓', failed: '✗', skipped: '·', canceled: '⊘' };

const short = (v: unknown, max = 160) => {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
};

export function formatProblems(problems: Problem[]): string {
  return problems
    .map((p) => `  ${p.severity === 'error' ? 'error  ' : 'warning'} ${p.code.padEnd(18)} ${p.message}`)
    .join('\n');
}

export function formatRun(name: string, r: RunResult): string {
  const lines: string[] = [`${name}: ${r.status.toUpperCase()} (execution ${r.executionId})`];
  lines.push('', 'steps:');
  for (const s of r.steps) {
    const ms = s.durationMs !== undefined ? ` ${s.durationMs} ms` : '';
    lines.push(`  ${MARK[s.status] ?? '?'} ${s.nodeId.padEnd(10)} ${s.type.padEnd(16)} ${s.status}${ms}${s.error ? `  ${s.error}` : ''}`);
    if (s.status === 'completed' && s.output !== undefined) lines.push(`      → ${short(s.output)}`);
  }
  if (r.orders.length) {
    lines.push('', 'orders:');
    for (const o of r.orders) {
      lines.push(`  ${o.key}  ${o.method} ${o.status}${o.orderIds.length ? ` orderid ${o.orderIds.join(', ')}` : ''}${o.error ? `  ${o.error}` : ''}`);
      lines.push(`      ${short(o.request)}`);
    }
  }
  if (r.logs.length) {
    lines.push('', 'logs:');
    for (const l of r.logs) lines.push(`  ${l.time.slice(11, 23)} ${l.level.padEnd(5)} ${l.nodeId ? `[${l.nodeId}] ` : ''}${l.message}`);
  }
  if (r.error) lines.push('', `error: ${r.error}`);
  return lines.join('\n');
}
