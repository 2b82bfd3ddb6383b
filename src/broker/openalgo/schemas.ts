// What the client accepts from OpenAlgo: one zod schema per endpoint answer.
// Lenient where brokers differ (extra fields kept, numbers may come as strings, fields
// nodes do not read default to 0/""), strict on what nodes rely on (orderid, ltp,
// order_status, quantities, lot sizes). A `status: "error"` answer only needs a message.

import { z } from 'zod';
import { NUMERIC } from '../../contract/number.js';
import type { Broker, BrokerMethod } from '../types.js';
import { ACTIONS, PRICE_TYPES, PRODUCTS } from '../types.js';

type Method = BrokerMethod;
type AnswerOf<M extends Method> = Awaited<ReturnType<Broker[M]>>;

// ---- primitives ------------------------------------------------------------

/** A number, or a numeric string as OpenAlgo sends for quantities and funds. */
export const num = z.union([
  z.number(),
  z.string().trim().regex(NUMERIC, 'expected a number').transform(Number),
]);
/** A number nodes do not depend on: absent, null or "" becomes 0. */
const num0 = z.union([num, z.literal('')]).nullish().transform((v) => (v === '' || v == null ? 0 : v));
/** An identifier or amount OpenAlgo sends as a string (numbers accepted). */
const str = z.union([z.string(), z.number().transform(String)]);
const str0 = (fallback: string) => str.nullish().transform((v) => v ?? fallback);
const upperEnum = <T extends string>(values: readonly [T, ...T[]]) =>
  z.string().transform((v) => v.toUpperCase()).pipe(z.enum(values));
const action = upperEnum(ACTIONS as readonly ['BUY', 'SELL']);
const priceType = upperEnum(PRICE_TYPES as readonly ['MARKET', 'LIMIT', 'SL', 'SL-M']);
const product = upperEnum(PRODUCTS as readonly ['MIS', 'CNC', 'NRML']);
const optionType = upperEnum(['CE', 'PE'] as const);
const mode = z.unknown().transform((v) => (v === 'analyze' || v === 'live' ? v : undefined));

// ---- the answer envelope ---------------------------------------------------

/** Any `status: "error"` answer: a message is all nodes need of it. */
export const ERROR_ANSWER = z.looseObject({
  status: z.literal('error'),
  message: z.unknown().transform((m) =>
    typeof m === 'string' && m ? m : m === undefined || m === null ? 'OpenAlgo answered "error" without a message' : JSON.stringify(m),
  ),
  mode: mode.optional(),
});

/** A success answer; error answers are checked with ERROR_ANSWER instead. */
function answer<S extends z.core.$ZodLooseShape>(shape: S) {
  return z.looseObject({
    status: z.literal('success'),
    message: z.string().optional(),
    mode: mode.optional(),
    ...shape,
  });
}

// ---- shared pieces ---------------------------------------------------------

const quoteData = z.looseObject({
  ltp: num,
  open: num0, high: num0, low: num0, ask: num0, bid: num0, prev_close: num0, volume: num0, oi: num0,
});

const orderLike = {
  action,
  symbol: z.string(),
  exchange: z.string(),
  orderid: str,
  product,
  quantity: num,
  price: num0,
  pricetype: priceType,
  order_status: z.string(),
  trigger_price: num0,
  timestamp: str0(''),
};

const chainLeg = z.looseObject({
  symbol: z.string(), label: str0(''), ltp: num, bid: num0, ask: num0, oi: num0, lotsize: num,
});

// ---- one success schema per Broker method ----------------------------------

const order = answer({ orderid: str });
const orderMaybe = answer({ orderid: str.optional() });

