// The editor's keyboard shortcuts (each one is listed in ShortcutsDialog). Ctrl+S works while
// typing; the others wait until focus leaves a field.

import { useEffect, useRef } from 'react';

export interface ShortcutActions {
  save(): void;
  undo(): void;
  redo(): void;
  copy(): void;
  paste(): void;
  duplicate(): void;
  help(): void;
  layout(): void;
  fit(): void;
  deselect(): void;
}

const isTyping = (t: EventTarget | null) => t instanceof HTMLElement && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName));

export function useShortcuts(actions: ShortcutActions): void {
  const keys = useRef(actions);
  keys.current = actions;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const k = e.key.toLowerCase();
      if ((e.ctrlKey || e.metaKey) && k === 's') {
        e.preventDefault();
        keys.current.save();
        return;
      }
      if (isTyping(e.target)) return;
      if (e.ctrlKey || e.metaKey) {
        if (k === 'z' && !e.shiftKey) keys.current.undo();
        else if ((k === 'z' && e.shiftKey) || k === 'y') keys.current.redo();
        else if (k === 'c') keys.current.copy();
        else if (k === 'v') keys.current.paste();
        else if (k === 'd') keys.current.duplicate();
        else return;
      } else if (e.altKey) return;
      else if (e.key === '?') keys.current.help();
      else if (e.key === 'L' && e.shiftKey) keys.current.layout();
      else if (k === 'f' && !e.shiftKey) keys.current.fit();
      else if (e.key === 'Escape') keys.current.deselect();
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
