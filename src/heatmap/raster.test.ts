import { describe, expect, it } from 'vitest';
import { colormapLut } from './colormaps.ts';
import { cellColours, cellField, edgePad, rasterise, upsampleColours, type CellField } from './raster.ts';
import type { RGBAImage } from '../slide/types.ts';

// 3×2 cells of 235-pixel patches at stride 128: centres at 117.5, 245.5, 373.5 (x) and 117.5, 245.5 (y); the
// patches reach x < 491 and y < 363.
const shape = { cols: 3, rows: 2, patch: 235, stride: 128 };
const field = (values: number[]): CellField => cellField(shape, { lo: 0, hi: 1 }, (cell) => values[cell]!);
const lut = colormapLut('viridis');
const GRAY = 100;

function gray(width: number, height: number): RGBAImage {
  return { width, height, data: new Uint8ClampedArray(width * height * 4).fill(GRAY) };
}

const px = (img: RGBAImage, x: number, y: number) => Array.from(img.data.subarray((y * img.width + x) * 4, (y * img.width + x) * 4 + 4));

/** The pixel for colour position t at opacity a over the gray base. */
function blended(t: number, a: number): number[] {
  const k = Math.round(t * 255) * 3;
  return [0, 1, 2].map((c) => Math.round(GRAY * (1 - a) + lut[k + c]! * a)).concat(255);
}

const full = { x: 1, y: 1 };
const smooth = { colormap: 'viridis' as const, opacity: 1, smooth: true };
const crisp = { ...smooth, smooth: false };

