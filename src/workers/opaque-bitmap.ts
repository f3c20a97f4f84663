import type { RGBAImage } from '../slide/types.ts';

/**
 * Slide tiles as opaque ImageBitmaps, made on an opaque canvas (`alpha: false`). An ImageBitmap from ImageData does
 * not know the pixels are opaque: the browser premultiplies them (a no-op at alpha 255, but a pass over the tile) and
 * blends them when they are drawn. An opaque one is copied as it is: 512² tiles made in 0.63 instead of 0.85 ms, and
 * drawn a sixth faster on the main thread's canvas (`npm run bench:tile-bitmaps`, BENCHMARKS.md). The pixels
 * must be opaque (alpha 255), as every slide tile is (glass is white): other alpha values would be lost.
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
