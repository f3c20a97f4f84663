import { describe, expect, it } from 'vitest';
import { PATCH } from './patch-grid.ts';
import { densityGain, densityTable, densityTables, normaliseDensity, patchMeanOd, type DensityNormalisation } from './stain-density.ts';

const norm: DensityNormalisation = { method: 'mean-od', targetOd: 0.5, maxGain: 4 };

/** A stained-looking RGBA image: transmitted light 255·10^(−density·pattern), so `density` scales optical density. */
function tissue(density: number, width = PATCH + 20, height = PATCH + 10) {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const od = density * (0.3 + 0.25 * Math.sin(x / 3) * Math.cos(y / 5));
      const p = (y * width + x) * 4;
      data[p] = Math.round(255 * 10 ** (-od * 0.6));
      data[p + 1] = Math.round(255 * 10 ** (-od * 1.1));
      data[p + 2] = Math.round(255 * 10 ** (-od * 0.8));
      data[p + 3] = 255;
    }
  }
  return { width, height, data, channels: 4 as const };
}

describe('stain-density normalisation', () => {
  it('gain 1 leaves bytes as they are (0 reads as 1)', () => {
    const t = densityTable(1);
    for (let v = 1; v < 256; v++) expect(t[v]).toBe(v);
    expect(t[0]).toBe(1);
  });

  it('brings the same tissue at half or twice the stain density to (nearly) the same patch', () => {
    const corners = [{ x: 7, y: 3 }];
    const a = normaliseDensity(tissue(1), corners, norm).image.data;
    const pale = normaliseDensity(tissue(0.5), corners, norm).image.data;
    const dense = normaliseDensity(tissue(2), corners, norm).image.data;
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - pale[i]!), Math.abs(a[i]! - dense[i]!));
    expect(worst).toBeLessThanOrEqual(6); // rounding of the 8-bit source, not the density, is what is left
    expect(patchMeanOd(normaliseDensity(tissue(0.5), corners, norm).image, 0, 0)).toBeCloseTo(norm.targetOd, 1);
  });

  it('keeps the gain within its bounds, so glass is not blown up into noise', () => {
    expect(densityGain(0.01, norm)).toBe(4);
    expect(densityGain(10, norm)).toBe(0.25);
    expect(densityGain(0, norm)).toBe(4);
    expect(densityGain(0.25, norm)).toBeCloseTo(2, 12);
  });

  it('stacks the patches and returns where to read them', () => {
    const out = normaliseDensity(tissue(1), [{ x: 0, y: 0 }, { x: 20, y: 10 }], norm);
    expect(out.image.width).toBe(PATCH);
    expect(out.image.height).toBe(2 * PATCH);
    expect(out.corners).toEqual([{ x: 0, y: 0 }, { x: 0, y: PATCH }]);
  });

  it('reads RGBA as words and RGB as bytes to the same result, bit for bit', () => {
    const rgba = tissue(1.3);
    const rgb = new Uint8Array((rgba.data.length / 4) * 3);
    for (let i = 0, j = 0; i < rgba.data.length; i += 4, j += 3) rgb.set(rgba.data.subarray(i, i + 3), j);
    const corners = [{ x: 3, y: 2 }, { x: 19, y: 9 }];
    const asRgb = { width: rgba.width, height: rgba.height, data: rgb, channels: 3 as const };
    expect(patchMeanOd(rgba, 3, 2)).toBe(patchMeanOd(asRgb, 3, 2));
    expect(normaliseDensity(rgba, corners, norm).image.data).toEqual(normaliseDensity(asRgb, corners, norm).image.data);
  });

  it('densityTables gives every patch exactly the table of its own mean, overlapping or not, RGBA and RGB', () => {
    const rgba = tissue(1.7, 700, 560);
    // A little noise, so that sums are not made of a few repeated terms.
    for (let i = 0, s = 5; i < rgba.data.length; i++) if (i % 4 !== 3) rgba.data[i] = Math.min(255, rgba.data[i]! + ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 29));
    const rgb = { width: rgba.width, height: rgba.height, data: new Uint8Array((rgba.data.length / 4) * 3), channels: 3 as const };
    for (let i = 0, j = 0; i < rgba.data.length; i += 4, j += 3) rgb.data.set(rgba.data.subarray(i, i + 3), j);
    const grid = [0, 128, 256].flatMap((y) => [0, 128, 256, 384].map((x) => ({ x, y })));
    const odd = [{ x: 3, y: 300 }, { x: 465, y: 0 }, { x: 200, y: 201 }];
    for (const n of [norm, { ...norm, targetOd: 0.2 }, { ...norm, targetOd: 1.1, maxGain: 8 }]) {
      for (const img of [rgba, rgb]) {
        for (const corners of [grid, odd, grid.filter((_, i) => i % 3 !== 1)]) {
          const tables = densityTables(img, corners, n);
          corners.forEach(({ x, y }, i) => expect(tables[i]).toEqual(densityTable(densityGain(patchMeanOd(img, x, y), n))));
        }
      }
    }
  });

  it('densityTables: a gain that puts an entry on a rounding half still gives the mean’s own table', () => {
    const img = tissue(1.2);
    const mean = patchMeanOd(img, 5, 4);
    // 255·(100/255)^g = 60.5 exactly at this gain: the entry for 100 is a tie for any sum but patchMeanOd's own.
    const tie = Math.log(60.5 / 255) / Math.log(100 / 255);
    const n = { ...norm, targetOd: mean * tie };
    expect(densityTables(img, [{ x: 5, y: 4 }], n)[0]).toEqual(densityTable(densityGain(mean, n)));
  });
});
