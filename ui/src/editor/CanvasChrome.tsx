// What floats over a canvas (zoom buttons, an optional small minimap) and the rule that keeps it off
// the nodes: fitting leaves room for it, and a view that hides a node under it is refitted.

import { ControlButton, Controls, MiniMap, useNodesInitialized, useReactFlow, type FitViewOptions, type Node } from '@xyflow/react';
import { useEffect, useMemo, useRef, useState, type RefObject } from 'react';
import { nodesObscured } from './overlays';

const MAP_KEY = 'flow.minimap';
/** Below this canvas width (laptops with both side panels) the minimap starts folded away. */
const WIDE_CANVAS = 1000;
const MAP_SIZE = { width: 150, height: 96 };

/** Fit options that keep the fitted graph off the zoom buttons (left) and the minimap (right). */
export function fitOptions(mapShown: boolean, maxZoom = 1.1): FitViewOptions {
  return { padding: { top: '28px', bottom: '28px', left: '64px', right: mapShown ? `${MAP_SIZE.width + 40}px` : '28px' }, maxZoom };
}

/** Whether the minimap is shown: the trader's last choice, else only on a wide canvas. */
export function useMinimap(): [boolean, (on: boolean) => void] {
  const [shown, setShown] = useState<boolean>(() => {
    const saved = localStorage.getItem(MAP_KEY);
    // The canvas is the window less the palette and the side panel.
    return saved !== null ? saved === '1' : window.innerWidth - 560 >= WIDE_CANVAS;
  });
  const set = (on: boolean) => {
    localStorage.setItem(MAP_KEY, on ? '1' : '0');
    setShown(on);
  };
  return [shown, set];
}

/** Refits once the loaded nodes are measured, and when the minimap opens, if a node is hidden or off screen. */
export function useKeepNodesClear(canvas: RefObject<HTMLElement | null>, options: FitViewOptions, mapShown: boolean): void {
  const rf = useReactFlow();
  const ready = useNodesInitialized();
  // One check per event: a node added later must not move the view.
  const pending = useRef(true);
  const opened = useRef(mapShown);
  if (opened.current !== mapShown) {
    opened.current = mapShown;
    if (mapShown) pending.current = true;
  }
  useEffect(() => {
    if (!ready || !pending.current) return;
    // After the frame that draws the measured nodes and the overlays.
    const t = setTimeout(() => {
      pending.current = false;
      if (nodesObscured(canvas.current)) rf.fitView(options);
    }, 60);
    return () => clearTimeout(t);
  }, [ready, mapShown]);
}

export function CanvasChrome({ mapShown, onMap, colour }: { mapShown: boolean; onMap: (on: boolean) => void; colour: (n: Node) => string }) {
  const options = useMemo(() => fitOptions(mapShown), [mapShown]);
  return (
    <>
      <Controls showInteractive={false} fitViewOptions={options}>
        <ControlButton onClick={() => onMap(!mapShown)} title={mapShown ? 'Hide the minimap' : 'Show the minimap'} aria-label="Toggle the minimap" data-testid="minimap-toggle" className={mapShown ? 'on' : ''}>
          <svg viewBox="0 0 16 16" width="12" height="12" aria-hidden><rect x="1.5" y="3" width="13" height="10" rx="1.5" fill="none" stroke="currentColor" strokeWidth="1.5" /><rect x="4" y="6" width="4" height="4" fill="currentColor" /></svg>
        </ControlButton>
      </Controls>
      {mapShown && <MiniMap pannable zoomable nodeColor={colour} maskColor="rgba(13,16,22,0.7)" style={MAP_SIZE} />}
    </>
  );
}
