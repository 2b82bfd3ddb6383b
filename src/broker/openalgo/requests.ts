// What the OpenAlgo-compatible server accepts: one zod schema per endpoint request,
// mirroring OpenAlgo's marshmallow schemas (restx_api/schemas.py, data_schemas.py):
// numbers may be numeric strings, pricetype/product default to MARKET/MIS, and an
// unknown field is refused as OpenAlgo refuses it. `apikey` and `client_order_key`
// are taken off the body before these run.

import { z } from 'zod';
import { NUMERIC } from '../../contract/number.js';
import type { Broker, BrokerAnswer, BrokerMethod, CallOptions } from '../types.js';
import { ACTIONS, EXCHANGES, PRICE_TYPES, PRODUCTS } from '../types.js';

type Method = BrokerMethod;

const MISSING = 'Missing data for required field.';
const F_AND_O_EXCHANGES = ['NFO', 'BFO', 'MCX', 'CDS', 'NCO', 'BCD', 'NCDEX', 'CRYPTO'] as const;

// ---- fields ----------------------------------------------------------------

const text = () => z.string({ error: (i) => (i.input === undefined ? MISSING : 'Not a valid string.') });
const number = () =>
  z.preprocess(
    (v) => (typeof v === 'string' && NUMERIC.test(v) ? Number(v) : v),
    z.number({ error: (i) => (i.input === undefined ? MISSING : 'Not a valid number.') }),
  );
const integer = () => number().pipe(z.number().int('Not a valid integer.'));
const positive = (what = 'Quantity') => number().pipe(z.number().positive(`${what} must be a positive number.`));
const nonNegative = (what: string) => number().pipe(z.number().min(0, `${what} must be a non-negative number.`));
/** Text OpenAlgo reads case-insensitively; passed on upper-cased. */
const oneOf = <T extends string>(values: readonly T[]) =>
  text()
    .transform((v) => v.toUpperCase())
    .refine((v): v is T => (values as readonly string[]).includes(v), `Must be one of: ${values.join(', ')}.`);
const exactly = <T extends string>(values: readonly T[]) =>
  text().refine((v): v is T => (values as readonly string[]).includes(v), `Must be one of: ${values.join(', ')}.`);

const exchange = exactly(EXCHANGES);
const action = oneOf(ACTIONS);
const priceType = oneOf(PRICE_TYPES);
const product = oneOf(PRODUCTS);
const optionProduct = oneOf(['MIS', 'NRML'] as const);
const optionType = oneOf(['CE', 'PE'] as const);
const offset = text()
  .transform((v) => v.toUpperCase())
  .refine((v) => /^(ATM|(ITM|OTM)([1-9]|[1-4]\d|50))$/.test(v), 'Offset must be ATM, ITM1-ITM50, or OTM1-OTM50');
const expiryDate = text()
  .transform((v) => v.toUpperCase())
  .refine((v) => /^\d{2}[A-Z]{3}\d{2}$/.test(v), 'Expiry date must be in DDMMMYY format, e.g. 28NOV24.');
const isoDate = text().refine((v) => /^\d{4}-\d{2}-\d{2}$/.test(v), 'Not a valid date (YYYY-MM-DD).');

const orderFields = {
  strategy: text(),
  symbol: text(),
  action,
  exchange,
  quantity: positive(),
  pricetype: priceType.default('MARKET'),
  product: product.default('MIS'),
  price: nonNegative('Price').optional(),
  trigger_price: nonNegative('Trigger price').optional(),
  disclosed_quantity: nonNegative('Disclosed quantity').pipe(z.number().int('Not a valid integer.')).optional(),
};

/** OpenAlgo refuses fractional quantities except on CRYPTO. */
function wholeQuantity(o: { exchange: string; quantity: number }, ctx: z.RefinementCtx): void {
  if (o.exchange !== 'CRYPTO' && !Number.isInteger(o.quantity)) {
    ctx.addIssue({ code: 'custom', path: ['quantity'], message: `Fractional quantity (${o.quantity}) is not allowed for non-crypto exchanges.` });
  }
}

const strict = <S extends z.core.$ZodLooseShape>(shape: S) => z.strictObject(shape);
const symbolRef = strict({ symbol: text(), exchange });

// ---- one operation per Broker method ---------------------------------------

export type Validated =
  | { ok: true; run: (broker: Broker, opts: CallOptions) => Promise<BrokerAnswer> }
  | { ok: false; message: string };

