import type { RGBAImage } from './types.ts';

/**
 * Grayscale for the slide under the heatmap: red, green and blue replaced by the pixel's luma. The weights are
 * Rec. 601's, with libjpeg's rounding: the luma a JPEG stores, so that tiles decoded to RGB (JPEG 2000, uncompressed,
 * DICOM) show the same gray as JPEG tiles, which are shown from their luma plane without a colour conversion
 * (ycc-simd.ts). The rectangle [x0, x1) × [y0, y1) of `img`, clipped to it, in place; alpha is kept.
 */
export function lumaInPlace(img: RGBAImage, x0 = 0, y0 = 0, x1 = img.width, y1 = img.height): void {
  const d = img.data;
  const left = Math.max(0, x0);
  const right = Math.min(img.width, x1);
  for (let row = Math.max(0, y0); row < Math.min(img.height, y1); row++) {
    for (let i = (row * img.width + left) * 4, end = (row * img.width + right) * 4; i < end; i += 4) {
      // 19595 + 38470 + 7471 = 65536: 0.299, 0.587, 0.114 in 16-bit fixed point (libjpeg's RGB → Y).
      const y = (d[i]! * 19595 + d[i + 1]! * 38470 + d[i + 2]! * 7471 + 32768) >> 16;
      d[i] = y;
      d[i + 1] = y;
      d[i + 2] = y;
    }
  }
}

const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/**
 * Rows of a luma plane (`plane[at + r·stride + c]`, r < rows, c < n) written as opaque gray RGBA to `out` at
 * `outAt + r·outStride` (bytes): a JPEG tile's gray without converting its colour.
 */
export function lumaRowsToRgba(plane: Uint8Array, at: number, stride: number, n: number, rows: number, out: Uint8ClampedArray, outAt: number, outStride: number): void {
  const aligned = LITTLE_ENDIAN && (out.byteOffset + outAt) % 4 === 0 && outStride % 4 === 0;
  if (aligned) {
    // One 32-bit store a pixel (about half the time of four byte stores).
    const out32 = new Uint32Array(out.buffer, out.byteOffset, out.byteLength >> 2);
    for (let r = 0; r < rows; r++) {
      const from = at + r * stride;
      const to = (outAt + r * outStride) >> 2;
      for (let c = 0; c < n; c++) out32[to + c] = (0xff000000 | (plane[from + c]! * 0x010101)) >>> 0;
    }
    return;
  }
  for (let r = 0; r < rows; r++) {
    const from = at + r * stride;
    for (let c = 0, o = outAt + r * outStride; c < n; c++, o += 4) {
      const v = plane[from + c]!;
      out[o] = v;
      out[o + 1] = v;
      out[o + 2] = v;
      out[o + 3] = 255;
    }
  }
}
