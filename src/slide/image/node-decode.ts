// Node-side decoding of whole image files (PNG, JPEG, TIFF) into RGBAImage, for the CLI and tests.
import { BufferSource } from '../bytes/blob-source.ts';
import { LIMITS } from '../limits.ts';
import { NodeFileSource, nodeCodecs } from '../node.ts';
import { openSlide } from '../open.ts';
import { SlideError, type RGBAImage, type SlideSource } from '../types.ts';

export type ImageKind = 'png' | 'jpeg' | 'tiff';

/** Images decoded whole: 1 gigapixel is ~4 GB of RGBA, beyond what Node should hold for a score. */
const MAX_PIXELS = LIMITS.maxRegionPixels;

export function sniffImageKind(bytes: Uint8Array): ImageKind | undefined {
  const b = (i: number) => bytes[i];
  if (b(0) === 0x89 && b(1) === 0x50 && b(2) === 0x4e && b(3) === 0x47) return 'png';
  if (b(0) === 0xff && b(1) === 0xd8 && b(2) === 0xff) return 'jpeg';
  if ((b(0) === 0x49 && b(1) === 0x49 && (b(2) === 42 || b(2) === 43) && b(3) === 0) || (b(0) === 0x4d && b(1) === 0x4d && b(2) === 0 && (b(3) === 42 || b(3) === 43))) {
    return 'tiff';
  }
  return undefined;
}

/**
 * Decodes PNG, JPEG or TIFF bytes through the slide readers with the Node codecs (libjpeg-turbo via sharp), so the
 * CLI sees the same pixels as the browser. TIFFs give their level 0 (full resolution).
 */
export async function decodeImageBytes(bytes: Uint8Array, name: string): Promise<RGBAImage> {
  const kind = sniffImageKind(bytes);
  if (!kind) throw new SlideError(`${name}: not a PNG, JPEG or TIFF image`);
  return level0(await openSlide(new BufferSource(bytes, name), nodeCodecs), kind);
}

/** Reads and decodes an image file without loading more of it than level 0 needs; errors name the file. */
export async function readImageFile(path: string): Promise<RGBAImage> {
  const source = await NodeFileSource.open(path);
  const head = await source.read(0, Math.min(16, source.size));
  const kind = sniffImageKind(head);
  if (!kind) {
    source.close();
    throw new SlideError(`${path}: ${source.size === 0 ? 'the file is empty (0 bytes)' : 'not a PNG, JPEG or TIFF image'}`);
  }
  try {
    return await level0(await openSlide(source, nodeCodecs), kind);
  } finally {
    source.close();
  }
}

async function level0(slide: SlideSource, kind: ImageKind): Promise<RGBAImage> {
  try {
    const { width, height } = slide.info.levels[0]!;
    if (width * height > MAX_PIXELS) throw new SlideError(`${slide.info.name}: ${width}×${height} is too large to decode whole; use \`focuslite scan\` for slides`);
    return await slide.readRegion(0, 0, 0, width, height);
  } catch (err) {
    if (err instanceof SlideError) throw err;
    throw new SlideError(`${slide.info.name}: the ${kind.toUpperCase()} image could not be decoded (${err instanceof Error ? err.message : String(err)})`);
  } finally {
    slide.close();
  }
}
