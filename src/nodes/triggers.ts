// Trigger nodes: where a run starts. Their fields configure activation (schedules, webhook filter,
// price alerts, order-update watches); at run time they only hand the trigger's payload on.

import { CronPattern } from 'croner';
import { EXCHANGES } from '../broker/types.js';
import { customField, f, FieldError } from './fields.js';
import { aliasedEnum, dayList, exchangeField } from './shared.js';
import { defineNode, type NodeDefinition } from './types.js';

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

export const PRICE_ALERT_CONDITIONS = [
  'above', 'below', 'crosses_above', 'crosses_below',
  'entering_channel', 'exiting_channel', 'inside_channel', 'outside_channel',
  'moving_up_percent', 'moving_down_percent',
] as const;

const priceAlert = defineNode({
  type: 'priceAlert', instant: true,
  category: 'trigger',
  label: 'Price alert',
  description: 'Starts the workflow when a symbol’s last price meets a condition (level, cross, channel or percent move).',
  trigger: 'price',
  aliases: { cooldown: 'cooldownSec', cooldownSeconds: 'cooldownSec', percentage: 'percent' },
  fields: {
    symbol: f.string({ label: 'Symbol', required: true }),
    exchange: exchangeField('NSE'),
    condition: aliasedEnum(PRICE_ALERT_CONDITIONS, { greater_than: 'above', less_than: 'below' }, { label: 'Condition', default: 'above' }),
    price: f.number({ label: 'Price' }),
    priceLower: f.number({ label: 'Channel low' }),
    priceUpper: f.number({ label: 'Channel high' }),
    percent: f.number({ label: 'Percent move', description: 'For moving_up_percent / moving_down_percent, from price (or the first price seen)', positive: true }),
    trigger: f.enum(['once', 'every_time'], { label: 'Fire', default: 'once' }),
    cooldownSec: f.integer({ label: 'Cooldown (s)', description: 'Minimum gap between firings when every_time', default: 60, min: 0 }),
    expiration: f.enum(['none', '1h', '4h', '1d', '1w'], { label: 'Expires after', default: 'none' }),
    playSound: f.boolean({ label: 'Play sound', default: true }),
    message: f.string({ label: 'Message' }),
  },
  check(p) {
    const out: Array<{ field: string; message: string }> = [];
    if (p.condition.endsWith('_channel')) {
      if (p.priceLower === undefined) out.push({ field: 'priceLower', message: 'is required for a channel condition' });
      if (p.priceUpper === undefined) out.push({ field: 'priceUpper', message: 'is required for a channel condition' });
      if (p.priceLower !== undefined && p.priceUpper !== undefined && p.priceLower >= p.priceUpper) {
        out.push({ field: 'priceUpper', message: 'must be above the channel low' });
      }
    } else if (p.condition.endsWith('_percent')) {
      if (p.percent === undefined) out.push({ field: 'percent', message: 'is required for a percent move' });
    } else if (p.price === undefined || !(p.price > 0)) {
      out.push({ field: 'price', message: 'must be a price greater than 0' });
    }
    return out;
  },
  async run(ctx) {
    return { status: 'success', data: ctx.trigger.payload };
  },
});

export const ORDER_UPDATE_STATUSES = ['any', 'open', 'trigger pending', 'complete', 'rejected', 'cancelled'] as const;

const orderUpdateTrigger = defineNode({
  type: 'orderUpdateTrigger', instant: true,
  category: 'trigger',
  label: 'Order update',
  description: 'Starts the workflow when an order changes status (complete, rejected, cancelled, …); the event is {{webhook.<key>}}.',
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
