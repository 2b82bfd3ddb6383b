// FLOW_TRACE=1: timestamps of one webhook's way through the process (arrival, parsed, authenticated,
// commits, engine start, the broker request written and answered), on process.hrtime's clock (the
// monotonic clock the benches and the fake brokers stamp with). Meant for the sequential path, one
// webhook at a time: each trace runs from one request's arrival to the next one's and is written to
// stderr as one line `flow-trace {"t0": ns, "marks": [[label, µs since t0], …]}`. Off, `trace` is
// null and each call site costs one null check.
//
// A price alert's path starts a trace too, but only when an alert fires (a tick that fires nothing
// writes no line): the stream client stamps each frame's arrival (traceFrame), and the monitor's
// fire (traceFire) opens a trace at that stamp, `tick.received`, then marks `alert.fired`.

import diagnostics from 'node:diagnostics_channel';

type Mark = (label: string) => void;

let begin: ((at: bigint, label: string) => void) | null = null;

function startTracing(): Mark {
  let t0 = 0n;
  let marks: Array<[string, number]> = [];
  const flush = () => {
    if (marks.length > 0) process.stderr.write(`flow-trace ${JSON.stringify({ t0: String(t0), marks })}\n`);
    marks = [];
  };
  const mark: Mark = (label) => {
    marks.push([label, Number(process.hrtime.bigint() - t0) / 1000]);
  };
  begin = (at, label) => {
    // The previous trace is written after this turn, not inside the path being traced.
    const previous = { t0, marks };
    if (previous.marks.length > 0) setImmediate(() => process.stderr.write(`flow-trace ${JSON.stringify({ t0: String(previous.t0), marks: previous.marks })}\n`));
    marks = [];
    t0 = at;
    marks.push([label, 0]);
  };
  // Node's own HTTP server and undici publish these; subscribing costs nothing while tracing is off.
  diagnostics.subscribe('http.server.request.start', (m) => {
    const url = (m as { request: { url?: string } }).request.url ?? '';
    if (!url.startsWith('/flow/webhook/')) return;
    flush();
    t0 = process.hrtime.bigint();
    mark('arrival');
  });
  diagnostics.subscribe('http.server.response.finish', () => mark('response.finish'));
  diagnostics.subscribe('undici:request:create', () => mark('broker.requestCreated'));
  diagnostics.subscribe('undici:client:beforeConnect', () => mark('broker.connecting'));
  diagnostics.subscribe('undici:client:connected', () => mark('broker.connected'));
  diagnostics.subscribe('undici:client:sendHeaders', () => mark('broker.headersWritten'));
  diagnostics.subscribe('undici:request:bodySent', () => mark('broker.bodyWritten'));
  diagnostics.subscribe('undici:request:headers', () => mark('broker.answerHeaders'));
  diagnostics.subscribe('undici:request:trailers', () => mark('broker.answerEnd'));
  process.on('exit', flush);
  return mark;
}

export const trace: Mark | null = process.env.FLOW_TRACE === '1' ? startTracing() : null;

let frameAt = 0n;

/** The stream client, as a frame arrives (null when tracing is off). */
export const traceFrame: (() => void) | null = trace ? () => { frameAt = process.hrtime.bigint(); } : null;

/** The price monitor, as an alert fires: on a tick, the trace starts at that frame's arrival; on a poll, now. */
export const traceFire: ((source: 'stream' | 'poll') => void) | null = trace
  ? (source) => {
    if (source === 'stream') begin!(frameAt, 'tick.received');
    else begin!(process.hrtime.bigint(), 'poll.answered');
    trace!('alert.fired');
  }
  : null;
