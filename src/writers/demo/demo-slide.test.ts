import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { RGBAImage } from '../../slide/types.ts';
import { createDemoSlide } from './demo-slide.ts';
import { detCos, detExp, detSin } from './det-math.ts';
import { defocusWeight, planSlide, type DefocusRegion } from './layout.ts';

const W = 1280;
const H = 960;

function sha(image: RGBAImage): string {
  return createHash('sha256').update(image.data).digest('hex');
}

function crop(image: RGBAImage, x: number, y: number, w: number, h: number): Uint8ClampedArray {
  const out = new Uint8ClampedArray(w * h * 4);
  for (let r = 0; r < h; r++) out.set(image.data.subarray(((y + r) * image.width + x) * 4, ((y + r) * image.width + x + w) * 4), r * w * 4);
  return out;
}

function luma(image: RGBAImage, i: number): number {
  const d = image.data;
  return 0.299 * (d[i * 4] ?? 0) + 0.587 * (d[i * 4 + 1] ?? 0) + 0.114 * (d[i * 4 + 2] ?? 0);
}

/** Mean squared luma gradient over pixels where `keep(x, y)` holds (image coordinates). */
function gradientEnergy(image: RGBAImage, keep: (x: number, y: number) => boolean): { energy: number; count: number } {
  let sum = 0;
  let count = 0;
  for (let y = 0; y < image.height - 1; y++) {
    for (let x = 0; x < image.width - 1; x++) {
      if (!keep(x, y)) continue;
      const i = y * image.width + x;
      const gx = luma(image, i + 1) - luma(image, i);
      const gy = luma(image, i + image.width) - luma(image, i);
      sum += gx * gx + gy * gy;
      count++;
    }
  }
  return { energy: count ? sum / count : 0, count };
}

function isGlass(d: Uint8ClampedArray, i: number): boolean {
  const r = d[i * 4] ?? 0;
  const g = d[i * 4 + 1] ?? 0;
  const b = d[i * 4 + 2] ?? 0;
  return r >= 230 && g >= 230 && b >= 230 && Math.max(r, g, b) - Math.min(r, g, b) < 8;
}

