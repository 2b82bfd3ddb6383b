// Messages between Flow processes by PostgreSQL LISTEN/NOTIFY: live run events (an SSE viewer in one
// process follows a run executed by another), kill-switch changes, cache invalidations.
//
// Publishing is batched: everything published in one turn of the event loop goes out in one
// statement (PostgreSQL delivers one transaction's notifications in order). A process ignores its
// own messages: it has delivered them locally already. Messages are at-most-once: a listener that
// was disconnected misses what was sent meanwhile, so state (the kill switch) is also re-read.

import type pg from 'pg';
import { connectClient, type Pool } from './pg.js';

/** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more; keep a margin for the envelope. */
export const MAX_PAYLOAD_BYTES = 7_600;

export type Handler = (message: unknown, origin: string) => void;

interface Envelope {
  /** origin process */
  o: string;
  /** sequence: equal payloads in one transaction would otherwise be folded into one */
  n: number;
  m: unknown;
}

export class NotifyBus {
  private client: pg.Client | null = null;
  private readonly handlers = new Map<string, Set<Handler>>();
  private outbox: Array<{ channel: string; payload: string }> = [];
  private armed = false;
  private seq = 0;
  private stopped = false;
  private reconnecting: NodeJS.Timeout | null = null;
  /** Resolves when the last batch has been sent (tests and shutdown wait on it). */
  private sending: Promise<void> = Promise.resolve();

  constructor(private readonly opts: {
    connectionString: string;
    pool: Pool;
    origin: string;
    logger?: { warn(obj: unknown, msg?: string): void };
  }) {}

  async start(): Promise<void> {
    await this.connect();
  }

  async stop(): Promise<void> {
    this.flush();
    await this.sending;
    this.stopped = true;
    if (this.reconnecting) clearTimeout(this.reconnecting);
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => {});
  }

  /** Calls `handler` with every message another process publishes on `channel`. */
  subscribe(channel: string, handler: Handler): () => void {
    let set = this.handlers.get(channel);
    if (!set) {
      set = new Set();
      this.handlers.set(channel, set);
      this.client?.query(`LISTEN ${ident(channel)}`).catch(() => {});
    }
    set.add(handler);
    return () => {
      set.delete(handler);
    };
  }

  /**
   * Sends `message` (JSON) to every other process listening on `channel`, with the next batch.
   * False when it is too large to send (the caller sends a smaller form).
   */
  publish(channel: string, message: unknown): boolean {
    const payload = JSON.stringify({ o: this.opts.origin, n: ++this.seq, m: message } satisfies Envelope);
    if (Buffer.byteLength(payload) >= MAX_PAYLOAD_BYTES) return false;
    this.outbox.push({ channel, payload });
    if (!this.armed) {
      this.armed = true;
      setImmediate(() => this.flush());
    }
    return true;
  }

  /** Settles once everything published so far has been handed to PostgreSQL. */
  async flushed(): Promise<void> {
    this.flush();
    await this.sending;
  }

  private flush(): void {
    this.armed = false;
    const batch = this.outbox;
    this.outbox = [];
    if (batch.length === 0) return;
    this.sending = this.sending.then(() => this.opts.pool.query(
      'SELECT pg_notify(c, p) FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(c, p, i) ORDER BY i',
      [batch.map((b) => b.channel), batch.map((b) => b.payload)],
    )).then(() => {}, (e: Error) => this.opts.logger?.warn({ err: e.message, messages: batch.length }, 'cluster messages not sent'));
  }

  private async connect(): Promise<void> {
    const client = await connectClient(this.opts.connectionString, `flow-bus ${this.opts.origin}`);
    const lost = () => {
      if (this.client !== client) return;
      this.client = null;
      client.end().catch(() => {});
      this.scheduleReconnect();
    };
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', (n) => this.deliver(n.channel, n.payload));
    for (const channel of this.handlers.keys()) await client.query(`LISTEN ${ident(channel)}`);
    this.client = client;
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnecting) return;
    this.opts.logger?.warn({}, 'cluster message connection lost; reconnecting');
    this.reconnecting = setTimeout(() => {
      this.reconnecting = null;
      this.connect().catch(() => this.scheduleReconnect());
    }, 1_000);
    this.reconnecting.unref();
  }

  private deliver(channel: string, payload: string | undefined): void {
    if (!payload) return;
    let env: Envelope;
    try {
      env = JSON.parse(payload) as Envelope;
    } catch {
      return;
    }
    if (env.o === this.opts.origin) return;
    for (const h of this.handlers.get(channel) ?? []) {
      try {
        h(env.m, env.o);
      } catch (e) {
        this.opts.logger?.warn({ channel, err: (e as Error).message }, 'cluster message handler failed');
      }
    }
  }
}

/** Channel names are Flow's own constants; quoted as identifiers all the same. */
function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
