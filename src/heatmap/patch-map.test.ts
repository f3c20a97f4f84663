import { describe, expect, it } from 'vitest';
import { colormapLut } from './colormaps.ts';
import type { RGBAImage } from '../slide/types.ts';
import { batchRange, fitSize, patchAt, rangeOf, renderHeatmap, sharedNormaliser, type PatchGeometry } from './patch-map.ts';

// A 1024×1024 image: corners 0, 128, …, 768 (7×7), patch centres at 117.5 + 128k; x ≥ 1003 lies in no patch.
const grid = Array.from({ length: 7 }, (_, r) => Array.from({ length: 7 }, (_, c) => r * 10 + c));
const g: PatchGeometry = { width: 1024, height: 1024, patch: 235, stride: 128, patchGrid: grid };

function solid(width: number, height: number, rgb: [number, number, number]): RGBAImage {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < data.length; i += 4) data.set([...rgb, 255], i);
  return { width, height, data };
}

const px = (img: RGBAImage, x: number, y: number) => Array.from(img.data.subarray((y * img.width + x) * 4, (y * img.width + x) * 4 + 4));

describe('patchAt', () => {
  it('picks the patch whose centre is nearest among those covering the point', () => {
    expect(patchAt(g, 0, 0)).toEqual({ row: 0, col: 0, x: 0, y: 0, score: 0 });
    expect(patchAt(g, 200, 10)).toMatchObject({ row: 0, col: 1, x: 128, score: 1 }); // 200 is nearer 245.5 than 117.5
    expect(patchAt(g, 181, 10)).toMatchObject({ col: 0 });
    expect(patchAt(g, 1000, 1000)).toEqual({ row: 6, col: 6, x: 768, y: 768, score: 66 });
    expect(patchAt(g, 512, 700)).toMatchObject({ row: 5, col: 3, score: 53 });
  });

  it('is undefined where no patch reaches', () => {
    expect(patchAt(g, 1003, 10)).toBeUndefined();
    expect(patchAt(g, 10, 1010)).toBeUndefined();
    expect(patchAt(g, -1, 10)).toBeUndefined();
    expect(patchAt({ ...g, patchGrid: [] }, 10, 10)).toBeUndefined();
  });
});

describe('renderHeatmap', () => {
  const norm = { lo: 0, hi: 66 };
  const lut = colormapLut('viridis');

  it('draws the base in grayscale, with the colour of the patch at its centre and nothing past the patches', () => {
    const base = solid(1024, 1024, [200, 100, 50]);
    const out = renderHeatmap(base, g, { colormap: 'viridis', normaliser: norm, opacity: 1, smooth: true });
    const gray = Math.round(0.299 * 200 + 0.587 * 100 + 0.114 * 50);
    expect(px(out, 1020, 500)).toEqual([gray, gray, gray, 255]); // right margin: no patch
    // Pixel 117 has its centre at 117.5: patch (0,0) exactly; (245, 245) is patch (1,1) = 11.
    expect(px(out, 117, 117)).toEqual([lut[0], lut[1], lut[2], 255]);
    const k = Math.round((11 / 66) * 255) * 3;
    expect(px(out, 245, 245)).toEqual([lut[k], lut[k + 1], lut[k + 2], 255]);
    // Flat from the outermost centres to the patch edges.
    expect(px(out, 0, 0)).toEqual(px(out, 117, 117));
  });

  it('interpolates scores between patch centres (before colouring) when smooth, and takes the nearest when not', () => {
    const base = solid(1024, 1024, [0, 0, 0]);
    const smooth = renderHeatmap(base, g, { colormap: 'viridis', normaliser: norm, opacity: 1, smooth: true });
    const crisp = renderHeatmap(base, g, { colormap: 'viridis', normaliser: norm, opacity: 1, smooth: false });
    // x = 181 (centre 181.5) is halfway between columns 0 and 1 on row 0: score 0.5.
    const half = Math.round((0.5 / 66) * 255) * 3;
    expect(px(smooth, 181, 117)).toEqual([lut[half], lut[half + 1], lut[half + 2], 255]);
    expect(px(crisp, 150, 117)).toEqual([lut[0], lut[1], lut[2], 255]);
    const one = Math.round((1 / 66) * 255) * 3;
    expect(px(crisp, 200, 117)).toEqual([lut[one], lut[one + 1], lut[one + 2], 255]);
  });

  it('blends by opacity, keeps colour on request, and scales to any output size', () => {
    const base = solid(64, 64, [200, 100, 50]);
    const none = renderHeatmap(base, g, { colormap: 'jet', normaliser: norm, opacity: 0, smooth: true, keepColour: true });
    expect(px(none, 10, 10)).toEqual([200, 100, 50, 255]);
    const half = renderHeatmap(base, g, { colormap: 'viridis', normaliser: norm, opacity: 0.5, smooth: true });
    const gray = Math.round(0.299 * 200 + 0.587 * 100 + 0.114 * 50);
    // Output pixel 0 of 64 covers image x 0–16: patch (0,0), flat region.
    const blended = px(half, 0, 0);
    [0, 1, 2].forEach((c) => expect(Math.abs(blended[c]! - (gray / 2 + lut[c]! / 2))).toBeLessThanOrEqual(0.5));
    expect(half.width).toBe(64);
    expect(px(half, 63, 63)).toEqual([gray, gray, gray, 255]); // x ≈ 1016: past every patch
  });
});

