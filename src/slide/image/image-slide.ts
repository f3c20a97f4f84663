import type { Codecs } from '../codecs.ts';
import { blankImage } from '../codecs.ts';
import { blit } from '../region.ts';
import { SlideError, type ByteSource, type RGBAImage, type SlideInfo, type SlideSource } from '../types.ts';

/** Largest plain image we decode whole (PNG/JPEG have no tiles): 256 megapixels, ~1 GB of RGBA. */
export const MAX_IMAGE_PIXELS = 256 * 1024 * 1024;

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

/** A plain PNG/JPEG image shown as a one-level slide; lower levels are resampled on demand by the reader. */
export class ImageSlide implements SlideSource {
  private constructor(readonly info: SlideInfo, private readonly pixels: RGBAImage) {}

  static async open(source: ByteSource, codecs: Codecs, signal?: AbortSignal): Promise<ImageSlide> {
    const bytes = await source.read(0, source.size, signal);
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

  async readRegion(level: number, x: number, y: number, width: number, height: number): Promise<RGBAImage> {
    if (level !== 0) throw new SlideError(`${this.info.name}: no level ${level}.`);
    const out = blankImage(width, height);
    blit(out, this.pixels, -x, -y);
    return out;
  }

  close(): void {}
}
