import type { Codecs } from './codecs.ts';
import { ImageSlide, sniffImage } from './image/image-slide.ts';
import { TiffSlide, type TiffSlideOptions } from './tiff/tiff-slide.ts';
import { describeNonTiff } from './tiff/ifd.ts';
import { SlideError, type ByteSource, type SlideSource } from './types.ts';

/** Opens any supported slide or image from its bytes, choosing the reader by content, not by file name. */
export async function openSlide(source: ByteSource, codecs: Codecs, options: TiffSlideOptions = {}, signal?: AbortSignal): Promise<SlideSource> {
  if (source.size === 0) throw new SlideError(`${source.name}: the file is empty (0 bytes).`);
  const head = await source.read(0, Math.min(16, source.size), signal);
  const isTiff = (head[0] === 0x49 && head[1] === 0x49) || (head[0] === 0x4d && head[1] === 0x4d);
  if (isTiff) return TiffSlide.open(source, codecs, options, signal);
  const kind = sniffImage(head);
  if (kind) {
    if (/\.(svs|tiff?|ndpi|scn|bif)$/i.test(source.name)) {
      throw new SlideError(`${source.name}: ${describeNonTiff(head)}`);
    }
    return ImageSlide.open(source, codecs, signal);
  }
  if (head.length >= 4 && source.size > 132) {
    const dicm = await source.read(128, 4, signal);
    if (String.fromCharCode(...dicm) === 'DICM') {
      throw new SlideError(`${source.name}: DICOM whole-slide images are not supported yet; convert to pyramidal TIFF (e.g. with bfconvert or vips).`);
    }
  }
  throw new SlideError(`${source.name}: ${describeNonTiff(head)}`);
}
