// Deterministic prices: a smooth pseudo-random walk of (seed, underlying, minute) around each
// base price, computed in O(1) for any minute (no state, no I/O). Outside the 09:15–15:30 IST
// session the market stands at the last session minute. Futures add a cost of carry; options
// are intrinsic value plus a time value that decays to expiry.

import type { DepthData, DepthLevel, QuoteData } from '../types.js';
import { isTradingDay, previousTradingDay } from './calendar.js';
import { istDay, istInstant, istMinuteOfDay, MINUTE_MS, SESSION_CLOSE_MIN, SESSION_MINUTES, SESSION_OPEN_MIN } from './clock.js';
import { TICK_SIZE, type Instrument, type Underlying } from './instruments.js';

const YEAR_MS = 365 * 86_400_000;
const CARRY_RATE = 0.065;
/** Walk layers: period in minutes and amplitude (log-price) at 15% annual volatility. */
const LAYERS: ReadonlyArray<readonly [number, number]> = [
  [4, 0.0008], [25, 0.0018], [150, 0.004], [1440, 0.009], [10_080, 0.02], [43_200, 0.04],
];

// ---- hashing -------------------------------------------------------------------

function mix(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

function hashText(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Uniform in [0, 1) from a key and two integers. */
function unit(key: number, a: number, b: number): number {
  return mix(key ^ mix(a + Math.imul(b, 0x9e3779b1))) / 4_294_967_296;
}

/** Smoothly interpolated noise in [-1, 1] at position x of one layer. */
function layerNoise(key: number, layer: number, x: number): number {
  const i = Math.floor(x);
  const f = x - i;
  const s = f * f * (3 - 2 * f);
  const a = unit(key, i, layer) * 2 - 1;
  const b = unit(key, i + 1, layer) * 2 - 1;
  return a + (b - a) * s;
}

function walk(key: number, minute: number, volatility: number): number {
  let sum = 0;
  for (let l = 0; l < LAYERS.length; l++) sum += LAYERS[l][1] * layerNoise(key, l, minute / LAYERS[l][0]);
  return sum * (volatility / 0.15);
}

// ---- ticks ---------------------------------------------------------------------

/** Rounds to the 0.05 tick; never below 0.10 so that a bid one tick under stays positive. */
export function roundTick(x: number): number {
  return Math.max(0.1, Math.round(x / TICK_SIZE) / 20);
}
const ceilTick = (x: number) => Math.ceil(x / TICK_SIZE - 1e-9) / 20;
const floorTick = (x: number) => Math.max(TICK_SIZE, Math.floor(x / TICK_SIZE + 1e-9) / 20);
const tickAdd = (x: number, ticks: number) => Math.round(x * 20 + ticks) / 20;

// ---- session -------------------------------------------------------------------

export interface SessionPoint {
  /** The session day whose prices apply (the last one when the market is closed). */
  day: number;
  /** Epoch minute being priced: now within the session, else the last session minute. */
  minute: number;
  openMinute: number;
  prevCloseMinute: number;
  /** Session minutes elapsed, 1 … 375. */
  elapsed: number;
}

let lastEpochMinute = NaN;
let lastPoint: SessionPoint | null = null;

/** Where the market stands at an instant. */
export function sessionPoint(ms: number): SessionPoint {
  const epochMinute = Math.floor(ms / MINUTE_MS);
  if (epochMinute === lastEpochMinute && lastPoint) return lastPoint;
  let day = istDay(ms);
  let mod = istMinuteOfDay(ms);
  if (!isTradingDay(day) || mod < SESSION_OPEN_MIN) {
    day = previousTradingDay(day);
    mod = SESSION_CLOSE_MIN - 1;
  } else if (mod >= SESSION_CLOSE_MIN) {
    mod = SESSION_CLOSE_MIN - 1;
  }
  const point: SessionPoint = {
    day,
    minute: istInstant(day, mod) / MINUTE_MS,
    openMinute: istInstant(day, SESSION_OPEN_MIN) / MINUTE_MS,
    prevCloseMinute: istInstant(previousTradingDay(day), SESSION_CLOSE_MIN - 1) / MINUTE_MS,
    elapsed: mod - SESSION_OPEN_MIN + 1,
  };
  lastEpochMinute = epochMinute;
  lastPoint = point;
  return point;
}

// ---- option model --------------------------------------------------------------

/** Intrinsic value plus a time value that peaks at the money and decays to zero at expiry. */
export function optionValue(type: 'CE' | 'PE', spot: number, strike: number, years: number, volatility: number): number {
  const intrinsic = type === 'CE' ? Math.max(0, spot - strike) : Math.max(0, strike - spot);
  if (years <= 0) return intrinsic;
  const sd = volatility * Math.sqrt(years);
  const z = Math.log(strike / spot) / sd;
  return intrinsic + 0.4 * spot * sd * Math.exp(-0.5 * z * z);
}

function expiryInstant(inst: Instrument): number {
  return istInstant(inst.expiryDay as number, SESSION_CLOSE_MIN);
}

// ---- the market ----------------------------------------------------------------

/** Prices for one seed; `overrides` ("EXCHANGE:SYMBOL" → LTP) is the live object kept in the paper state. */
export class Market {
  private keys = new Map<string, number>();

  constructor(readonly seed: number, public overrides: Record<string, number>) {}

  private key(name: string): number {
    let k = this.keys.get(name);
    if (k === undefined) {
      k = mix(hashText(name) ^ mix(this.seed | 0) ^ Math.floor(this.seed / 4_294_967_296));
      this.keys.set(name, k);
    }
    return k;
  }

  /** The underlying's model price at an epoch minute (no overrides, unrounded). */
  spotAt(u: Underlying, minute: number): number {
    return u.basePrice * Math.exp(walk(this.key(u.name), minute, u.volatility));
  }

  /** The underlying's LTP now, honouring a price set on its own symbol (NSE for equities). */
  spotLtp(u: Underlying, ms: number): number {
    const o = this.overrides[`${u.exchange}:${u.name}`];
    return o !== undefined ? o : roundTick(this.spotAt(u, sessionPoint(ms).minute));
  }

  /** The instrument's model price given a spot, at an epoch minute. */
  private derive(inst: Instrument, spot: number, minute: number): number {
    if (inst.type === 'EQ' || inst.type === 'INDEX') return spot;
    const years = Math.max(0, (expiryInstant(inst) - minute * MINUTE_MS) / YEAR_MS);
    if (inst.type === 'FUT') return spot * (1 + CARRY_RATE * years);
    return optionValue(inst.type, spot, inst.strike as number, years, inst.underlying.volatility);
  }

  /** Model price at an epoch minute, without overrides (history uses it). */
  priceAt(inst: Instrument, minute: number): number {
    return roundTick(this.derive(inst, this.spotAt(inst.underlying, minute), minute));
  }

  ltp(inst: Instrument, ms: number): number {
    const own = this.overrides[`${inst.exchange}:${inst.symbol}`];
    if (own !== undefined) return own;
    const minute = sessionPoint(ms).minute;
    const spot = inst.type === 'EQ' || inst.type === 'INDEX'
      ? this.spotAt(inst.underlying, minute)
      : this.spotLtp(inst.underlying, ms);
    return roundTick(this.derive(inst, spot, minute));
  }

  quote(inst: Instrument, ms: number): QuoteData {
    const s = sessionPoint(ms);
    const k = this.key(inst.symbol);
    const ltp = this.ltp(inst, ms);
    const open = this.priceAt(inst, s.openMinute);
    const prev_close = this.priceAt(inst, s.prevCloseMinute);
    const high = ceilTick(Math.max(open, ltp) * (1 + 0.004 * unit(k, s.day, 1)));
    const low = floorTick(Math.min(open, ltp) * (1 - 0.004 * unit(k, s.day, 2)));
    return {
      open, high, low, ltp,
      ask: tickAdd(ltp, 1), bid: tickAdd(ltp, -1), prev_close,
      volume: Math.round(this.dailyVolume(inst, s.day) * (s.elapsed / SESSION_MINUTES)),
      oi: this.openInterest(inst, s.day),
    };
  }

  depth(inst: Instrument, ms: number): DepthData {
    const q = this.quote(inst, ms);
    const s = sessionPoint(ms);
    const k = this.key(inst.symbol);
    const size = (level: number) => inst.lotSize * (1 + Math.floor(unit(k, s.minute, 10 + level) * (inst.lotSize > 1 ? 20 : 2000)));
    const asks: DepthLevel[] = [];
    const bids: DepthLevel[] = [];
    for (let i = 0; i < 5; i++) {
      asks.push({ price: tickAdd(q.ask, i), quantity: size(i) });
      bids.push({ price: Math.max(TICK_SIZE, tickAdd(q.bid, -i)), quantity: size(5 + i) });
    }
    return {
      open: q.open, high: q.high, low: q.low, ltp: q.ltp, ltq: inst.lotSize * (1 + Math.floor(unit(k, s.minute, 20) * 5)),
      prev_close: q.prev_close, volume: q.volume, oi: q.oi,
      totalbuyqty: bids.reduce((n, l) => n + l.quantity, 0),
      totalsellqty: asks.reduce((n, l) => n + l.quantity, 0),
      asks, bids,
    };
  }

  /** Units traded over a full session (indices trade none). */
  dailyVolume(inst: Instrument, day: number): number {
    const jitter = 0.7 + 0.6 * unit(this.key(inst.symbol), day, 3);
    switch (inst.type) {
      case 'INDEX': return 0;
      case 'EQ': return Math.round(inst.underlying.dailyVolume * jitter);
      case 'FUT': return Math.round(inst.lotSize * 20_000 * jitter);
      default: return Math.round(inst.lotSize * 40_000 * jitter);
    }
  }

  openInterest(inst: Instrument, day: number): number {
    if (inst.type === 'EQ' || inst.type === 'INDEX') return 0;
    return inst.lotSize * Math.round(5_000 + 60_000 * unit(this.key(inst.symbol), day, 4));
  }

  /** Minute-level noise for candle volumes. */
  unit(name: string, a: number, b: number): number {
    return unit(this.key(name), a, b);
  }
}