describe('rasterise', () => {
  const ramp = field([0, 0.2, 0.4, 0.6, 0.8, 1]);

  it('smooth: each cell at its patch centre, scores interpolated between centres before colouring', () => {
    const out = rasterise(gray(491, 363), ramp, full, smooth);
    expect(px(out, 117, 117)).toEqual(blended(0, 1)); // pixel 117 has its centre at 117.5
    expect(px(out, 245, 245)).toEqual(blended(0.8, 1));
    // x 181.5 is halfway between columns 0 and 1; y 181.5 halfway between rows: (0 + 0.2 + 0.6 + 0.8) / 4.
    expect(px(out, 181, 117)).toEqual(blended(0.1, 1));
    expect(px(out, 181, 181)).toEqual(blended(0.4, 1));
  });

  it('edges: held flat from the outermost centres to the patch edges, the base alone past them', () => {
    const out = rasterise(gray(520, 380), ramp, full, smooth);
    expect(px(out, 0, 0)).toEqual(blended(0, 1));
    expect(px(out, 490, 362)).toEqual(blended(1, 1));
    expect(px(out, 450, 0)).toEqual(blended(0.4, 1));
    expect(px(out, 491, 100)).toEqual([GRAY, GRAY, GRAY, 255]);
    expect(px(out, 100, 363)).toEqual([GRAY, GRAY, GRAY, 255]);
  });

  it('an edge column (its patch against the side) has its colour at its own patch centre, reaching the side', () => {
    // A 560-pixel-wide slide: regular corners 0, 128, 256 and the edge column at 560 − 235 = 325 (centre 442.5).
    const edged = cellField({ ...shape, cols: 4, edgeX: 325 }, { lo: 0, hi: 1 }, (cell) => [0, 0.2, 0.4, 1, 0, 0, 0, 0][cell]!);
    const out = rasterise(gray(560, 300), edged, full, smooth);
    expect(px(out, 373, 117)).toEqual(blended(0.4, 1)); // (373.5: the last regular centre)
    expect(px(out, 442, 117)).toEqual(blended(1, 1)); // (442.5: the edge cell's centre)
    expect(px(out, 407, 117)).toEqual(blended(0.4 + (0.6 * (407.5 - 373.5)) / (442.5 - 373.5), 1)); // between them
    expect(px(out, 559, 117)).toEqual(blended(1, 1)); // held flat to the side
    const nearest = rasterise(gray(560, 300), edged, full, crisp);
    expect(px(nearest, 400, 117)).toEqual(blended(0.4, 1));
    expect(px(nearest, 420, 117)).toEqual(blended(1, 1));
  });

  it('crisp: each pixel takes its nearest centre, held out to the patch edges too', () => {
    const out = rasterise(gray(491, 363), ramp, full, crisp);
    expect(px(out, 180, 117)).toEqual(blended(0, 1));
    expect(px(out, 181, 117)).toEqual(blended(0.2, 1)); // 181.5, halfway: the tie goes to the next cell
    expect(px(out, 490, 362)).toEqual(blended(1, 1));
    expect(px(out, 0, 200)).toEqual(blended(0.6, 1));
  });

  it('glass: nothing at a glass cell; toward it the neighbours keep their score and fade by their share of the weight', () => {
    const holed = field([0, 0.2, 0.4, 0.6, Number.NaN, 1]);
    const s = rasterise(gray(491, 363), holed, full, smooth);
    expect(px(s, 245, 245)).toEqual([GRAY, GRAY, GRAY, 255]); // the glass cell's centre
    // Halfway along row 1 between column 0 (0.6) and the glass cell: 0.6 at half the opacity.
    expect(px(s, 181, 245)).toEqual(blended(0.6, 0.5));
    // Halfway between four centres, one of them glass: the other three averaged, at three quarters.
    expect(px(s, 181, 181)).toEqual(blended((0 + 0.2 + 0.6) / 3, 0.75));
    // Non-finite scores count as glass.
    expect(px(rasterise(gray(491, 363), field([0, 0.2, 0.4, 0.6, Number.POSITIVE_INFINITY, 1]), full, smooth), 245, 245)).toEqual([GRAY, GRAY, GRAY, 255]);
    const c = rasterise(gray(491, 363), holed, full, crisp);
    expect(px(c, 200, 200)).toEqual([GRAY, GRAY, GRAY, 255]); // inside the glass cell's square
    expect(px(c, 180, 200)).toEqual(blended(0.6, 1)); // its neighbour's square is whole
  });

  it('scale: output pixel centres map to image points on each axis separately', () => {
    // x: pixel 2 lands on 2.5 × 98.2 = 245.5 (column 1's centre), pixel 5 on 540.1, past the patches.
    // y: pixel 0 lands on 90.75 (row 0, flat), pixel 1 on 272.25 (past row 1's centre, flat).
    const out = rasterise(gray(6, 2), ramp, { x: 98.2, y: 181.5 }, smooth);
    expect(px(out, 2, 0)).toEqual(blended(0.2, 1));
    expect(px(out, 2, 1)).toEqual(blended(0.8, 1));
    expect(px(out, 0, 0)).toEqual(blended(0, 1));
    expect(px(out, 5, 0)).toEqual([GRAY, GRAY, GRAY, 255]);
  });

  it('blends by opacity over grayscale (or colour on request) and can draw into a taller image', () => {
    const base: RGBAImage = { width: 4, height: 4, data: new Uint8ClampedArray(64) };
    for (let i = 0; i < 64; i += 4) base.data.set([200, 100, 50, 255], i);
    const luma = Math.round(0.299 * 200 + 0.587 * 100 + 0.114 * 50);
    const half = rasterise(base, ramp, { x: 10, y: 10 }, { ...smooth, opacity: 0.5 });
    expect(px(half, 0, 0)).toEqual([0, 1, 2].map((c) => Math.round(luma * 0.5 + lut[c]! * 0.5)).concat(255));
    const none = rasterise(base, ramp, { x: 10, y: 10 }, { ...smooth, opacity: 0, keepColour: true });
    expect(px(none, 3, 3)).toEqual([200, 100, 50, 255]);
    const tall: RGBAImage = { width: 4, height: 6, data: new Uint8ClampedArray(96).fill(7) };
    expect(rasterise(base, ramp, { x: 10, y: 10 }, smooth, tall)).toBe(tall);
    expect(px(tall, 0, 3)[3]).toBe(255);
    expect(px(tall, 0, 4)).toEqual([7, 7, 7, 7]); // the rows below the base are left alone
  });
});

