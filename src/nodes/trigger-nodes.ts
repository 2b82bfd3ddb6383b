// Trigger nodes: where a run starts. Their fields configure activation (schedules, webhook filter,
// price alerts, order-update watches); at run time they only hand the trigger's payload on.

import { CronPattern } from 'croner';
import { EXCHANGES } from '../broker/types.js';
import { customField, f, FieldError } from '../contract/fields.js';
import { aliasedEnum, dayList, exchangeField } from './shared.js';
import { defineNode, type NodeDefinition } from './types.js';
import { call, failure } from './shared.js';
import { CONDITION_NAMES, conditionMetNow, normalizeCondition, type PriceCondition } from '../triggers/price-conditions.js';
import { validatePriceAlert } from '../triggers/price-monitor.js';

const start = defineNode({
  type: 'start', instant: true,
  category: 'trigger',
  label: 'Schedule',
  description: 'Starts the workflow on a schedule in the exchange time zone: once (at executeAt), daily (every day), weekly (on days), every N seconds/minutes/hours counted from activation, or cron. Under market hours only, a run outside the session window is skipped.',
  trigger: 'schedule',
  aliases: { intervalMinutes: 'intervalValue', runDate: 'executeAt' },
  fields: {
    scheduleType: f.enum(['once', 'daily', 'weekly', 'interval', 'cron'], { label: 'Schedule type', default: 'daily' }),
    time: f.time({ label: 'Time', default: '09:15' }),
    days: dayList({ label: 'Days', description: 'Weekly only (daily runs every day): 0 = Monday … 6 = Sunday', default: [0, 1, 2, 3, 4] }),
    executeAt: customField<string>('datetime', { label: 'Date', description: 'For a one-off run: YYYY-MM-DD (at Time) or an ISO date-time' }, (v) => {
      const text = typeof v === 'string' ? v.trim() : '';
      if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(text)) throw new FieldError(`'${String(v)}' is not a date YYYY-MM-DD or an ISO date-time`);
      return text;
    }),
    intervalValue: f.integer({ label: 'Every', default: 1, min: 1 }),
    intervalUnit: f.enum(['seconds', 'minutes', 'hours'], { label: 'Unit', default: 'minutes' }),
    cronExpression: f.string({ label: 'Cron expression', description: 'Five or six fields, evaluated in the exchange time zone' }),
    marketHoursOnly: f.boolean({ label: 'Market hours only', default: true }),
    marketHoursExchange: f.enum(EXCHANGES, { label: 'Market hours of', default: 'NSE' }),
    marketHoursStart: f.time({ label: 'Window start' }),
    marketHoursEnd: f.time({ label: 'Window end' }),
  },
  check(p) {
    const out: Array<{ field: string; message: string }> = [];
    if (p.scheduleType === 'once' && !p.executeAt) out.push({ field: 'executeAt', message: 'is required for a one-off schedule' });
    if (p.scheduleType === 'weekly' && p.days.length === 0) out.push({ field: 'days', message: 'must name at least one day' });
    if (p.scheduleType === 'cron') {
      if (!p.cronExpression?.trim()) out.push({ field: 'cronExpression', message: 'is required for a cron schedule' });
      else {
        try {
          new CronPattern(p.cronExpression.trim());
        } catch (e) {
          out.push({ field: 'cronExpression', message: `is not a valid cron expression (${(e as Error).message.replace(/^CronPattern: /, '')})` });
        }
      }
    }
    if (p.marketHoursStart && p.marketHoursEnd && p.marketHoursStart >= p.marketHoursEnd) {
      out.push({ field: 'marketHoursEnd', message: 'must be after the window start' });
    }
    return out;
  },
  async run(ctx) {
    return { status: 'success', message: 'Workflow started', trigger: ctx.trigger.kind };
  },
});

const webhookTrigger = defineNode({
  type: 'webhookTrigger', instant: true,
  category: 'trigger',
  label: 'Webhook',
  description: 'Starts the workflow when a JSON alert (TradingView, Chartink, …) is POSTed to its URL; the body is {{webhook.<key>}}.',
  trigger: 'webhook',
  fields: {
    symbol: f.string({ label: 'Symbol filter', description: 'Only alerts for this symbol (URL suffix or body symbol)' }),
    exchange: exchangeField('NSE'),
  },
  async run(ctx) {
    return { status: 'success', data: ctx.trigger.payload };
  },
});

/** Every condition name OpenAlgo accepts, the editor's and the monitor's (services/flow_price_monitor_service.py). */
export const PRICE_ALERT_CONDITIONS = CONDITION_NAMES;

