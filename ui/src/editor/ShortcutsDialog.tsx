// The editor's keyboard shortcuts, listed where a trader looks for them ("?" or the toolbar's ⌨).

import { Fragment } from 'react';
import { Modal } from '../components/Modal';

const mod = typeof navigator !== 'undefined' && /Mac/.test(navigator.platform) ? '⌘' : 'Ctrl';

/** One list, read by the dialog; EditorPage's key handler implements each entry. */
export const SHORTCUTS: Array<{ group: string; items: Array<{ keys: string[]; what: string }> }> = [
  { group: 'Workflow', items: [
    { keys: [mod, 'S'], what: 'Save' },
    { keys: ['Shift', 'L'], what: 'Auto-layout top to bottom' },
    { keys: ['F'], what: 'Fit the graph in view' },
    { keys: ['?'], what: 'Show these shortcuts' },
  ] },
  { group: 'Editing', items: [
    { keys: [mod, 'Z'], what: 'Undo' },
    { keys: [mod, 'Shift', 'Z'], what: 'Redo (also Ctrl+Y)' },
    { keys: [mod, 'C'], what: 'Copy the selected nodes' },
    { keys: [mod, 'V'], what: 'Paste (also into another workflow)' },
    { keys: [mod, 'D'], what: 'Duplicate the selected nodes' },
    { keys: ['Delete'], what: 'Delete the selected nodes or edges (also Backspace)' },
    { keys: ['Esc'], what: 'Clear the selection' },
  ] },
  { group: 'Canvas', items: [
    { keys: ['Drag from palette'], what: 'Add a node (drop it on an edge to insert it there)' },
    { keys: ['+ on an edge'], what: 'Insert a node between two nodes' },
    { keys: ['Drag from a handle'], what: 'Connect two nodes' },
    { keys: ['Shift', 'Drag'], what: 'Select several nodes' },
    { keys: ['Scroll'], what: 'Zoom in and out' },
    { keys: ['{{'], what: 'In a text field: references to upstream outputs and their fields' },
  ] },
];

export function ShortcutsDialog({ onClose }: { onClose: () => void }) {
  return (
    <Modal title="Keyboard shortcuts" onClose={onClose} footer={<button className="primary" onClick={onClose}>Done</button>}>
      <div className="shortcuts" data-testid="shortcuts">
        {SHORTCUTS.map((g) => (
          <section key={g.group}>
            <h3>{g.group}</h3>
            <dl>
              {g.items.map((s) => (
                <Fragment key={s.what}>
                  <dt>{s.keys.map((k, i) => <Fragment key={k}>{i > 0 && ' + '}<span className="kbd">{k}</span></Fragment>)}</dt>
                  <dd>{s.what}</dd>
                </Fragment>
              ))}
            </dl>
          </section>
        ))}
      </div>
    </Modal>
  );
}
