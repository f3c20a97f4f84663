import { blankImage } from './codecs.ts';
import { LIMITS } from './limits.ts';
import { SlideError, type RegionOptions, type RGBAImage, type SlideInfo, type SlideSource } from './types.ts';

/**
 * Copies the overlap of `src` (placed at srcX, srcY in the destination's coordinates) into `dst`, using at most
 * `useWidth`×`useHeight` of src (edge tiles carry padding past the image border that must not show).
 */
export function blit(dst: RGBAImage, src: RGBAImage, srcX: number, srcY: number, useWidth = src.width, useHeight = src.height): void {
  const area = blitArea(dst, src, srcX, srcY, useWidth, useHeight);
  if (!area) return;
  const { x0, y0, x1, y1 } = area;
  const rowBytes = (x1 - x0) * 4;
  for (let y = y0; y < y1; y++) {
    const from = ((y - srcY) * src.width + (x0 - srcX)) * 4;
    dst.data.set(src.data.subarray(from, from + rowBytes), (y * dst.width + x0) * 4);
  }
}

/**
 * The part of `dst` that blit(dst, src, srcX, srcY, useWidth, useHeight) writes, [x0, x1) × [y0, y1) in dst's pixels;
 * undefined when none. Shared by every tile that writes itself into a region (ComposableTile).
 */
export function blitArea(dst: { width: number; height: number }, src: { width: number; height: number }, srcX: number, srcY: number, useWidth: number, useHeight: number): { x0: number; y0: number; x1: number; y1: number } | undefined {
  const x0 = Math.max(0, srcX);
  const y0 = Math.max(0, srcY);
  const x1 = Math.min(dst.width, srcX + Math.min(src.width, useWidth));
  const y1 = Math.min(dst.height, srcY + Math.min(src.height, useHeight));
  return x1 <= x0 || y1 <= y0 ? undefined : { x0, y0, x1, y1 };
}

/** Area-average resampling (exact box filter for integer factors), good for downsampling slide pixels. */
export function resizeArea(src: RGBAImage, width: number, height: number): RGBAImage {
  if (src.width === width && src.height === height) return src;
  const out = blankImage(width, height, 0);
  // Which source columns (rows) each output column (row) covers, and with what weights, worked out once instead of
  // per pixel: the same products summed in the same order as a direct loop, so the same bytes, several times faster.
  const cols = areaSpans(width, src.width);
  const rows = areaSpans(height, src.height);
  const data = src.data;
  const stride = src.width * 4;
  const o = out.data;
  for (let y = 0, at = 0; y < height; y++) {
    const r0 = rows.start[y]!;
    const rn = rows.count[y]!;
    const rw = rows.first[y]!;
    for (let x = 0; x < width; x++, at += 4) {
      const c0 = cols.start[x]!;
      const cn = cols.count[x]!;
      const cw = cols.first[x]!;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let weight = 0;
      for (let j = 0; j < rn; j++) {
        const wy = rows.weight[rw + j]!;
        let i = (r0 + j) * stride + c0 * 4;
        for (let k = 0; k < cn; k++, i += 4) {
          const w = wy * cols.weight[cw + k]!;
          a0 += data[i]! * w;
          a1 += data[i + 1]! * w;
          a2 += data[i + 2]! * w;
          a3 += data[i + 3]! * w;
          weight += w;
        }
      }
      const d = weight || 1;
      o[at] = Math.round(a0 / d);
      o[at + 1] = Math.round(a1 / d);
      o[at + 2] = Math.round(a2 / d);
      o[at + 3] = Math.round(a3 / d);
    }
  }
  return out;
}

