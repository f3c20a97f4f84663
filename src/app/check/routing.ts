// What a drop on the window means: open a slide, check tiles, or ask. An open slide is never replaced silently.

export type DropAction = 'none' | 'open' | 'check' | 'ask' | 'queue';

/** Names that are slides rather than tiles; a lone one dropped anywhere opens in the viewer, as it always has. */
const SLIDE_NAME = /\.(svs|tiff?|ndpi|scn|bif|btf|vms|vmu|mrxs|dcm)$/i;

/** Names only whole-slide scanners write (a .tif may as well be a tile for the quick check). */
const WHOLE_SLIDE_ONLY = /\.(svs|ndpi|scn|bif|btf|vms|vmu|mrxs)$/i;

export function isSlideName(name: string): boolean {
  return SLIDE_NAME.test(name);
}

/** DICOM files, which come several to a slide (a series: a level per file). */
export function isDicomName(name: string): boolean {
  return /\.dcm$/i.test(name);
}

/**
 * - several DICOM files (.dcm): open them as one slide (a series);
 * - several whole-slide files (.svs, .ndpi, … — not TIFF, which may be tiles): the slide queue, scanned in turn;
 * - several other files: quick check (a batch of tiles; the slide stays);
 * - one slide file (.svs, .tif, …): open it as a slide;
 * - one other file while the quick check panel is open: check it;
 * - one other file while a slide is open: ask (open as slide, or check it);
 * - one other file and nothing open: open it (a PNG/JPEG is shown as a one-level slide).
 */
export function routeDrop(names: readonly string[], state: { slideOpen: boolean; checkOpen: boolean }): DropAction {
  if (names.length === 0) return 'none';
  if (names.length > 1) return names.every(isDicomName) ? 'open' : names.every((n) => WHOLE_SLIDE_ONLY.test(n)) ? 'queue' : 'check';
  if (isSlideName(names[0]!)) return 'open';
  if (state.checkOpen) return 'check';
  return state.slideOpen ? 'ask' : 'open';
}
