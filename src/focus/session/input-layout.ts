// How patches are laid out in a FocusLiteNN model's input tensor. Two layouts compute the same function:
//
// - 'nchw': [N, 3, 235, 235], value / 255, channels first: the released model as it is (Conv 7×7, stride 5, pad 1).
// - 's2d' (space to depth): each patch zero-padded to 240×240 and cut into 48×48 blocks of 5×5 pixels, stored as
//   [N, 75, 48, 48] with channel = colour·25 + row-in-block·5 + column-in-block. A 7×7 window at stride 5 then
//   spans exactly 2×2 blocks, so the convolution becomes a 1×1 convolution to 4 partial sums per kernel (one per
//   block offset) plus a fixed 2×2 sum: plain matrix products, which onnxruntime's WASM backend runs about 2.4×
//   faster than its im2col path for the strided 7×7 convolution (bench:model). It does 2× the multiply-adds (the
//   kernel is padded to 10×10).
// - 'u8' (bytes): the pixel values themselves, uint8, [N, 105, 48, 48]: for block row r (5 padded rows) and column
//   j, the 5×7 window of padded rows 5r…5r+4 and columns 5j…5j+6, channel = colour·35 + row·7 + column. An output
//   row adds two block rows (kernel rows 0–4 from row r, rows 5–6 from row r + 1), so the convolution is one integer
//   matrix product (onnxruntime's MatMulInteger, exact) plus one shifted add. Column 47 is not an output (the model
//   drops it); it makes rows 48 bytes long, so the packer stores 4 bytes at a time. A quarter of the bytes of a float
//   layout to pack, copy into WASM memory and read: the fastest layout for weights on an 8-bit grid (one integer
//   digit, quantise.ts) of any kernel count, and for 1 and 2 kernels of float weights (bench:model).
import type { RGBAImage } from '../../slide/types.ts';
import { channelsOf, PATCH, packPatches, type PixelImage } from '../patch-grid.ts';

/** The tensor names every FocusLiteNN graph uses (the builder writes them, sessions check them). */
export const INPUT_NAME = 'input';
export const OUTPUT_NAME = 'score';

export type InputLayout = 'nchw' | 's2d' | 'u8';
export const INPUT_LAYOUTS: readonly InputLayout[] = ['nchw', 's2d', 'u8'];
/** What a model reads: float32 values / 255, or the uint8 values themselves ('u8'). */
export type InputTensor = Float32Array | Uint8Array;

export const S2D_BLOCK = 5;
/** 240 = 48 blocks of 5: the 235-pixel patch, one zero column/row before it (the conv's padding) and four after. */
export const S2D_SIDE = 48;
export const S2D_CHANNELS = 3 * S2D_BLOCK * S2D_BLOCK;

/** 'u8': a window is 5 rows (one block row) × 7 columns (one kernel width) of the padded patch, per colour. */
export const U8_WINDOW_ROWS = S2D_BLOCK;
export const U8_WINDOW_COLS = 7;
export const U8_CHANNELS = 3 * U8_WINDOW_ROWS * U8_WINDOW_COLS;
/** 48 block rows (the 47 output rows need one more); 48 columns: the 47 output columns and one for alignment. */
export const U8_ROWS = S2D_SIDE;
export const U8_COLS = 48;

export function valuesPerPatch(layout: InputLayout): number {
  if (layout === 'u8') return U8_CHANNELS * U8_ROWS * U8_COLS;
  return layout === 's2d' ? S2D_CHANNELS * S2D_SIDE * S2D_SIDE : 3 * PATCH * PATCH;
}

export function inputShape(layout: InputLayout, n: number): number[] {
  if (layout === 'u8') return [n, U8_CHANNELS, U8_ROWS, U8_COLS];
  return layout === 's2d' ? [n, S2D_CHANNELS, S2D_SIDE, S2D_SIDE] : [n, 3, PATCH, PATCH];
}

