import { describe, expect, it } from 'vitest';
import { avoidRects, intersects } from './overlays';

const bounds = { x: 0, y: 0, width: 800, height: 600 };
const controls = { x: 10, y: 480, width: 30, height: 110 };
const minimap = { x: 620, y: 480, width: 170, height: 110 };

describe('keeping a dropped node clear of the canvas controls', () => {
  it('moves a node dropped on the zoom buttons just beside them, inside the canvas', () => {
    const r = avoidRects({ x: 0, y: 500, width: 230, height: 90 }, [controls, minimap], bounds);
    expect(intersects(r, controls)).toBe(false);
    expect(intersects(r, minimap)).toBe(false);
    expect(r.x + r.width).toBeLessThanOrEqual(800);
    expect(r.y + r.height).toBeLessThanOrEqual(600);
    expect(r).toEqual({ x: 40, y: 500, width: 230, height: 90 });
  });

  it('moves a node dropped on the minimap above it when that is the shortest way out', () => {
    const r = avoidRects({ x: 600, y: 520, width: 230, height: 60 }, [controls, minimap], bounds);
    expect(intersects(r, minimap)).toBe(false);
    expect(r.y + r.height).toBeLessThanOrEqual(480);
  });

  it('leaves a node that is clear where it was dropped', () => {
    const rect = { x: 300, y: 200, width: 230, height: 90 };
    expect(avoidRects(rect, [controls, minimap], bounds)).toEqual(rect);
  });

  it('pulls a node dropped half outside the canvas back in', () => {
    expect(avoidRects({ x: 700, y: -40, width: 230, height: 90 }, [], bounds)).toEqual({ x: 570, y: 0, width: 230, height: 90 });
  });
});