export const ANSWER_SCHEMAS: { [M in Method]: z.ZodType<AnswerOf<M>> } = {
  placeOrder: order,
  // "No action needed" answers of a smart order carry no orderid
  placeSmartOrder: orderMaybe,
  optionsOrder: answer({
    orderid: str.optional(), symbol: z.string().optional(), exchange: z.string().optional(),
    offset: z.string().optional(), option_type: z.string().optional(), underlying: z.string().optional(),
    underlying_ltp: num.optional(),
  }),
  optionsMultiOrder: answer({
    underlying: z.string().optional(),
    underlying_ltp: num.optional(),
    results: z.array(z.looseObject({
      leg: num, action, offset: z.string(), option_type: optionType, orderid: str.optional(),
      status: z.string(), symbol: z.string().optional(), message: z.string().optional(),
    })),
  }),
  basketOrder: answer({
    results: z.array(z.looseObject({
      symbol: z.string(), status: z.string(), orderid: str.optional(), message: z.string().optional(),
    })),
  }),
  splitOrder: answer({
    split_size: num.optional(),
    total_quantity: num.optional(),
    results: z.array(z.looseObject({
      order_num: num, orderid: str.optional(), quantity: num, status: z.string(), message: z.string().optional(),
    })),
  }),
  modifyOrder: orderMaybe,
  cancelOrder: orderMaybe,
  cancelAllOrders: answer({
    canceled_orders: z.array(str).nullish().transform((v) => v ?? []),
    failed_cancellations: z.array(z.looseObject({ orderid: str, reason: str0('') })).nullish().transform((v) => v ?? []),
  }),
  closePosition: answer({}),

  orderStatus: answer({
    data: z.looseObject({
      ...orderLike,
      average_price: num0,
      filled_quantity: num.optional(),
      rejection_reason: z.string().optional(),
    }),
  }),
  openPosition: answer({ quantity: num.transform(String) }),
  funds: answer({
    data: z.looseObject({
      availablecash: str,
      collateral: str0('0'), m2mrealized: str0('0'), m2munrealized: str0('0'), utiliseddebits: str0('0'),
    }),
  }),
  orderBook: answer({
    data: z.looseObject({
      orders: z.array(z.looseObject({
        ...orderLike,
        average_price: num.optional(),
        filled_quantity: num.optional(),
        strategy: z.string().optional(),
      })),
      statistics: z.looseObject({
        total_buy_orders: num0, total_sell_orders: num0, total_completed_orders: num0,
        total_open_orders: num0, total_rejected_orders: num0,
      }).nullish().transform((v) => v ?? {
        total_buy_orders: 0, total_sell_orders: 0, total_completed_orders: 0, total_open_orders: 0, total_rejected_orders: 0,
      }),
    }),
  }),
  tradeBook: answer({
    data: z.array(z.looseObject({
      action, symbol: z.string(), exchange: z.string(), orderid: str, product,
      quantity: num, average_price: num, timestamp: str0(''), trade_value: num0,
    })),
  }),
  positionBook: answer({
    data: z.array(z.looseObject({
      symbol: z.string(), exchange: z.string(), product, quantity: num, average_price: num0, ltp: num0, pnl: num0,
    })),
  }),
  holdings: answer({
    data: z.looseObject({
      holdings: z.array(z.looseObject({
        symbol: z.string(), exchange: z.string(), product, quantity: num, pnl: num0, pnlpercent: num0,
      })),
      statistics: z.looseObject({
        totalholdingvalue: num0, totalinvvalue: num0, totalprofitandloss: num0, totalpnlpercentage: num0,
      }),
    }),
  }),

  quotes: answer({ data: quoteData }),
  multiQuotes: answer({
    results: z.array(z.looseObject({
      symbol: z.string(), exchange: z.string(), data: quoteData.optional(), error: z.string().optional(),
    })),
  }),
  depth: answer({
    data: z.looseObject({
      ltp: num, open: num0, high: num0, low: num0, ltq: num0, prev_close: num0, volume: num0, oi: num0,
      totalbuyqty: num0, totalsellqty: num0,
      asks: z.array(z.looseObject({ price: num, quantity: num })),
      bids: z.array(z.looseObject({ price: num, quantity: num })),
    }),
  }),
  history: answer({
    data: z.array(z.looseObject({
      timestamp: z.union([num, z.string().transform(parseTimestamp).pipe(z.number())]),
      open: num, high: num, low: num, close: num, volume: num0, oi: num0,
    })),
  }),
  intervals: answer({
    data: z.looseObject({
      months: z.array(z.string()).default([]), weeks: z.array(z.string()).default([]),
      days: z.array(z.string()).default([]), hours: z.array(z.string()).default([]),
      minutes: z.array(z.string()).default([]), seconds: z.array(z.string()).default([]),
    }),
  }),
  symbol: answer({
    data: z.looseObject({
      symbol: z.string(), exchange: z.string(), lotsize: num, tick_size: num0,
      brsymbol: str0(''), name: str0(''), instrumenttype: str0(''), expiry: str0(''), strike: num0, token: str0(''),
    }),
  }),
  search: answer({
    data: z.array(z.looseObject({
      symbol: z.string(), exchange: z.string(), lotsize: num0, tick_size: num0,
      brsymbol: str0(''), name: str0(''), instrumenttype: str0(''), expiry: str0(''), strike: num0, token: str0(''),
    })),
  }),
  expiry: answer({ data: z.array(z.string()) }),
  optionSymbol: answer({
    symbol: z.string(), exchange: z.string().optional(), lotsize: num.optional(), tick_size: num.optional(),
    freeze_qty: num.optional(), underlying_ltp: num.optional(),
  }),
  optionChain: answer({
    underlying: z.string().optional(),
    underlying_ltp: num.optional(),
    expiry_date: z.string().optional(),
    atm_strike: num.optional(),
    chain: z.array(z.looseObject({ strike: num, ce: chainLeg.nullish().transform((v) => v ?? undefined), pe: chainLeg.nullish().transform((v) => v ?? undefined) })),
  }),
  margin: answer({
    data: z.looseObject({ total_margin_required: num, span_margin: num.optional(), exposure_margin: num.optional() }),
  }),
  holidays: answer({
    data: z.array(z.looseObject({
      date: z.string(), description: str0(''), holiday_type: z.string().optional(), closed_exchanges: z.array(z.string()).optional(),
    })),
  }),
  timings: answer({ data: z.array(z.looseObject({ exchange: z.string(), start_time: num, end_time: num })) }),
  ping: answer({ data: z.looseObject({ message: str0('pong'), broker: str0('') }) }),
  telegram: answer({}),
  whatsapp: answer({}),
};

/** "2025-04-01 09:15:00+05:30" or an ISO date → epoch seconds (NaN when unreadable). */
function parseTimestamp(s: string): number {
  const ms = Date.parse(s.includes('T') ? s : s.replace(' ', 'T'));
  return Number.isNaN(ms) ? Number.NaN : Math.floor(ms / 1000);
}

/** A short, trader-readable account of why an answer did not fit (first few issues). */
export function describeIssues(error: z.ZodError, max = 3): string {
  const parts = error.issues.slice(0, max).map((i) => `${i.path.length ? i.path.join('.') : '(answer)'}: ${i.message}`);
  if (error.issues.length > max) parts.push(`and ${error.issues.length - max} more`);
  return parts.join('; ');
}
