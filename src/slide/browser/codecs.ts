// Codecs for browser workers: the browser's own JPEG decoder (createImageBitmap) and WASM OpenJPEG served from our
// own origin. Runs inside Web Workers only, never on the main thread.
import openJpegFactory from '@cornerstonejs/codec-openjpeg/decodewasmjs';
import openJpegWasmUrl from '@cornerstonejs/codec-openjpeg/decodewasm?url';
import type { Codecs } from '../codecs.ts';
import { createJ2kDecoder, type OpenJpegFactory } from '../jp2k/openjpeg.ts';
import { createYccConverter, type YccConverter } from '../jpeg/ycc-simd.ts';
import { canConvert420 } from '../jpeg/ycc-to-rgba.ts';
import { SlideError, type RGBAImage } from '../types.ts';

async function decodeWithBitmap(bytes: Uint8Array, type: string): Promise<RGBAImage> {
  const bitmap = await createImageBitmap(new Blob([bytes as BlobPart], { type }), {
    colorSpaceConversion: 'none',
    premultiplyAlpha: 'none',
  });
  try {
    return bitmapToRgba(bitmap);
  } finally {
    bitmap.close();
  }
}

// One canvas per worker for tile-sized images, reused: creating a canvas and its context per tile cost more than
// decoding the tile. Larger images (quick-check files) get a canvas of their own that is freed afterwards.
const SCRATCH_MAX_PIXELS = 1024 * 1024;
let scratch: OffscreenCanvasRenderingContext2D | undefined;

function canvasFor(width: number, height: number): OffscreenCanvasRenderingContext2D {
  const reuse = width * height <= SCRATCH_MAX_PIXELS;
  if (reuse && scratch && scratch.canvas.width >= width && scratch.canvas.height >= height) return scratch;
  const size = reuse ? Math.sqrt(SCRATCH_MAX_PIXELS) : 0;
  const canvas = new OffscreenCanvas(Math.max(width, size), Math.max(height, size));
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new SlideError('no 2D canvas available in this worker');
  // 'copy' replaces what the canvas held (alpha included) instead of compositing over the previous image.
  ctx.globalCompositeOperation = 'copy';
  if (reuse) scratch = ctx;
  return ctx;
}

export function bitmapToRgba(bitmap: ImageBitmap): RGBAImage {
  const { width, height } = bitmap;
  const ctx = canvasFor(width, height);
  ctx.drawImage(bitmap, 0, 0);
  const { data } = ctx.getImageData(0, 0, width, height, { colorSpace: 'srgb' });
  return { width, height, data };
}

/**
 * createImageBitmap decodes with the browser's libjpeg-turbo straight to RGB: pixel for pixel what the CLI gets
 * (libjpeg-turbo via sharp), so the viewer and `focuslite` give the same scores.
 */
async function decodeNative(bytes: Uint8Array, type: string, what: string): Promise<RGBAImage> {
  try {
    return await decodeWithBitmap(bytes, type);
  } catch (err) {
    throw new SlideError(`${what} failed to decode${err instanceof Error && err.message ? `: ${err.message}` : ''}`);
  }
}

/**
 * JPEG tiles through WebCodecs' ImageDecoder, about twice as fast as createImageBitmap in bench:scan: it returns
 * the decoder's Y/Cb/Cr planes, which ycc-simd.ts (WebAssembly SIMD; else ycc-to-rgba.ts) converts exactly as
 * libjpeg-turbo does (VideoFrame's own RGBA conversion differs from it by up to 14 grey levels, enough to move
 * scores); with SIMD the tile keeps the planes and is converted straight into the region it is composed into. RGB
 * frames (Aperio's RGB JPEG) are copied as they are. Anything else (4:2:2, odd sizes, no WebCodecs) goes through
 * createImageBitmap.
 */
async function decodeJpegTile(stream: Uint8Array, ycc: YccConverter): Promise<RGBAImage> {
  if (typeof ImageDecoder === 'undefined') return decodeNative(stream, 'image/jpeg', 'JPEG tile');
  let frame: VideoFrame;
  const decoder = new ImageDecoder({ data: stream, type: 'image/jpeg', colorSpaceConversion: 'none', preferAnimation: false });
  try {
    frame = (await decoder.decode()).image;
  } catch (err) {
    throw new SlideError(`JPEG tile failed to decode${err instanceof Error && err.message ? `: ${err.message}` : ''}`);
  } finally {
    decoder.close();
  }
  try {
    const converted = await framePixels(frame, ycc);
    return converted ?? (await decodeNative(stream, 'image/jpeg', 'JPEG tile'));
  } finally {
    frame.close();
  }
}

async function framePixels(frame: VideoFrame, ycc: YccConverter): Promise<RGBAImage | undefined> {
  const { codedWidth: width, codedHeight: height, format } = frame;
  if (frame.displayWidth !== width || frame.displayHeight !== height) return undefined;
  if (format === 'RGBX' || format === 'RGBA' || format === 'BGRX' || format === 'BGRA') {
    const data = new Uint8ClampedArray(width * height * 4);
    await frame.copyTo(data, { format: 'RGBA' });
    if (format.endsWith('X')) for (let i = 3; i < data.length; i += 4) data[i] = 255;
    return { width, height, data };
  }
  if ((format === 'I420' && canConvert420(width, height)) || format === 'I444') {
    const size = frame.allocationSize();
    const buffer = ycc.planeMemory?.(size) ?? new Uint8Array(size);
    const [y, cb, cr] = await frame.copyTo(buffer);
    if (!y || !cb || !cr) return undefined;
    const plane = (p: PlaneLayout) => ({ data: buffer, offset: p.offset, stride: p.stride });
    const sub = format === 'I420' ? 2 : 1;
    if (ycc.tile) return ycc.tile(buffer, [plane(y), plane(cb), plane(cr)], width, height, sub);
    return sub === 2 ? ycc.yuv420ToRgba(plane(y), plane(cb), plane(cr), width, height) : ycc.yuv444ToRgba(plane(y), plane(cb), plane(cr), width, height);
  }
  return undefined;
}

function sniffType(bytes: Uint8Array): string {
  if (bytes[0] === 0x89 && bytes[1] === 0x50) return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'image/jpeg';
  if (bytes[0] === 0x47 && bytes[1] === 0x49) return 'image/gif';
  if (bytes[0] === 0x42 && bytes[1] === 0x4d) return 'image/bmp';
  return 'image/webp';
}

/** One YCbCr converter (and its WebAssembly memory) per worker, made when the first JPEG tile needs it. */
function lazyYcc(): () => YccConverter {
  let ycc: YccConverter | undefined;
  return () => (ycc ??= createYccConverter());
}
const ycc = lazyYcc();

export const browserCodecs: Codecs = {
  jpeg: (stream) => decodeJpegTile(stream, ycc()),
  jp2k: createJ2kDecoder(openJpegFactory as unknown as OpenJpegFactory, () => openJpegWasmUrl),
  image: (file) => decodeNative(file, sniffType(file), 'image'),
};
