// Inserting a node on an edge, as OpenAlgo's editor does: every edge carries a "+" at its middle
// that opens a searchable list of node types; the one picked goes between the edge's two ends.

import { BaseEdge, EdgeLabelRenderer, getSmoothStepPath, useStore, type EdgeProps } from '@xyflow/react';
import { createContext, useContext, useEffect, useRef, useState } from 'react';
import type { Catalogue } from './catalogue';
import { groupByCategory } from './catalogue';

/** Asks for a node to insert on `edgeId`; the point is where the "+" sits on screen. */
export const EdgeInsertContext = createContext<((edgeId: string, at: { x: number; y: number }) => void) | null>(null);

export function InsertableEdge(props: EdgeProps) {
  const [path, x, y] = getSmoothStepPath(props);
  const ask = useContext(EdgeInsertContext);
  const zoom = useStore((st) => st.transform[2]);
  // On an edge too short to hold it (on screen), the "+" (18 px) would cover the handles a trader drags from.
  const roomy = Math.hypot(props.targetX - props.sourceX, props.targetY - props.sourceY) * zoom >= 38;
  return (
    <>
      <BaseEdge id={props.id} path={path} style={props.style} markerEnd={props.markerEnd} interactionWidth={props.interactionWidth} />
      {ask && roomy && (
        <EdgeLabelRenderer>
          <button className="edge-add nodrag nopan" style={{ transform: `translate(-50%, -50%) translate(${x}px, ${y}px)` }}
            title="Insert a node here" aria-label={`Insert a node between ${props.source} and ${props.target}`} data-testid={`edge-add-${props.id}`}
            onClick={(e) => {
              const b = e.currentTarget.getBoundingClientRect();
              ask(props.id, { x: b.left + b.width / 2, y: b.top + b.height / 2 });
            }}>+</button>
        </EdgeLabelRenderer>
      )}
    </>
  );
}

/** The node types that can sit in the middle of a graph (not triggers), filtered as you type. */
export function NodePicker({ catalogue, at, onPick, onClose }: { catalogue: Catalogue; at: { left: number; top: number }; onPick: (type: string) => void; onClose: () => void }) {
  const [q, setQ] = useState('');
  const ref = useRef<HTMLDivElement>(null);
  const groups = groupByCategory(catalogue, q).filter((g) => g.id !== 'trigger');
  const first = groups[0]?.nodes[0];
  useEffect(() => {
    const away = (e: MouseEvent) => ref.current && !ref.current.contains(e.target as Node) && onClose();
    window.addEventListener('mousedown', away);
    return () => window.removeEventListener('mousedown', away);
  }, [onClose]);
  return (
    <div className="node-picker" ref={ref} style={at} data-testid="node-picker" role="dialog" aria-label="Insert a node">
      <input autoFocus type="search" placeholder="Insert a node…" value={q} onChange={(e) => setQ(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') onClose();
          if (e.key === 'Enter' && first) onPick(first.type);
        }} />
      <div className="node-picker-list">
        {groups.map((g) => (
          <div key={g.id} className={`cat-${g.id}`}>
            <h3><span className="cat-swatch" />{g.label}</h3>
            {g.nodes.map((n) => (
              <button key={n.type} className="palette-item" onClick={() => onPick(n.type)} title={n.description} data-testid={`picker-${n.type}`}>
                <span className="cat-swatch" /><span className="truncate">{n.label}</span>
              </button>
            ))}
          </div>
        ))}
        {!groups.length && <div className="muted">No node matches “{q}”.</div>}
      </div>
    </div>
  );
}
