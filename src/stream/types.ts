// The market stream every live consumer shares (DESIGN.md §7): ticks by symbol and mode, order
// updates, and the connection's state. OpenAlgo's WebSocket, the paper market in-process and test
// fakes all implement it.

import type { SymbolRef } from '../broker/types.js';

/** OpenAlgo's three data modes (1 LTP, 2 Quote, 3 Depth). */
export type StreamMode = 'LTP' | 'Quote' | 'Depth';
export const MODE_NUMBER: Record<StreamMode, 1 | 2 | 3> = { LTP: 1, Quote: 2, Depth: 3 };
export const MODE_LABEL: Record<1 | 2 | 3, StreamMode> = { 1: 'LTP', 2: 'Quote', 3: 'Depth' };

/** One market-data message, flattened: `data` keeps OpenAlgo's field names (docs/api/websocket-streaming). */
export interface Tick {
  symbol: string;
  exchange: string;
  mode: 1 | 2 | 3;
  ltp: number;
  data: Record<string, unknown>;
}

/** OpenAlgo's order-update message (docs/api/websocket-streaming/order-updates.md), without `type`. */
export interface StreamOrderUpdate {
  orderid: string;
  symbol: string;
  exchange: string;
  order_status: string;
  action?: string;
  quantity?: number;
  price?: number;
  trigger_price?: number;
  pricetype?: string;
  product?: string;
  filled_quantity?: number;
  pending_quantity?: number;
  average_price?: number;
  rejection_reason?: string;
  mode?: string;
  broker?: string;
  user_id?: string;
  [key: string]: unknown;
}

/** `live`: authenticated, subscriptions sent. `down`: lost, reconnecting. `idle`: nothing wanted it yet. */
export type StreamState = 'idle' | 'connecting' | 'live' | 'down' | 'closed';

export interface StreamStats {
  state: StreamState;
  url: string | null;
  /** Subscriptions held on the stream (symbol × mode). */
  subscriptions: number;
  connects: number;
  reconnects: number;
  ticks: number;
  orderUpdates: number;
  badFrames: number;
  errorFrames: number;
  symbolErrors: number;
  stalls: number;
  lastTickAt: number | null;
}

export interface SubscribeOptions {
  /** The stream refused this symbol (unknown, unsupported): the consumer should use REST instead. */
  onError?: (message: string) => void;
}

export interface MarketStream {
  readonly state: StreamState;
  /** Counted: the wire subscription lasts while any listener for (symbol, exchange, mode) remains. */
  subscribe(ref: SymbolRef, mode: StreamMode, listener: (tick: Tick) => void, opts?: SubscribeOptions): () => void;
  onOrderUpdate(listener: (update: StreamOrderUpdate) => void): () => void;
  onStateChange(listener: (state: StreamState) => void): () => void;
  stats(): StreamStats;
  close(): void;
}

export const symbolKey = (exchange: string, symbol: string) => `${exchange.toUpperCase()}:${symbol.toUpperCase()}`;

/** A broker with a live stream (OpenAlgo's WebSocket, the paper market). */
export interface StreamingBroker {
  readonly marketStream: () => MarketStream;
}

/** The broker's shared stream, through any wrapper built with Object.create; undefined: REST only. */
export function streamOf(broker: object): MarketStream | undefined {
  const fn = (broker as Partial<StreamingBroker>).marketStream;
  return typeof fn === 'function' ? fn() : undefined;
}
