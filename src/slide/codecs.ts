import type { RGBAImage } from './types.ts';

/**
 * Image codecs a slide reader needs from its environment: the browser workers use the native decoders
 * (ImageDecoder / createImageBitmap), the Node CLI uses JavaScript ones. JPEG 2000 is WASM OpenJPEG in both.
 */
export interface Codecs {
  /** Decodes a complete JPEG stream (tables already spliced, colour transform already marked). */
  jpeg(stream: Uint8Array, signal?: AbortSignal): Promise<RGBAImage>;
  /** Decodes a JPEG 2000 codestream; `ycbcr` asks for YCbCr → RGB conversion (Aperio 33003). */
  jp2k(codestream: Uint8Array, ycbcr: boolean, signal?: AbortSignal): Promise<RGBAImage>;
  /** Decodes a whole PNG, JPEG, WebP, GIF or BMP file. */
  image(file: Uint8Array, signal?: AbortSignal): Promise<RGBAImage>;
}

export function blankImage(width: number, height: number, value = 255): RGBAImage {
  const data = new Uint8ClampedArray(width * height * 4);
  data.fill(value);
  return { width, height, data };
}
