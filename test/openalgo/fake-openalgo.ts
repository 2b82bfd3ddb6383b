// A scriptable OpenAlgo stand-in on plain node:http: each test says how to answer
// the n-th call of an endpoint, and reads back what arrived and when.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface Received {
  endpoint: string;
  body: Record<string, unknown>;
  at: number;
}

/** How to answer: JSON with a status, a raw text (after `delayMs`), or 'hang' / 'drop' the connection. */
export type Reply = { status: number; json?: unknown; text?: string; delayMs?: number } | 'hang' | 'drop';

export interface FakeOpenAlgo {
  url: string;
  received: Received[];
  calls(endpoint: string): Received[];
  close(): Promise<void>;
}

export async function fakeOpenAlgo(script: (endpoint: string, n: number, body: Record<string, unknown>) => Reply): Promise<FakeOpenAlgo> {
  const received: Received[] = [];
  const counts = new Map<string, number>();
  const sockets = new Set<Socket>();
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const endpoint = (req.url ?? '').replace(/^\/api\/v1\//, '');
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    } catch { /* kept empty */ }
    received.push({ endpoint, body, at: performance.now() });
    const n = (counts.get(endpoint) ?? 0) + 1;
    counts.set(endpoint, n);
    const reply = script(endpoint, n, body);
    if (reply === 'hang') return;
    if (reply === 'drop') {
      req.socket.destroy();
      return;
    }
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    if (res.destroyed) return;
    const text = reply.text ?? JSON.stringify(reply.json);
    res.writeHead(reply.status, { 'content-type': reply.text === undefined ? 'application/json' : 'text/html' });
    res.end(text);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    calls: (endpoint) => received.filter((r) => r.endpoint === endpoint),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export const ok = (json: Record<string, unknown>): Reply => ({ status: 200, json: { status: 'success', ...json } });
