// Slide-wide plan drawn from the seed: where the tissue pieces, the defocused regions and the pen mark go.
// Everything at pixel level is then a function of (x, y) and this plan, so any tile can be rendered alone.
import { DEG, detCos, detSin } from './det-math.ts';
import { Rng, hash2 } from './hash.ts';
import { fatness, tissueDistance } from './tissue-field.ts';

export interface DemoSlideOptions {
  /** Level-0 size in pixels (default 8192 × 6144). */
  width?: number;
  height?: number;
  seed?: number;
  /** Defocus strengths (Gaussian σ in level-0 pixels), one region each; default mild 1.5, moderate 3, severe 6. */
  defocus?: readonly DefocusSpec[];
}

export interface DefocusSpec {
  label: string;
  sigma: number;
}

/** A rotated ellipse: unit major-axis direction (ux, uy). */
export interface Ellipse {
  cx: number;
  cy: number;
  rx: number;
  ry: number;
  ux: number;
  uy: number;
}

/**
 * A defocused region: Gaussian blur of `sigma` px (level 0) everywhere inside the axis-aligned ellipse, fading
 * linearly to none over `feather` px outside it.
 */
export interface DefocusRegion {
  id: number;
  label: string;
  sigma: number;
  cx: number;
  cy: number;
  rx: number;
  ry: number;
  feather: number;
  /** Bounds of everything the region affects: [x0, y0, x1, y1), level-0 px. */
  bbox: [number, number, number, number];
}

/** A marker-pen stroke: an arc of an ellipse, open where the direction from the centre points along `gap`. */
export interface PenMark extends Ellipse {
  halfWidth: number;
  gapX: number;
  gapY: number;
}

export interface SlideLayout {
  width: number;
  height: number;
  seed: number;
  /** Size relative to the default slide: the outline's noise scales with it so big slides keep its shape. */
  outlineScale: number;
  blobs: Ellipse[];
  regions: DefocusRegion[];
  pen?: PenMark;
}

export const DEFAULT_WIDTH = 8192;
export const DEFAULT_HEIGHT = 6144;
export const DEFAULT_SEED = 1;
export const DEFAULT_DEFOCUS: readonly DefocusSpec[] = [
  { label: 'mild', sigma: 1.5 },
  { label: 'moderate', sigma: 3 },
  { label: 'severe', sigma: 6 },
];

function direction(rng: Rng): { ux: number; uy: number } {
  const a = rng.uniform(0, 360) * DEG;
  return { ux: detCos(a), uy: detSin(a) };
}

export function planSlide(options: DemoSlideOptions = {}): SlideLayout {
  const width = options.width ?? DEFAULT_WIDTH;
  const height = options.height ?? DEFAULT_HEIGHT;
  const seed = (options.seed ?? DEFAULT_SEED) >>> 0;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width >= 64 && height >= 64)) {
    throw new Error(`slide size must be whole pixels, at least 64 × 64 (got ${width} × ${height}).`);
  }
  const rng = new Rng(hash2(seed, 0x51de, 7));
  const size = Math.min(width, height);

  // One large piece of tissue and a few smaller fragments, kept off the slide edges.
  const blobs: Ellipse[] = [];
  const main = {
    cx: width * rng.uniform(0.42, 0.52),
    cy: height * rng.uniform(0.45, 0.55),
    rx: width * rng.uniform(0.3, 0.36),
    ry: height * rng.uniform(0.3, 0.36),
    ...direction(rng),
  };
  blobs.push(main);
  const fragments = 2 + rng.int(2);
  for (let i = 0; i < fragments; i++) {
    const r = size * rng.uniform(0.07, 0.13);
    blobs.push({
      cx: width * (i % 2 === 0 ? rng.uniform(0.82, 0.88) : rng.uniform(0.12, 0.2)),
      cy: height * rng.uniform(0.18, 0.82),
      rx: r,
      ry: r * rng.uniform(0.6, 1),
      ...direction(rng),
    });
  }
  const layout: SlideLayout = { width, height, seed, outlineScale: size / Math.min(DEFAULT_WIDTH, DEFAULT_HEIGHT), blobs, regions: [] };
  layout.regions = placeDefocus(layout, options.defocus ?? DEFAULT_DEFOCUS, rng);
  layout.pen = placePen(layout, rng);
  return layout;
}

