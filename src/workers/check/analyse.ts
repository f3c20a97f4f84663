// Decoding and scoring of one quick-check file: what each check worker does, written against the slide readers and
// a FocusLiteNN session so that Node tests run exactly this code with the Node codecs.
import type { Codecs } from '../../slide/codecs.ts';
import { openSlide } from '../../slide/open.ts';
import { readScaledRegion, resizeArea } from '../../slide/region.ts';
import type { ByteSource, RGBAImage, SlideSource } from '../../slide/types.ts';
import { PATCH, patchGrid, STRIDE } from '../../focus/patch-grid.ts';
import { classifyPixel, TISSUE_RULES } from '../../focus/tissue.ts';
import { scoreImage, type FocusSession } from '../../focus/session/session.ts';
import type { DensityNormalisation } from '../../focus/stain-density.ts';
import { CheckFailure } from './failure.ts';
import { fitSize } from '../../heatmap/patch-map.ts';
import { THUMB_SIZE } from './protocol.ts';

export { CheckFailure };

/**
 * Largest level 0 decoded whole for a quick check: 64 megapixels (256 MB of RGBA per worker, up to four workers).
 * Bigger files are slides: open them in the viewer and scan them there.
 */
export const MAX_CHECK_PIXELS = 64 * 1024 * 1024;

export interface CheckOutcome {
  width: number;
  height: number;
  score: number;
  patch: number;
  stride: number;
  patchGrid: number[][];
  /** The image at most THUMB_SIZE pixels on its longer side, in colour. */
  thumb: RGBAImage;
  /** Fraction of the image that is tissue (focus/tissue.ts, the slides' rule). */
  tissue: number;
  /** Patches that count as tissue by the slides' cell rule (at least TISSUE_RULES.tissueFraction of it tissue); 0 =
   * blank glass, a mask, a drawing: the score says nothing about focus. */
  tissuePatches: number;
}

/** Image pixels per tissue-mask pixel: the resolution of the slides' tissue mask (focus/tissue-map.ts). */
const MASK_DOWNSAMPLE = 8;

/**
 * Tissue in an image and in each of its scored patches, by the rule the slides use for their cells: the tissue
 * mask (classifyPixel) at 1/8 resolution, and a patch is tissue when at least TISSUE_RULES.tissueFraction of the
 * mask pixels it touches are.
 */
export function tissueCover(img: RGBAImage, patch = PATCH, stride = STRIDE): { tissue: number; tissuePatches: number } {
  const width = Math.max(1, Math.ceil(img.width / MASK_DOWNSAMPLE));
  const height = Math.max(1, Math.ceil(img.height / MASK_DOWNSAMPLE));
  const small = resizeArea(img, width, height);
  // Summed-area table of the mask: one patch's count in four look-ups.
  const sums = new Uint32Array((width + 1) * (height + 1));
  for (let y = 0; y < height; y++) {
    let row = 0;
    for (let x = 0; x < width; x++) {
      const i = 4 * (y * width + x);
      row += classifyPixel(small.data[i]!, small.data[i + 1]!, small.data[i + 2]!) === 'tissue' ? 1 : 0;
      sums[(y + 1) * (width + 1) + x + 1] = sums[y * (width + 1) + x + 1]! + row;
    }
  }
  const count = (u0: number, v0: number, u1: number, v1: number) =>
    sums[v1 * (width + 1) + u1]! - sums[v0 * (width + 1) + u1]! - sums[v1 * (width + 1) + u0]! + sums[v0 * (width + 1) + u0]!;
  let tissuePatches = 0;
  for (const { x, y } of patchGrid(img.width, img.height, patch, stride).corners) {
    const u0 = Math.floor(x / MASK_DOWNSAMPLE);
    const v0 = Math.floor(y / MASK_DOWNSAMPLE);
    const u1 = Math.min(width, Math.ceil((x + patch) / MASK_DOWNSAMPLE));
    const v1 = Math.min(height, Math.ceil((y + patch) / MASK_DOWNSAMPLE));
    if (count(u0, v0, u1, v1) >= TISSUE_RULES.tissueFraction * (u1 - u0) * (v1 - v0)) tissuePatches++;
  }
  return { tissue: count(0, 0, width, height) / (width * height), tissuePatches };
}

