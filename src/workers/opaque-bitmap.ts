import type { RGBAImage } from '../slide/types.ts';

/**
 * Slide tiles as ImageBitmaps made on one reused opaque canvas (`alpha: false`): putImageData, then
 * transferToImageBitmap. Faster than a premultiplied `createImageBitmap` from ImageData, which premultiplies
 * every tile: 512² tiles made in 0.63 instead of 0.85 ms, and drawn a sixth faster on the main
 * thread's canvas (`npm run bench:tile-bitmaps`, BENCHMARKS.md). For opaque pixels only (alpha 255, as every tile of a
 * slide format is: glass is white): an opaque canvas may drop other alpha values (Chromium keeps what putImageData
 * wrote, the specification does not promise it), so transparent images are made otherwise (slide.worker.ts).
 * Made one at a time (putImageData and transferToImageBitmap are synchronous), so one canvas per size serves a worker.
 */
export class OpaqueBitmaps {
  private canvas: OffscreenCanvas | undefined;
  private context: OffscreenCanvasRenderingContext2D | undefined;

  /** An opaque bitmap of `img`'s pixels; `img` may be reused as soon as this returns. */
  make(img: RGBAImage): ImageBitmap {
    if (!this.canvas || this.canvas.width !== img.width || this.canvas.height !== img.height) {
      this.canvas = new OffscreenCanvas(img.width, img.height);
      this.context = this.canvas.getContext('2d', { alpha: false }) ?? undefined;
      if (!this.context) throw new Error('no 2D context for an OffscreenCanvas in this worker');
    }
    this.context!.putImageData(new ImageData(img.data as Uint8ClampedArray<ArrayBuffer>, img.width, img.height), 0, 0);
    return this.canvas.transferToImageBitmap();
  }
}

/** Whether every pixel of `img` has alpha 255 (a plain image, a PNG say, may not: it then needs a bitmap with alpha). */
export function isOpaque(img: RGBAImage): boolean {
  const d = img.data;
  for (let i = 3; i < d.length; i += 4) if (d[i] !== 255) return false;
  return true;
}
