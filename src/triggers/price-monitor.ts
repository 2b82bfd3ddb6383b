// One monitor for every active priceAlert trigger (DESIGN.md §7). Each alert is judged on every
// tick of its symbol from the broker's stream; while the stream is down (or refuses a symbol) the
// symbol is polled through multiQuotes in batches instead. The last price survives an outage, so
// the first tick after a reconnect is judged against it: a level crossed meanwhile fires once.

import type { Broker, MultiQuotesAnswer, SymbolRef } from '../broker/types.js';
import { DEFAULT_TIMEZONE, isoTimestamp } from '../market/clock.js';
import type { MarketStream, StreamState } from '../stream/types.js';
import {
  conditionMet, isChannel, isPercent, needsLevel, normalizeCondition, PRICE_CONDITIONS, type PriceCondition,
} from './price-conditions.js';
import { Poller } from './poller.js';
import { traceFire } from '../runtime/trace.js';

export { PRICE_CONDITIONS, CONDITION_NAMES, normalizeCondition, type PriceCondition } from './price-conditions.js';

export type AlertExpiration = 'none' | '1h' | '4h' | '1d' | '1w';
export const ALERT_EXPIRATIONS: readonly AlertExpiration[] = ['none', '1h', '4h', '1d', '1w'];
const EXPIRATION_MS: Record<AlertExpiration, number> = { none: Infinity, '1h': 3_600_000, '4h': 14_400_000, '1d': 86_400_000, '1w': 604_800_000 };

export interface PriceAlert {
  workflowId: string;
  nodeId: string;
  symbol: string;
  exchange: string;
  condition: PriceCondition;
  /** The level (OpenAlgo's target_price); channels fall back to it for a missing bound. */
  price?: number;
  priceLower?: number;
  priceUpper?: number;
  /** moving_*_percent: the tick-to-tick move, in percent. */
  percentage?: number;
  /** `every_time` fires on every tick that satisfies, with no cooldown (as OpenAlgo). */
  trigger: 'once' | 'every_time';
  /** Counted from add(); `expiresAt` wins when both are given. */
  expiration?: AlertExpiration;
  expiresAt?: Date | string;
}

/** Where an alert's prices come from now. */
export type PriceSource = 'stream' | 'poll';

/** What a fired alert hands the run (exposed as {{webhook.*}}): OpenAlgo's three keys, then Flow's. */
export interface PriceAlertPayload {
  trigger_type: 'price_alert';
  /** The LTP that fired the alert (OpenAlgo's meaning). */
  trigger_price: number;
  /** ISO time in the exchange zone. */
  triggered_at: string;
  symbol: string;
  exchange: string;
  ltp: number;
  condition: PriceCondition;
  /** The level the alert watched (null for moving conditions). */
  target_price: number | null;
  price_lower?: number;
  price_upper?: number;
  percentage?: number;
  source: PriceSource;
}

/** An active alert as list() reports it. */
export type WatchedAlert = Omit<PriceAlert, 'expiresAt'> & { lastLtp: number | null; expiresAt: Date | null; source: PriceSource };

export interface PriceAlertProblem {
  field: string;
  message: string;
}

export interface PriceMonitorOptions {
  broker: Broker;
  /** The live stream; without it every alert polls. */
  stream?: MarketStream;
  /** Milliseconds between polls (1 s by default); also how often expiry is checked. */
  tickMs?: number;
  now?: () => Date;
  onFire: (alert: PriceAlert, payload: PriceAlertPayload) => void;
  /** A `once` alert fired or an alert expired: the runtime may deactivate the workflow. */
  onRetire?: (alert: PriceAlert, reason: 'fired' | 'expired' | 'removed') => void;
  /** Broker failures and throwing callbacks; the monitor keeps going. */
  onError?: (err: unknown, context: string) => void;
  /** Symbols per multiQuotes call (50 by default). */
  batchSize?: number;
  timezone?: string;
}

interface AlertState {
  alert: PriceAlert;
  expiresAtMs: number;
  last: number; // NaN until the first price
  retired: boolean;
}

interface SymbolEntry {
  ref: SymbolRef;
  alerts: AlertState[];
  unsubscribe: (() => void) | null;
  /** The stream refused this symbol: it is polled even while the stream is live. */
  refused: boolean;
  /** Bumped by every tick, so a poll answer older than a tick is dropped. */
  seq: number;
}

