// One monitor for every active priceAlert trigger: quotes fetched once per symbol per tick in
// multiQuotes batches, alerts indexed by symbol so a tick costs little beyond the broker call.

import type { Broker, MultiQuotesAnswer, SymbolRef } from '../broker/types.js';
import { builtins, DEFAULT_TIMEZONE } from '../engine/time.js';

export type PriceCondition =
  | 'above' | 'below' | 'crosses_above' | 'crosses_below'
  | 'entering_channel' | 'exiting_channel' | 'inside_channel' | 'outside_channel'
  | 'moving_up_percent' | 'moving_down_percent';
export const PRICE_CONDITIONS: readonly PriceCondition[] = [
  'above', 'below', 'crosses_above', 'crosses_below',
  'entering_channel', 'exiting_channel', 'inside_channel', 'outside_channel',
  'moving_up_percent', 'moving_down_percent',
];
export type AlertExpiration = 'none' | '1h' | '4h' | '1d' | '1w';
export const ALERT_EXPIRATIONS: readonly AlertExpiration[] = ['none', '1h', '4h', '1d', '1w'];
const EXPIRATION_MS: Record<AlertExpiration, number> = { none: Infinity, '1h': 3_600_000, '4h': 14_400_000, '1d': 86_400_000, '1w': 604_800_000 };

export interface PriceAlert {
  workflowId: string;
  nodeId: string;
  symbol: string;
  exchange: string;
  condition: PriceCondition;
  /** The level for above/below/crosses_*; for moving_*_percent, an optional reference price. */
  price?: number;
  priceLower?: number;
  priceUpper?: number;
  /** For moving_*_percent: the move, in percent of the reference price. */
  percent?: number;
  trigger: 'once' | 'every_time';
  /** every_time only: seconds after a fire during which the alert stays quiet (60 by default). */
  cooldownSec?: number;
  /** Counted from add(); `expiresAt` wins when both are given. */
  expiration?: AlertExpiration;
  expiresAt?: Date | string;
}

/** What a fired alert hands the run (exposed as {{webhook.*}}). */
export interface PriceAlertPayload {
  symbol: string;
  exchange: string;
  /** The level the condition compared against (the reference price for percent moves; null for channels). */
  trigger_price: number | null;
  ltp: number;
  condition: PriceCondition;
  /** ISO time in the exchange zone. */
  triggered_at: string;
  price_lower?: number;
  price_upper?: number;
  percent?: number;
}

/** An active alert as list() reports it. */
export type WatchedAlert = Omit<PriceAlert, 'expiresAt'> & { lastLtp: number | null; expiresAt: Date | null };

export interface PriceAlertProblem {
  field: string;
  message: string;
}

export interface PriceMonitorOptions {
  broker: Broker;
  /** Milliseconds between ticks when started (1 s by default). */
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
  cooldownMs: number;
  prevLtp: number; // NaN until the first quote
  reference: number; // percent moves: the price the move is measured from (NaN until known)
  quietUntilMs: number;
  retired: boolean;
}

interface SymbolEntry {
  ref: SymbolRef;
  alerts: AlertState[];
}

interface Batch {
  refs: SymbolRef[];
  entries: SymbolEntry[];
}

const keyOf = (exchange: string, symbol: string) => `${exchange}:${symbol}`;
const DEFAULT_COOLDOWN_SEC = 60;

/** Checks an alert's fields; answers problems naming each bad field. */
export function validatePriceAlert(alert: PriceAlert): PriceAlertProblem[] {
  const problems: PriceAlertProblem[] = [];
  const num = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  if (!alert.symbol?.trim()) problems.push({ field: 'symbol', message: 'is required' });
  if (!alert.exchange?.trim()) problems.push({ field: 'exchange', message: 'is required' });
  if (!PRICE_CONDITIONS.includes(alert.condition)) problems.push({ field: 'condition', message: `'${alert.condition}' is not one of ${PRICE_CONDITIONS.join(', ')}` });
  if (['above', 'below', 'crosses_above', 'crosses_below'].includes(alert.condition) && !(num(alert.price) && alert.price! > 0)) {
    problems.push({ field: 'price', message: `a price above 0 is required for '${alert.condition}'` });
  }
  if (alert.condition?.endsWith('_channel')) {
    if (!(num(alert.priceLower) && num(alert.priceUpper))) problems.push({ field: 'priceLower', message: `priceLower and priceUpper are required for '${alert.condition}'` });
    else if (alert.priceLower! >= alert.priceUpper!) problems.push({ field: 'priceUpper', message: 'must be above priceLower' });
  }
  if (alert.condition?.endsWith('_percent') && !(num(alert.percent) && alert.percent! > 0)) {
    problems.push({ field: 'percent', message: `a percentage above 0 is required for '${alert.condition}'` });
  }
  if (alert.trigger !== 'once' && alert.trigger !== 'every_time') problems.push({ field: 'trigger', message: `'${alert.trigger}' is not once or every_time` });
  if (alert.cooldownSec !== undefined && !(num(alert.cooldownSec) && alert.cooldownSec >= 0)) problems.push({ field: 'cooldownSec', message: 'must be 0 or more seconds' });
  if (alert.expiration !== undefined && !ALERT_EXPIRATIONS.includes(alert.expiration)) {
    problems.push({ field: 'expiration', message: `'${alert.expiration}' is not one of ${ALERT_EXPIRATIONS.join(', ')}` });
  }
  if (alert.expiresAt !== undefined && Number.isNaN(new Date(alert.expiresAt).getTime())) problems.push({ field: 'expiresAt', message: 'is not a date-time' });
  return problems;
}

