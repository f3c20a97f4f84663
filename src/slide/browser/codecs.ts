// Codecs for browser workers: the browser's own JPEG decoder (createImageBitmap) and WASM OpenJPEG served from our
// own origin. Runs inside Web Workers only, never on the main thread.
import openJpegFactory from '@cornerstonejs/codec-openjpeg/decodewasmjs';
import openJpegWasmUrl from '@cornerstonejs/codec-openjpeg/decodewasm?url';
import type { Codecs } from '../codecs.ts';
import { createJ2kDecoder, type OpenJpegFactory } from '../jp2k/openjpeg.ts';
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

export function bitmapToRgba(bitmap: ImageBitmap): RGBAImage {
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new SlideError('no 2D canvas available in this worker');
  ctx.drawImage(bitmap, 0, 0);
  const { data } = ctx.getImageData(0, 0, bitmap.width, bitmap.height, { colorSpace: 'srgb' });
  return { width: bitmap.width, height: bitmap.height, data };
}

/**
 * createImageBitmap decodes with the browser's libjpeg-turbo straight to RGB: pixel for pixel what the CLI gets
 * (libjpeg-turbo via sharp), so the viewer and `focuslite` give the same scores. WebCodecs' ImageDecoder is faster,
 * but its I420 frames converted with VideoFrame.copyTo({format: 'RGBA'}) differ by up to 14 grey levels (mean 0.8),
 * enough to move a patch score by 0.2; decoding is not what bounds a scan, so exactness wins.
 */
async function decodeNative(bytes: Uint8Array, type: string, what: string): Promise<RGBAImage> {
  try {
    return await decodeWithBitmap(bytes, type);
  } catch (err) {
    throw new SlideError(`${what} failed to decode${err instanceof Error && err.message ? `: ${err.message}` : ''}`);
  }
}

function sniffType(bytes: Uint8Array): string {
  if (bytes[0] === 0x89 && bytes[1] === 0x50) return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'image/jpeg';
  if (bytes[0] === 0x47 && bytes[1] === 0x49) return 'image/gif';
  if (bytes[0] === 0x42 && bytes[1] === 0x4d) return 'image/bmp';
  return 'image/webp';
}

export const browserCodecs: Codecs = {
  jpeg: (stream) => decodeNative(stream, 'image/jpeg', 'JPEG tile'),
  jp2k: createJ2kDecoder(openJpegFactory as unknown as OpenJpegFactory, () => openJpegWasmUrl),
  image: (file) => decodeNative(file, sniffType(file), 'image'),
};