export function inputType(layout: InputLayout): 'uint8' | 'float32' {
  return layout === 'u8' ? 'uint8' : 'float32';
}

/** A zeroed input buffer for n patches (the packers leave padding positions untouched). */
export function allocInput(layout: InputLayout, n: number): InputTensor {
  return layout === 'u8' ? new Uint8Array(n * valuesPerPatch(layout)) : new Float32Array(n * valuesPerPatch(layout));
}

/** The layout a model's input shape declares. */
export function layoutOfShape(shape: readonly (number | string)[]): InputLayout | undefined {
  if (shape.length !== 4) return undefined;
  if (shape[1] === S2D_CHANNELS && shape[2] === S2D_SIDE && shape[3] === S2D_SIDE) return 's2d';
  if (shape[1] === 3 && shape[2] === PATCH && shape[3] === PATCH) return 'nchw';
  if (shape[1] === U8_CHANNELS && shape[2] === U8_ROWS && shape[3] === U8_COLS) return 'u8';
  return undefined;
}

const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;
const INV255 = new Float32Array(256).map((_, i) => Math.fround(i / 255));
const PLANE = S2D_SIDE * S2D_SIDE;
// Offsets of patch pixel (x, y) inside a colour's 25 planes: the padded coordinate x + 1 = 5·J + q.
const S2D_X = Int32Array.from({ length: PATCH }, (_, x) => ((x + 1) % S2D_BLOCK) * PLANE + Math.floor((x + 1) / S2D_BLOCK));
const S2D_Y = Int32Array.from({ length: PATCH }, (_, y) => ((y + 1) % S2D_BLOCK) * S2D_BLOCK * PLANE + Math.floor((y + 1) / S2D_BLOCK) * S2D_SIDE);

/**
 * Writes patches into `out` in the given layout from patch index `outOffset`. In 's2d' and 'u8' some positions that
 * lie wholly in the padding are never written and must hold zeros: start from allocInput and reuse a buffer only
 * for the same layout.
 */