describe('colour ranges', () => {
  it('rangeOf spans all grids, skipping missing ones and non-finite scores, and widens a flat range', () => {
    expect(rangeOf([[[1, 2]], undefined, [[-3, Number.NaN]]])).toEqual({ lo: -3, hi: 2 });
    expect(rangeOf([[[2, 2]]])).toEqual({ lo: 1.5, hi: 2.5 });
    expect(rangeOf([undefined])).toBeUndefined();
  });

  it("sharedNormaliser: the card's display scale, else the batch, and per image on request", () => {
    const batch = { lo: -5, hi: -1 };
    expect(sharedNormaliser('fixed', { displayScale: [-6, 0] }, batch)).toEqual({ lo: -6, hi: 0 });
    expect(sharedNormaliser('fixed', undefined, batch)).toBe(batch);
    expect(sharedNormaliser('fixed', { displayScale: [1, 1] }, batch)).toBe(batch);
    expect(sharedNormaliser('image', { displayScale: [-6, 0] }, batch)).toBeUndefined();
    const grade = { name: 'defocus grade', points: [[-16, 0], [-4, 10]] as [number, number][], outOfFocusFrom: 5, borderline: [4, 6] as [number, number] };
    expect(sharedNormaliser('fixed', { grade, displayScale: [-6, 0] }, batch)).toEqual({ lo: 0, hi: 10, grade });
  });

  it('fitSize keeps the aspect ratio and never upscales', () => {
    expect(fitSize(1024, 512, 128)).toEqual({ width: 128, height: 64 });
    expect(fitSize(300, 2000, 128)).toEqual({ width: 19, height: 128 });
    expect(fitSize(100, 50, 128)).toEqual({ width: 100, height: 50 });
  });
});

describe('batchRange', () => {
  it('rounds the batch range outward to a step of about a tenth of its span', () => {
    expect(batchRange([[[-5.203, -1.526]]])).toEqual({ lo: -5.5, hi: -1.5 });
    expect(batchRange([[[0.12, 0.93]]])).toEqual({ lo: 0.1, hi: 1 });
    expect(batchRange([[[-19.7, -2.6]]])).toEqual({ lo: -20, hi: -2 });
    expect(batchRange([undefined])).toBeUndefined();
  });

  it('changes only when a new extreme crosses a step', () => {
    const a = batchRange([[[-5.2, -1.6]]]);
    expect(batchRange([[[-5.2, -1.6, -5.3, -1.55]]])).toEqual(a);
    expect(batchRange([[[-5.2, -1.6, -5.6]]])).not.toEqual(a);
  });
});
