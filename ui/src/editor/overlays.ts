// Keeping nodes clear of what floats over the canvas (zoom buttons, minimap): a dropped node is
// nudged out from under them, and a view that hides a node behind them is refitted.

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export function intersects(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

export function inflate(r: Rect, by: number): Rect {
  return { x: r.x - by, y: r.y - by, width: r.width + 2 * by, height: r.height + 2 * by };
}

const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(v, Math.max(lo, hi)));

/** `rect` moved inside `bounds` and off every obstacle, by the shortest shift that frees it (a few rounds). */
export function avoidRects(rect: Rect, obstacles: ReadonlyArray<Rect>, bounds: Rect): Rect {
  const inside = (r: Rect): Rect => ({ ...r, x: clamp(r.x, bounds.x, bounds.x + bounds.width - r.width), y: clamp(r.y, bounds.y, bounds.y + bounds.height - r.height) });
  let r = inside(rect);
  for (let round = 0; round < 4; round++) {
    const hit = obstacles.find((o) => intersects(r, o));
    if (!hit) return r;
    const moves: Rect[] = [
      { ...r, x: hit.x + hit.width }, // right of it
      { ...r, x: hit.x - r.width }, // left of it
      { ...r, y: hit.y - r.height }, // above it
      { ...r, y: hit.y + hit.height }, // below it
    ].map(inside).filter((m) => !intersects(m, hit));
    if (!moves.length) return r;
    const cost = (m: Rect) => Math.abs(m.x - r.x) + Math.abs(m.y - r.y);
    r = moves.reduce((best, m) => (cost(m) < cost(best) ? m : best));
  }
  return r;
}

/** Screen rectangles of the canvas's floating controls (zoom buttons, minimap, their toggles). */
export function overlayRects(canvas: HTMLElement | null): Rect[] {
  if (!canvas) return [];
  return [...canvas.querySelectorAll<HTMLElement>('.react-flow__controls, .react-flow__minimap')]
    .map((el) => el.getBoundingClientRect())
    .filter((b) => b.width > 0 && b.height > 0)
    .map((b) => ({ x: b.left, y: b.top, width: b.width, height: b.height }));
}

/** Whether any node on the canvas is hidden under an overlay or lies outside the visible canvas. */
export function nodesObscured(canvas: HTMLElement | null): boolean {
  if (!canvas) return false;
  const box = canvas.getBoundingClientRect();
  const view = { x: box.left, y: box.top, width: box.width, height: box.height };
  const overlays = overlayRects(canvas);
  return [...canvas.querySelectorAll<HTMLElement>('.react-flow__node')].some((el) => {
    const b = el.getBoundingClientRect();
    const r = { x: b.left, y: b.top, width: b.width, height: b.height };
    const visible = r.x >= view.x && r.y >= view.y && r.x + r.width <= view.x + view.width && r.y + r.height <= view.y + view.height;
    return !visible || overlays.some((o) => intersects(r, o));
  });
}
