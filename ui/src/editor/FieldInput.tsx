// One form field generated from its catalogue spec: the right control for its kind, `{{…}}`
// suggestions where text is allowed, and the problem (if any) shown under it.

import { useState } from 'react';
import type { FieldDef } from '../types';
import { hasTemplate } from '../../../src/contract/template';
import { fromInput, toInput } from './fields';
import type { Suggestion } from './suggestions';
import { TemplateInput } from './TemplateInput';

interface Props {
  def: FieldDef;
  value: unknown;
  error: string | null;
  /** Shown under the field when there is no error: it does not block saving. */
  warning?: string | null;
  suggestions: Suggestion[];
  onChange: (value: unknown) => void;
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

export function FieldInput({ def, value, error, warning, suggestions, onChange }: Props) {
  return (
    <div className={`field ${error ? 'invalid' : ''}`} data-field={def.name}>
      <span className="field-label">
        {def.label}
        {def.required && <span className="req" title="required">*</span>}
        {def.default !== undefined && def.kind !== 'boolean' && <span className="faint">default {toInput(def.default).replace(/\n\s*/g, ' ')}</span>}
      </span>
      <Control def={def} value={value} suggestions={suggestions} onChange={onChange} />
      {error && <span className="field-error" data-testid={`field-error-${def.name}`}>{error}</span>}
      {!error && warning && <span className="field-warning" data-testid={`field-warning-${def.name}`}>{warning}</span>}
      {!error && def.description && <span className="field-help">{def.description}</span>}
    </div>
  );
}

function Control({ def, value, suggestions, onChange }: Omit<Props, 'error' | 'warning'>) {
  const set = (text: string) => onChange(fromInput(def, text));
  switch (def.kind) {
    case 'boolean':
      return (
        <select name={def.name} value={value === undefined ? '' : String(value)} onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value === 'true')}>
          <option value="">default ({def.default === undefined ? 'none' : String(def.default)})</option>
          <option value="true">yes</option>
          <option value="false">no</option>
        </select>
      );
    case 'enum':
      return <EnumControl def={def} value={value} suggestions={suggestions} onChange={onChange} />;
    case 'list':
      if (def.options && def.options.length === 7) {
        const days = Array.isArray(value) ? (value as number[]) : Array.isArray(def.default) ? (def.default as number[]) : [];
        return (
          <div className="chips">
            {WEEKDAYS.map((d, i) => (
              <button type="button" key={d} className={`chip ${days.includes(i) ? 'on' : ''}`}
                onClick={() => onChange(days.includes(i) ? days.filter((x) => x !== i) : [...days, i].sort())}>{d}</button>
            ))}
          </div>
        );
      }
      return <TemplateInput name={def.name} value={toInput(value)} onChange={set} suggestions={suggestions} placeholder="1, 2, 3" />;
    case 'json':
    case 'text':
      return <TemplateInput name={def.name} value={toInput(value)} onChange={set} suggestions={suggestions} multiline />;
    case 'number':
    case 'integer':
      return <TemplateInput name={def.name} value={toInput(value)} onChange={set} suggestions={suggestions} inputMode={def.kind === 'integer' ? 'numeric' : 'decimal'} placeholder={def.min !== undefined ? `≥ ${def.min}` : undefined} />;
    case 'time':
      return <TemplateInput name={def.name} value={toInput(value)} onChange={set} suggestions={suggestions} placeholder="HH:MM" />;
    case 'date':
      return <TemplateInput name={def.name} value={toInput(value)} onChange={set} suggestions={suggestions} placeholder="YYYY-MM-DD" />;
    default:
      return <TemplateInput name={def.name} value={toInput(value)} onChange={set} suggestions={suggestions} />;
  }
}

/** A select of the options, or free text (a `{{…}}` reference, or a value being fixed) behind the `{}` toggle. */
function EnumControl({ def, value, suggestions, onChange }: Omit<Props, 'error' | 'warning'>) {
  const options = def.options ?? [];
  const known = value === undefined || options.some((o) => o.toLowerCase() === String(value).toLowerCase());
  const [free, setFree] = useState(!known || hasTemplate(value));
  const text = toInput(value);
  return (
    <div className="enum-row">
      {free || !known ? (
        <TemplateInput name={def.name} value={text} onChange={(t) => onChange(t === '' ? undefined : t)} suggestions={suggestions} placeholder={options.slice(0, 4).join(' / ')} />
      ) : (
        <select name={def.name} value={value === undefined ? '' : options.find((o) => o.toLowerCase() === String(value).toLowerCase())} onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}>
          <option value="">{def.default !== undefined ? `default (${String(def.default)})` : '—'}</option>
          {options.map((o) => <option key={o} value={o}>{o}</option>)}
        </select>
      )}
      <button type="button" className={free ? 'on' : ''} title={free ? 'Pick from the list' : 'Type a value or a {{…}} reference'}
        onClick={() => {
          if (free && !known) onChange(undefined);
          setFree(!free);
        }}>{free ? '▾' : '{ }'}</button>
    </div>
  );
}
