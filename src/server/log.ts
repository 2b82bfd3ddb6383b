// The server's logger: JSON lines (pino) for a log collector, or one compact readable line per
// record when a person watches a terminal. The same pino records either way; only the output differs.

import pino, { type Logger } from 'pino';
import { redact } from '../contract/redact.js';

export interface LogSink {
  write(line: string): unknown;
}

export interface LoggerOptions {
  level: string;
  /** Readable lines instead of JSON; default: when stdout is a terminal. */
  pretty?: boolean;
  /** Where lines go (default stdout); tests capture them. */
  sink?: LogSink;
}

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
/** pino's own fields, shown in the line's head or left out. */
const OWN = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'v']);

function show(v: unknown): string {
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  if (v === null || typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v) ?? String(v);
}

/** One pino JSON record as `HH:MM:SS LEVEL message key=value …` (the time is local, as a terminal reader expects). */
export function prettyLine(json: string): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const t = new Date(typeof rec.time === 'number' ? rec.time : Date.now());
  const clock = [t.getHours(), t.getMinutes(), t.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
  const level = (LEVELS[rec.level as number] ?? String(rec.level)).padEnd(5);
  const fields = Object.entries(rec).filter(([k, v]) => !OWN.has(k) && v !== undefined).map(([k, v]) => `${k}=${show(v)}`);
  return `${clock} ${level} ${String(rec.msg ?? '')}${fields.length ? `  ${fields.join(' ')}` : ''}\n`;
}

/** Plain data (what redact walks); anything else (an Error, a request) is left to pino's serializers. */
function plain(v: unknown): boolean {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return true;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** A record with its secret-looking values hidden; the record itself when there is nothing to hide. */
function hideSecrets(o: Record<string, unknown>): Record<string, unknown> {
  let other: string[] | undefined;
  for (const k in o) if (!plain(o[k])) (other ??= []).push(k);
  if (!other) return redact(o);
  const data = { ...o };
  for (const k of other) delete data[k];
  const hidden = redact(data);
  if (hidden === data) return o;
  for (const k of other) hidden[k] = o[k];
  return hidden;
}

export function createLogger(opts: LoggerOptions): Logger {
  // Secret-looking keys (apikey, secret, token, authorization, password, …) at any depth, and URL
  // query secrets, are hidden by the rule stored runs use (contract/redact). It walks a record
  // without copying when there is nothing to hide; pino's `redact` paths cloned every record
  // (3.7 % of the CPU under a webhook load at `info`, one line per run; 22.6 → 10.7 µs of CPU per run line).
  const options: pino.LoggerOptions = { level: opts.level, formatters: { log: hideSecrets } };
  const pretty = opts.pretty ?? process.stdout.isTTY === true;
  const out = opts.sink ?? process.stdout;
  const logger = !pretty
    ? (opts.sink ? pino(options, opts.sink as pino.DestinationStream) : pino(options))
    : pino(options, { write: (line: string) => void out.write(prettyLine(line)) });
  // A child's bindings are hidden the same way (children inherit this method from the root).
  const child = logger.child as unknown as (this: unknown, bindings: pino.Bindings, o?: pino.ChildLoggerOptions) => Logger;
  logger.child = function (this: unknown, bindings: pino.Bindings, o?: pino.ChildLoggerOptions) {
    return child.call(this, redact(bindings), o);
  } as unknown as typeof logger.child;
  return logger;
}
