// The OpenAlgo REST v1 client: a thin transport from the Broker interface to
// POST {host}/api/v1/<endpoint>. Money rules: an order call is sent at most once
// (only a refused connection, where nothing was sent, is tried again); when its
// outcome cannot be known it fails with outcome "unknown", never retried.

import type { Agent } from 'undici';
import type {
  BasketOrderRequest, Broker, BrokerMethod, BrokerAnswer, CallOptions, CancelOrderRequest, ClosePositionRequest, ExpiryRequest,
  HistoryRequest, MarginRequest, ModifyOrderRequest, OpenPositionRequest, OptionChainRequest, OptionsMultiOrderRequest,
  OptionsOrderRequest, OptionSymbolRequest, PlaceOrderRequest, SmartOrderRequest, SplitOrderRequest, SearchRequest, SymbolRef,
  TelegramRequest,
  WhatsAppRequest,
} from '../types.js';
import { BrokerError, ENDPOINTS, ORDER_METHODS } from '../types.js';
import { createAgent, post, type Attempt } from './http.js';
import { RateLimiter, type Release } from './limiter.js';
import { trace } from '../../runtime/trace.js';
import type { OpenAlgoLogger } from './logger.js';
import { ANSWER_SCHEMAS, describeIssues, ERROR_ANSWER } from './schemas.js';

type Method = BrokerMethod;
type AnswerOf<M extends Method> = Awaited<ReturnType<Broker[M]>>;

/** One HTTP attempt, for metrics. `ok`: it produced the answer returned to the caller. */
export interface OpenAlgoCallEvent { endpoint: string; ms: number; ok: boolean; status?: number }

export interface OpenAlgoBrokerOptions {
  /** Base URL of the OpenAlgo server, e.g. http://127.0.0.1:5000 */
  host: string;
  apiKey: string;
  /** Per attempt, connect to last byte (default 10 000). */
  timeoutMs?: number;
  /** Order calls per second, all order methods together (default 10; 0 = unlimited). */
  orderRatePerSec?: number;
  /** Other calls per second (default 50; 0 = unlimited). */
  apiRatePerSec?: number;
  /** Attempts in all for a read-only call (default 3). Order calls are never retried. */
  retries?: number;
  /** First backoff delay in ms, doubled per retry and jittered (default 100). */
  retryBaseMs?: number;
  /**
   * Send CallOptions.clientOrderKey as `client_order_key`. Off by default: OpenAlgo's
   * marshmallow schemas reject unknown fields (400 "Unknown field."). Turn it on only
   * when the server is Flow's paper broker (`flow paper-broker`), which de-duplicates by it.
   */
  sendClientOrderKey?: boolean;
  logger?: OpenAlgoLogger;
  onCall?: (e: OpenAlgoCallEvent) => void;
  /** OpenAlgo's WebSocket (OPENALGO_WS_URL); default derived from the host as OpenAlgo does. */
  wsUrl?: string;
  /**
   * Waits for this key's order slot shared with other Flow processes (DESIGN.md §9), after the local
   * slot and before the order is recorded as sent; rejects when `signal` aborts (the order is not sent).
   */
  orderGate?: (signal?: AbortSignal) => Promise<void>;
}

import { deriveWsUrl, sharedOpenAlgoStream } from '../../stream/client.js';
import type { MarketStream } from '../../stream/types.js';

const ORDER_SET: ReadonlySet<string> = new Set(ORDER_METHODS);
const CHECK_ORDER_BOOK = 'check the order book before retrying';

/** A transport failure, with the system error code when there was one (ECONNREFUSED, …). */
export class OpenAlgoTransportError extends BrokerError {
  constructor(
    message: string,
    code: BrokerError['code'],
    outcome: BrokerError['outcome'],
    httpStatus?: number,
    readonly systemCode?: string,
  ) {
    super(message, code, outcome, httpStatus);
  }
}

const noop = () => {};

