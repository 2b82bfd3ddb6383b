// OpenAlgo's price-alert conditions (services/flow_price_monitor_service.py): their names, the
// editor's spellings of the same conditions, and how each is judged on one price.

export type PriceCondition =
  | 'greater_than' | 'less_than' | 'crossing' | 'crossing_up' | 'crossing_down'
  | 'entering_channel' | 'inside_channel' | 'exiting_channel' | 'outside_channel'
  | 'moving_up' | 'moving_down' | 'moving_up_percent' | 'moving_down_percent';

export const PRICE_CONDITIONS: readonly PriceCondition[] = [
  'greater_than', 'less_than', 'crossing', 'crossing_up', 'crossing_down',
  'entering_channel', 'inside_channel', 'exiting_channel', 'outside_channel',
  'moving_up', 'moving_down', 'moving_up_percent', 'moving_down_percent',
];

/** OpenAlgo's _CONDITION_ALIASES: the editor writes `above`, `crosses_above`, … */
export const CONDITION_ALIASES: Readonly<Record<string, PriceCondition>> = {
  above: 'greater_than', price_above: 'greater_than', below: 'less_than', price_below: 'less_than',
  crosses_above: 'crossing_up', cross_above: 'crossing_up', crosses_below: 'crossing_down', cross_below: 'crossing_down',
  crosses: 'crossing',
};

/** Every spelling a saved workflow may carry. */
export const CONDITION_NAMES: readonly string[] = [...Object.keys(CONDITION_ALIASES), ...PRICE_CONDITIONS];

export function normalizeCondition(value: unknown): string {
  const raw = String(value ?? '').trim().toLowerCase().replace(/-/g, '_');
  return CONDITION_ALIASES[raw] ?? raw;
}

export const isChannel = (c: string) => c.endsWith('_channel');
export const isPercent = (c: string) => c.endsWith('_percent');
export const needsLevel = (c: string) => c === 'greater_than' || c === 'less_than' || c === 'crossing' || c.startsWith('crossing_');
/** Conditions that compare with the previous tick, which only a running monitor has. */
export const needsPreviousTick = (c: string) => c.startsWith('moving_');

export interface ConditionLevels {
  price?: number;
  priceLower?: number;
  priceUpper?: number;
  percentage?: number;
}

/**
 * OpenAlgo's _evaluate_condition on one price, `last` the previous price (NaN: none yet). A crossing
 * with no previous price is judged on the level, so an alert armed beyond it fires on the first tick.
 */
export function conditionMet(condition: PriceCondition, ltp: number, last: number, l: ConditionLevels): boolean {
  const target = l.price ?? 0;
  const lower = l.priceLower || target;
  const upper = l.priceUpper || target;
  const hasLast = !Number.isNaN(last);
  switch (condition) {
    case 'greater_than': return ltp > target;
    case 'less_than': return ltp < target;
    case 'crossing': return Math.abs(ltp - target) <= ltp * 0.001;
    case 'crossing_up': return hasLast ? last <= target && ltp > target : ltp > target;
    case 'crossing_down': return hasLast ? last >= target && ltp < target : ltp < target;
    case 'entering_channel':
    case 'inside_channel': return lower <= ltp && ltp <= upper;
    case 'exiting_channel':
    case 'outside_channel': return ltp < lower || ltp > upper;
    case 'moving_up': return hasLast && ltp > last;
    case 'moving_down': return hasLast && ltp < last;
    case 'moving_up_percent': return hasLast && last !== 0 && ((ltp - last) / last) * 100 >= (l.percentage ?? 0);
    case 'moving_down_percent': return hasLast && last !== 0 && ((last - ltp) / last) * 100 >= (l.percentage ?? 0);
    default: return false;
  }
}

/**
 * OpenAlgo's execute_price_alert for a run the monitor did not start: one quote, no previous tick.
 * A crossing is judged on its level; `crossing` uses a tolerance of 0.1 % of the level there.
 * Answers null for the moving conditions, which need the previous tick.
 */
export function conditionMetNow(condition: PriceCondition, ltp: number, l: ConditionLevels): boolean | null {
  const price = l.price ?? 0;
  switch (condition) {
    case 'greater_than':
    case 'crossing_up': return ltp > price;
    case 'less_than':
    case 'crossing_down': return ltp < price;
    case 'crossing': return Math.abs(ltp - price) <= price * 0.001;
    case 'entering_channel':
    case 'inside_channel': return (l.priceLower ?? 0) <= ltp && ltp <= (l.priceUpper ?? 0);
    case 'exiting_channel':
    case 'outside_channel': return ltp < (l.priceLower ?? 0) || ltp > (l.priceUpper ?? 0);
    default: return null;
  }
}