const keyOf = (exchange: string, symbol: string) => `${exchange}:${symbol}`;

/** Checks an alert's fields; answers problems naming each bad field. */
export function validatePriceAlert(alert: PriceAlert): PriceAlertProblem[] {
  const problems: PriceAlertProblem[] = [];
  const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  if (!alert.symbol?.trim()) problems.push({ field: 'symbol', message: 'is required' });
  if (!alert.exchange?.trim()) problems.push({ field: 'exchange', message: 'is required' });
  const c = alert.condition;
  if (!PRICE_CONDITIONS.includes(c)) problems.push({ field: 'condition', message: `'${c}' is not one of ${PRICE_CONDITIONS.join(', ')} (or above, below, crosses_above, crosses_below)` });
  if (needsLevel(c) && !(num(alert.price) && alert.price > 0)) problems.push({ field: 'price', message: `a price above 0 is required for '${c}'` });
  if (isChannel(c)) {
    const lower = alert.priceLower || alert.price;
    const upper = alert.priceUpper || alert.price;
    if (!(num(lower) && num(upper) && lower > 0)) problems.push({ field: 'priceLower', message: `priceLower and priceUpper are required for '${c}'` });
    else if (lower > upper) problems.push({ field: 'priceUpper', message: 'must not be below priceLower' });
  }
  // OpenAlgo treats a missing percentage as 0, which fires on every unchanged tick: Flow asks for one.
  if (isPercent(c) && !(num(alert.percentage) && alert.percentage > 0)) problems.push({ field: 'percentage', message: `a percentage above 0 is required for '${c}'` });
  if (alert.trigger !== 'once' && alert.trigger !== 'every_time') problems.push({ field: 'trigger', message: `'${alert.trigger}' is not once or every_time` });
  if (alert.expiration !== undefined && !ALERT_EXPIRATIONS.includes(alert.expiration)) {
    problems.push({ field: 'expiration', message: `'${alert.expiration}' is not one of ${ALERT_EXPIRATIONS.join(', ')}` });
  }
  if (alert.expiresAt !== undefined && Number.isNaN(new Date(alert.expiresAt).getTime())) problems.push({ field: 'expiresAt', message: 'is not a date-time' });
  return problems;
}

function optionalNumber(raw: unknown): number | undefined | null {
  if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) return undefined;
  const n = typeof raw === 'string' ? Number(raw.trim()) : raw;
  return typeof n === 'number' && Number.isFinite(n) ? n : null;
}

/** A priceAlert node's data (OpenAlgo's field names) as an alert, or the problems naming each bad field. */
export function priceAlertFromNode(
  ids: { workflowId: string; nodeId: string },
  data: Record<string, unknown>,
): { ok: true; alert: PriceAlert } | { ok: false; problems: PriceAlertProblem[] } {
  const problems: PriceAlertProblem[] = [];
  const text = (v: unknown, fallback: string) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : fallback);
  const numbers: Record<'price' | 'priceLower' | 'priceUpper' | 'percentage', number | undefined> = {
    price: undefined, priceLower: undefined, priceUpper: undefined, percentage: undefined,
  };
  const sources = { price: data.price, priceLower: data.priceLower, priceUpper: data.priceUpper, percentage: data.percentage ?? data.percent };
  for (const field of Object.keys(numbers) as Array<keyof typeof numbers>) {
    const n = optionalNumber(sources[field]);
    if (n === null) problems.push({ field, message: `${JSON.stringify(sources[field])} is not a number` });
    else numbers[field] = n;
  }
  const symbol = text(data.symbol, '');
  if (symbol.includes('{{')) problems.push({ field: 'symbol', message: `'${symbol}' is a variable; a trigger has no upstream node to resolve it` });
  const alert: PriceAlert = {
    ...ids,
    symbol,
    exchange: text(data.exchange, 'NSE').toUpperCase(),
    condition: normalizeCondition(text(data.condition, 'greater_than')) as PriceCondition,
    trigger: text(data.trigger, 'once').toLowerCase() as PriceAlert['trigger'],
    expiration: text(data.expiration, 'none').toLowerCase() as AlertExpiration,
    ...Object.fromEntries(Object.entries(numbers).filter(([, v]) => v !== undefined)),
  };
  if (typeof data.expiresAt === 'string' && data.expiresAt.trim()) alert.expiresAt = data.expiresAt.trim();
  problems.push(...validatePriceAlert(alert));
  return problems.length ? { ok: false, problems } : { ok: true, alert };
}

