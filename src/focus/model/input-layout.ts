// How patches are laid out in a FocusLiteNN model's input tensor. Two layouts compute the same function:
//
// - 'nchw': [N, 3, 235, 235], value / 255, channels first: the released model as it is (Conv 7×7, stride 5, pad 1).
// - 's2d' (space to depth): each patch zero-padded to 240×240 and cut into 48×48 blocks of 5×5 pixels, stored as
//   [N, 75, 48, 48] with channel = colour·25 + row-in-block·5 + column-in-block. A 7×7 window at stride 5 then
//   spans exactly 2×2 blocks, so the convolution becomes a 1×1 convolution to 4 partial sums per kernel (one per
//   block offset) plus a fixed 2×2 sum: plain matrix products, which onnxruntime's WASM backend runs about 2.4×
//   faster than its im2col path for the strided 7×7 convolution (bench:model). It does 2× the multiply-adds (the
//   kernel is padded to 10×10), so the builder uses it for 1 and 2 kernels only.
import type { RGBAImage } from '../../slide/types.ts';
import { channelsOf, PATCH, packPatches, type PixelImage } from './patch-grid.ts';

export type InputLayout = 'nchw' | 's2d';

export const S2D_BLOCK = 5;
/** 240 = 48 blocks of 5: the 235-pixel patch, one zero column/row before it (the conv's padding) and four after. */
export const S2D_SIDE = 48;
export const S2D_CHANNELS = 3 * S2D_BLOCK * S2D_BLOCK;

export function valuesPerPatch(layout: InputLayout): number {
  return layout === 's2d' ? S2D_CHANNELS * S2D_SIDE * S2D_SIDE : 3 * PATCH * PATCH;
}

export function inputShape(layout: InputLayout, n: number): number[] {
  return layout === 's2d' ? [n, S2D_CHANNELS, S2D_SIDE, S2D_SIDE] : [n, 3, PATCH, PATCH];
}

/** The layout a model's input shape declares. */
export function layoutOfShape(shape: readonly (number | string)[]): InputLayout | undefined {
  if (shape.length !== 4) return undefined;
  if (shape[1] === S2D_CHANNELS && shape[2] === S2D_SIDE && shape[3] === S2D_SIDE) return 's2d';
  if (shape[1] === 3 && shape[2] === PATCH && shape[3] === PATCH) return 'nchw';
  return undefined;
}

const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;
const INV255 = new Float32Array(256).map((_, i) => Math.fround(i / 255));
const PLANE = S2D_SIDE * S2D_SIDE;
// Offsets of patch pixel (x, y) inside a colour's 25 planes: the padded coordinate x + 1 = 5·J + q.
const S2D_X = Int32Array.from({ length: PATCH }, (_, x) => ((x + 1) % S2D_BLOCK) * PLANE + Math.floor((x + 1) / S2D_BLOCK));
const S2D_Y = Int32Array.from({ length: PATCH }, (_, y) => ((y + 1) % S2D_BLOCK) * S2D_BLOCK * PLANE + Math.floor((y + 1) / S2D_BLOCK) * S2D_SIDE);

/**
 * Writes patches into `out` in the given layout from patch index `outOffset`. In 's2d' only pixel positions are
 * written: the padding positions must hold zeros, so reuse a buffer only for the same layout.
 */
export function packInput(
  layout: InputLayout,
  img: PixelImage | RGBAImage,
  corners: readonly { x: number; y: number }[],
  out: Float32Array = new Float32Array(corners.length * valuesPerPatch(layout)),
  outOffset = 0,
): Float32Array {
  if (layout === 'nchw') return packPatches(img, corners, PATCH, out, outOffset);
  const ch = channelsOf(img);
  const { width, data } = img;
  for (const { x, y } of corners) {
    if (x < 0 || y < 0 || x + PATCH > width || y + PATCH > img.height) throw new RangeError(`patch at (${x},${y}) lies outside the ${width}×${img.height} image`);
  }
  const colour = S2D_BLOCK * S2D_BLOCK * PLANE;
  // RGBA in an aligned buffer: one 32-bit read per pixel (little-endian: R in the low byte), as packPatches does.
  const words = ch === 4 && data.byteOffset % 4 === 0 && LITTLE_ENDIAN ? new Uint32Array(data.buffer, data.byteOffset, data.byteLength >> 2) : undefined;
  for (const [n, { x, y }] of corners.entries()) {
    const base = (outOffset + n) * S2D_CHANNELS * PLANE;
    // Destination order (plane by plane, row by row), three colour streams at once: sequential writes are what
    // make this fast; the strided reads stay within the patch, which fits in cache.
    for (let p = 0; p < S2D_BLOCK; p++) {
      for (let q = 0; q < S2D_BLOCK; q++) {
        const plane = base + (p * S2D_BLOCK + q) * PLANE;
        const j0 = q === 0 ? 1 : 0; // padded column 0 is the zero padding
        const j1 = Math.floor((PATCH - q) / S2D_BLOCK); // last block column whose pixel lies inside the patch
        for (let i = p === 0 ? 1 : 0; i * S2D_BLOCK + p - 1 < PATCH; i++) {
          const yy = y + i * S2D_BLOCK + p - 1;
          let o = plane + i * S2D_SIDE + j0;
          if (words) {
            let src = yy * width + x + j0 * S2D_BLOCK + q - 1;
            for (let j = j0; j <= j1; j++, o++, src += S2D_BLOCK) {
              const v = words[src] as number;
              out[o] = INV255[v & 255] as number;
              out[o + colour] = INV255[(v >>> 8) & 255] as number;
              out[o + 2 * colour] = INV255[(v >>> 16) & 255] as number;
            }
          } else {
            let src = (yy * width + x + j0 * S2D_BLOCK + q - 1) * ch;
            for (let j = j0; j <= j1; j++, o++, src += S2D_BLOCK * ch) {
              out[o] = INV255[data[src] as number] as number;
              out[o + colour] = INV255[data[src + 1] as number] as number;
              out[o + 2 * colour] = INV255[data[src + 2] as number] as number;
            }
          }
        }
      }
    }
  }
  return out;
}

/** Re-lays an NCHW float tensor of n patches (training samples, tests) into `layout`. */
export function fromNchw(layout: InputLayout, nchw: Float32Array, n: number): Float32Array {
  if (layout === 'nchw') return nchw;
  const out = new Float32Array(n * valuesPerPatch('s2d'));
  const colour = S2D_BLOCK * S2D_BLOCK * PLANE;
  for (let k = 0; k < n; k++) {
    for (let c = 0; c < 3; c++) {
      const src = (k * 3 + c) * PATCH * PATCH;
      const dst = k * S2D_CHANNELS * PLANE + c * colour;
      for (let y = 0; y < PATCH; y++) for (let x = 0; x < PATCH; x++) out[dst + (S2D_Y[y] as number) + (S2D_X[x] as number)] = nchw[src + y * PATCH + x] as number;
    }
  }
  return out;
}

/** The input as a model card describes it. */
export function describeInput(layout: InputLayout): { shape: (number | string)[]; preprocessing: string } {
  return layout === 's2d'
    ? { shape: ['N', S2D_CHANNELS, S2D_SIDE, S2D_SIDE], preprocessing: 'RGB uint8 / 255; each 235×235 patch zero-padded to 240×240 (1 before, 4 after) and stored space-to-depth in 5×5 blocks: channel = colour·25 + row·5 + column within the block (src/focus/model/input-layout.ts)' }
    : { shape: ['N', 3, PATCH, PATCH], preprocessing: 'RGB uint8 / 255, channels first, no normalisation' };
}
