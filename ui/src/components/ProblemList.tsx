import type { Problem } from '../types';

/** The message without its leading "node_3 placeOrder: ", which the list already shows beside it. */
function bare(p: Problem): string {
  if (!p.nodeId || !p.message.startsWith(`${p.nodeId} `)) return p.message;
  const colon = p.message.indexOf(': ');
  return colon > 0 && colon < p.nodeId.length + 40 ? p.message.slice(colon + 2) : p.message;
}

/** Validation problems, each against its node (and field) when it has one. */
export function ProblemList({ problems, onPick, nodeLabel }: { problems: Problem[]; onPick?: (p: Problem) => void; nodeLabel?: (id: string) => string }) {
  if (!problems.length) return null;
  const sorted = [...problems].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
  return (
    <ul className="problems" data-testid="problems">
      {sorted.map((p, i) => (
        <li key={i} className={`${p.severity} ${onPick && p.nodeId ? 'clickable' : ''}`} onClick={() => onPick && p.nodeId && onPick(p)}>
          <span className="where">{p.nodeId ? `${nodeLabel ? nodeLabel(p.nodeId) : p.nodeId}${p.field ? ` · ${p.field}` : ''}` : p.edgeId ?? 'workflow'}</span>
          <span>{bare(p)}</span>
        </li>
      ))}
    </ul>
  );
}