export function packInput(
  layout: InputLayout,
  img: PixelImage | RGBAImage,
  corners: readonly { x: number; y: number }[],
  out: InputTensor = allocInput(layout, corners.length),
  outOffset = 0,
  /** 'u8' only: a byte table per patch that its pixel values go through (the stain-density normalisation). */
  tables?: readonly Uint8Array[],
): InputTensor {
  if ((out instanceof Uint8Array) !== (layout === 'u8')) throw new TypeError(`a '${layout}' input is ${inputType(layout)}`);
  if (tables && layout !== 'u8') throw new TypeError(`byte tables are applied in the 'u8' packer only, not '${layout}'`);
  if (out instanceof Uint8Array) return packWindows(img, corners, out, outOffset, tables);
  if (layout === 'nchw') return packPatches(img, corners, PATCH, out, outOffset);
  const { width, data } = img;
  const ch = checkCorners(img, corners);
  const colour = S2D_BLOCK * S2D_BLOCK * PLANE;
  const words = wordsOf(img, ch);
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

function checkCorners(img: PixelImage | RGBAImage, corners: readonly { x: number; y: number }[]): 3 | 4 {
  const ch = channelsOf(img);
  for (const { x, y } of corners) {
    if (x < 0 || y < 0 || x + PATCH > img.width || y + PATCH > img.height) throw new RangeError(`patch at (${x},${y}) lies outside the ${img.width}×${img.height} image`);
  }
  return ch;
}

/** RGBA in an aligned buffer: one 32-bit read per pixel (little-endian: R in the low byte), as packPatches does. */
function wordsOf(img: PixelImage | RGBAImage, ch: 3 | 4): Uint32Array | undefined {
  const { data } = img;
  return ch === 4 && data.byteOffset % 4 === 0 && LITTLE_ENDIAN ? new Uint32Array(data.buffer, data.byteOffset, data.byteLength >> 2) : undefined;
}

const WIN_PLANE = U8_ROWS * U8_COLS;
const WIN_COLOUR = U8_WINDOW_ROWS * U8_WINDOW_COLS * WIN_PLANE;

/**
 * The 'u8' packer. Window columns 0–4 are gathered (padded column 5j + q is patch column 5j + q − 1); columns 5 and
 * 6 are columns 0 and 1 of the next window, so whole planes are copied, shifted by one. Positions outside the patch
 * are written as 0 except in rows that lie wholly in the padding, which are never written (keep them zero).
 */
function packWindows(img: PixelImage | RGBAImage, corners: readonly { x: number; y: number }[], out: Uint8Array, outOffset: number, tables?: readonly Uint8Array[]): Uint8Array {
  const ch = checkCorners(img, corners);
  const words = wordsOf(img, ch);
  const aligned = words && out.byteOffset % 4 === 0 ? new Uint32Array(out.buffer, out.byteOffset, out.byteLength >> 2) : undefined;
  for (const [n, corner] of corners.entries()) {
    const base = (outOffset + n) * U8_CHANNELS * WIN_PLANE;
    const table = tables?.[n];
    if (words && aligned) gatherWords(words, img.width, corner, aligned, base >> 2, table);
    else gatherBytes(img, ch, corner, out, base, table);
    for (let p = 0; p < U8_WINDOW_ROWS; p++) {
      for (let c = 0; c < 3; c++) {
        const row0 = base + c * WIN_COLOUR + p * U8_WINDOW_COLS * WIN_PLANE;
        for (let q = S2D_BLOCK; q < U8_WINDOW_COLS; q++) {
          const dst = row0 + q * WIN_PLANE;
          const src = row0 + (q - S2D_BLOCK) * WIN_PLANE;
          out.copyWithin(dst, src + 1, src + WIN_PLANE);
          // The flat copy carries each next row's first byte into column 47, whose window here (padded column
          // 240 or 241) lies wholly outside the patch: 0.
          for (let r = 0; r < U8_ROWS; r++) out[dst + r * U8_COLS + U8_COLS - 1] = 0;
        }
      }
    }
  }
  return out;
}

/**
 * Window columns 0–4 of one patch from RGBA words: four columns (4 bytes) per store, three colour planes. With a
 * `table`, every pixel byte goes through it (padding stays 0): the normalisation without a normalised copy to write and
 * read back.
 */
function gatherWords(words: Uint32Array, width: number, { x, y }: { x: number; y: number }, out: Uint32Array, base: number, table?: Uint8Array): void {
  if (table) return gatherMappedWords(words, width, { x, y }, out, base, table);
  const colour = WIN_COLOUR >> 2;
  const perRow = U8_COLS >> 2;
  for (let p = 0; p < U8_WINDOW_ROWS; p++) {
    for (let q = 0; q < S2D_BLOCK; q++) {
      const plane = base + ((p * U8_WINDOW_COLS + q) * WIN_PLANE >> 2);
      // Store k takes patch columns 20k + q − 1 and the next three 5, 10 and 15 further. One store per row is cut by
      // the patch's edge: the first for q = 0 (padded column 0), else the last (columns past 234); the others lie
      // wholly inside the patch, without a test per store.
      const cut = q === 0 ? 0 : perRow - 1;
      const k0 = q === 0 ? 1 : 0;
      const xc = 20 * cut + q - 1;
      for (let r = p === 0 ? 1 : 0; r < U8_ROWS; r++) {
        const yy = r * S2D_BLOCK + p - 1;
        if (yy >= PATCH) break;
        const row = (y + yy) * width + x; // word of patch column 0
        const o = plane + r * perRow;
        let s = row + 20 * k0 + q - 1;
        for (let k = o + k0, end = k + perRow - 1; k < end; k++, s += 20) {
          const a = words[s]!;
          const b = words[s + 5]!;
          const c = words[s + 10]!;
          const d = words[s + 15]!;
          // Little-endian on both sides: R is a word's low byte, and column 4k goes to a store's low byte.
          out[k] = (a & 255) | ((b & 255) << 8) | ((c & 255) << 16) | (d << 24);
          out[k + colour] = ((a >>> 8) & 255) | (b & 0xff00) | ((c & 0xff00) << 8) | ((d >>> 8) << 24);
          out[k + 2 * colour] = ((a >>> 16) & 255) | ((b >>> 8) & 0xff00) | (c & 0xff0000) | ((d >>> 16) << 24);
        }
        let r0 = 0;
        let g0 = 0;
        let b0 = 0;
        for (let m = 0; m < 4; m++) {
          const xx = xc + 5 * m;
          if (xx < 0 || xx >= PATCH) continue;
          const v = words[row + xx]!;
          r0 |= (v & 255) << (8 * m);
          g0 |= ((v >>> 8) & 255) << (8 * m);
          b0 |= ((v >>> 16) & 255) << (8 * m);
        }
        out[o + cut] = r0;
        out[o + cut + colour] = g0;
        out[o + cut + 2 * colour] = b0;
      }
    }
  }
}

/** gatherWords through a byte table: the same stores, each pixel byte mapped, positions outside the patch 0. */
function gatherMappedWords(words: Uint32Array, width: number, { x, y }: { x: number; y: number }, out: Uint32Array, base: number, t: Uint8Array): void {
  const colour = WIN_COLOUR >> 2;
  const perRow = U8_COLS >> 2;
  for (let p = 0; p < U8_WINDOW_ROWS; p++) {
    for (let q = 0; q < S2D_BLOCK; q++) {
      const plane = base + ((p * U8_WINDOW_COLS + q) * WIN_PLANE >> 2);
      // As in gatherWords: one store per row (`cut`) is cut by the patch's edge, the others are not.
      const cut = q === 0 ? 0 : perRow - 1;
      const k0 = q === 0 ? 1 : 0;
      const xc = 20 * cut + q - 1;
      for (let r = p === 0 ? 1 : 0; r < U8_ROWS; r++) {
        const yy = r * S2D_BLOCK + p - 1;
        if (yy >= PATCH) break;
        const row = (y + yy) * width + x;
        const o = plane + r * perRow;
        let s = row + 20 * k0 + q - 1;
        for (let k = o + k0, end = k + perRow - 1; k < end; k++, s += 20) {
          const a = words[s]!;
          const b = words[s + 5]!;
          const c = words[s + 10]!;
          const d = words[s + 15]!;
          out[k] = t[a & 255]! | (t[b & 255]! << 8) | (t[c & 255]! << 16) | (t[d & 255]! << 24);
          out[k + colour] = t[(a >>> 8) & 255]! | (t[(b >>> 8) & 255]! << 8) | (t[(c >>> 8) & 255]! << 16) | (t[(d >>> 8) & 255]! << 24);
          out[k + 2 * colour] = t[(a >>> 16) & 255]! | (t[(b >>> 16) & 255]! << 8) | (t[(c >>> 16) & 255]! << 16) | (t[(d >>> 16) & 255]! << 24);
        }
        let r0 = 0;
        let g0 = 0;
        let b0 = 0;
        for (let m = 0; m < 4; m++) {
          const xx = xc + 5 * m;
          if (xx < 0 || xx >= PATCH) continue;
          const v = words[row + xx]!;
          r0 |= t[v & 255]! << (8 * m);
          g0 |= t[(v >>> 8) & 255]! << (8 * m);
          b0 |= t[(v >>> 16) & 255]! << (8 * m);
        }
        out[o + cut] = r0;
        out[o + cut + colour] = g0;
        out[o + cut + 2 * colour] = b0;
      }
    }
  }
}

/** The same one byte at a time, for RGB images (and unaligned buffers); through `table` when given. */
function gatherBytes(img: PixelImage | RGBAImage, ch: 3 | 4, { x, y }: { x: number; y: number }, out: Uint8Array, base: number, table?: Uint8Array): void {
  const { width, data } = img;
  for (let p = 0; p < U8_WINDOW_ROWS; p++) {
    for (let q = 0; q < S2D_BLOCK; q++) {
      const plane = base + (p * U8_WINDOW_COLS + q) * WIN_PLANE;
      for (let r = p === 0 ? 1 : 0; r < U8_ROWS; r++) {
        const yy = r * S2D_BLOCK + p - 1;
        if (yy >= PATCH) break;
        for (let j = 0; j < U8_COLS; j++) {
          const xx = j * S2D_BLOCK + q - 1;
          const o = plane + r * U8_COLS + j;
          if (xx < 0 || xx >= PATCH) {
            out[o] = out[o + WIN_COLOUR] = out[o + 2 * WIN_COLOUR] = 0;
            continue;
          }
          const src = ((y + yy) * width + x + xx) * ch;
          out[o] = table ? table[data[src]!]! : (data[src] as number);
          out[o + WIN_COLOUR] = table ? table[data[src + 1]!]! : (data[src + 1] as number);
          out[o + 2 * WIN_COLOUR] = table ? table[data[src + 2]!]! : (data[src + 2] as number);
        }
      }
    }
  }
}

/** Re-lays an NCHW float tensor of n patches (training samples, tests) into `layout`. */
export function fromNchw(layout: InputLayout, nchw: Float32Array, n: number): InputTensor {
  if (layout === 'nchw') return nchw;
  if (layout === 'u8') {
    const out = new Uint8Array(n * valuesPerPatch('u8'));
    const colour = WIN_COLOUR;
    for (let k = 0; k < n; k++)
      for (let c = 0; c < 3; c++)
        for (let r = 0; r < U8_ROWS; r++)
          for (let p = 0; p < U8_WINDOW_ROWS; p++) {
            const y = r * S2D_BLOCK + p - 1;
            if (y < 0 || y >= PATCH) continue;
            for (let j = 0; j < U8_COLS; j++)
              for (let q = 0; q < U8_WINDOW_COLS; q++) {
                const x = j * S2D_BLOCK + q - 1;
                if (x < 0 || x >= PATCH) continue;
                const v = Math.round((nchw[((k * 3 + c) * PATCH + y) * PATCH + x] as number) * 255);
                out[k * U8_CHANNELS * WIN_PLANE + c * colour + (p * U8_WINDOW_COLS + q) * WIN_PLANE + r * U8_COLS + j] = Math.min(255, Math.max(0, v));
              }
          }
    return out;
  }
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
export function describeInput(layout: InputLayout): { type: 'uint8' | 'float32'; shape: (number | string)[]; preprocessing: string } {
  const type = inputType(layout);
  if (layout === 'u8') {
    return {
      type,
      shape: ['N', U8_CHANNELS, U8_ROWS, U8_COLS],
      preprocessing:
        'RGB uint8 as is (the model divides by 255); each 235×235 patch zero-padded (1 before, 5 or more after); for block row r and column j (48 × 48) the 5×7 window of padded rows 5r…5r+4, columns 5j…5j+6: channel = colour·35 + row·7 + column; column 47 is not an output (src/focus/session/input-layout.ts)',
    };
  }
  return layout === 's2d'
    ? { type, shape: ['N', S2D_CHANNELS, S2D_SIDE, S2D_SIDE], preprocessing: 'RGB uint8 / 255; each 235×235 patch zero-padded to 240×240 (1 before, 4 after) and stored space-to-depth in 5×5 blocks: channel = colour·25 + row·5 + column within the block (src/focus/session/input-layout.ts)' }
    : { type, shape: ['N', 3, PATCH, PATCH], preprocessing: 'RGB uint8 / 255, channels first, no normalisation' };
}