/** For `n` output pixels over `size` source pixels: the source pixels each covers and the fraction of each covered. */
function areaSpans(n: number, size: number): { start: Int32Array; count: Int32Array; first: Int32Array; weight: Float64Array } {
  const scale = size / n;
  const start = new Int32Array(n);
  const count = new Int32Array(n);
  const first = new Int32Array(n);
  const weights: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = i * scale;
    const b = Math.min(size, (i + 1) * scale);
    start[i] = Math.floor(a);
    count[i] = Math.ceil(b) - Math.floor(a);
    first[i] = weights.length;
    for (let p = Math.floor(a); p < Math.ceil(b); p++) weights.push(Math.min(b, p + 1) - Math.max(a, p));
  }
  return { start, count, first, weight: Float64Array.from(weights) };
}

/** The level to read for a given downsample: the smallest level that still has at least that resolution. */
export function bestLevelFor(info: SlideInfo, downsample: number): number {
  let best = 0;
  info.levels.forEach((level, i) => {
    if (level.downsample <= downsample * 1.001) best = i;
  });
  return best;
}

/**
 * Pixels of a level-0 rectangle rendered at `outWidth`×`outHeight`, read from the best level and resampled.
 * This is how views at any zoom, thumbnails and single-level images' missing levels are made.
 */
export async function readScaledRegion(
  slide: SlideSource,
  x0: number,
  y0: number,
  w0: number,
  h0: number,
  outWidth: number,
  outHeight: number,
  signal?: AbortSignal,
  { gray, into }: Pick<RegionOptions, 'gray' | 'into'> = {},
): Promise<RGBAImage> {
  const downsample = Math.max(w0 / outWidth, h0 / outHeight);
  const level = bestLevelFor(slide.info, downsample);
  const d = slide.info.levels[level]?.downsample ?? 1;
  const lx = Math.floor(x0 / d);
  const ly = Math.floor(y0 / d);
  const lw = Math.max(1, Math.round((x0 + w0) / d) - lx);
  const lh = Math.max(1, Math.round((y0 + h0) / d) - ly);
  if (lw * lh > MAX_REGION_PIXELS && outWidth > 1 && outHeight > 1) {
    // No level close enough (single-level images zoomed out): build the view in quadrants to bound memory.
    const out = blankImage(outWidth, outHeight);
    const halfW = outWidth >> 1;
    const halfH = outHeight >> 1;
    const sx = w0 / outWidth;
    const sy = h0 / outHeight;
    for (const [ox, oy, ow, oh] of [[0, 0, halfW, halfH], [halfW, 0, outWidth - halfW, halfH], [0, halfH, halfW, outHeight - halfH], [halfW, halfH, outWidth - halfW, outHeight - halfH]] as const) {
      const part = await readScaledRegion(slide, x0 + ox * sx, y0 + oy * sy, ow * sx, oh * sy, ow, oh, signal, { gray });
      blit(out, part, ox, oy);
    }
    return out;
  }
  // `into` is used when the level's pixels are the output (a resampled one is new memory).
  const direct = lw === outWidth && lh === outHeight;
  const region = await slide.readRegion(level, lx, ly, lw, lh, signal, { ...(gray ? { gray } : {}), ...(direct && into ? { into } : {}) });
  return resizeArea(region, outWidth, outHeight);
}

/** Largest region decoded at once when resampling (16 megapixels, 64 MB of RGBA). */
const MAX_REGION_PIXELS = 16 * 1024 * 1024;

/** Regions are whole pixels and bounded: a caller's arithmetic slip must not become a multi-gigabyte allocation. */
export function checkRegion(name: string, x: number, y: number, width: number, height: number): void {
  if (![x, y, width, height].every(Number.isSafeInteger) || width < 1 || height < 1) {
    throw new SlideError(`${name}: invalid region ${width}×${height} at (${x}, ${y}): whole pixels and a positive size are needed.`);
  }
  if (width * height > LIMITS.maxRegionPixels) {
    throw new SlideError(`${name}: a region of ${width}×${height} pixels is more than the ${LIMITS.maxRegionPixels / 2 ** 20} megapixels read at once.`);
  }
}
