// The procedural H&E demo slide: a deterministic function from (seed, x, y) to RGB, rendered a rectangle at a
// time so slides of any size stream through the TIFF writer without ever existing whole in memory.
import type { RGBAImage } from '../../slide/types.ts';
import { blurRect, gaussianKernel } from './blur.ts';
import { defocusWeight, planSlide, type DefocusRegion, type DemoSlideOptions, type SlideLayout } from './layout.ts';
import { createPaintContext, paintRect, renderSharp, type PaintContext } from './paint.ts';

export interface DemoSlide {
  readonly width: number;
  readonly height: number;
  readonly seed: number;
  readonly layout: SlideLayout;
  readonly regions: readonly DefocusRegion[];
  /** Pixels of a rectangle of level 0, with the defocused regions blurred. */
  render(x: number, y: number, width: number, height: number): RGBAImage;
  /** The same rectangle entirely in focus. */
  renderSharp(x: number, y: number, width: number, height: number): RGBAImage;
  /** Full-width rows [y, y + height) (the TIFF writer's row source). */
  readRows(y: number, height: number): RGBAImage;
}

/** Widest rectangle painted in one go: bounds the working set (and keeps it in cache). */
const CHUNK = 1024;

export function createDemoSlide(options: DemoSlideOptions = {}): DemoSlide {
  const layout = planSlide(options);
  const ctx = createPaintContext(layout);
  const kernels = new Map<number, Float64Array>();
  const kernel = (sigma: number) => {
    let k = kernels.get(sigma);
    if (!k) kernels.set(sigma, (k = gaussianKernel(sigma)));
    return k;
  };
  const render = (x: number, y: number, width: number, height: number): RGBAImage => {
    const out = new Uint8ClampedArray(width * height * 4);
    for (let cx = 0; cx < width; cx += CHUNK) renderChunk(ctx, kernel, x + cx, y, Math.min(CHUNK, width - cx), height, out, width, cx);
    return { width, height, data: out };
  };
  return {
    width: layout.width,
    height: layout.height,
    seed: layout.seed,
    layout,
    regions: layout.regions,
    render,
    renderSharp: (x, y, width, height) => renderSharp(ctx, x, y, width, height),
    readRows: (y, height) => render(0, y, layout.width, height),
  };
}

/** Renders (x, y, w, h) into `dest` (destWidth pixels wide) at column destX, blurring the defocused regions. */
function renderChunk(
  ctx: PaintContext,
  kernel: (sigma: number) => Float64Array,
  x: number,
  y: number,
  w: number,
  h: number,
  dest: Uint8ClampedArray,
  destWidth: number,
  destX: number,
): void {
  const hits = ctx.layout.regions.filter((r) => {
    const [bx0, by0, bx1, by1] = r.bbox;
    return bx0 < x + w && bx1 > x && by0 < y + h && by1 > y;
  });
  // Blurring needs the sharp picture a kernel radius beyond the rectangle.
  const halo = hits.length ? Math.max(...hits.map((r) => Math.ceil(3 * r.sigma))) : 0;
  const sw = w + 2 * halo;
  const sharp = paintRect(ctx, x - halo, y - halo, sw, h + 2 * halo);
  for (let r = 0; r < h; r++) {
    dest.set(sharp.subarray(((r + halo) * sw + halo) * 4, ((r + halo) * sw + halo + w) * 4), (r * destWidth + destX) * 4);
  }
  for (const region of hits) {
    const [bx0, by0, bx1, by1] = region.bbox;
    const ix0 = Math.max(x, bx0);
    const iy0 = Math.max(y, by0);
    const ix1 = Math.min(x + w, bx1);
    const iy1 = Math.min(y + h, by1);
    const rw = ix1 - ix0;
    const rh = iy1 - iy0;
    const weights = new Float32Array(rw * rh);
    for (let r = 0; r < rh; r++) for (let c = 0; c < rw; c++) weights[r * rw + c] = defocusWeight(region, ix0 + c + 0.5, iy0 + r + 0.5);
    const blurred = blurRect(sharp, sw, ix0 - x + halo, iy0 - y + halo, rw, rh, kernel(region.sigma), weights);
    for (let r = 0; r < rh; r++) {
      for (let c = 0; c < rw; c++) {
        const weight = weights[r * rw + c]!;
        if (weight === 0) continue;
        const o = ((iy0 - y + r) * destWidth + destX + (ix0 - x + c)) * 4;
        const b = (r * rw + c) * 3;
        for (let k = 0; k < 3; k++) {
          const s = dest[o + k]!;
          dest[o + k] = s + (blurred[b + k]! - s) * weight;
        }
      }
    }
  }
}