describe('demo slide generator', () => {
  it('is deterministic: same seed, same pixels; another seed, another slide', () => {
    const a = createDemoSlide({ width: W, height: H, seed: 5 }).render(0, 0, W, H);
    const b = createDemoSlide({ width: W, height: H, seed: 5 }).render(0, 0, W, H);
    const c = createDemoSlide({ width: W, height: H, seed: 6 }).render(0, 0, W, H);
    expect(sha(a)).toBe(sha(b));
    let differing = 0;
    for (let i = 0; i < W * H; i++) if (Math.abs((a.data[i * 4 + 1] ?? 0) - (c.data[i * 4 + 1] ?? 0)) > 10) differing++;
    expect(differing / (W * H)).toBeGreaterThan(0.2);
  });

  it('renders any rectangle the same as the same part of a larger one (tiles can be made independently)', () => {
    const slide = createDemoSlide({ width: W, height: H, seed: 9 });
    const whole = slide.render(0, 0, W, H);
    // Rectangles through each defocused region, across odd offsets, and one at the slide corner.
    const rects: [number, number, number, number][] = slide.regions.map((r) => [r.cx - 61, r.cy - 47, 123, 95]);
    rects.push([0, 0, 77, 33], [W - 300, H - 5, 300, 5], [513, 257, 1, 1]);
    for (const [x, y, w, h] of rects) {
      expect(Buffer.from(slide.render(x, y, w, h).data).equals(Buffer.from(crop(whole, x, y, w, h))), `rect ${x},${y} ${w}×${h}`).toBe(true);
    }
    const rows = slide.readRows(300, 64);
    expect(Buffer.from(rows.data).equals(Buffer.from(crop(whole, 0, 300, W, 64)))).toBe(true);
  });

  it('looks like H&E: glass, pink stroma and purple nuclei in plausible proportions', () => {
    const image = createDemoSlide({ width: W, height: H, seed: 2 }).render(0, 0, W, H);
    const d = image.data;
    let glass = 0;
    let pink = 0;
    let purple = 0;
    for (let i = 0; i < W * H; i++) {
      const r = d[i * 4] ?? 0;
      const g = d[i * 4 + 1] ?? 0;
      const b = d[i * 4 + 2] ?? 0;
      if (isGlass(d, i)) glass++;
      else if (r > 190 && g < r - 25 && b > g && b < r) pink++;
      else if (r < 150 && g < 130 && b > r && b > g + 30) purple++;
    }
    const n = W * H;
    expect(glass / n).toBeGreaterThan(0.15);
    expect(glass / n).toBeLessThan(0.8);
    expect(pink / n).toBeGreaterThan(0.1);
    expect(purple / n).toBeGreaterThan(0.01);
    expect(purple / n).toBeLessThan(0.3);
  });

  it('keeps the glass light grey with slight noise', () => {
    const image = createDemoSlide({ width: W, height: H, seed: 3 }).renderSharp(0, 0, 64, 64);
    const values = new Set<number>();
    for (let i = 0; i < 64 * 64; i++) {
      for (let c = 0; c < 3; c++) {
        const v = image.data[i * 4 + c] ?? 0;
        expect(v).toBeGreaterThanOrEqual(233);
        expect(v).toBeLessThanOrEqual(247);
        values.add(v);
      }
    }
    expect(values.size).toBeGreaterThan(3);
  });

  it('blurs the defocused regions by their sigma: the stronger the blur, the smoother the tissue', () => {
    const slide = createDemoSlide({ width: 3072, height: 2304, seed: 4 });
    expect(slide.regions.map((r) => r.sigma)).toEqual([1.5, 3, 6]);
    const ratios: number[] = [];
    for (const region of slide.regions) {
      const [x0, y0, x1, y1] = region.bbox;
      const blurred = slide.render(x0, y0, x1 - x0, y1 - y0);
      const sharp = slide.renderSharp(x0, y0, x1 - x0, y1 - y0);
      // Core of the region, on tissue only (compare like with like: the same pixels in focus and not).
      const core = (x: number, y: number) =>
        defocusWeight(region, x0 + x + 0.5, y0 + y + 0.5) === 1 &&
        ((x0 + x - region.cx) / region.rx) ** 2 + ((y0 + y - region.cy) / region.ry) ** 2 < 0.7 &&
        !isGlass(sharp.data, y * sharp.width + x);
      const b = gradientEnergy(blurred, core);
      const s = gradientEnergy(sharp, core);
      expect(b.count).toBeGreaterThan(1000);
      ratios.push(b.energy / s.energy);
    }
    const [mild, moderate, severe] = ratios as [number, number, number];
    expect(mild).toBeLessThan(0.6);
    expect(moderate).toBeLessThan(mild);
    expect(severe).toBeLessThan(moderate);
    expect(severe).toBeLessThan(0.1);
  });

  it('leaves everything outside the regions (and their feather) in focus', () => {
    const slide = createDemoSlide({ width: 3072, height: 2304, seed: 4 });
    const region = slide.regions[2] as DefocusRegion;
    const [x0, y0, x1, y1] = region.bbox;
    // A band hugging the severe region's bounding box, clipped clear of the other regions.
    const clear = (x: number, y: number, w: number, h: number) =>
      slide.regions.every((r) => r.bbox[0] >= x + w || r.bbox[2] <= x || r.bbox[1] >= y + h || r.bbox[3] <= y);
    const candidates: [number, number, number, number][] = [
      [x1, y0, 64, y1 - y0],
      [x0 - 64, y0, 64, y1 - y0],
      [x0, y1, x1 - x0, 64],
      [x0, y0 - 64, x1 - x0, 64],
    ];
    const band = candidates.find(([x, y, w, h]) => x >= 0 && y >= 0 && x + w <= 3072 && y + h <= 2304 && clear(x, y, w, h));
    expect(band).toBeDefined();
    const [x, y, w, h] = band as [number, number, number, number];
    expect(sha(slide.render(x, y, w, h))).toBe(sha(slide.renderSharp(x, y, w, h)));
    // …while the region itself does change.
    expect(sha(slide.render(x0, y0, x1 - x0, y1 - y0))).not.toBe(sha(slide.renderSharp(x0, y0, x1 - x0, y1 - y0)));
  });

  it('bounds each region: its blur weight is zero on and beyond the bounding box', () => {
    for (const seed of [1, 2, 3]) {
      for (const r of planSlide({ width: 3072, height: 2304, seed }).regions) {
        const [x0, y0, x1, y1] = r.bbox;
        for (let x = x0 - 1; x <= x1; x++) {
          expect(defocusWeight(r, x + 0.5, y0 - 0.5)).toBe(0);
          expect(defocusWeight(r, x + 0.5, y1 + 0.5)).toBe(0);
        }
        for (let y = y0 - 1; y <= y1; y++) {
          expect(defocusWeight(r, x0 - 0.5, y + 0.5)).toBe(0);
          expect(defocusWeight(r, x1 + 0.5, y + 0.5)).toBe(0);
        }
        expect(defocusWeight(r, r.cx, r.cy)).toBe(1);
      }
    }
  });

  it('places the defocused regions on tissue, inside the slide and apart', () => {
    for (const seed of [1, 2, 3]) {
      const slide = createDemoSlide({ width: 3072, height: 2304, seed });
      const regions = slide.regions;
      expect(regions).toHaveLength(3);
      for (const r of regions) {
        expect(r.bbox[0]).toBeGreaterThanOrEqual(0);
        expect(r.bbox[1]).toBeGreaterThanOrEqual(0);
        expect(r.bbox[2]).toBeLessThanOrEqual(3072);
        expect(r.bbox[3]).toBeLessThanOrEqual(2304);
        const image = slide.renderSharp(r.cx - r.rx, r.cy - r.ry, 2 * r.rx, 2 * r.ry);
        let tissue = 0;
        let total = 0;
        for (let y = r.cy - r.ry; y < r.cy + r.ry; y += 4) {
          for (let x = r.cx - r.rx; x < r.cx + r.rx; x += 4) {
            if (((x - r.cx) / r.rx) ** 2 + ((y - r.cy) / r.ry) ** 2 > 1) continue;
            total++;
            if (!isGlass(image.data, (y - r.cy + r.ry) * image.width + (x - r.cx + r.rx))) tissue++;
          }
        }
        expect(tissue / total, `seed ${seed} region ${r.label}`).toBeGreaterThan(0.5);
      }
      for (let i = 0; i < regions.length; i++) {
        for (let j = i + 1; j < regions.length; j++) {
          const a = regions[i] as DefocusRegion;
          const b = regions[j] as DefocusRegion;
          const apart = a.bbox[2] <= b.bbox[0] || b.bbox[2] <= a.bbox[0] || a.bbox[3] <= b.bbox[1] || b.bbox[3] <= a.bbox[1];
          expect(apart, `seed ${seed}: ${a.label} and ${b.label} overlap`).toBe(true);
        }
      }
    }
  });

  it('has sharp nuclear edges at full resolution', () => {
    // The darkest pixels are nuclei; next to each, within two pixels, there must be a much lighter one.
    const slide = createDemoSlide({ width: 2048, height: 1536, seed: 1 });
    const region = slide.regions[0] as DefocusRegion;
    // Somewhere in focus: the middle of the slide's left half, away from the regions.
    let x0 = 256;
    const y0 = 600;
    if (Math.abs(region.cx - x0) < region.rx + 300) x0 = 1400;
    const image = slide.render(x0, y0, 300, 300);
    let dark = 0;
    let sharpEdges = 0;
    for (let y = 2; y < 298; y++) {
      for (let x = 2; x < 298; x++) {
        const v = luma(image, y * 300 + x);
        if (v > 110) continue;
        dark++;
        let maxNear = 0;
        for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) maxNear = Math.max(maxNear, luma(image, (y + dy) * 300 + x + dx));
        if (maxNear - v > 50) sharpEdges++;
      }
    }
    expect(dark).toBeGreaterThan(200);
    expect(sharpEdges / dark).toBeGreaterThan(0.3);
  });

  it('rejects impossible sizes', () => {
    expect(() => planSlide({ width: 10, height: 100 })).toThrow(/at least 64/);
    expect(() => planSlide({ width: 100.5, height: 100 })).toThrow(/whole pixels/);
  });
});

describe('deterministic maths', () => {
  it('agrees with Math.exp / sin / cos to near double precision', () => {
    for (const x of [-20, -3.3, -1, -0.01, 0, 0.5, 2, 7.7]) expect(Math.abs(detExp(x) / Math.exp(x) - 1)).toBeLessThan(1e-11);
    for (const x of [-10, -3.1, -1.2, 0, 0.3, 1.5707963, 2.5, 3.2, 6.2, 40]) {
      expect(detSin(x)).toBeCloseTo(Math.sin(x), 12);
      expect(detCos(x)).toBeCloseTo(Math.cos(x), 12);
    }
  });
});
