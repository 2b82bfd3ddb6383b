// The server's logger: JSON lines (pino) for a log collector, or one compact readable line per
// record when a person watches a terminal. The same pino records either way; only the output differs.

import pino, { type Logger } from 'pino';

const REDACT = ['apikey', 'secret', 'token', 'authorization', '*.apikey', '*.secret', '*.token', '*.authorization', 'req.headers.authorization', 'headers.authorization'];

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

export function createLogger(opts: LoggerOptions): Logger {
  const options = { level: opts.level, redact: { paths: REDACT, censor: '[redacted]' } };
  const pretty = opts.pretty ?? process.stdout.isTTY === true;
  // stdout asynchronously (pino's own SonicBoom, flushed synchronously at exit): a line per run at
  // `info` was one write(2) per execution on the hot path; now lines written while one write is in
  // flight go out together with the next.
  if (!pretty) return pino(options, opts.sink ? opts.sink as pino.DestinationStream : pino.destination({ dest: 1, sync: false }));
  const out = opts.sink ?? process.stdout;
  return pino(options, { write: (line: string) => void out.write(prettyLine(line)) });
}
