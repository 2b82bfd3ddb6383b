// The two or three facts a node shows on the canvas, so a trader reads the graph without clicking.

import type { NodeType } from '../types';
import { COMMON_FIELDS } from './catalogue';

const ORDER_LINE = ['action', 'quantity', 'symbol'];

const text = (v: unknown) => (typeof v === 'string' ? v : Array.isArray(v) ? v.join(',') : JSON.stringify(v));

export function nodeSummary(def: NodeType | undefined, data: Record<string, unknown>, max = 3): Array<[string, string]> {
  if (!def) return Object.entries(data).slice(0, max).map(([k, v]) => [k, text(v)]);
  const rows: Array<[string, string]> = [];
  const fields = def.fields.filter((f) => !COMMON_FIELDS.has(f.name));
  if (def.category === 'order' && ORDER_LINE.every((k) => fields.some((f) => f.name === k))) {
    const get = (k: string) => data[k] ?? fields.find((f) => f.name === k)?.default;
    rows.push(['Qty', `${text(get('quantity') ?? '?')} · ${text(get('action') ?? '?')}`], ['Symbol', `${text(get('symbol') ?? '?')}${get('exchange') ? ` · ${text(get('exchange'))}` : ''}`]);
    const more = ['product', 'priceType'].map(get).filter((v) => v !== undefined);
    if (more.length) rows.push(['', more.map(text).join(' · ')]);
    return rows;
  }
  for (const f of fields) {
    const v = data[f.name];
    if (v === undefined || v === null || v === '') continue;
    rows.push([f.label, text(v)]);
    if (rows.length >= max) break;
  }
  return rows;
}
