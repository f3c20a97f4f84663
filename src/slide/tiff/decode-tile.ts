import type { Codecs } from '../codecs.ts';
import { j2kFrameInfo } from '../jp2k/openjpeg.ts';
import { jpegFrameInfo, markAsRgb, spliceJpegTables } from '../jpeg/stream.ts';
import { SlideError, type RGBAImage } from '../types.ts';
import { inflateDecode, lzwDecode, packBitsDecode, undoHorizontalPredictor } from './lossless.ts';
import { compressionName } from './tags.ts';
import type { TiffImage } from './tiff-image.ts';

const LOSSLESS = new Set([1, 5, 8, 32773, 32946]);
const SUPPORTED = 'JPEG (7), JPEG 2000 (33003, 33005, 34712), LZW (5), Deflate (8, 32946), PackBits (32773) and uncompressed (1)';

/** Reasons we cannot decode an image at all, checked once when the slide opens rather than on every tile. */
export function unsupportedReason(image: TiffImage): string | undefined {
  const c = image.compression;
  if (c !== 7 && c !== 33003 && c !== 33005 && c !== 34712 && !LOSSLESS.has(c)) {
    return `unsupported compression ${compressionName(c)}; supported: ${SUPPORTED}.`;
  }
  if (LOSSLESS.has(c)) {
    if (image.bitsPerSample !== 8) return `unsupported sample depth: ${image.bitsPerSample} bits per sample (8 supported).`;
    if (image.planar === 2 && image.samplesPerPixel > 1) return 'unsupported layout: separate colour planes (PlanarConfiguration 2).';
    if (![0, 1, 2].includes(image.photometric)) return `unsupported colour space: photometric interpretation ${image.photometric} without JPEG.`;
    if (!Number.isInteger(image.samplesPerPixel) || image.samplesPerPixel < 1 || image.samplesPerPixel > 4) return `unsupported layout: ${image.samplesPerPixel} samples per pixel (1 to 4 supported).`;
    if (image.predictor !== 1 && image.predictor !== 2) return `unsupported predictor ${image.predictor} (none or horizontal differencing supported).`;
  }
  return undefined;
}

/** Decodes one stored tile (or strip) to RGBA; its size is what the codec produced. */
export async function decodeTiffTile(image: TiffImage, bytes: Uint8Array, codecs: Codecs, signal?: AbortSignal): Promise<RGBAImage> {
  const c = image.compression;
  if (c === 7) {
    let stream = spliceJpegTables(image.jpegTables, bytes);
    if (image.photometric === 2) stream = markAsRgb(stream);
    checkFrame(image, jpegFrameInfo(stream), 'JPEG');
    return codecs.jpeg(stream, signal);
  }
  if (c === 33003 || c === 33005 || c === 34712) {
    checkFrame(image, j2kFrameInfo(bytes), 'JPEG 2000');
    return codecs.jp2k(bytes, c === 33003, signal);
  }
  const reason = unsupportedReason(image);
  if (reason) throw new SlideError(reason);
  // Bounded by the tile's size: corrupt data must not grow the output (or the time spent) without limit.
  const size = image.tileWidth * image.tileHeight * image.samplesPerPixel;
  let raw: Uint8Array;
  try {
    if (c === 5) raw = lzwDecode(bytes, size);
    else if (c === 32773) raw = packBitsDecode(bytes, size);
    else if (c === 1) raw = image.predictor === 2 ? bytes.slice(0, size) : bytes;
    else raw = await inflateDecode(bytes, size);
  } catch (err) {
    throw new SlideError(`tile failed to decode (${compressionName(c)}): ${err instanceof Error ? err.message : String(err)}`);
  }
  if (image.predictor === 2) undoHorizontalPredictor(raw, image.tileWidth, image.samplesPerPixel);
  return samplesToRgba(raw, image);
}

/** The frame a tile's stream declares must fit in the tile: a corrupt header must not make a codec allocate gigabytes. */
function checkFrame(image: TiffImage, frame: { width: number; height: number }, what: string): void {
  if (frame.width < 1 || frame.height < 1 || frame.width > image.tileWidth || frame.height > image.tileHeight) {
    throw new SlideError(`corrupt ${what} tile: its frame is ${frame.width}×${frame.height} pixels but the image's tiles are ${image.tileWidth}×${image.tileHeight}.`);
  }
}

function samplesToRgba(raw: Uint8Array, image: TiffImage): RGBAImage {
  const spp = image.samplesPerPixel;
  const width = image.tileWidth;
  const height = Math.min(image.tileHeight, Math.floor(raw.length / (width * spp)));
  if (height < 1) throw new SlideError('tile failed to decode: no pixel data.');
  const count = width * height;
  const data = new Uint8ClampedArray(count * 4);
  const invert = image.photometric === 0;
  for (let i = 0; i < count; i++) {
    const s = i * spp;
    if (spp >= 3) {
      data[i * 4] = raw[s] ?? 0;
      data[i * 4 + 1] = raw[s + 1] ?? 0;
      data[i * 4 + 2] = raw[s + 2] ?? 0;
    } else {
      const v = invert ? 255 - (raw[s] ?? 0) : (raw[s] ?? 0);
      data[i * 4] = v;
      data[i * 4 + 1] = v;
      data[i * 4 + 2] = v;
    }
    data[i * 4 + 3] = 255;
  }
  return { width, height, data };
}
