// Indian brokerage and statutory charges on each fill. The presets are a discount broker's rates
// (₹20 or 0.03 % a order, whichever is lower; delivery free) and the statutory rates in force in
// 2025 (STT after the October 2024 revision, NSE transaction charges, SEBI's fee, stamp duty, GST).
// A trader whose broker charges otherwise passes a preset of their own.

export type ChargeSegment = 'equity_intraday' | 'equity_delivery' | 'futures' | 'options';

export interface ChargeRates {
  /** Brokerage per executed order: the lower of `brokerageFlat` (₹) and `brokeragePct` of turnover. */
  brokerageFlat: number;
  brokeragePct: number;
  /** Securities transaction tax, percent of turnover, on the buy and on the sell side. */
  sttBuyPct: number;
  sttSellPct: number;
  /** Exchange transaction charges, percent of turnover (NSE). */
  exchangePct: number;
  /** SEBI turnover fee, percent of turnover (₹10 a crore). */
  sebiPct: number;
  /** Stamp duty, percent of turnover, buy side only. */
  stampBuyPct: number;
  /** GST, percent of brokerage + exchange charges + SEBI fee. */
  gstPct: number;
}

/** The shipped presets, per segment. */
export const CHARGE_PRESETS: Readonly<Record<ChargeSegment, ChargeRates>> = {
  equity_intraday: { brokerageFlat: 20, brokeragePct: 0.03, sttBuyPct: 0, sttSellPct: 0.025, exchangePct: 0.00297, sebiPct: 0.0001, stampBuyPct: 0.003, gstPct: 18 },
  equity_delivery: { brokerageFlat: 0, brokeragePct: 0, sttBuyPct: 0.1, sttSellPct: 0.1, exchangePct: 0.00297, sebiPct: 0.0001, stampBuyPct: 0.015, gstPct: 18 },
  futures: { brokerageFlat: 20, brokeragePct: 0.03, sttBuyPct: 0, sttSellPct: 0.02, exchangePct: 0.00173, sebiPct: 0.0001, stampBuyPct: 0.002, gstPct: 18 },
  // Options: brokerage flat ₹20 an order, STT and charges on the premium.
  options: { brokerageFlat: 20, brokeragePct: Infinity, sttBuyPct: 0, sttSellPct: 0.1, exchangePct: 0.03503, sebiPct: 0.0001, stampBuyPct: 0.003, gstPct: 18 },
};

export interface Charges {
  brokerage: number;
  stt: number;
  exchange: number;
  sebi: number;
  stamp: number;
  gst: number;
  total: number;
}

const paise = (x: number) => Math.round(x * 100) / 100;

/** Which preset a fill falls under: options and futures by symbol, equity by product. */
export function segmentOf(fill: { symbol: string; exchange: string; product: string }): ChargeSegment {
  const derivative = /^(NFO|BFO|MCX|CDS|BCD|NCDEX)$/.test(fill.exchange.toUpperCase());
  if (derivative && /(CE|PE)$/.test(fill.symbol)) return 'options';
  if (derivative) return 'futures';
  return fill.product.toUpperCase() === 'CNC' ? 'equity_delivery' : 'equity_intraday';
}

/** The charges on one fill. */
export function chargesOn(fill: { action: string; quantity: number; price: number }, rates: ChargeRates): Charges {
  const turnover = fill.quantity * fill.price;
  const buy = fill.action.toUpperCase() === 'BUY';
  const brokerage = paise(Math.min(rates.brokerageFlat, (turnover * rates.brokeragePct) / 100));
  const stt = paise((turnover * (buy ? rates.sttBuyPct : rates.sttSellPct)) / 100);
  const exchange = paise((turnover * rates.exchangePct) / 100);
  const sebi = paise((turnover * rates.sebiPct) / 100);
  const stamp = buy ? paise((turnover * rates.stampBuyPct) / 100) : 0;
  const gst = paise(((brokerage + exchange + sebi) * rates.gstPct) / 100);
  return { brokerage, stt, exchange, sebi, stamp, gst, total: paise(brokerage + stt + exchange + sebi + stamp + gst) };
}

export const NO_CHARGES: Charges = { brokerage: 0, stt: 0, exchange: 0, sebi: 0, stamp: 0, gst: 0, total: 0 };