/** Puts each defocused region where it covers solid tissue (not glass or fat), apart from the others. */
function placeDefocus(layout: SlideLayout, specs: readonly DefocusSpec[], rng: Rng): DefocusRegion[] {
  const { width, height } = layout;
  const size = Math.min(width, height);
  const regions: DefocusRegion[] = [];
  const step = Math.max(16, Math.floor(size / 40));
  // How good a point is to blur: 0 on glass, 1 on fat (mostly empty), 2 on other tissue.
  const solidity = new Map<string, number>();
  const solid = (x: number, y: number) => {
    const key = `${x},${y}`;
    let v = solidity.get(key);
    if (v === undefined) {
      v = tissueDistance(layout, x, y) <= 0 ? 0 : fatness(layout, x, y) > -0.08 ? 1 : 2;
      solidity.set(key, v);
    }
    return v;
  };
  specs.forEach((spec, id) => {
    const rx = Math.round(size * rng.uniform(0.07, 0.095));
    const ry = Math.round(rx * rng.uniform(0.65, 0.95));
    const feather = Math.round(Math.max(16, rx * 0.15));
    const reach = Math.ceil(3 * spec.sigma) + feather;
    let best: { x: number; y: number; score: number } | undefined;
    for (let y = step / 2; y < height; y += step) {
      for (let x = step / 2; x < width; x += step) {
        const grow = 1 + feather / Math.min(rx, ry);
        const sx = rx * grow + reach - feather;
        const sy = ry * grow + reach - feather;
        if (x - sx < 0 || y - sy < 0 || x + sx > width || y + sy > height) continue;
        const apart = regions.every(
          (r) =>
            x + sx + 8 < r.bbox[0] - 3 * r.sigma || x - sx - 8 > r.bbox[2] + 3 * r.sigma || y + sy + 8 < r.bbox[1] - 3 * r.sigma || y - sy - 8 > r.bbox[3] + 3 * r.sigma,
        );
        if (!apart) continue;
        // A 5×5 pattern across the ellipse, snapped to the candidate grid so values are shared.
        let score = 0;
        for (let j = -2; j <= 2; j++) {
          for (let i = -2; i <= 2; i++) {
            const sx = x + Math.round((i * rx * 0.4) / step) * step;
            const sy = y + Math.round((j * ry * 0.4) / step) * step;
            score += solid(sx, sy);
          }
        }
        score += rng.uniform(0, 3);
        if (!best || score > best.score) best = { x, y, score };
      }
    }
    const at = best ?? { x: width * (0.25 + 0.25 * id), y: height / 2 };
    const cx = Math.round(at.x);
    const cy = Math.round(at.y);
    // The feather is measured in units of the minor radius, so it reaches further along the major axis.
    const spanX = Math.ceil(rx * (1 + feather / Math.min(rx, ry)));
    const spanY = Math.ceil(ry * (1 + feather / Math.min(rx, ry)));
    regions.push({
      id,
      label: spec.label,
      sigma: spec.sigma,
      cx,
      cy,
      rx,
      ry,
      feather,
      bbox: [Math.max(0, cx - spanX), Math.max(0, cy - spanY), Math.min(width, cx + spanX), Math.min(height, cy + spanY)],
    });
  });
  return regions;
}

/** A ring drawn around the main piece, partly over glass like a pathologist's circle. */
function placePen(layout: SlideLayout, rng: Rng): PenMark | undefined {
  const main = layout.blobs[0];
  if (!main) return undefined;
  const size = Math.min(layout.width, layout.height);
  const halfWidth = Math.max(4, Math.round(size * 0.008));
  const gap = direction(rng);
  return {
    cx: main.cx + main.rx * 0.55 * gap.ux,
    cy: main.cy + main.ry * 0.55 * gap.uy,
    rx: size * 0.16,
    ry: size * 0.13,
    ux: 1,
    uy: 0,
    halfWidth,
    gapX: -gap.ux,
    gapY: -gap.uy,
  };
}

/** Blur weight of a region at a point: 1 inside the ellipse, fading to 0 over `feather` px outside. */
export function defocusWeight(region: DefocusRegion, x: number, y: number): number {
  const dx = (x - region.cx) / region.rx;
  const dy = (y - region.cy) / region.ry;
  const rho = Math.sqrt(dx * dx + dy * dy);
  if (rho <= 1) return 1;
  const outside = (rho - 1) * Math.min(region.rx, region.ry);
  return outside >= region.feather ? 0 : 1 - outside / region.feather;
}
