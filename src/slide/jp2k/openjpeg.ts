import { SlideError, type RGBAImage } from '../types.ts';

// The part of @cornerstonejs/codec-openjpeg we use. Its decode() never throws: failures only show up as
// "[ERROR]" lines printed by OpenJPEG, so we capture print/printErr and check them after every decode.
export interface J2KDecoderInstance {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getFrameInfo(): { width: number; height: number; bitsPerSample: number; componentCount: number; isSigned: boolean };
  getDecodedBuffer(): Uint8Array;
  delete(): void;
}
export interface OpenJpegModule {
  J2KDecoder: new () => J2KDecoderInstance;
}
export interface OpenJpegOptions {
  print: (text: string) => void;
  printErr: (text: string) => void;
  locateFile?: (path: string) => string;
}
export type OpenJpegFactory = (options: OpenJpegOptions) => Promise<OpenJpegModule>;

/** Makes a JPEG 2000 codestream decoder around one lazily created WASM module instance. */
export function createJ2kDecoder(factory: OpenJpegFactory, locateFile?: (path: string) => string) {
  const messages: string[] = [];
  const capture = (text: string) => messages.push(String(text));
  let module: Promise<OpenJpegModule> | undefined;

  return async function decodeJ2k(codestream: Uint8Array, ycbcr: boolean): Promise<RGBAImage> {
    module ??= factory({ print: capture, printErr: capture, ...(locateFile ? { locateFile } : {}) });
    const codec = await module;
    let decoder: J2KDecoderInstance | undefined;
    try {
      decoder = new codec.J2KDecoder();
      messages.length = 0;
      decoder.getEncodedBuffer(codestream.length).set(codestream);
      decoder.decode();
      const error = messages.find((m) => m.includes('[ERROR]'));
      if (error) throw new SlideError(`JPEG 2000 tile failed to decode: ${error.replace('[ERROR]', '').trim()}`);
      const info = decoder.getFrameInfo();
      if (info.bitsPerSample !== 8 || (info.componentCount !== 3 && info.componentCount !== 1)) {
        throw new SlideError(`unsupported JPEG 2000 tile: ${info.componentCount} components of ${info.bitsPerSample} bits.`);
      }
      const pixels = decoder.getDecodedBuffer();
      const count = info.width * info.height;
      if (pixels.length < count * info.componentCount) throw new SlideError('JPEG 2000 tile failed to decode: short output.');
      const data = new Uint8ClampedArray(count * 4);
      if (info.componentCount === 1) {
        for (let i = 0; i < count; i++) {
          const v = pixels[i] ?? 0;
          data[i * 4] = v; data[i * 4 + 1] = v; data[i * 4 + 2] = v; data[i * 4 + 3] = 255;
        }
      } else if (ycbcr) {
        ycbcrToRgba(pixels, data, count);
      } else {
        for (let i = 0; i < count; i++) {
          data[i * 4] = pixels[i * 3] ?? 0;
          data[i * 4 + 1] = pixels[i * 3 + 1] ?? 0;
          data[i * 4 + 2] = pixels[i * 3 + 2] ?? 0;
          data[i * 4 + 3] = 255;
        }
      }
      return { width: info.width, height: info.height, data };
    } catch (err) {
      if (err instanceof SlideError) throw err;
      // A WASM trap ("unreachable", out-of-bounds access) or a C++ exception (thrown as a bare number) leaves the
      // instance's memory in an unknown state: drop it, so the next tile gets a fresh one.
      module = undefined;
      const what = err instanceof Error ? `${err.name}: ${err.message}` : `C++ exception ${String(err)}`;
      throw new SlideError(`JPEG 2000 tile failed to decode: the decoder aborted (${what}).`);
    } finally {
      try {
        decoder?.delete();
      } catch {
        module = undefined; // the instance is broken; the error that matters was already thrown
      }
    }
  };
}

/**
 * Size of the image a JPEG 2000 codestream declares (SIZ marker), checked before decoding so a corrupt header
 * cannot make the decoder allocate gigabytes. JP2-boxed streams are searched for their codestream.
 */
export function j2kFrameInfo(stream: Uint8Array): { width: number; height: number; components: number } {
  let at = 0;
  const limit = Math.min(stream.length - 4, 4096);
  while (at < limit && !(stream[at] === 0xff && stream[at + 1] === 0x4f && stream[at + 2] === 0xff && stream[at + 3] === 0x51)) at++;
  if (at >= limit || stream.length < at + 42) throw new SlideError('corrupt JPEG 2000 tile: no codestream header (SOC and SIZ markers).');
  const v = new DataView(stream.buffer, stream.byteOffset + at, 42);
  const width = v.getUint32(8) - v.getUint32(16);
  const height = v.getUint32(12) - v.getUint32(20);
  return { width, height, components: v.getUint16(40) };
}

/** ITU-R BT.601 full-range YCbCr → RGB, as OpenSlide does for Aperio 33003. */
export function ycbcrToRgba(src: ArrayLike<number>, dst: Uint8ClampedArray, count: number): void {
  for (let i = 0; i < count; i++) {
    const y = src[i * 3] ?? 0;
    const cb = (src[i * 3 + 1] ?? 128) - 128;
    const cr = (src[i * 3 + 2] ?? 128) - 128;
    dst[i * 4] = y + 1.402 * cr;
    dst[i * 4 + 1] = y - 0.344136 * cb - 0.714136 * cr;
    dst[i * 4 + 2] = y + 1.772 * cb;
    dst[i * 4 + 3] = 255;
  }
}
