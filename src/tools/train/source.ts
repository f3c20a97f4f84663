// Pixel access for training and evaluation: the slide readers and the scorer's image decoder (libjpeg-turbo and
// libpng via sharp), so a labelled file gives the trainer exactly the pixels `focuslite score` sees.
import { readImageFile } from '../../slide/image/node-decode.ts';
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

/** A PNG, JPEG or (level 0 of a) TIFF file, RGBA, decoded as `focuslite score` decodes it. */
export async function readImage(path: string): Promise<RGBImage> {
  const img = await readImageFile(path);
  return { width: img.width, height: img.height, channels: 4, data: img.data };
}