export class OpenAlgoBroker implements Broker {
  readonly kind = 'openalgo' as const;
  readonly description: string;
  /** Order calls wait in a client-side limiter: callers learn when one waits and when it is sent. */
  readonly announcesSends = true;
  /** The server's base URL as given (without credentials or a trailing slash). */
  readonly host: string;
  // a #private field: never serialised or inspected along with the client
  readonly #apiKey: string;
  private readonly timeoutMs: number;
  private readonly tries: number;
  private readonly retryBaseMs: number;
  private readonly sendClientOrderKey: boolean;
  private readonly orderLimiter: RateLimiter;
  private readonly apiLimiter: RateLimiter;
  private readonly agent: Agent;
  private readonly logger?: OpenAlgoLogger;
  private readonly onCall?: (e: OpenAlgoCallEvent) => void;
  private readonly orderGate?: (signal?: AbortSignal) => Promise<void>;

  constructor(opts: OpenAlgoBrokerOptions) {
    this.host = normaliseHost(opts.host);
    this.description = `OpenAlgo at ${this.host}`;
    if (!opts.apiKey) throw new TypeError('OpenAlgo API key is empty');
    this.#apiKey = opts.apiKey;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.tries = Math.max(1, Math.floor(opts.retries ?? 3));
    this.retryBaseMs = opts.retryBaseMs ?? 100;
    this.sendClientOrderKey = opts.sendClientOrderKey ?? false;
    this.orderLimiter = new RateLimiter(opts.orderRatePerSec ?? 10);
    this.apiLimiter = new RateLimiter(opts.apiRatePerSec ?? 50);
    this.agent = createAgent(this.timeoutMs);
    this.logger = opts.logger;
    this.onCall = opts.onCall;
    this.orderGate = opts.orderGate;
    const wsUrl = opts.wsUrl || process.env.OPENALGO_WS_URL?.trim() || deriveWsUrl(this.host);
    // An arrow on the instance: wrappers built with Object.create reach it with the key intact.
    this.marketStream = () => sharedOpenAlgoStream({ url: wsUrl, apiKey: this.#apiKey, logger: this.logger });
  }

  /** The one WebSocket stream for this host and key, shared by every consumer. */
  readonly marketStream: () => MarketStream;

  /** Closes the keep-alive connections. */
  async close(): Promise<void> {
    await this.agent.close();
  }

  // ---- orders (never retried) -----------------------------------------------
  placeOrder(req: PlaceOrderRequest, opts?: CallOptions) { return this.call('placeOrder', req, opts); }
  placeSmartOrder(req: SmartOrderRequest, opts?: CallOptions) { return this.call('placeSmartOrder', req, opts); }
  optionsOrder(req: OptionsOrderRequest, opts?: CallOptions) { return this.call('optionsOrder', req, opts); }
  optionsMultiOrder(req: OptionsMultiOrderRequest, opts?: CallOptions) { return this.call('optionsMultiOrder', req, opts); }
  basketOrder(req: BasketOrderRequest, opts?: CallOptions) { return this.call('basketOrder', req, opts); }
  splitOrder(req: SplitOrderRequest, opts?: CallOptions) { return this.call('splitOrder', req, opts); }
  modifyOrder(req: ModifyOrderRequest, opts?: CallOptions) { return this.call('modifyOrder', req, opts); }
  cancelOrder(req: CancelOrderRequest, opts?: CallOptions) { return this.call('cancelOrder', req, opts); }
  cancelAllOrders(req: { strategy: string }, opts?: CallOptions) { return this.call('cancelAllOrders', req, opts); }
  closePosition(req: ClosePositionRequest, opts?: CallOptions) { return this.call('closePosition', req, opts); }

  // ---- account -------------------------------------------------------------
  orderStatus(req: CancelOrderRequest, opts?: CallOptions) { return this.call('orderStatus', req, opts); }
  openPosition(req: OpenPositionRequest, opts?: CallOptions) { return this.call('openPosition', req, opts); }
  funds(opts?: CallOptions) { return this.call('funds', {}, opts); }
  orderBook(opts?: CallOptions) { return this.call('orderBook', {}, opts); }
  tradeBook(opts?: CallOptions) { return this.call('tradeBook', {}, opts); }
  positionBook(opts?: CallOptions) { return this.call('positionBook', {}, opts); }
  holdings(opts?: CallOptions) { return this.call('holdings', {}, opts); }

  // ---- market data and symbols -----------------------------------------------
  quotes(req: SymbolRef, opts?: CallOptions) { return this.call('quotes', req, opts); }
  multiQuotes(req: { symbols: SymbolRef[] }, opts?: CallOptions) { return this.call('multiQuotes', req, opts); }
  depth(req: SymbolRef, opts?: CallOptions) { return this.call('depth', req, opts); }
  history(req: HistoryRequest, opts?: CallOptions) { return this.call('history', req, opts); }
  intervals(opts?: CallOptions) { return this.call('intervals', {}, opts); }
  symbol(req: SymbolRef, opts?: CallOptions) { return this.call('symbol', req, opts); }
  search(req: SearchRequest, opts?: CallOptions) { return this.call('search', req, opts); }
  expiry(req: ExpiryRequest, opts?: CallOptions) { return this.call('expiry', req, opts); }
  optionSymbol(req: OptionSymbolRequest, opts?: CallOptions) { return this.call('optionSymbol', req, opts); }
  optionChain(req: OptionChainRequest, opts?: CallOptions) { return this.call('optionChain', req, opts); }
  margin(req: MarginRequest, opts?: CallOptions) {
    // OpenAlgo's margin schema takes quantity and prices as strings
    const positions = req.positions.map((p) => ({
      ...p,
      quantity: String(p.quantity),
      ...(p.price !== undefined && { price: String(p.price) }),
      ...(p.trigger_price !== undefined && { trigger_price: String(p.trigger_price) }),
    }));
    return this.call('margin', { positions }, opts);
  }
  holidays(req: { year: number }, opts?: CallOptions) { return this.call('holidays', req, opts); }
  timings(req: { date: string }, opts?: CallOptions) { return this.call('timings', req, opts); }
  ping(opts?: CallOptions) { return this.call('ping', {}, opts); }
  telegram(req: TelegramRequest, opts?: CallOptions) { return this.call('telegram', req, opts); }
  whatsapp(req: WhatsAppRequest, opts?: CallOptions) { return this.call('whatsapp', req, opts); }

  /** Pings OpenAlgo and says, in a trader's words, whether Flow can trade through it. */
  async checkConnection(opts?: CallOptions): Promise<{ ok: boolean; message: string }> {
    try {
      const answer = await this.ping(opts);
      if (answer.status === 'success') {
        return { ok: true, message: `Connected to OpenAlgo at ${this.host} (broker: ${answer.data?.broker || 'unknown'})` };
      }
      return { ok: false, message: `OpenAlgo at ${this.host} answered the ping with an error: ${answer.message ?? 'no message'}` };
    } catch (err) {
      if (err instanceof OpenAlgoTransportError && err.code === 'network') {
        return { ok: false, message: `OpenAlgo at ${this.host} is not reachable (${err.systemCode ?? 'network error'})` };
      }
      if (err instanceof OpenAlgoTransportError && err.code === 'timeout') {
        return { ok: false, message: `OpenAlgo at ${this.host} did not answer within ${this.timeoutMs} ms` };
      }
      return { ok: false, message: err instanceof Error ? this.redact(err.message) : String(err) };
    }
  }

  // ---- transport -------------------------------------------------------------

  /** Settles when the last order that waited for its slot has been answered. */
  private orderTurn: Promise<void> = Promise.resolve();

  private async call<M extends Method>(method: M, req: object, opts?: CallOptions): Promise<AnswerOf<M>> {
    const endpoint = ENDPOINTS[method];
    const isOrder = ORDER_SET.has(method);
    const limiter = isOrder ? this.orderLimiter : this.apiLimiter;
    const body = JSON.stringify({
      apikey: this.#apiKey,
      ...req,
      ...(isOrder && this.sendClientOrderKey && opts?.clientOrderKey ? { client_order_key: opts.clientOrderKey } : {}),
    });
    const url = `${this.host}/api/v1/${endpoint}`;
    const fail = failures(endpoint, this.host, this.timeoutMs, isOrder);
    let refusedRetried = false;

    for (let attempt = 1; ; attempt++) {
      // Orders that had to wait for a slot go out one after another, in the order their slots were
      // granted: several granted at once would otherwise race on separate connections and could reach
      // the broker out of the order the webhooks came in. The turn is taken with the place in the
      // limiter's FIFO queue, so turn order is grant order.
      const inTurn = isOrder && limiter.busy;
      // A call that gives up while queued (its record failed) can leave the queue instead of taking a slot.
      const leave = inTurn ? new AbortController() : undefined;
      const slot = limiter.acquire(leave ? (opts?.signal ? AbortSignal.any([opts.signal, leave.signal]) : leave.signal) : opts?.signal);
      let sent: () => void = noop;
      let before: Promise<void> | undefined;
      if (inTurn) {
        before = this.orderTurn;
        this.orderTurn = new Promise<void>((resolve) => (sent = resolve));
      }
      let release: Release | undefined;
      let result: Attempt;
      let started = 0;
      try {
        // The caller records the intent as waiting before the wait, and as sent before the write
        // (once per call: the retry after a refused connection is recorded as sent already).
        if (inTurn && attempt === 1 && opts?.onQueued) await opts.onQueued();
        try {
          release = await slot;
          if (isOrder && this.orderGate) await this.orderGate(opts?.signal);
        } catch {
          throw fail.abortedBeforeSend();
        }
        if (attempt === 1 && opts?.beforeSend) await opts.beforeSend();
        if (before) await before;
        if (opts?.signal?.aborted) throw fail.abortedBeforeSend();
        started = performance.now();
        trace?.('broker.call');
        result = await post(this.agent, url, body, this.timeoutMs, opts?.signal);
      } finally {
        if (release) release();
        else {
          // Gave up before holding the slot: leave the queue, or hand back a slot granted meanwhile.
          leave?.abort();
          slot.then((r) => r(), noop);
        }
        sent();
      }
      const ms = Math.round(performance.now() - started);
      const outcome = this.judge(method, result, fail);
      const status = result.kind === 'answer' ? result.status : undefined;
      this.onCall?.({ endpoint, ms, ok: outcome.kind === 'answer', status });
      this.log(outcome.kind === 'answer' ? 'debug' : 'warn', method, endpoint, result, ms, attempt);

      if (outcome.kind === 'answer') return outcome.answer as AnswerOf<M>;
      // a refused connection sent nothing: the one retry an order may get
      const canRetry = isOrder
        ? result.kind === 'network' && !result.sent && !refusedRetried
        : outcome.retryable && attempt < this.tries;
      if (!canRetry) throw outcome.error;
      if (isOrder) refusedRetried = true;
      await this.backoff(attempt, opts?.signal).catch(() => {
        throw fail.abortedBeforeSend();
      });
    }
  }

  /** Turns one attempt into the answer, or an error and whether a read may try again. */
  private judge(
    method: Method,
    result: Attempt,
    fail: ReturnType<typeof failures>,
  ): { kind: 'answer'; answer: BrokerAnswer } | { kind: 'error'; error: BrokerError; retryable: boolean } {
    switch (result.kind) {
      case 'aborted':
        return { kind: 'error', error: fail.aborted(), retryable: false };
      case 'timeout':
        return { kind: 'error', error: fail.timeout(), retryable: true };
      case 'network':
        return { kind: 'error', error: fail.network(result.code, result.sent), retryable: true };
      case 'answer':
        break;
    }
    const { status } = result;
    const text = this.redact(result.text);
    const json = parseJson(text);
    const serverMessage = json && typeof json === 'object' && typeof (json as { message?: unknown }).message === 'string'
      ? ((json as { message: string }).message).slice(0, 300)
      : undefined;

    if (status === 401 || status === 403) return { kind: 'error', error: fail.auth(status, serverMessage), retryable: false };
    if (status === 429) return { kind: 'error', error: fail.rateLimited(), retryable: true };
    if (status >= 500) return { kind: 'error', error: fail.server(status, serverMessage), retryable: true };

    const isErrorAnswer = !!json && typeof json === 'object' && (json as { status?: unknown }).status === 'error';
    if (status < 200 || (status >= 300 && !isErrorAnswer)) {
      return { kind: 'error', error: fail.http(status, serverMessage), retryable: false };
    }
    const schema = isErrorAnswer ? ERROR_ANSWER : ANSWER_SCHEMAS[method];
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      return { kind: 'error', error: fail.invalid(json === undefined ? 'not JSON' : describeIssues(parsed.error)), retryable: false };
    }
    return { kind: 'answer', answer: parsed.data };
  }

  private backoff(attempt: number, signal?: AbortSignal): Promise<void> {
    const ms = this.retryBaseMs * 2 ** (attempt - 1) * (0.5 + Math.random());
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private redact(text: string): string {
    return text.includes(this.#apiKey) ? text.split(this.#apiKey).join('[redacted]') : text;
  }

  private log(level: 'debug' | 'warn', method: Method, endpoint: string, result: Attempt, ms: number, attempt: number): void {
    if (!this.logger) return;
    const fields = result.kind === 'answer'
      ? { method, endpoint, status: result.status, ms, attempt }
      : { method, endpoint, error: result.kind === 'network' ? result.code : result.kind, ms, attempt };
    this.logger[level](fields, 'openalgo call');
  }
}

/** The errors one call can end with, worded for a trader. */
function failures(endpoint: string, host: string, timeoutMs: number, isOrder: boolean) {
  const at = `OpenAlgo at ${host}`;
  const unknown = (why: string) => `${endpoint} outcome unknown: ${why}; ${CHECK_ORDER_BOOK}`;
  const notPlaced = (why: string) => (isOrder ? `${endpoint} not placed: ${why}` : `${endpoint} failed: ${why}`);
  const E = OpenAlgoTransportError;
  return {
    abortedBeforeSend: () => new E(`${endpoint} cancelled before it was sent to ${at}`, 'aborted', 'not_sent'),
    aborted: () => isOrder
      ? new E(unknown(`cancelled while waiting for ${at}`), 'aborted', 'unknown')
      : new E(`${endpoint} cancelled`, 'aborted', 'not_sent'),
    timeout: () => isOrder
      ? new E(unknown(`no answer from ${at} within ${timeoutMs} ms`), 'timeout', 'unknown')
      : new E(`${endpoint} failed: no answer from ${at} within ${timeoutMs} ms`, 'timeout', 'not_sent'),
    network: (code: string, sent: boolean) => {
      if (!sent) return new E(notPlaced(`${at} is not reachable (${code})`), 'network', 'not_sent', undefined, code);
      const dropped = `the connection to ${at} dropped (${code})`;
      return isOrder
        ? new E(unknown(`${dropped} after the request was sent`), 'network', 'unknown', undefined, code)
        : new E(`${endpoint} failed: ${dropped}`, 'network', 'not_sent', undefined, code);
    },
    auth: (status: number, msg?: string) =>
      new E(`${at} rejected the API key (${status})${msg ? `: ${msg}` : ''}`, 'auth', 'not_sent', status),
    rateLimited: () =>
      new E(notPlaced(`${at} refused it over its rate limit (429)`), 'rate_limited', 'not_sent', 429),
    // OpenAlgo may have reached the broker before failing: an order's fate is unknown
    server: (status: number, msg?: string) => isOrder
      ? new E(unknown(`${at} answered HTTP ${status}${msg ? ` (${msg})` : ''}`), 'http', 'unknown', status)
      : new E(`${endpoint} failed: ${at} answered HTTP ${status}${msg ? ` (${msg})` : ''}`, 'http', 'answered', status),
    http: (status: number, msg?: string) =>
      new E(notPlaced(`${at} answered HTTP ${status}${msg ? ` (${msg})` : ''}`), 'http', isOrder ? 'not_sent' : 'answered', status),
    invalid: (why: string) => isOrder
      ? new E(unknown(`${at} answered in an unexpected shape (${why})`), 'invalid_response', 'unknown')
      : new E(`${endpoint} failed: ${at} answered in an unexpected shape (${why})`, 'invalid_response', 'answered'),
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function normaliseHost(host: string): string {
  let url: URL;
  try {
    url = new URL(host);
  } catch {
    throw new TypeError(`OpenAlgo host "${host}" is not a URL (expected e.g. http://127.0.0.1:5000)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`OpenAlgo host "${url.origin}" must use http or https`);
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}
