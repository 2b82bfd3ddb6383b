// A text input that offers `{{…}}` references (upstream outputs, webhook keys, built-ins) as you type `{{`.

import { useRef, useState, type KeyboardEvent } from 'react';
import { applySuggestion, filterSuggestions, openTemplate, type Suggestion } from './suggestions';

interface Props {
  value: string;
  onChange: (text: string) => void;
  suggestions: Suggestion[];
  multiline?: boolean;
  placeholder?: string;
  name?: string;
  inputMode?: 'decimal' | 'numeric' | 'text';
}

export function TemplateInput({ value, onChange, suggestions, multiline, placeholder, name, inputMode }: Props) {
  const ref = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const [open, setOpen] = useState<{ start: number; query: string } | null>(null);
  const [active, setActive] = useState(0);
  const matches = open ? filterSuggestions(suggestions, open.query).slice(0, 40) : [];

  const refresh = (text: string, caret: number) => {
    const o = openTemplate(text, caret);
    setOpen(o);
    setActive(0);
  };
  const pick = (s: Suggestion) => {
    const el = ref.current;
    if (!el || !open) return;
    const r = applySuggestion(value, open.start, el.selectionStart ?? value.length, s.value);
    onChange(r.text);
    setOpen(null);
    requestAnimationFrame(() => {
      el.focus();
      el.setSelectionRange(r.caret, r.caret);
    });
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (!open || matches.length === 0) return;
    if (e.key === 'ArrowDown') setActive((a) => (a + 1) % matches.length);
    else if (e.key === 'ArrowUp') setActive((a) => (a - 1 + matches.length) % matches.length);
    else if (e.key === 'Enter' || e.key === 'Tab') pick(matches[active]);
    else if (e.key === 'Escape') setOpen(null);
    else return;
    e.preventDefault();
    e.stopPropagation();
  };
  const common = {
    ref,
    name,
    value,
    placeholder,
    onKeyDown,
    onChange: (e: { target: { value: string; selectionStart: number | null } }) => {
      onChange(e.target.value);
      refresh(e.target.value, e.target.selectionStart ?? e.target.value.length);
    },
    onBlur: () => setTimeout(() => setOpen(null), 150),
    spellCheck: false,
    autoComplete: 'off',
  };
  return (
    <div className="suggest-wrap">
      {multiline ? <textarea rows={3} {...common} /> : <input type="text" inputMode={inputMode} {...common} />}
      {open && matches.length > 0 && (
        <div className="suggest" role="listbox">
          {matches.map((s, i) => (
            <div key={s.value} className={i === active ? 'on' : ''} onMouseDown={(e) => { e.preventDefault(); pick(s); }} role="option" aria-selected={i === active}>
              <code>{s.value}</code><span>{s.hint}</span>
            </div>
          ))}
        </div>
      )}
    </div>
  );
}
