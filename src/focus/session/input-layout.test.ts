import { describe, expect, it } from 'vitest';
import { allocInput, fromNchw, INPUT_LAYOUTS, packInput, valuesPerPatch } from './input-layout.ts';
import { packPatches } from '../patch-grid.ts';
import { densityGain, densityTable, normaliseDensity, patchMeanOd } from '../stain-density.ts';

function image(width: number, height: number, channels: 3 | 4, seed: number) {
  const data = new Uint8Array(width * height * channels);
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = s >>> 24;
  }
  return { width, height, data, channels };
}

/** Index of the first differing element, or -1 (toEqual on megabyte arrays takes seconds). */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

describe('input layouts', () => {
  const rgba = image(500, 380, 4, 7);
  const rgb = { ...image(500, 380, 3, 0), data: new Uint8Array(500 * 380 * 3) };
  for (let i = 0, j = 0; j < rgba.data.length; i += 3, j += 4) rgb.data.set(rgba.data.subarray(j, j + 3), i);
  const corners = [
    { x: 0, y: 0 },
    { x: 265, y: 145 },
    { x: 131, y: 7 },
  ];

  for (const layout of INPUT_LAYOUTS) {
    it(`${layout}: RGB and RGBA pack alike, a reused buffer holds nothing stale, and the re-layout agrees`, () => {
      const fresh = packInput(layout, rgba, corners);
      expect(firstDifference(packInput(layout, rgb, corners), fresh)).toBe(-1);
      expect(firstDifference(fromNchw(layout, packPatches(rgba, corners), corners.length), fresh)).toBe(-1);
      // Pack other patches into the buffer first, then these: every byte must match a fresh buffer.
      const reused = allocInput(layout, corners.length);
      packInput(layout, image(500, 380, 4, 99), corners.slice().reverse(), reused);
      packInput(layout, rgba, corners, reused);
      expect(firstDifference(reused, fresh)).toBe(-1);
      // At an offset, and (u8) in a buffer that is not 4-byte aligned, which takes the byte-wise path.
      const big = allocInput(layout, corners.length + 1);
      const view = layout === 'u8' ? new Uint8Array(big.buffer, 1, corners.length * valuesPerPatch(layout)) : big;
      packInput(layout, rgba, corners, view, layout === 'u8' ? 0 : 1);
      expect(firstDifference(view.subarray(layout === 'u8' ? 0 : valuesPerPatch(layout)).subarray(0, fresh.length), fresh)).toBe(-1);
    });
  }

  it('rejects a buffer of the wrong type and a patch outside the image', () => {
    expect(() => packInput('u8', rgba, corners, new Float32Array(3 * valuesPerPatch('u8')))).toThrow(/uint8/);
    expect(() => packInput('s2d', rgba, [{ x: 300, y: 0 }])).toThrow(/outside the 500×380 image/);
  });
});

describe("the 'u8' packer with density tables", () => {
  it('packs exactly what packing the normalised copy packs, from RGBA words and from RGB bytes, padding left 0', () => {
    const w = 600;
    const h = 400;
    const rgba = new Uint8ClampedArray(w * h * 4);
    let s = 3;
    for (let i = 0; i < rgba.length; i++) {
      s = (s * 1103515245 + 12345) >>> 0;
      rgba[i] = i % 4 === 3 ? 255 : s >>> 24;
    }
    const rgb = new Uint8Array(w * h * 3);
    for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) rgb.set(rgba.subarray(i, i + 3), j);
    const corners = [{ x: 0, y: 0 }, { x: 128, y: 37 }, { x: w - 235, y: h - 235 }];
    const n = { method: 'mean-od' as const, targetOd: 0.6, maxGain: 4 };
    for (const img of [{ width: w, height: h, data: rgba }, { width: w, height: h, data: rgb, channels: 3 as const }]) {
      const normalised = normaliseDensity(img, corners, n);
      const copy = packInput('u8', normalised.image, normalised.corners) as Uint8Array;
      const fused = packInput('u8', img, corners, undefined, 0, corners.map(({ x, y }) => densityTable(densityGain(patchMeanOd(img, x, y), n)))) as Uint8Array;
      expect(Buffer.compare(Buffer.from(fused), Buffer.from(copy))).toBe(0);
      expect(firstDifference(fused, packInput('u8', img, corners) as Uint8Array)).toBeGreaterThanOrEqual(0); // the tables did something
    }
    expect(() => packInput('nchw', { width: w, height: h, data: rgba }, corners, undefined, 0, [])).toThrow(/'u8' packer only/);
  });
});
