import { blankImage } from './codecs.ts';
import { LIMITS } from './limits.ts';
import { SlideError, type RGBAImage, type SlideInfo, type SlideSource } from './types.ts';

/**
 * Copies the overlap of `src` (placed at srcX, srcY in the destination's coordinates) into `dst`, using at most
 * `useWidth`×`useHeight` of src (edge tiles carry padding past the image border that must not show).
 */
export function blit(dst: RGBAImage, src: RGBAImage, srcX: number, srcY: number, useWidth = src.width, useHeight = src.height): void {
  const x0 = Math.max(0, srcX);
  const y0 = Math.max(0, srcY);
  const x1 = Math.min(dst.width, srcX + Math.min(src.width, useWidth));
  const y1 = Math.min(dst.height, srcY + Math.min(src.height, useHeight));
  if (x1 <= x0 || y1 <= y0) return;
  const rowBytes = (x1 - x0) * 4;
  for (let y = y0; y < y1; y++) {
    const from = ((y - srcY) * src.width + (x0 - srcX)) * 4;
    dst.data.set(src.data.subarray(from, from + rowBytes), (y * dst.width + x0) * 4);
  }
}

/** Area-average resampling (exact box filter for integer factors), good for downsampling slide pixels. */
export function resizeArea(src: RGBAImage, width: number, height: number): RGBAImage {
  if (src.width === width && src.height === height) return src;
  const out = blankImage(width, height, 0);
  const sx = src.width / width;
  const sy = src.height / height;
  const acc = new Float64Array(4);
  for (let y = 0; y < height; y++) {
    const ya = y * sy;
    const yb = Math.min(src.height, (y + 1) * sy);
    for (let x = 0; x < width; x++) {
      const xa = x * sx;
      const xb = Math.min(src.width, (x + 1) * sx);
      acc.fill(0);
      let weight = 0;
      for (let yy = Math.floor(ya); yy < Math.ceil(yb); yy++) {
        const wy = Math.min(yb, yy + 1) - Math.max(ya, yy);
        for (let xx = Math.floor(xa); xx < Math.ceil(xb); xx++) {
          const w = wy * (Math.min(xb, xx + 1) - Math.max(xa, xx));
          const i = (yy * src.width + xx) * 4;
          acc[0]! += (src.data[i] ?? 0) * w;
          acc[1]! += (src.data[i + 1] ?? 0) * w;
          acc[2]! += (src.data[i + 2] ?? 0) * w;
          acc[3]! += (src.data[i + 3] ?? 0) * w;
          weight += w;
        }
      }
      const o = (y * width + x) * 4;
      for (let c = 0; c < 4; c++) out.data[o + c] = Math.round((acc[c] ?? 0) / (weight || 1));
    }
  }
  return out;
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
      const part = await readScaledRegion(slide, x0 + ox * sx, y0 + oy * sy, ow * sx, oh * sy, ow, oh, signal);
      blit(out, part, ox, oy);
    }
    return out;
  }
  const region = await slide.readRegion(level, lx, ly, lw, lh, signal);
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