// OpenAlgo's monitor accepted other spellings of the same conditions; saved workflows carry them.
const CONDITION_ALIASES: Record<string, PriceCondition> = {
  greater_than: 'above', price_above: 'above', less_than: 'below', price_below: 'below',
  crossing_up: 'crosses_above', cross_above: 'crosses_above', crossing_down: 'crosses_below', cross_below: 'crosses_below',
};

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
  const rawCondition = text(data.condition, 'above').toLowerCase().replace(/-/g, '_');
  const numbers: Record<'price' | 'priceLower' | 'priceUpper' | 'percent' | 'cooldownSec', number | undefined> = {
    price: undefined, priceLower: undefined, priceUpper: undefined, percent: undefined, cooldownSec: undefined,
  };
  const sources = { price: data.price, priceLower: data.priceLower, priceUpper: data.priceUpper, percent: data.percent ?? data.percentage, cooldownSec: data.cooldownSec ?? data.cooldown };
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
    condition: CONDITION_ALIASES[rawCondition] ?? (rawCondition as PriceCondition),
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
  private batches: Batch[] | null = null;
  private inflight: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private nextExpiryMs = Infinity;
  private retiredPending = false;
  private readonly now: () => Date;
  private readonly batchSize: number;

  constructor(private readonly options: PriceMonitorOptions) {
    this.now = options.now ?? (() => new Date());
    this.batchSize = Math.max(1, options.batchSize ?? 50);
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
      cooldownMs: alert.trigger === 'every_time' ? (alert.cooldownSec ?? DEFAULT_COOLDOWN_SEC) * 1000 : 0,
      prevLtp: NaN,
      reference: alert.condition.endsWith('_percent') && alert.price && alert.price > 0 ? alert.price : NaN,
      quietUntilMs: 0,
      retired: false,
    };
    const key = keyOf(state.alert.exchange, state.alert.symbol);
    let entry = this.bySymbol.get(key);
    if (!entry) {
      entry = { ref: { symbol: state.alert.symbol, exchange: state.alert.exchange }, alerts: [] };
      this.bySymbol.set(key, entry);
      this.batches = null;
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
      for (const s of entry.alerts) {
        if (s.retired) continue;
        out.push({ ...s.alert, lastLtp: Number.isNaN(s.prevLtp) ? null : s.prevLtp, expiresAt: Number.isFinite(s.expiresAtMs) ? new Date(s.expiresAtMs) : null });
      }
    }
    return out;
  }

  /** Distinct symbols currently watched. */
  get symbolCount(): number {
    return this.bySymbol.size;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.tick().catch((err) => this.options.onError?.(err, 'tick'));
    }, this.options.tickMs ?? 1000);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One pass: drop expired alerts, fetch quotes for the rest, fire what matches. Overlapping calls share one pass. */
  tick(): Promise<void> {
    this.inflight ??= this.runTick().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  private async runTick(): Promise<void> {
    if (this.now().getTime() >= this.nextExpiryMs) this.expire();
    if (this.bySymbol.size === 0) return;
    const batches = this.getBatches();
    const answers = await Promise.all(batches.map((b) => this.fetch(b)));
    const nowMs = this.now().getTime();
    for (let b = 0; b < batches.length; b++) {
      const results = answers[b];
      if (!results) continue;
      const { refs, entries } = batches[b];
      for (let i = 0; i < results.length; i++) {
        const r = results[i];
        // Answers normally come back in request order; look the symbol up only when they do not.
        const entry = i < refs.length && refs[i].symbol === r.symbol && refs[i].exchange === r.exchange ? entries[i] : this.bySymbol.get(keyOf(r.exchange, r.symbol));
        const ltp = r.data?.ltp;
        if (!entry || typeof ltp !== 'number' || !(ltp > 0)) continue;
        const alerts = entry.alerts;
        for (let j = 0; j < alerts.length; j++) this.evaluate(alerts[j], ltp, nowMs);
      }
    }
    if (this.retiredPending) this.compact();
  }

  private async fetch(batch: Batch): Promise<MultiQuotesAnswer['results'] | null> {
    const { broker } = this.options;
    try {
      const answer = await broker.multiQuotes({ symbols: batch.refs });
      if (answer.status === 'success' && Array.isArray(answer.results)) return answer.results;
    } catch (err) {
      // The broker is unreachable: per-symbol calls would only fail N more times.
      this.options.onError?.(err, 'multiQuotes');
      return null;
    }
    // Brokers without multiquotes: one quote per symbol.
    const results = await Promise.all(batch.refs.map(async (ref) => {
      try {
        const q = await broker.quotes(ref);
        return q.status === 'success' && q.data ? { symbol: ref.symbol, exchange: ref.exchange, data: q.data } : { symbol: ref.symbol, exchange: ref.exchange, error: q.message ?? 'no quote' };
      } catch (err) {
        this.options.onError?.(err, `quotes ${ref.exchange}:${ref.symbol}`);
        return { symbol: ref.symbol, exchange: ref.exchange, error: 'quote failed' };
      }
    }));
    return results;
  }

  private evaluate(s: AlertState, ltp: number, nowMs: number): void {
    if (s.retired) return;
    if (nowMs >= s.expiresAtMs) {
      this.retire(s, 'expired');
      return;
    }
    const prev = s.prevLtp;
    s.prevLtp = ltp;
    const a = s.alert;
    if (a.condition === 'moving_up_percent' || a.condition === 'moving_down_percent') {
      if (Number.isNaN(s.reference)) {
        s.reference = ltp;
        return;
      }
    }
    if (nowMs < s.quietUntilMs) return;
    let hit: boolean;
    const price = a.price ?? NaN;
    const lower = a.priceLower ?? NaN;
    const upper = a.priceUpper ?? NaN;
    switch (a.condition) {
      case 'above': hit = ltp > price; break;
      case 'below': hit = ltp < price; break;
      // A crossing needs a previous price on the other side: the first quote only records it.
      case 'crosses_above': hit = prev <= price && ltp > price; break;
      case 'crosses_below': hit = prev >= price && ltp < price; break;
      case 'inside_channel': hit = ltp >= lower && ltp <= upper; break;
      case 'outside_channel': hit = ltp < lower || ltp > upper; break;
      case 'entering_channel': hit = (prev < lower || prev > upper) && ltp >= lower && ltp <= upper; break;
      case 'exiting_channel': hit = prev >= lower && prev <= upper && (ltp < lower || ltp > upper); break;
      case 'moving_up_percent': hit = ((ltp - s.reference) / s.reference) * 100 >= (a.percent ?? Infinity); break;
      case 'moving_down_percent': hit = ((s.reference - ltp) / s.reference) * 100 >= (a.percent ?? Infinity); break;
      default: hit = false;
    }
    if (!hit) return;
    const payload = this.payload(s, ltp, nowMs);
    const once = a.trigger === 'once';
    if (once) s.retired = true; // before the callback, so nothing re-enters it
    else {
      s.quietUntilMs = nowMs + s.cooldownMs;
      if (a.condition.endsWith('_percent')) s.reference = ltp; // the next move is measured from here
    }
    try {
      this.options.onFire(a, payload);
    } catch (err) {
      this.options.onError?.(err, `onFire ${a.workflowId}/${a.nodeId}`);
    }
    // Retired only after the run is requested: the runtime may deactivate the workflow on retire.
    if (once) {
      s.retired = false;
      this.retire(s, 'fired');
    }
  }

  private payload(s: AlertState, ltp: number, nowMs: number): PriceAlertPayload {
    const a = s.alert;
    const channel = a.condition.endsWith('_channel');
    const percent = a.condition.endsWith('_percent');
    const payload: PriceAlertPayload = {
      symbol: a.symbol,
      exchange: a.exchange,
      trigger_price: channel ? null : percent ? s.reference : (a.price ?? null),
      ltp,
      condition: a.condition,
      triggered_at: String(builtins(new Date(nowMs), this.options.timezone ?? DEFAULT_TIMEZONE).iso_timestamp),
    };
    if (channel) {
      payload.price_lower = a.priceLower;
      payload.price_upper = a.priceUpper;
    }
    if (percent) payload.percent = a.percent;
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
        this.batches = null;
      }
    }
  }

  private getBatches(): Batch[] {
    if (this.batches) return this.batches;
    const batches: Batch[] = [];
    let current: Batch = { refs: [], entries: [] };
    for (const entry of this.bySymbol.values()) {
      if (current.refs.length === this.batchSize) {
        batches.push(current);
        current = { refs: [], entries: [] };
      }
      current.refs.push(entry.ref);
      current.entries.push(entry);
    }
    if (current.refs.length) batches.push(current);
    this.batches = batches;
    return batches;
  }
}