export class PriceMonitor {
  private readonly bySymbol = new Map<string, SymbolEntry>();
  private readonly poller: Poller;
  private nextExpiryMs = Infinity;
  private retiredPending = false;
  private readonly now: () => Date;
  private readonly batchSize: number;
  private readonly stream?: MarketStream;
  private offState: (() => void) | null = null;
  private readonly counts = { streamEvaluations: 0, pollEvaluations: 0, fires: 0 };

  constructor(private readonly options: PriceMonitorOptions) {
    this.now = options.now ?? (() => new Date());
    this.batchSize = Math.max(1, options.batchSize ?? 50);
    this.stream = options.stream;
    this.poller = new Poller(() => this.runTick(), options.tickMs ?? 1000, (err) => options.onError?.(err, 'tick'));
  }

  /** Watches an alert. Throws an Error listing the problems when it is invalid (validate first to show them). */
  add(alert: PriceAlert): void {
    const problems = validatePriceAlert(alert);
    if (problems.length) throw new Error(`price alert ${alert.workflowId}/${alert.nodeId}: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`);
    this.removeWhere((s) => s.alert.workflowId === alert.workflowId && s.alert.nodeId === alert.nodeId, null);
    const nowMs = this.now().getTime();
    const expiresAtMs = alert.expiresAt !== undefined ? new Date(alert.expiresAt).getTime() : nowMs + EXPIRATION_MS[alert.expiration ?? 'none'];
    const state: AlertState = {
      alert: { ...alert, symbol: alert.symbol.trim(), exchange: alert.exchange.trim().toUpperCase() },
      expiresAtMs,
      last: NaN,
      retired: false,
    };
    const key = keyOf(state.alert.exchange, state.alert.symbol);
    let entry = this.bySymbol.get(key);
    if (!entry) {
      entry = { ref: { symbol: state.alert.symbol, exchange: state.alert.exchange }, alerts: [], unsubscribe: null, refused: false, seq: 0 };
      this.bySymbol.set(key, entry);
      this.watch(entry);
    }
    entry.alerts.push(state);
    this.nextExpiryMs = Math.min(this.nextExpiryMs, expiresAtMs);
  }

  /** Stops watching a workflow's alerts (one node's with nodeId); answers how many were removed. */
  remove(workflowId: string, nodeId?: string): number {
    return this.removeWhere((s) => s.alert.workflowId === workflowId && (nodeId === undefined || s.alert.nodeId === nodeId), 'removed');
  }

  list(): WatchedAlert[] {
    const out: WatchedAlert[] = [];
    for (const entry of this.bySymbol.values()) {
      const source = this.sourceOf(entry);
      for (const s of entry.alerts) {
        if (s.retired) continue;
        out.push({ ...s.alert, lastLtp: Number.isNaN(s.last) ? null : s.last, expiresAt: Number.isFinite(s.expiresAtMs) ? new Date(s.expiresAtMs) : null, source });
      }
    }
    return out;
  }

  /** For health and metrics: the stream's state and how many alerts each source serves now. */
  status(): { stream: StreamState | 'none'; alerts: Record<PriceSource, number>; symbols: Record<PriceSource, number>; evaluations: Record<PriceSource, number>; fires: number } {
    const alerts = { stream: 0, poll: 0 };
    const symbols = { stream: 0, poll: 0 };
    for (const entry of this.bySymbol.values()) {
      const src = this.sourceOf(entry);
      symbols[src]++;
      alerts[src] += entry.alerts.filter((s) => !s.retired).length;
    }
    return {
      stream: this.stream?.state ?? 'none', alerts, symbols,
      evaluations: { stream: this.counts.streamEvaluations, poll: this.counts.pollEvaluations }, fires: this.counts.fires,
    };
  }

  /** Distinct symbols currently watched. */
  get symbolCount(): number {
    return this.bySymbol.size;
  }

  start(): void {
    if (this.poller.running) return;
    this.poller.start();
    // The stream went down: poll at once rather than at the next interval.
    this.offState ??= this.stream?.onStateChange((s) => {
      if (s === 'down' && this.poller.running) this.poller.kick();
    }) ?? null;
  }

