// Pixel access for training and evaluation, kept behind these two functions so the reader can be swapped in one place.
import { readFile } from 'node:fs/promises';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { openSlideFile } from '../../slide/node.ts';
import type { RGBImage } from './image.ts';

/** One whole level of a slide (any format the project's slide readers open), RGBA. */
export async function readSlideLevel(path: string, level = 0): Promise<RGBImage> {
  const slide = await openSlideFile(path);
  try {
    const l = slide.info.levels[level];
    if (!l) throw new Error(`${path}: no level ${level}`);
    const img = await slide.readRegion(level, 0, 0, l.width, l.height);
    return { width: img.width, height: img.height, channels: 4, data: img.data };
  } finally {
    slide.close();
  }
}

/** A PNG, JPEG or (first image of a) TIFF file, RGB or RGBA. */
export async function readImage(path: string): Promise<RGBImage> {
  const bytes = await readFile(path);
  if (bytes[0] === 0x89 && bytes[1] === 0x50) {
    const png = PNG.sync.read(bytes);
    return { width: png.width, height: png.height, channels: 4, data: png.data };
  }
  if (bytes[0] === 0xff && bytes[1] === 0xd8) {
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, maxMemoryUsageInMB: 4096 });
    return { width: img.width, height: img.height, channels: 3, data: img.data };
  }
  if ((bytes[0] === 0x49 && bytes[1] === 0x49) || (bytes[0] === 0x4d && bytes[1] === 0x4d)) return readSlideLevel(path, 0);
  throw new Error(`${path}: not a PNG, JPEG or TIFF image`);
}