const priceAlert = defineNode({
  type: 'priceAlert', instant: false,
  category: 'trigger',
  label: 'Price alert',
  description: 'Starts the workflow on the tick whose last price meets a condition (level, crossing, channel, move); placed mid-graph or run by hand it checks the price now and takes true/false.',
  trigger: 'price',
  branches: 'true/false',
  aliases: { percent: 'percentage' },
  fields: {
    symbol: f.string({ label: 'Symbol', required: true }),
    exchange: exchangeField('NSE'),
    condition: f.enum(CONDITION_NAMES as readonly string[], { label: 'Condition', default: 'greater_than' }),
    price: f.number({ label: 'Price' }),
    priceLower: f.number({ label: 'Channel low' }),
    priceUpper: f.number({ label: 'Channel high' }),
    percentage: f.number({ label: 'Percent move', description: 'moving_up_percent / moving_down_percent: the move from one tick to the next', positive: true }),
    trigger: f.enum(['once', 'every_time'], { label: 'Fire', description: 'every_time fires on every tick that satisfies, with no cooldown (as OpenAlgo)', default: 'once' }),
    expiration: f.enum(['none', '1h', '4h', '1d', '1w'], { label: 'Expires after', default: 'none' }),
    playSound: f.boolean({ label: 'Play sound', default: true }),
    message: f.string({ label: 'Message' }),
  },
  check(p) {
    const alert = { workflowId: '', nodeId: '', symbol: p.symbol, exchange: p.exchange, condition: normalizeCondition(p.condition) as PriceCondition, price: p.price, priceLower: p.priceLower, priceUpper: p.priceUpper, percentage: p.percentage, trigger: p.trigger };
    return validatePriceAlert(alert).filter((x) => x.field !== 'symbol' || !p.symbol.includes('{{'));
  },
  async run(ctx, p) {
    const condition = normalizeCondition(p.condition) as PriceCondition;
    const t = ctx.trigger;
    // Started by the monitor: it judged the tick already; a re-check could race the price (OpenAlgo trusts the trigger too).
    if (t.kind === 'price' && t.payload.trigger_type === 'price_alert' && (!t.nodeId || t.nodeId === ctx.nodeId)) {
      const ltp = Number(t.payload.trigger_price);
      ctx.log(`Price alert fired by the monitor: ${p.symbol} LTP=${ltp} ${condition} ${p.price ?? ''}`.trim());
      return { status: 'success', condition: true, ltp, condition_met: true, output: { ltp, condition_met: true } };
    }
    const answer = await ctx.broker.quotes({ symbol: p.symbol, exchange: p.exchange }, call(ctx));
    if (answer.status !== 'success' || !answer.data) return failure(`priceAlert: no quote for ${p.exchange}:${p.symbol} (${answer.message ?? 'no data'})`, { condition: false });
    const ltp = Number(answer.data.ltp);
    const met = conditionMetNow(condition, ltp, p);
    if (met === null) {
      return failure(`priceAlert: condition '${p.condition}' compares with the previous tick, which only the price monitor has; make this node the workflow's trigger`, { condition: false, ltp });
    }
    ctx.log(`Price alert: ${p.symbol} LTP=${ltp} ${condition} ${p.price ?? `${p.priceLower}-${p.priceUpper}`} = ${met}`);
    return { status: 'success', condition: met, ltp, condition_met: met, output: { ltp, condition_met: met } };
  },
});

export const ORDER_UPDATE_STATUSES = ['any', 'open', 'trigger pending', 'complete', 'rejected', 'cancelled'] as const;

const orderUpdateTrigger = defineNode({
  type: 'orderUpdateTrigger', instant: true,
  category: 'trigger',
  label: 'Order update',
  description: 'Starts the workflow when an order changes status (complete, rejected, cancelled, …), pushed by OpenAlgo\'s order-update stream; the event is {{webhook.<key>}} (orderid, order_status, filled_quantity, average_price, rejection_reason, trigger_type, triggered_at).',
  trigger: 'orderUpdate',
  fields: {
    orderId: f.string({ label: 'Order id' }),
    symbol: f.string({ label: 'Symbol' }),
    exchange: f.enum(EXCHANGES, { label: 'Exchange', description: 'Blank: any exchange' }),
    status: aliasedEnum(ORDER_UPDATE_STATUSES, { canceled: 'cancelled', completed: 'complete' }, { label: 'Status', default: 'complete' }),
    trigger: f.enum(['once', 'every_time'], { label: 'Fire', default: 'once' }),
  },
  check(p) {
    const out: Array<{ field: string; message: string }> = [];
    if (!p.orderId?.trim() && !p.symbol?.trim()) out.push({ field: 'orderId', message: 'or symbol is required: an unfiltered watch would fire on every order' });
    if (p.orderId?.includes('{{')) out.push({ field: 'orderId', message: 'must be a literal order id (a trigger has no upstream node to resolve variables)' });
    return out;
  },
  async run(ctx) {
    return { status: 'success', data: ctx.trigger.payload };
  },
});

export const nodes: NodeDefinition<any>[] = [start, webhookTrigger, priceAlert, orderUpdateTrigger];