  stop(): void {
    this.poller.stop();
    this.offState?.();
    this.offState = null;
    for (const entry of this.bySymbol.values()) {
      entry.unsubscribe?.();
      entry.unsubscribe = null;
    }
  }

  /** One poll pass: drop expired alerts, fetch quotes for the symbols the stream does not serve, fire what matches. Overlapping calls share one pass. */
  tick(): Promise<void> {
    return this.poller.run();
  }

  /** The stream serves a symbol once it is live, has not refused it, and has ticked for it at least once (until then, polls give the first price). */
  private sourceOf(entry: SymbolEntry): PriceSource {
    return this.stream && this.stream.state === 'live' && entry.unsubscribe && !entry.refused && entry.seq > 0 ? 'stream' : 'poll';
  }

  private watch(entry: SymbolEntry): void {
    if (!this.stream) return;
    entry.unsubscribe = this.stream.subscribe(entry.ref, 'LTP', (t) => this.onTick(entry, t.ltp), {
      onError: (message) => {
        entry.refused = true;
        this.options.onError?.(new Error(`stream refused ${entry.ref.exchange}:${entry.ref.symbol} (${message}); polling it`), 'stream');
      },
    });
  }

  private onTick(entry: SymbolEntry, ltp: number): void {
    if (!(ltp > 0)) return;
    entry.seq++;
    entry.refused = false;
    const nowMs = this.now().getTime();
    const alerts = entry.alerts;
    this.counts.streamEvaluations += alerts.length;
    for (let j = 0; j < alerts.length; j++) this.evaluate(alerts[j], ltp, nowMs, 'stream');
    if (this.retiredPending) this.compact();
  }

  private async runTick(): Promise<void> {
    if (this.now().getTime() >= this.nextExpiryMs) this.expire();
    if (this.bySymbol.size === 0) return;
    const batches: Array<{ refs: SymbolRef[]; entries: SymbolEntry[]; seqs: number[] }> = [];
    let current = { refs: [] as SymbolRef[], entries: [] as SymbolEntry[], seqs: [] as number[] };
    for (const entry of this.bySymbol.values()) {
      if (this.sourceOf(entry) === 'stream') continue;
      if (current.refs.length === this.batchSize) {
        batches.push(current);
        current = { refs: [], entries: [], seqs: [] };
      }
      current.refs.push(entry.ref);
      current.entries.push(entry);
      current.seqs.push(entry.seq);
    }
    if (current.refs.length) batches.push(current);
    if (batches.length === 0) return;
    const answers = await Promise.all(batches.map((b) => this.fetch(b.refs)));
    const nowMs = this.now().getTime();
    for (let b = 0; b < batches.length; b++) {
      const results = answers[b];
      if (!results) continue;
      const { refs, entries, seqs } = batches[b];
      for (let i = 0; i < results.length; i++) {
        const r = results[i];
        // Answers normally come back in request order; look the symbol up only when they do not.
        const idx = i < refs.length && refs[i].symbol === r.symbol && refs[i].exchange === r.exchange ? i : refs.findIndex((x) => x.symbol === r.symbol && x.exchange === r.exchange);
        const entry = idx >= 0 ? entries[idx] : undefined;
        const ltp = r.data?.ltp;
        if (!entry || typeof ltp !== 'number' || !(ltp > 0)) continue;
        // A tick arrived while the quote was in flight: it is newer, so the quote is stale.
        if (entry.seq !== seqs[idx] || this.bySymbol.get(keyOf(entry.ref.exchange, entry.ref.symbol)) !== entry) continue;
        const alerts = entry.alerts;
        this.counts.pollEvaluations += alerts.length;
        for (let j = 0; j < alerts.length; j++) this.evaluate(alerts[j], ltp, nowMs, 'poll');
      }
    }
    if (this.retiredPending) this.compact();
  }

