// Codecs for browser workers: the browser's own JPEG decoder (WebCodecs ImageDecoder, else createImageBitmap)
// and WASM OpenJPEG served from our own origin. Runs inside Web Workers only, never on the main thread.
import openJpegFactory from '@cornerstonejs/codec-openjpeg/decodewasmjs';
import openJpegWasmUrl from '@cornerstonejs/codec-openjpeg/decodewasm?url';
import type { Codecs } from '../codecs.ts';
import { createJ2kDecoder, type OpenJpegFactory } from '../jp2k/openjpeg.ts';
import { SlideError, type RGBAImage } from '../types.ts';

const hasImageDecoder = typeof ImageDecoder !== 'undefined';

async function decodeWithImageDecoder(bytes: Uint8Array, type: string): Promise<RGBAImage> {
  const decoder = new ImageDecoder({ data: bytes, type, colorSpaceConversion: 'none' });
  try {
    const { image } = await decoder.decode();
    try {
      const width = image.displayWidth;
      const height = image.displayHeight;
      const data = new Uint8ClampedArray(width * height * 4);
      // Frames arrive as I420 for YCbCr JPEGs; asking for RGBA lets the browser convert with the right matrix.
      await image.copyTo(data, { format: 'RGBA' });
      return { width, height, data };
    } finally {
      image.close();
    }
  } finally {
    decoder.close();
  }
}

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

async function decodeNative(bytes: Uint8Array, type: string, what: string): Promise<RGBAImage> {
  try {
    return hasImageDecoder && type === 'image/jpeg' ? await decodeWithImageDecoder(bytes, type) : await decodeWithBitmap(bytes, type);
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
