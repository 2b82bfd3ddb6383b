// Loopback helpers for stream tests: wait for a condition, collect frames from a raw client.

import WebSocket from 'ws';

/** Polls `check` every 5 ms until it answers truthy or `ms` passes (then throws naming `what`). */
export async function until<T>(check: () => T | Promise<T>, what: string, ms = 3000): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A raw WebSocket client that records every frame it receives. */
export async function rawClient(url: string): Promise<{ ws: WebSocket; frames: Array<Record<string, unknown>>; send(obj: unknown): void }> {
  const ws = new WebSocket(url);
  const frames: Array<Record<string, unknown>> = [];
  ws.on('message', (m) => frames.push(JSON.parse(m.toString())));
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  return { ws, frames, send: (obj) => ws.send(typeof obj === 'string' ? obj : JSON.stringify(obj)) };
}