  private async fetch(refs: SymbolRef[]): Promise<MultiQuotesAnswer['results'] | null> {
    const { broker } = this.options;
    try {
      const answer = await broker.multiQuotes({ symbols: refs });
      if (answer.status === 'success' && Array.isArray(answer.results)) return answer.results;
    } catch (err) {
      // The broker is unreachable: per-symbol calls would only fail N more times.
      this.options.onError?.(err, 'multiQuotes');
      return null;
    }
    // Brokers without multiquotes: one quote per symbol.
    return Promise.all(refs.map(async (ref) => {
      try {
        const q = await broker.quotes(ref);
        return q.status === 'success' && q.data ? { symbol: ref.symbol, exchange: ref.exchange, data: q.data } : { symbol: ref.symbol, exchange: ref.exchange, error: q.message ?? 'no quote' };
      } catch (err) {
        this.options.onError?.(err, `quotes ${ref.exchange}:${ref.symbol}`);
        return { symbol: ref.symbol, exchange: ref.exchange, error: 'quote failed' };
      }
    }));
  }

  private evaluate(s: AlertState, ltp: number, nowMs: number, source: PriceSource): void {
    if (s.retired) return;
    if (nowMs >= s.expiresAtMs) {
      this.retire(s, 'expired');
      return;
    }
    const a = s.alert;
    const last = s.last;
    if (!conditionMet(a.condition, ltp, last, a)) {
      s.last = ltp;
      return;
    }
    const once = a.trigger !== 'every_time';
    if (once) s.retired = true; // before the callback, so nothing re-enters it
    else s.last = ltp;
    this.counts.fires++;
    traceFire?.(source);
    try {
      this.options.onFire(a, this.payload(a, ltp, nowMs, source));
    } catch (err) {
      this.options.onError?.(err, `onFire ${a.workflowId}/${a.nodeId}`);
    }
    // Retired only after the run is requested: the runtime may deactivate the workflow on retire.
    if (once) {
      s.retired = false;
      this.retire(s, 'fired');
    }
  }

  private payload(a: PriceAlert, ltp: number, nowMs: number, source: PriceSource): PriceAlertPayload {
    const payload: PriceAlertPayload = {
      trigger_type: 'price_alert',
      trigger_price: ltp,
      triggered_at: isoTimestamp(nowMs, this.options.timezone ?? DEFAULT_TIMEZONE),
      symbol: a.symbol,
      exchange: a.exchange,
      ltp,
      condition: a.condition,
      target_price: a.condition.startsWith('moving_') ? null : (a.price ?? null),
      source,
    };
    if (isChannel(a.condition)) {
      payload.price_lower = a.priceLower || a.price;
      payload.price_upper = a.priceUpper || a.price;
    }
    if (isPercent(a.condition)) payload.percentage = a.percentage;
    return payload;
  }

  private retire(s: AlertState, reason: 'fired' | 'expired' | 'removed'): void {
    if (s.retired) return;
    s.retired = true;
    this.retiredPending = true;
    if (this.options.onRetire) {
      try {
        this.options.onRetire(s.alert, reason);
      } catch (err) {
        this.options.onError?.(err, `onRetire ${s.alert.workflowId}/${s.alert.nodeId}`);
      }
    }
  }

  private expire(): void {
    const nowMs = this.now().getTime();
    let next = Infinity;
    for (const entry of this.bySymbol.values()) {
      for (const s of entry.alerts) {
        if (s.retired) continue;
        if (nowMs >= s.expiresAtMs) this.retire(s, 'expired');
        else next = Math.min(next, s.expiresAtMs);
      }
    }
    this.nextExpiryMs = next;
    if (this.retiredPending) this.compact();
  }

  private removeWhere(match: (s: AlertState) => boolean, reason: 'removed' | null): number {
    let removed = 0;
    for (const entry of this.bySymbol.values()) {
      for (const s of entry.alerts) {
        if (s.retired || !match(s)) continue;
        if (reason) this.retire(s, reason);
        else {
          s.retired = true;
          this.retiredPending = true;
        }
        removed++;
      }
    }
    if (removed) this.compact();
    return removed;
  }

  /** Drops retired alerts and symbols nobody watches any more (after a pass, never during one). */
  private compact(): void {
    this.retiredPending = false;
    for (const [key, entry] of this.bySymbol) {
      if (!entry.alerts.some((s) => s.retired)) continue;
      entry.alerts = entry.alerts.filter((s) => !s.retired);
      if (entry.alerts.length === 0) {
        this.bySymbol.delete(key);
        entry.unsubscribe?.();
        entry.unsubscribe = null;
      }
    }
  }
}
