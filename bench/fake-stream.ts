// A fake OpenAlgo for the stream bench, in its own process: REST (ping, placeorder, multiquotes,
// quotes, orderbook) and the WebSocket stream on one port. It stamps, with process.hrtime.bigint(),
// each scripted tick as it is sent and each placeorder as it arrives: one clock for both.
//
//   node --import tsx bench/fake-stream.ts --apikey KEY   → prints {"port":N}
//
// Control under /_bench: POST tick {symbol, ltp} (sent now; answers its stamp), POST tickMany
// {prefix, count, ltp} (one tick to each of PREFIX0..PREFIXn-1), POST set {symbol, ltp} (the price
// without a tick), POST forget {prefix} (no price for those symbols), POST storm {symbols, count, rate, seed, offset?}, GET storm, GET orders[?from=N], POST drop
// {ms}, GET stats.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { stormSymbol, stormTicks } from './stream-script.js';

const args = process.argv.slice(2);
const apiKey = args[args.indexOf('--apikey') + 1];

const prices = new Map<string, number>();
const orders: Array<{ at: string; symbol: string }> = [];
const subs = new Map<WebSocket, Set<string>>();
let refuseUntil = 0;
let storm = { sent: 0, done: true };
const counts = { multiquotes: 0, quotes: 0, frames: 0 };

function sendTick(symbol: string, exchange: string, ltp: number): void {
  prices.set(`${exchange}:${symbol}`, ltp);
  const key = `${exchange}:${symbol}`;
  let text: string | null = null;
  for (const [ws, set] of subs) {
    if (!set.has(key)) continue;
    text ??= JSON.stringify({ type: 'market_data', symbol, exchange, mode: 1, data: { symbol, exchange, ltp, timestamp: Date.now() } });
    ws.send(text);
    counts.frames++;
  }
}

const json = (res: http.ServerResponse, body: unknown) => {
  const text = JSON.stringify(body);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
};
const quote = (ltp: number) => ({ ltp, open: ltp, high: ltp, low: ltp, ask: ltp, bid: ltp, prev_close: ltp, volume: 0, oi: 0 });

const server = http.createServer((req, res) => {
  const at = process.hrtime.bigint();
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const url = req.url ?? '/';
    const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : {};
    if (url.startsWith('/api/v1/')) {
      const ep = url.slice(8).split('?')[0];
      if (body.apikey !== apiKey) return json(res, { status: 'error', message: 'Invalid openalgo apikey' });
      if (ep === 'ping') return json(res, { status: 'success', data: { message: 'pong', broker: 'fake' } });
      if (ep === 'placeorder') {
        orders.push({ at: String(at), symbol: String(body.symbol) });
        return json(res, { status: 'success', orderid: String(orders.length) });
      }
      if (ep === 'multiquotes') {
        counts.multiquotes++;
        return json(res, { status: 'success', results: (body.symbols ?? []).map((s: { symbol: string; exchange: string }) => {
          const ltp = prices.get(`${s.exchange}:${s.symbol}`);
          return ltp === undefined ? { ...s, error: 'no price' } : { ...s, data: quote(ltp) };
        }) });
      }
      if (ep === 'quotes') {
        counts.quotes++;
        const ltp = prices.get(`${body.exchange}:${body.symbol}`);
        return json(res, ltp === undefined ? { status: 'error', message: 'no price' } : { status: 'success', data: quote(ltp) });
      }
      if (ep === 'orderbook') return json(res, { status: 'success', data: { orders: [], statistics: {} } });
      return json(res, { status: 'error', message: `not in the fake: ${ep}` });
    }
    if (url === '/_bench/tick') {
      const sentAt = process.hrtime.bigint();
      sendTick(body.symbol, body.exchange ?? 'NSE', body.ltp);
      return json(res, { at: String(sentAt) });
    }
    if (url === '/_bench/forget') {
      for (const key of [...prices.keys()]) if (key.split(':')[1].startsWith(body.prefix)) prices.delete(key);
      return json(res, { ok: true });
    }
    if (url === '/_bench/set') {
      prices.set(`${body.exchange ?? 'NSE'}:${body.symbol}`, body.ltp);
      return json(res, { ok: true });
    }
    if (url === '/_bench/storm' && req.method === 'POST') {
      const ticks = stormTicks(body.seed, body.symbols, body.count);
      storm = { sent: 0, done: false };
      const perMs = body.rate / 1000;
      const offset = Number(body.offset ?? 0); // shifts every price (a storm that crosses no level)
      const started = performance.now();
      const timer = setInterval(() => {
        const due = Math.min(ticks.length, Math.floor((performance.now() - started) * perMs));
        for (; storm.sent < due; storm.sent++) sendTick(stormSymbol(storm.sent % body.symbols), 'NSE', ticks[storm.sent] + offset);
        if (storm.sent >= ticks.length) {
          clearInterval(timer);
          storm.done = true;
        }
      }, 5);
      return json(res, { ok: true });
    }
    if (url === '/_bench/storm') return json(res, storm);
    if (url.startsWith('/_bench/orders')) return json(res, orders.slice(Number(new URL(url, 'http://x').searchParams.get('from') ?? 0)));
    if (url === '/_bench/tickMany') {
      for (let k = 0; k < body.count; k++) sendTick(`${body.prefix}${k}`, body.exchange ?? 'NSE', body.ltp);
      return json(res, { ok: true });
    }
    if (url === '/_bench/drop') {
      refuseUntil = Date.now() + (body.ms ?? 0);
      const dropAt = process.hrtime.bigint();
      for (const ws of subs.keys()) ws.terminate();
      return json(res, { at: String(dropAt) });
    }
    if (url === '/_bench/now') return json(res, { at: String(process.hrtime.bigint()) });
    if (url === '/_bench/stats') return json(res, { ...counts, clients: subs.size, subscriptions: [...subs.values()].reduce((n, s) => n + s.size, 0) });
    res.writeHead(404).end();
  });
});

const wss = new WebSocketServer({ noServer: true });
server.on('upgrade', (req, socket, head) => {
  if (Date.now() < refuseUntil) return socket.destroy();
  wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws));
});
wss.on('connection', (ws) => {
  let authed = false;
  const set = new Set<string>();
  ws.on('message', (raw) => {
    const msg = JSON.parse(raw.toString());
    if (msg.action === 'authenticate') {
      authed = msg.api_key === apiKey;
      ws.send(JSON.stringify(authed ? { type: 'auth', status: 'success', broker: 'fake' } : { status: 'error', code: 'AUTHENTICATION_ERROR', message: 'Invalid API key' }));
      if (authed) subs.set(ws, set);
      return;
    }
    if (!authed) return;
    if (msg.action === 'subscribe' || msg.action === 'unsubscribe') {
      for (const s of msg.symbols ?? []) {
        const key = `${s.exchange}:${s.symbol}`;
        if (msg.action === 'unsubscribe') set.delete(key);
        else {
          set.add(key);
          const ltp = prices.get(key);
          // The current price on subscribe, as brokers send a snapshot.
          if (ltp !== undefined) ws.send(JSON.stringify({ type: 'market_data', symbol: s.symbol, exchange: s.exchange, mode: 1, data: { symbol: s.symbol, exchange: s.exchange, ltp } }));
        }
      }
      ws.send(JSON.stringify({ type: msg.action, status: 'success', subscriptions: [] }));
    }
  });
  ws.on('close', () => subs.delete(ws));
  ws.on('error', () => {});
});

server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: (server.address() as AddressInfo).port })));
process.on('SIGTERM', () => process.exit(0));
