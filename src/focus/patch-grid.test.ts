import { describe, expect, it } from 'vitest';
import { mean, packPatches, patchGrid, patchStarts, toGrid } from './patch-grid.ts';

describe('patch grid', () => {
  it('corners at 0, 128, … while corner + 235 ≤ side', () => {
    expect(patchStarts(1024)).toEqual([0, 128, 256, 384, 512, 640, 768]);
    expect(patchStarts(1025)).toEqual([0, 128, 256, 384, 512, 640, 768]);
    expect(patchStarts(235)).toEqual([0]);
    expect(patchStarts(234)).toEqual([]);
    expect(patchStarts(363)).toEqual([0, 128]);
    expect(patchStarts(362)).toEqual([0]);
    expect(patchStarts(500, 235, 100)).toEqual([0, 100, 200]);
  });

  it('rows outer, columns inner', () => {
    const g = patchGrid(491, 363);
    expect([g.rows, g.cols]).toEqual([2, 3]);
    expect(g.corners.slice(0, 4)).toEqual([
      { x: 0, y: 0 },
      { x: 128, y: 0 },
      { x: 256, y: 0 },
      { x: 0, y: 128 },
    ]);
    expect(toGrid([1, 2, 3, 4, 5, 6], 2, 3)).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(mean([1, 2, 3, 6])).toBe(3);
  });

  it('packs RGBA into planar float32 / 255 at the right offsets', () => {
    const w = 240;
    const h = 236;
    const data = new Uint8ClampedArray(w * h * 4);
    const at = (x: number, y: number) => (y * w + x) * 4;
    data.set([255, 51, 0, 7], at(3, 1)); // inside the patch at (3,1) → local (0,0)
    data.set([0, 0, 102, 7], at(3 + 234, 1 + 234)); // local (234,234)
    const out = packPatches({ width: w, height: h, data }, [{ x: 3, y: 1 }]);
    const plane = 235 * 235;
    expect(out.length).toBe(3 * plane);
    expect(out[0]).toBe(1);
    expect(out[plane]).toBeCloseTo(0.2, 7);
    expect(out[2 * plane + plane - 1]).toBeCloseTo(0.4, 7);
    expect(() => packPatches({ width: w, height: h, data }, [{ x: 6, y: 0 }])).toThrow(/outside/);
  });
});
