// FLOW_TRACE=1: timestamps of one webhook's way through the process (arrival, parsed, authenticated,
// commits, engine start, the broker request written and answered), on process.hrtime's clock (the
// monotonic clock the benches and the fake brokers stamp with). Meant for the sequential path, one
// webhook at a time: each trace runs from one request's arrival to the next one's and is written to
// stderr as one line `flow-trace {"t0": ns, "marks": [[label, µs since t0], …]}`. Off, `trace` is
// null and each call site costs one null check.

import diagnostics from 'node:diagnostics_channel';

type Mark = (label: string) => void;

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
