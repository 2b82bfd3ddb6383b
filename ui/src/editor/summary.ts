// The key facts a node shows on its card, so a trader reads the graph without clicking: what an
// order buys, what a condition compares, when a schedule fires.

import type { NodeType } from '../types';
import { COMMON_FIELDS } from './catalogue';

type Row = [string, string];
type Get = (k: string) => unknown;

const ORDER_LINE = ['action', 'quantity', 'symbol'];
const DAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const DAY_KEYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

const text = (v: unknown) => (typeof v === 'string' ? v : Array.isArray(v) ? v.join(',') : JSON.stringify(v));
const set = (v: unknown) => v !== undefined && v !== null && v !== '';
const join = (...parts: unknown[]) => parts.filter(set).map(text).join(' · ');

/** Days as "Mon–Fri" or "Mon,Wed"; OpenAlgo stores 0 = Monday, Flow also accepts "mon". */
export function days(v: unknown): string {
  if (!Array.isArray(v) || !v.length) return '';
  const idx = v.map((d) => (typeof d === 'number' ? d : DAY_KEYS.indexOf(String(d).toLowerCase()))).filter((d) => d >= 0 && d < 7).sort((a, b) => a - b);
  const run = idx.every((d, i) => i === 0 || d === idx[i - 1] + 1);
  return run && idx.length > 2 ? `${DAY_NAMES[idx[0]]}–${DAY_NAMES[idx[idx.length - 1]]}` : idx.map((d) => DAY_NAMES[d]).join(',');
}

function schedule(get: Get): Row[] {
  const kind = get('scheduleType');
  const when = kind === 'once' ? `once at ${text(get('executeAt') ?? '?')}`
    : kind === 'interval' ? `every ${text(get('intervalValue') ?? 1)} ${text(get('intervalUnit') ?? 'minutes')}`
      : kind === 'cron' ? `cron ${text(get('cronExpression') ?? '?')}`
        : `${kind === 'weekly' ? 'weekly' : 'daily'} ${text(get('time') ?? '?')}${days(get('days')) ? ` ${days(get('days'))}` : ''}`;
  return [['When', when], ...(get('marketHoursOnly') === true ? [['', `market hours (${text(get('marketHoursExchange') ?? 'NSE')})`] as Row] : [])];
}

/** Per type, the sentence that says what the node does; other types list their first set fields. */
const SENTENCES: Record<string, (get: Get) => Row[]> = {
  start: schedule,
  webhookTrigger: (get) => [['Alert', join(get('symbol') || 'any symbol', get('exchange'))]],
  priceAlert: (get) => {
    const c = String(get('condition') ?? 'above');
    const level = /channel/.test(c) ? `${text(get('priceLower') ?? '?')}–${text(get('priceUpper') ?? '?')}` : /percent/.test(c) ? `${text(get('percent') ?? '?')}%` : text(get('price') ?? '?');
    return [['Symbol', join(get('symbol') ?? '?', get('exchange'))], ['When', `${c.replace(/_/g, ' ')} ${level}`], ['', text(get('trigger') ?? 'once')]];
  },
  priceCondition: (get) => [['Symbol', join(get('symbol') ?? '?', get('exchange'))], ['If', `${text(get('field') ?? 'ltp')} ${text(get('operator') ?? '>')} ${text(get('value') ?? 0)}`]],
  positionCheck: (get) => {
    const c = String(get('condition') ?? 'exists');
    return [['Symbol', join(get('symbol') ?? '?', get('exchange'), get('product'))], ['If', /above|below/.test(c) ? `${c.replace(/_/g, ' ')} ${text(get('threshold') ?? 0)}` : `position ${c.replace(/_/g, ' ')}`]];
  },
  fundCheck: (get) => [['If', `available ≥ ${text(get('minAvailable') ?? '?')}`]],
  timeWindow: (get) => [['If', `${get('invertCondition') === true ? 'outside' : 'within'} ${text(get('startTime') ?? '?')}–${text(get('endTime') ?? '?')}`], ...(days(get('days')) ? [['Days', days(get('days'))] as Row] : [])],
  timeCondition: (get) => [['If', `time ${text(get('operator') ?? '>=')} ${text(get('targetTime') ?? '?')}`], ...(set(get('conditionType')) ? [['', text(get('conditionType'))] as Row] : [])],
  varCondition: (get) => [['If', `${text(get('leftValue') ?? '')} ${text(get('operator') ?? '>')} ${text(get('rightValue') ?? '')}`]],
  variable: (get) => [['Set', `${text(get('variableName') ?? '?')} ${get('operation') === 'set' || !set(get('operation')) ? '=' : text(get('operation'))} ${text(get('value') ?? get('sourceVariable') ?? '')}`.trim()]],
  delay: (get) => [['Wait', `${text(get('delayValue') ?? 1)} ${text(get('delayUnit') ?? 'seconds')}`]],
  waitUntil: (get) => [['Until', text(get('targetTime') ?? '?')]],
  httpRequest: (get) => [['', `${text(get('method') ?? 'GET')} ${text(get('url') ?? '?')}`]],
  indicator: (get) => [['Calc', `${text(get('indicatorName') ?? '?')}${get('params') && Object.keys(get('params') as object).length ? ` ${text(get('params'))}` : ''}`], ['Symbol', join(get('symbol') ?? '?', get('exchange'), get('interval'))]],
};

export function nodeSummary(def: NodeType | undefined, data: Record<string, unknown>, max = 3): Row[] {
  if (!def) return Object.entries(data).slice(0, max).map(([k, v]) => [k, text(v)]);
  const fields = def.fields.filter((f) => !COMMON_FIELDS.has(f.name));
  const get: Get = (k) => data[k] ?? fields.find((f) => f.name === k)?.default;
  const rows: Row[] = [];
  const sentence = SENTENCES[def.type];
  if (sentence) rows.push(...sentence(get));
  else if (def.category === 'order' && ORDER_LINE.every((k) => fields.some((f) => f.name === k))) {
    rows.push(['Qty', `${text(get('quantity') ?? '?')} · ${text(get('action') ?? '?')}`], ['Symbol', `${text(get('symbol') ?? '?')}${get('exchange') ? ` · ${text(get('exchange'))}` : ''}`]);
    const more = ['product', 'priceType'].map(get).filter((v) => v !== undefined);
    if (more.length) rows.push(['', more.map(text).join(' · ')]);
  } else {
    for (const f of fields) {
      const v = data[f.name];
      if (!set(v)) continue;
      rows.push([f.label, text(v)]);
      if (rows.length >= max) break;
    }
  }
  return rows.slice(0, max);
}

/** Where a node's output goes, as downstream `{{…}}` references name it; shown beside its id. */
export function outputName(data: Record<string, unknown>): string | null {
  const out = data.outputVariable;
  return typeof out === 'string' && out.trim() ? `{{${out.trim()}}}` : null;
}
