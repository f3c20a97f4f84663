import type { Codecs } from '../codecs.ts';
import { blankImage } from '../codecs.ts';
import { jpegFrameInfo } from '../jpeg/stream.ts';
import { LIMITS } from '../limits.ts';
import { blit, checkRegion } from '../region.ts';
import { lumaInPlace } from '../luma.ts';
import { SlideError, type ByteSource, type RegionOptions, type RGBAImage, type SlideInfo, type SlideSource } from '../types.ts';

/** Largest plain image we decode whole (PNG/JPEG have no tiles): 256 megapixels, ~1 GB of RGBA. */
export const MAX_IMAGE_PIXELS = LIMITS.maxImagePixels;

const SIGNATURES: [string, number[]][] = [
  ['PNG', [0x89, 0x50, 0x4e, 0x47]],
  ['JPEG', [0xff, 0xd8, 0xff]],
  ['GIF', [0x47, 0x49, 0x46, 0x38]],
  ['BMP', [0x42, 0x4d]],
];

/** The kind of plain image these bytes start with, if any (WebP: RIFF....WEBP). */
export function sniffImage(head: Uint8Array): string | undefined {
  for (const [kind, sig] of SIGNATURES) if (sig.every((b, i) => head[i] === b)) return kind;
  if (head[0] === 0x52 && head[1] === 0x49 && head[8] === 0x57 && head[9] === 0x45 && head[10] === 0x42 && head[11] === 0x50) return 'WebP';
  return undefined;
}

/** Width and height from a PNG, GIF, BMP or JPEG header, when readable (WebP cannot exceed 16383×16383). */
function headerSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const kind = sniffImage(bytes);
  if (kind === 'PNG' && bytes.length >= 24) return { width: v.getUint32(16), height: v.getUint32(20) };
  if (kind === 'GIF' && bytes.length >= 10) return { width: v.getUint16(6, true), height: v.getUint16(8, true) };
  if (kind === 'BMP' && bytes.length >= 26) return { width: Math.abs(v.getInt32(18, true)), height: Math.abs(v.getInt32(22, true)) };
  if (kind === 'JPEG') {
    try {
      return jpegFrameInfo(bytes);
    } catch {
      return undefined; // the decoder says what is wrong
    }
  }
  return undefined;
}

/** A plain PNG/JPEG image shown as a one-level slide; lower levels are resampled on demand by the reader. */
export class ImageSlide implements SlideSource {
  private constructor(readonly info: SlideInfo, private readonly pixels: RGBAImage) {}

  static async open(source: ByteSource, codecs: Codecs, signal?: AbortSignal): Promise<ImageSlide> {
    if (source.size > LIMITS.maxImageFileBytes) {
      throw new SlideError(`${source.name}: a ${Math.round(source.size / 2 ** 20)} MiB plain image is more than the ${LIMITS.maxImageFileBytes / 2 ** 20} MiB read whole; convert it to a tiled pyramidal TIFF.`);
    }
    const bytes = await source.read(0, source.size, signal);
    // Refused from the header, before a decoder allocates width × height × 4 bytes.
    const declared = headerSize(bytes);
    if (declared && declared.width * declared.height > MAX_IMAGE_PIXELS) {
      throw new SlideError(`${source.name}: ${declared.width}×${declared.height} is too large for a plain image (at most ${MAX_IMAGE_PIXELS / 2 ** 20} megapixels); convert it to a tiled pyramidal TIFF.`);
    }
    let pixels: RGBAImage;
    try {
      pixels = await codecs.image(bytes, signal);
    } catch (err) {
      throw new SlideError(`${source.name}: the ${sniffImage(bytes) ?? ''} image could not be decoded (${err instanceof Error ? err.message : String(err)}).`.replace('the  image', 'the image'));
    }
    if (pixels.width * pixels.height > MAX_IMAGE_PIXELS) {
      throw new SlideError(`${source.name}: ${pixels.width}×${pixels.height} is too large for a plain image; convert it to a tiled pyramidal TIFF.`);
    }
    const info: SlideInfo = {
      name: source.name,
      format: 'image',
      vendor: sniffImage(bytes) ?? 'image',
      compression: sniffImage(bytes) ?? 'unknown',
      levels: [{ width: pixels.width, height: pixels.height, tileWidth: pixels.width, tileHeight: pixels.height, downsample: 1 }],
      byteLength: source.size,
    };
    return new ImageSlide(info, pixels);
  }

  static fromPixels(name: string, pixels: RGBAImage): ImageSlide {
    const level = { width: pixels.width, height: pixels.height, tileWidth: pixels.width, tileHeight: pixels.height, downsample: 1 };
    return new ImageSlide({ name, format: 'image', vendor: 'image', compression: 'none', levels: [level] }, pixels);
  }

  async readRegion(level: number, x: number, y: number, width: number, height: number, _signal?: AbortSignal, options?: RegionOptions): Promise<RGBAImage> {
    if (level !== 0) throw new SlideError(`${this.info.name}: no level ${level}.`);
    checkRegion(this.info.name, x, y, width, height);
    const out = blankImage(width, height);
    blit(out, this.pixels, -x, -y);
    if (options?.gray) lumaInPlace(out);
    return out;
  }

  close(): void {}
}
