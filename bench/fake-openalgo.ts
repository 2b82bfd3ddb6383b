// A minimal fake OpenAlgo server for the webhook-to-order bench, meant to run in its own process.
// It stamps every request with process.hrtime.bigint() on arrival (CLOCK_MONOTONIC, shared by all
// processes on the machine) and keeps the placeorder stamps for the bench to read afterwards.
//
//   node --import tsx bench/fake-openalgo.ts --port 0 --apikey KEY   → prints {"port":N} on stdout
//
// Endpoints: POST /api/v1/placeorder, POST /api/v1/ping (OpenAlgo shapes); bench control under
// /_bench: GET now, GET orders?from=K, GET wait?qty=N (answers once that order arrived), POST reset.

import http from 'node:http';

interface Order {
  qty: number;
  symbol: string;
  /** hrtime at arrival, ns */
  at: bigint;
}

function start(port: number, apiKey: string): Promise<http.Server> {
  let orders: Order[] = [];
  let seen = new Set<number>();
  let waiters = new Map<number, Array<() => void>>();
  let nextOrderId = 1;
  const counts: Record<string, number> = {};

  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  const server = http.createServer((req, res) => {
    const at = process.hrtime.bigint(); // first thing: the moment the request arrived
    const url = req.url ?? '/';
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (url.startsWith('/api/v1/')) {
        const endpoint = url.slice(8).split('?')[0];
        counts[endpoint] = (counts[endpoint] ?? 0) + 1;
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
        } catch {
          return json(res, 400, { status: 'error', message: 'invalid JSON' });
        }
        if (body.apikey !== apiKey) return json(res, 403, { status: 'error', message: 'Invalid openalgo apikey' });
        if (endpoint === 'ping') return json(res, 200, { status: 'success', data: { message: 'pong', broker: 'fake' } });
        if (endpoint === 'placeorder') {
          const qty = Number(body.quantity);
          orders.push({ qty, symbol: String(body.symbol), at });
          seen.add(qty);
          json(res, 200, { status: 'success', orderid: String(nextOrderId++) });
          const list = waiters.get(qty);
          if (list) {
            waiters.delete(qty);
            for (const wake of list) wake();
          }
          return;
        }
        return json(res, 404, { status: 'error', message: `the fake does not serve ${endpoint}` });
      }
      const control = new URL(url, 'http://fake');
      switch (control.pathname) {
        case '/_bench/now':
          return json(res, 200, { now: String(process.hrtime.bigint()) });
        case '/_bench/orders': {
          const from = Number(control.searchParams.get('from') ?? 0);
          return json(res, 200, { count: orders.length, counts, orders: orders.slice(from).map((o) => [o.qty, o.symbol, String(o.at)]) });
        }
        case '/_bench/wait': {
          const qty = Number(control.searchParams.get('qty'));
          if (seen.has(qty)) return json(res, 200, { ok: true });
          const list = waiters.get(qty) ?? [];
          list.push(() => json(res, 200, { ok: true }));
          waiters.set(qty, list);
          return;
        }
        case '/_bench/reset':
          orders = [];
          seen = new Set();
          waiters = new Map();
          for (const k of Object.keys(counts)) delete counts[k];
          return json(res, 200, { ok: true });
        default:
          return json(res, 404, { status: 'error', message: 'not found' });
      }
    });
  });
  server.keepAliveTimeout = 30_000;
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

const argv = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : fallback;
};
const server = await start(Number(opt('port', '0')), opt('apikey', 'bench-key'));
const address = server.address();
process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
process.on('SIGTERM', () => process.exit(0));
