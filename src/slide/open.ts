import type { Codecs } from './codecs.ts';
import { DicomSlide, isDicom, openDicomSeries } from './dicom/dicom-slide.ts';
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
  if (await isDicom(source, signal)) return DicomSlide.open(source, codecs, signal);
  throw new SlideError(`${source.name}: ${describeNonTiff(head)}`);
}

/**
 * Opens one slide from one file, or from several files that are one DICOM series (a level per file); `name` is what
 * the user sees for a series (its folder, or its first file).
 */
export async function openSlides(name: string, sources: readonly ByteSource[], codecs: Codecs, options: TiffSlideOptions = {}, signal?: AbortSignal): Promise<SlideSource> {
  if (sources.length === 0) throw new SlideError(`${name}: no files to open.`);
  if (sources.length === 1) return openSlide(sources[0]!, codecs, options, signal);
  return openDicomSeries(name, sources, codecs, signal);
}