type Kind = 'PNG' | 'JPEG' | 'TIFF';

/** The formats `focuslite score` accepts, so the app and the CLI agree on what is an error. */
function sniff(head: Uint8Array): Kind | undefined {
  if (head[0] === 0x89 && head[1] === 0x50 && head[2] === 0x4e && head[3] === 0x47) return 'PNG';
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'JPEG';
  if ((head[0] === 0x49 && head[1] === 0x49 && (head[2] === 42 || head[2] === 43) && head[3] === 0) || (head[0] === 0x4d && head[1] === 0x4d && head[2] === 0 && (head[3] === 42 || head[3] === 43))) {
    return 'TIFF';
  }
  return undefined;
}

/** Reader messages start with the file name, which the row already shows. */
function withoutName(message: string, name: string): string {
  return message.startsWith(`${name}: `) ? message.slice(name.length + 2) : message;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function open(source: ByteSource, codecs: Codecs, signal?: AbortSignal): Promise<{ slide: SlideSource; kind: Kind }> {
  if (source.size === 0) throw new CheckFailure('unreadable', 'the file is empty (0 bytes)');
  const kind = sniff(await source.read(0, Math.min(16, source.size), signal));
  if (!kind) throw new CheckFailure('unreadable', 'not a PNG, JPEG or TIFF image');
  try {
    return { slide: await openSlide(source, codecs, {}, signal), kind };
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new CheckFailure('unreadable', withoutName(describe(err), source.name));
  }
}

/** Level 0 (full resolution) of an image file, with the size checks of scoring done before decoding it. */
export async function decodeForCheck(source: ByteSource, codecs: Codecs, signal?: AbortSignal): Promise<RGBAImage> {
  const { slide, kind } = await open(source, codecs, signal);
  try {
    const { width, height } = slide.info.levels[0]!;
    if (width < PATCH || height < PATCH) {
      throw new CheckFailure('too-small', `image is ${width}×${height}; at least ${PATCH}×${PATCH} pixels needed`, width, height);
    }
    if (width * height > MAX_CHECK_PIXELS) {
      throw new CheckFailure(
        'too-large',
        `image is ${width}×${height}, more than ${MAX_CHECK_PIXELS / 1024 / 1024} megapixels: open it as a slide and scan it there`,
        width,
        height,
      );
    }
    try {
      return await slide.readRegion(0, 0, 0, width, height, signal);
    } catch (err) {
      if (signal?.aborted) throw err;
      throw new CheckFailure('unreadable', `the ${kind} image could not be decoded (${withoutName(describe(err), source.name)})`, width, height);
    }
  } finally {
    slide.close();
  }
}

export function thumbnail(img: RGBAImage, maxSide = THUMB_SIZE): RGBAImage {
  const size = fitSize(img.width, img.height, maxSide);
  return resizeArea(img, size.width, size.height);
}

/** Decodes, checks and scores one file: FocusLiteNN's image score exactly as `focuslite score` computes it. */
export async function analyseImage(
  source: ByteSource,
  codecs: Codecs,
  session: FocusSession,
  options: { stride?: number; thumbSize?: number; signal?: AbortSignal; density?: DensityNormalisation } = {},
): Promise<CheckOutcome> {
  const img = await decodeForCheck(source, codecs, options.signal);
  const { signal, density } = options;
  const scored = await scoreImage(session, img, options.stride ?? STRIDE, { signal, ...(density ? { density } : {}) });
  return { ...scored, thumb: thumbnail(img, options.thumbSize), ...tissueCover(img, scored.patch, scored.stride) };
}

/** The image at most `maxSide` pixels on its longer side, for the large view (read from a smaller level if any). */
export async function previewImage(source: ByteSource, codecs: Codecs, maxSide: number, signal?: AbortSignal): Promise<RGBAImage> {
  const { slide } = await open(source, codecs, signal);
  try {
    const { width, height } = slide.info.levels[0]!;
    const size = fitSize(width, height, maxSide);
    return await readScaledRegion(slide, 0, 0, width, height, size.width, size.height, signal);
  } finally {
    slide.close();
  }
}
