// Every node type the server knows, by family: drag onto the canvas, or click to add in view.

import { useState, type DragEvent } from 'react';
import type { Catalogue } from './catalogue';
import { groupByCategory } from './catalogue';

export const DRAG_TYPE = 'application/x-flow-node';

export function Palette({ catalogue, onAdd }: { catalogue: Catalogue; onAdd: (type: string) => void }) {
  const [search, setSearch] = useState('');
  const onDragStart = (e: DragEvent, type: string) => {
    e.dataTransfer.setData(DRAG_TYPE, type);
    e.dataTransfer.effectAllowed = 'move';
  };
  return (
    <aside className="palette" data-testid="palette">
      <input type="search" placeholder="Search nodes…" value={search} onChange={(e) => setSearch(e.target.value)} />
      {groupByCategory(catalogue, search).map((g) => (
        <div key={g.id} className={`palette-group cat-${g.id}`}>
          <h3><span className="cat-swatch" />{g.label}</h3>
          {g.nodes.map((n) => (
            <div key={n.type} className="palette-item" draggable onDragStart={(e) => onDragStart(e, n.type)} onDoubleClick={() => onAdd(n.type)}
              title={`${n.description}\n(drag onto the canvas, or double-click)`} data-testid={`palette-${n.type}`}>
              <span className="cat-swatch" />
              <span className="truncate">{n.label}</span>
            </div>
          ))}
        </div>
      ))}
    </aside>
  );
}
