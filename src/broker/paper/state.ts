// The paper account as plain JSON: what the store persists and what `state` restores.
// Order, trade and position entries keep OpenAlgo's field names; bookkeeping fields are camelCase.

import { z } from 'zod';

export const ORDER_STATUSES = ['open', 'trigger pending', 'complete', 'rejected', 'cancelled'] as const;
export type PaperOrderStatus = (typeof ORDER_STATUSES)[number];

const action = z.enum(['BUY', 'SELL']);
const product = z.enum(['MIS', 'CNC', 'NRML']);
const pricetype = z.enum(['MARKET', 'LIMIT', 'SL', 'SL-M']);

const orderSchema = z.object({
  orderid: z.string(),
  strategy: z.string(),
  symbol: z.string(),
  exchange: z.string(),
  action,
  quantity: z.number(),
  pricetype,
  product,
  price: z.number(),
  trigger_price: z.number(),
  disclosed_quantity: z.number(),
  order_status: z.enum(ORDER_STATUSES),
  filled_quantity: z.number(),
  average_price: z.number(),
  rejection_reason: z.string().optional(),
  /** Placement time as OpenAlgo prints it (IST). */
  timestamp: z.string(),
  placedAt: z.number(),
  updatedAt: z.number(),
  /** An SL order whose trigger has been hit now rests as a limit order. */
  triggered: z.boolean(),
  /** Margin held for the order while it rests. */
  reserved: z.number(),
});

const tradeSchema = z.object({
  orderid: z.string(),
  strategy: z.string(),
  symbol: z.string(),
  exchange: z.string(),
  action,
  product,
  quantity: z.number(),
  average_price: z.number(),
  trade_value: z.number(),
  timestamp: z.string(),
});

const positionSchema = z.object({
  symbol: z.string(),
  exchange: z.string(),
  product,
  /** Net signed quantity: negative when short. */
  quantity: z.number(),
  average_price: z.number(),
  /** P&L booked by closing trades. */
  realised: z.number(),
  /** Margin blocked for the open quantity. */
  margin: z.number(),
});

export const paperStateSchema = z.object({
  version: z.literal(1),
  startingCapital: z.number().positive(),
  /** Next order sequence number; never reset, so order ids stay unique across resets and restores. */
  nextOrderSeq: z.number().int().positive(),
  orders: z.array(orderSchema),
  trades: z.array(tradeSchema),
  positions: z.array(positionSchema),
  /** Every `clientOrderKey` seen by an order call, oldest first. */
  clientOrderKeys: z.array(z.string()),
  /** "EXCHANGE:SYMBOL" → LTP set by setPrice. */
  priceOverrides: z.record(z.string(), z.number().positive()),
});

export type PaperState = z.infer<typeof paperStateSchema>;
export type PaperOrder = PaperState['orders'][number];
export type PaperTrade = PaperState['trades'][number];
export type PaperPosition = PaperState['positions'][number];

export function emptyState(startingCapital: number): PaperState {
  return {
    version: 1, startingCapital, nextOrderSeq: 1, orders: [], trades: [], positions: [],
    clientOrderKeys: [], priceOverrides: {},
  };
}

/** Validates a stored snapshot; throws with the first problem when it is not one. */
export function parseState(input: unknown): PaperState {
  const r = paperStateSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new Error(`invalid paper broker state at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return structuredClone(r.data);
}