export interface Operation {
  validate(body: unknown): Validated;
}

function op<S extends z.ZodType>(
  schema: S,
  call: (broker: Broker, req: z.output<S>, opts: CallOptions) => Promise<BrokerAnswer>,
): Operation {
  return {
    validate(body) {
      const parsed = schema.safeParse(body);
      if (!parsed.success) return { ok: false, message: describeRequestIssues(parsed.error) };
      return { ok: true, run: (broker, opts) => call(broker, parsed.data, opts) };
    },
  };
}

const none = strict({});

export const OPERATIONS: Record<Method, Operation> = {
  placeOrder: op(
    strict({ ...orderFields, underlying_ltp: number().nullish() }).superRefine(wholeQuantity),
    (b, { underlying_ltp: _ignored, ...r }, o) => b.placeOrder(r, o),
  ),
  placeSmartOrder: op(
    strict({ ...orderFields, quantity: nonNegative('Quantity'), position_size: number() }).superRefine(wholeQuantity),
    (b, r, o) => b.placeSmartOrder(r, o),
  ),
  optionsOrder: op(
    strict({
      strategy: text(), underlying: text(), exchange, expiry_date: expiryDate, strike_int: integer().nullish(),
      offset, option_type: optionType, action, quantity: integer().pipe(z.number().min(1, 'Quantity must be a positive integer.')),
      splitsize: integer().nullish(), pricetype: priceType.default('MARKET'), product: optionProduct.default('MIS'),
      price: nonNegative('Price').optional(), trigger_price: nonNegative('Trigger price').optional(),
      disclosed_quantity: integer().optional(),
    }),
    (b, { strike_int: _s, disclosed_quantity: _d, splitsize, ...r }, o) =>
      b.optionsOrder({ ...r, ...(splitsize ? { splitsize } : {}) }, o),
  ),
  optionsMultiOrder: op(
    strict({
      strategy: text(), underlying: text(), exchange, expiry_date: expiryDate, strike_int: integer().nullish(),
      legs: z.array(strict({
        offset, option_type: optionType, action,
        quantity: integer().pipe(z.number().min(1, 'Quantity must be a positive integer.')),
        splitsize: integer().nullish().transform((v) => v ?? undefined), expiry_date: expiryDate.optional(),
        pricetype: priceType.optional(), product: optionProduct.optional(),
        price: nonNegative('Price').optional(), trigger_price: nonNegative('Trigger price').optional(),
        disclosed_quantity: integer().optional(),
      }), { error: (i) => (i.input === undefined ? MISSING : 'Not a valid list.') })
        .min(1, 'Legs must contain 1 to 20 items.').max(20, 'Legs must contain 1 to 20 items.'),
    }),
    (b, { strike_int: _s, ...r }, o) => b.optionsMultiOrder(r, o),
  ),
  basketOrder: op(
    strict({
      strategy: text(),
      orders: z.array(strict({
        symbol: text(), exchange, action, quantity: positive(),
        pricetype: priceType.default('MARKET'), product: product.default('MIS'),
        price: nonNegative('Price').optional(), trigger_price: nonNegative('Trigger price').optional(),
        disclosed_quantity: integer().optional(),
      }).superRefine(wholeQuantity), { error: (i) => (i.input === undefined ? MISSING : 'Not a valid list.') }),
    }),
    (b, r, o) => b.basketOrder(r, o),
  ),
  splitOrder: op(
    strict({ ...orderFields, splitsize: integer().pipe(z.number().min(1, 'Split size must be a positive integer.')) })
      .superRefine(wholeQuantity),
    (b, r, o) => b.splitOrder(r, o),
  ),
  modifyOrder: op(
    strict({
      orderid: text(), strategy: text(), symbol: text(), action, exchange, pricetype: priceType, product,
      quantity: positive(), price: nonNegative('Price'), trigger_price: nonNegative('Trigger price'),
      disclosed_quantity: integer(),
    }).superRefine(wholeQuantity),
    (b, r, o) => b.modifyOrder(r, o),
  ),
  cancelOrder: op(strict({ orderid: text(), strategy: text() }), (b, r, o) => b.cancelOrder(r, o)),
  cancelAllOrders: op(strict({ strategy: text() }), (b, r, o) => b.cancelAllOrders(r, o)),
  closePosition: op(strict({ strategy: text() }), (b, r, o) => b.closePosition(r, o)),

  orderStatus: op(
    strict({ orderid: text(), strategy: text().default('') }),
    (b, r, o) => b.orderStatus(r, o),
  ),
  openPosition: op(
    strict({ strategy: text().default(''), symbol: text(), exchange, product }),
    (b, r, o) => b.openPosition(r, o),
  ),
  funds: op(none, (b, _r, o) => b.funds(o)),
  orderBook: op(none, (b, _r, o) => b.orderBook(o)),
  tradeBook: op(none, (b, _r, o) => b.tradeBook(o)),
  positionBook: op(none, (b, _r, o) => b.positionBook(o)),
  holdings: op(none, (b, _r, o) => b.holdings(o)),

  quotes: op(symbolRef, (b, r, o) => b.quotes(r, o)),
  multiQuotes: op(
    strict({ symbols: z.array(symbolRef, { error: (i) => (i.input === undefined ? MISSING : 'Not a valid list.') }).min(1, 'Shorter than minimum length 1.') }),
    (b, r, o) => b.multiQuotes(r, o),
  ),
  depth: op(symbolRef, (b, r, o) => b.depth(r, o)),
  history: op(
    strict({
      symbol: text(), exchange, interval: text(), start_date: isoDate, end_date: isoDate,
      source: exactly(['api', 'db'] as const).optional(),
    }),
    (b, { source: _source, ...r }, o) => b.history(r, o),
  ),
  intervals: op(none, (b, _r, o) => b.intervals(o)),
  symbol: op(symbolRef, (b, r, o) => b.symbol(r, o)),
  search: op(strict({ query: text(), exchange: exchange.optional() }), (b, r, o) => b.search(r, o)),
  expiry: op(
    strict({ symbol: text(), exchange: exactly(F_AND_O_EXCHANGES), instrumenttype: exactly(['futures', 'options'] as const) }),
    (b, r, o) => b.expiry(r, o),
  ),
  optionSymbol: op(
    strict({
      strategy: text().nullish(), underlying: text(), exchange, expiry_date: expiryDate, strike_int: integer().nullish(),
      offset, option_type: optionType, include_quotes: z.boolean().optional(),
    }),
    (b, { strategy: _st, strike_int: _si, include_quotes: _iq, ...r }, o) => b.optionSymbol(r, o),
  ),
  optionChain: op(
    strict({
      underlying: text(), exchange, expiry_date: expiryDate,
      strike_count: integer().pipe(z.number().min(1).max(100)).nullish().transform((v) => v ?? undefined),
      with_greeks: z.boolean().optional(), interest_rate: number().nullish(),
    }),
    (b, { with_greeks: _g, interest_rate: _i, ...r }, o) => b.optionChain(r, o),
  ),
  margin: op(
    strict({
      positions: z.array(strict({
        symbol: text().pipe(z.string().min(1).max(50, 'Symbol must be between 1 and 50 characters.')),
        exchange, action, quantity: positive(), product, pricetype: priceType,
        price: nonNegative('Price').optional(), trigger_price: nonNegative('Trigger price').optional(),
      }), { error: (i) => (i.input === undefined ? MISSING : 'Not a valid list.') })
        .min(1, 'Positions must contain 1 to 50 items.').max(50, 'Positions must contain 1 to 50 items.'),
    }),
    (b, r, o) => b.margin(r, o),
  ),
  holidays: op(
    strict({ year: integer().pipe(z.number().min(2020).max(2050)).optional() }),
    (b, r, o) => b.holidays({ year: r.year ?? new Date().getFullYear() }, o),
  ),
  timings: op(strict({ date: isoDate }), (b, r, o) => b.timings(r, o)),
  ping: op(none, (b, _r, o) => b.ping(o)),
  telegram: op(
    strict({ username: text(), message: text(), priority: integer().optional() }),
    (b, r, o) => b.telegram(r, o),
  ),
  whatsapp: op(
    strict({ message: text(), self: z.boolean().optional(), phone: text().optional() }),
    (b, r, o) => b.whatsapp(r, o),
  ),
};

/** "quantity: Missing data for required field.; foo: Unknown field." */
export function describeRequestIssues(error: z.ZodError): string {
  const parts: string[] = [];
  for (const issue of error.issues) {
    const where = issue.path.join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) parts.push(`${where ? `${where}.` : ''}${key}: Unknown field.`);
    } else {
      parts.push(`${where || '(body)'}: ${issue.message}`);
    }
  }
  return parts.join('; ');
}