describe('cellColours (the overlay form)', () => {
  it('one pixel per cell with copies of the edge cells around, glass transparent', () => {
    const img = cellColours(field([0, 0.2, 0.4, 0.6, Number.NaN, 1]), 'viridis');
    expect(edgePad(shape)).toBe(1); // the patch edge lies 53.5 px (0.42 cells) beyond the stride squares
    expect([img.width, img.height]).toEqual([5, 4]);
    const colour = (t: number) => [...lut.subarray(Math.round(t * 255) * 3, Math.round(t * 255) * 3 + 3)].concat(255);
    expect(px(img, 1, 1)).toEqual(colour(0));
    expect(px(img, 0, 0)).toEqual(colour(0)); // corner copy of cell (0, 0)
    expect(px(img, 4, 3)).toEqual(colour(1));
    expect(px(img, 2, 2)).toEqual([0, 0, 0, 0]); // glass
    expect(px(img, 2, 3)).toEqual([0, 0, 0, 0]); // the copy below the glass cell
    expect(edgePad({ ...shape, stride: 64 })).toBe(2);
    expect(edgePad({ ...shape, stride: 300 })).toBe(0);
    expect(cellColours(cellField({ ...shape, cols: 0 }, { lo: 0, hi: 1 }, () => 0), 'jet').width).toBe(0);
  });
});

describe('upsampleColours (the overlay at deep zoom)', () => {
  const img = (pixels: number[][], width: number): RGBAImage => ({ width, height: pixels.length / width, data: Uint8ClampedArray.from(pixels.flat()) });

  it('interpolates between cell centres in floating point, k pixels per cell, held flat beyond the outer centres', () => {
    const two = img([[0, 0, 0, 255], [200, 100, 40, 255]], 2);
    const out = upsampleColours(two, 0, 0, 2, 1, 4);
    expect([out.width, out.height]).toEqual([8, 4]);
    const red = (i: number) => out.data[i * 4]!;
    // Pixel centres at cell coordinates (i + 0.5) / 4: left of the first centre (0.5) flat, then a linear ramp.
    expect([0, 1].map(red)).toEqual([0, 0]);
    for (let i = 2; i < 6; i++) expect(red(i)).toBe(Math.round(200 * ((i + 0.5) / 4 - 0.5)));
    expect([6, 7].map(red)).toEqual([200, 200]);
    expect(out.data[4 * 4 + 3]).toBe(255);
  });

  it('fades toward a transparent (glass) cell by alpha, keeping the colour (premultiplied, as a canvas scales)', () => {
    const glass = img([[255, 0, 0, 255], [0, 0, 0, 0]], 2);
    const out = upsampleColours(glass, 0, 0, 2, 1, 4);
    // At cell coordinate 1.125 (pixel 4): 37.5 % of the way from the red centre to the glass one.
    expect(Array.from(out.data.subarray(16, 20))).toEqual([255, 0, 0, Math.round(255 * (1 - 0.625))]);
    expect(Array.from(out.data.subarray(28, 32))).toEqual([0, 0, 0, 0]); // past the glass centre
  });

  it('reads a window of a larger image (the visible cells only)', () => {
    const row = img([[10, 0, 0, 255], [20, 0, 0, 255], [30, 0, 0, 255], [40, 0, 0, 255]], 4);
    const out = upsampleColours(row, 1, 0, 2, 1, 4);
    // Cells 1 and 2 at 4 px each: output pixel centres at image x 0.625, 0.875, … 2.375 (neighbours outside the window
    // count): 10 + 10·x.
    expect(Array.from({ length: 8 }, (_, i) => out.data[i * 4])).toEqual([16, 19, 21, 24, 26, 29, 31, 34]);
  });
});
