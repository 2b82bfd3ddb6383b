// The canvas: React Flow with the node and edge looks, dropping a palette node (onto an edge:
// inserted between its ends), the "+" picker on an edge, and the minimap and zoom chrome.

import { Background, BackgroundVariant, ReactFlow } from '@xyflow/react';
import { useCallback, useMemo, useState, type DragEvent, type RefObject } from 'react';
import type { Problem, WorkflowDetail } from '../types';
import { CanvasChrome, fitOptions } from './CanvasChrome';
import type { Catalogue } from './catalogue';
import { nodeTypesFor } from './FlowNode';
import { EdgeInsertContext, InsertableEdge, NodePicker } from './InsertEdge';
import { DRAG_TYPE } from './Palette';
import type { Graph } from './useGraph';
import { edgeLook, NodeViewContext, problemsByNode } from './view';

const CATEGORY_COLOURS: Record<string, string> = { trigger: '#a78bfa', order: '#fb923c', condition: '#22d3ee', data: '#f472b6', utility: '#94a3b8' };
const EDGE_TYPES = { insertable: InsertableEdge };

export function EditorCanvas({ catalogue, graph, wf, problems, canvasRef, mapShown, onMap }: {
  catalogue: Catalogue;
  graph: Graph;
  wf: WorkflowDetail;
  problems: Problem[];
  canvasRef: RefObject<HTMLDivElement | null>;
  mapShown: boolean;
  onMap: (on: boolean) => void;
}) {
  const { nodes, edges } = graph;
  const [picker, setPicker] = useState<{ edgeId: string; left: number; top: number } | null>(null);
  const fit = useMemo(() => fitOptions(mapShown), [mapShown]);

  const onDrop = (e: DragEvent) => {
    const type = e.dataTransfer.getData(DRAG_TYPE);
    if (!type) return;
    e.preventDefault();
    // Dropped onto an edge: inserted between its two ends (a trigger cannot sit in the middle).
    const onEdge = document.elementsFromPoint(e.clientX, e.clientY).map((el) => el.closest('.react-flow__edge')).find(Boolean)?.getAttribute('data-id');
    if (onEdge && !catalogue.get(type)?.trigger && graph.insertNode(onEdge, type)) return;
    graph.addNode(type, { x: e.clientX, y: e.clientY });
  };

  const askInsert = useCallback((edgeId: string, at: { x: number; y: number }) => {
    const box = canvasRef.current?.getBoundingClientRect();
    if (!box) return;
    // Beside the "+", kept inside the canvas.
    setPicker({ edgeId, left: Math.max(8, Math.min(at.x - box.left + 14, box.width - 240)), top: Math.max(8, Math.min(at.y - box.top - 20, box.height - 320)) });
  }, [canvasRef]);

  const typesKey = [...new Set(nodes.map((n) => n.type ?? ''))].sort().join(',');
  const nodeTypes = useMemo(() => nodeTypesFor([...catalogue.keys(), ...typesKey.split(',')]), [catalogue, typesKey]);
  const view = useMemo(() => ({ catalogue, problems: problemsByNode(problems) }), [catalogue, problems]);
  const brokenEdges = useMemo(() => new Set(problems.filter((p) => p.edgeId && p.severity === 'error').map((p) => p.edgeId)), [problems]);
  const shownEdges = useMemo(() => edges.map((e) => ({ ...e, type: 'insertable', ...edgeLook(e.sourceHandle, brokenEdges.has(e.id)) })), [edges, brokenEdges]);

  return (
    <div className="canvas" ref={canvasRef} onDragOver={(e) => { e.preventDefault(); e.dataTransfer.dropEffect = 'move'; }} onDrop={onDrop} data-testid="canvas">
      <NodeViewContext.Provider value={view}>
        <EdgeInsertContext.Provider value={askInsert}>
        <ReactFlow
          nodes={nodes}
          edges={shownEdges}
          nodeTypes={nodeTypes}
          edgeTypes={EDGE_TYPES}
          onNodesChange={graph.onNodesChange}
          onEdgesChange={graph.onEdgesChange}
          onConnect={graph.onConnect}
          isValidConnection={graph.isValidConnection}
          onNodeDragStart={graph.onNodeDragStart}
          onBeforeDelete={graph.onBeforeDelete}
          deleteKeyCode={['Backspace', 'Delete']}
          defaultViewport={wf.definition.viewport ?? { x: 0, y: 0, zoom: 1 }}
          fitView={!wf.definition.viewport && wf.nodes.length > 0}
          fitViewOptions={fit}
          defaultEdgeOptions={{ type: 'insertable' }}
          onMoveStart={() => setPicker(null)}
          snapToGrid
          snapGrid={[10, 10]}
          minZoom={0.2}
          colorMode="dark"
          proOptions={{ hideAttribution: true }}
        >
          <Background variant={BackgroundVariant.Dots} gap={20} size={1} color="#2a3140" />
          <CanvasChrome mapShown={mapShown} onMap={onMap} colour={(n) => CATEGORY_COLOURS[catalogue.get(n.type ?? '')?.category ?? ''] ?? '#ef4444'} />
        </ReactFlow>
        </EdgeInsertContext.Provider>
      </NodeViewContext.Provider>
      {picker && (
        <NodePicker catalogue={catalogue} at={{ left: picker.left, top: picker.top }} onClose={() => setPicker(null)}
          onPick={(type) => {
            graph.insertNode(picker.edgeId, type);
            setPicker(null);
          }} />
      )}
      {nodes.length === 0 && (
        <div className="empty" style={{ position: 'absolute', top: '30%', left: '50%', transform: 'translateX(-50%)', pointerEvents: 'none' }}>
          Drag a trigger from the palette to start (Webhook for TradingView alerts, Schedule for timed entries).
        </div>
      )}
    </div>
  );
}
