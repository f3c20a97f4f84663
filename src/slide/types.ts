// The contract every slide format implements. No React, no DOM: used by the app's workers and the Node CLI.

/** 8-bit RGBA pixels, row-major, width*height*4 bytes. */
export interface RGBAImage {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/** A rectangle of a level, in its pixel coordinates. */
export interface LevelRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** For readers that can use them (tiled slides); others read the whole region into fresh memory. */
export interface RegionOptions {
  /** The caller looks only at these parts of the region: tiles that touch none of them may be left out, white. */
  needed?: readonly LevelRect[];
  /**
   * Memory for the pixels, at least width·height·4 bytes (the image's data is then a view of it): a caller that reads
   * region after region (a scan) reuses it instead of having megabytes of fresh memory mapped in for every region.
   */
  into?: Uint8ClampedArray;
  /**
   * The pixels in grayscale (red = green = blue = luma, luma.ts), for the slide under the heatmap: JPEG tiles give their
   * luma plane as it is, without the colour conversion.
   */
  gray?: boolean;
}

/** One resolution level of a slide. `downsample` is relative to level 0 (level 0 has 1). */
export interface SlideLevel {
  width: number;
  height: number;
  tileWidth: number;
  tileHeight: number;
  downsample: number;
}

export type SlideFormat = 'aperio-svs' | 'pyramidal-tiff' | 'ome-tiff' | 'tiff' | 'dicom' | 'image';

export interface SlideInfo {
  /** File name or URL shown to the user. */
  name: string;
  format: SlideFormat;
  /** Scanner vendor or producer when known ("Aperio", "OME", "generic"). */
  vendor: string;
  /** Human-readable compression of level 0, e.g. "JPEG (7)", "JPEG 2000 (33005)". */
  compression: string;
  /** Levels sorted largest first; level 0 is full resolution. */
  levels: SlideLevel[];
  /** Microns per pixel at level 0, when the file says. */
  mpp?: number;
  /** Objective magnification when the file says (Aperio AppMag, DICOM Objective Lens Power). */
  magnification?: number;
  /**
   * Descriptive metadata the file gives (scanner model, study and series description, container and specimen
   * identifiers), shown in the status line and written to reports. Never patient names or identifiers.
   */
  details?: Record<string, string>;
  /** Non-fatal problems found while opening (skipped images), shown to the user. */
  warnings?: string[];
  /** Size of the file in bytes when known. */
  byteLength?: number;
}

/** A slide: metadata plus pixel access. Implementations decode lazily and may cache. */
export interface SlideSource {
  readonly info: SlideInfo;
  /**
   * Pixels of a rectangle of `level` in that level's pixel coordinates. Parts outside the level are white
   * (the colour of glass), so callers may ask for edge patches without special cases.
   */
  readRegion(level: number, x: number, y: number, width: number, height: number, signal?: AbortSignal, options?: RegionOptions): Promise<RGBAImage>;
  /**
   * Hint: this rectangle of `level` will be read soon, its left side first. Sources that pay per request (DICOMweb)
   * fetch ahead in a few large requests; the others need not implement it.
   */
  prefetch?(level: number, x: number, y: number, width: number, height: number): void;
  close(): void;
}

/** Random access to the bytes of a file, local (Blob, ArrayBuffer, fs) or remote (HTTP range requests). */
export interface ByteSource {
  readonly name: string;
  /** Total size in bytes. */
  readonly size: number;
  read(offset: number, length: number, signal?: AbortSignal): Promise<Uint8Array>;
  close?(): void;
}

/** Error shown to the user as is: it says specifically what is wrong with the input. */
export class SlideError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SlideError';
  }
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new DOMException('Aborted', 'AbortError');
}
