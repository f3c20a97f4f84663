// Input limits of the slide readers, in one place. Beyond them a file is refused when it opens (or a tile is
// reported as failed) with a message naming the limit, instead of hanging or exhausting memory. The README's
// "Input limits" table is copied from here.

const MiB = 1024 * 1024;

export const LIMITS = {
  /** Largest width or height of a TIFF image: the biggest real slides are ~200,000 px; beyond is a corrupt file. */
  maxSide: 1 << 21,
  /** Tiles (or strips) in one TIFF image (their offsets alone take 128 MiB at 8 bytes each). */
  maxTilesPerImage: 1 << 24,
  /** Largest tile edge in pixels. */
  maxTileSide: 1 << 16,
  /** Largest tile or strip, decoded whole: 256 megapixels (1 GiB of RGBA), as for a plain image. */
  maxTilePixels: 256 * MiB,
  /** A tile's stored bytes may be at most twice its uncompressed size plus this: beyond, its byte count is corrupt. */
  tileBytesSlack: 1 * MiB,
  /** Image directories in the main chain (loops are refused whatever the count). */
  maxIfds: 4096,
  /** Entries in one image directory. */
  maxEntriesPerIfd: 1024,
  /** SubIFDs (OME-TIFF reduced levels) read from the first image. */
  maxSubIfds: 64,
  /** Largest tag value read, e.g. a tile offset array or an OME-XML description. */
  maxValueBytes: 128 * MiB,
  /** Plain images (PNG, JPEG, WebP, GIF, BMP) are decoded whole: at most 256 megapixels… */
  maxImagePixels: 256 * MiB,
  /** …from a file of at most 1 GiB. */
  maxImageFileBytes: 1024 * MiB,
  /** Largest region one readRegion call returns: 512 megapixels (2 GiB of RGBA). */
  maxRegionPixels: 512 * MiB,
} as const;
