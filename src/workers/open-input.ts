// How a browser worker opens its own handle on the slide the page picked (slide and bench workers alike).
import { browserCodecs } from '../slide/browser/codecs.ts';
import { BlobSource } from '../slide/bytes/blob-source.ts';
import { HttpRangeSource } from '../slide/bytes/http-source.ts';
import { openSlide, openSlides } from '../slide/open.ts';
import { openDicomWeb } from '../slide/dicom/dicomweb.ts';
import type { SlideSource } from '../slide/types.ts';
import type { SlideInput } from './slide-protocol.ts';

/** Each worker keeps this much of decoded tiles, shared by its rendering and scoring. */
const TILE_CACHE_BYTES = 64 * 1024 * 1024;

export async function openSlideInput(input: SlideInput): Promise<SlideSource> {
  const options = { tileCacheBytes: TILE_CACHE_BYTES };
  if (input.kind === 'files') return openSlides(input.name, input.files.map((f) => new BlobSource(f.file, f.name)), browserCodecs, options);
  if (input.kind === 'dicomweb') return openDicomWeb(input, browserCodecs, input.metadata ? { metadata: input.metadata } : {});
  const source = input.kind === 'file' ? new BlobSource(input.file, input.name) : await HttpRangeSource.open(input.url);
  return openSlide(source, browserCodecs, options);
}
