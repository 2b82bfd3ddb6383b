// The selected node's form, generated from its catalogue entry. Field problems come from the
// server's live validation; while that is a keystroke behind, the same checks run here.

import type { NodeType, Problem, WfNode } from '../types';
import { COMMON_FIELDS } from './catalogue';
import { checkField, fieldMessage } from './fields';
import { FieldInput } from './FieldInput';
import type { Suggestion } from './suggestions';
import { NodeLtp } from '../components/Ltp';

interface Props {
  node: WfNode;
  def: NodeType | undefined;
  problems: Problem[];
  fresh: boolean;
  suggestions: Suggestion[];
  onChange: (field: string, value: unknown) => void;
  onDelete: () => void;
}

/** A field's value, read under its current name or an older alias. */
export function fieldValue(def: NodeType, data: Record<string, unknown>, field: string): unknown {
  if (data[field] !== undefined) return data[field];
  const alias = Object.entries(def.aliases).find(([, to]) => to === field)?.[0];
  return alias ? data[alias] : undefined;
}

export function SidePanel({ node, def, problems, fresh, suggestions, onChange, onDelete }: Props) {
  if (!def) {
    return (
      <aside className="side" data-testid="side-panel">
        <h2>Unknown node type “{node.type}”</h2>
        <p className="muted">This server does not know this type. Replace it with a known node, or delete it.</p>
        <button className="danger" onClick={onDelete}>Delete node</button>
      </aside>
    );
  }
  const fieldNames = new Set(def.fields.map((f) => f.name));
  const nodeProblems = problems.filter((p) => !p.field || !fieldNames.has(p.field));
  const errorFor = (name: string): string | null => {
    const field = def.fields.find((f) => f.name === name)!;
    if (fresh) {
      const p = problems.find((x) => x.field === name && x.severity === 'error');
      return p ? fieldMessage(p.message, node.id, node.type, name) : null;
    }
    return checkField(field, fieldValue(def, node.data, name));
  };
  const warningFor = (name: string) => problems.find((x) => x.field === name && x.severity === 'warning')?.message ?? null;
  const render = (name: string) => {
    const field = def.fields.find((f) => f.name === name)!;
    return (
      <FieldInput key={`${node.id}.${name}`} def={field} value={fieldValue(def, node.data, name)} error={errorFor(name)} warning={warningFor(name)}
        suggestions={suggestions} onChange={(v) => onChange(name, v)} />
    );
  };
  const own = def.fields.filter((f) => !COMMON_FIELDS.has(f.name));
  const common = def.fields.filter((f) => COMMON_FIELDS.has(f.name));

  return (
    <aside className={`side cat-${def.category}`} data-testid="side-panel" data-node={node.id}>
      <div className="side-head">
        <span className="cat-swatch" style={{ marginTop: 6 }} />
        <div className="grow">
          <h2 style={{ margin: 0 }}>{String(node.data.label || def.label)}</h2>
          <div className="type">{node.id} · {def.type} · {def.category}</div>
        </div>
        <button className="small danger" onClick={onDelete} title="Delete node (Del)">Delete</button>
      </div>
      <div className="muted" style={{ fontSize: 12 }}>{def.description}</div>
      {'symbol' in node.data && <NodeLtp data={node.data} />}
      {nodeProblems.length > 0 && (
        <ul className="problems">
          {nodeProblems.map((p, i) => <li key={i} className={p.severity}>{p.message}</li>)}
        </ul>
      )}
      <div className="col" style={{ gap: 10 }}>
        {own.length === 0 && <div className="faint">This node has no settings of its own.</div>}
        {own.map((f) => render(f.name))}
      </div>
      <div className="side-section">
        <h3>Common</h3>
        {common.map((f) => render(f.name))}
        {node.data.onError === 'branch' && <div className="hint">Connect the orange <b>error</b> handle to what should run when this node fails.</div>}
      </div>
      <div className="hint">Type <span className="kbd">{'{{'}</span> in a text field for upstream outputs, webhook keys and built-ins.</div>
    </aside>
  );
}
