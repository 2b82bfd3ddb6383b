// The run graph's first view: as large as fits, but never smaller than the zoom at which node text
// stays readable (11 px); a graph too big for that starts at its triggers and scrolls.

import { useNodesInitialized, useReactFlow, useStore } from '@xyflow/react';
import { useEffect, useRef } from 'react';

/** The smallest zoom at which the canvas's smallest node text (11 px) still reads as 11 px. */
export const READABLE_ZOOM = 1;
const PAD = { top: 46, bottom: 20, left: 64, right: 24 }; // room for the legend (top) and the zoom buttons (left)

export interface Box { x: number; y: number; width: number; height: number }

/** The viewport that shows `bounds` in a `width`×`height` pane: centred when it fits, else from its top-left. */
export function readableViewport(bounds: Box, width: number, height: number, maxZoom = 1.1): { x: number; y: number; zoom: number } {
  const room = { w: width - PAD.left - PAD.right, h: height - PAD.top - PAD.bottom };
  const zoom = Math.min(maxZoom, Math.max(READABLE_ZOOM, Math.min(room.w / bounds.width, room.h / bounds.height)));
  const fitsW = bounds.width * zoom <= room.w;
  const fitsH = bounds.height * zoom <= room.h;
  const x = fitsW ? PAD.left + (room.w - bounds.width * zoom) / 2 - bounds.x * zoom : PAD.left - bounds.x * zoom;
  const y = fitsH ? PAD.top + (room.h - bounds.height * zoom) / 2 - bounds.y * zoom : PAD.top - bounds.y * zoom;
  return { x, y, zoom };
}

export function ReadableFit() {
  const rf = useReactFlow();
  const ready = useNodesInitialized();
  const size = useStore((s) => `${s.width}x${s.height}`);
  const done = useRef(false);
  useEffect(() => {
    if (!ready || done.current) return;
    const [w, h] = size.split('x').map(Number);
    if (!w || !h) return;
    done.current = true;
    rf.setViewport(readableViewport(rf.getNodesBounds(rf.getNodes()), w, h));
  }, [ready, size, rf]);
  return null;
}
