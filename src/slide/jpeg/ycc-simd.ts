// YCbCr → RGBA in WebAssembly SIMD (ycc-simd.wat): the same bytes as ycc-to-rgba.ts. In Chromium a 256² 4:2:0 tile
// kept as planes and converted straight into a scan block costs 0.13 ms, against 0.72 ms for the JavaScript conversion
// into a new RGBA tile and its copy into the block (one-off page, second of two rounds of 750 tiles each).
// ycc-to-rgba.ts stays the reference and the fallback (no WebAssembly SIMD, images narrower than 16 pixels).
// The same module expands RGB to RGBA (rgbRows) for decoders that give RGB (the CLI's).
import type { ComposableTile } from '../tile-cache.ts';
import { lumaRowsToRgba } from '../luma.ts';
import { blitArea } from '../region.ts';
import type { RGBAImage } from '../types.ts';
import { YCC_SIMD_WASM } from './ycc-simd-wasm.ts';
import { canConvert420, yuv420ToRgba, yuv444ToRgba, type Plane } from './ycc-to-rgba.ts';

/** The two conversions of ycc-to-rgba.ts, with its contract (yuv420ToRgba throws unless canConvert420). */
export interface YccConverter {
  yuv420ToRgba(y: Plane, cb: Plane, cr: Plane, width: number, height: number): RGBAImage;
  yuv444ToRgba(y: Plane, cb: Plane, cr: Plane, width: number, height: number): RGBAImage;
  /**
   * Where offered: the same pixels as a tile that keeps the planes (all in `data`) and converts them when composed
   * into a region (a ComposableTile); sub 2 for 4:2:0, 1 for 4:4:4.
   */
  tile?(data: Uint8Array, planes: readonly [Plane, Plane, Plane], width: number, height: number, sub: 1 | 2): RGBAImage;
  /** Where offered: memory of `size` bytes for a tile's planes, reused from a tile the cache dropped when there is one. */
  planeMemory?(size: number): Uint8Array;
  /**
   * Where offered: RGB → RGBA (opaque) for decoders that give RGB: `rows` rows of `n` ≥ 4 pixels, row r from
   * rgb[at + r·stride] to out[outAt + r·outStride].
   */
  rgbRows?(rgb: Uint8Array, at: number, stride: number, n: number, rows: number, out: Uint8Array, outAt: number, outStride: number): void;
}

export const JS_YCC: YccConverter = { yuv420ToRgba, yuv444ToRgba };

type RgbKernel = (src: number, srcStride: number, n: number, rows: number, out: number, outStride: number) => void;
type Convert = (y: number, ys: number, cb: number, cbs: number, cr: number, crs: number, w: number, h: number, row0: number, row1: number, out: number, outStride: number, scratch: number) => void;

/** The compiled module, compiled once per thread; null where WebAssembly SIMD is missing. */
let compiled: WebAssembly.Module | null | undefined;

function simdModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    compiled = null;
    const bytes = Uint8Array.from(atob(YCC_SIMD_WASM), (c) => c.charCodeAt(0));
    try {
      // validate() is false where the engine lacks SIMD. The module is ~1.5 KB, so compiling it synchronously is fine.
      if (typeof WebAssembly === 'object' && WebAssembly.validate(bytes)) compiled = new WebAssembly.Module(bytes);
    } catch {
      // WebAssembly refused (a Content-Security-Policy without 'wasm-unsafe-eval'): the JavaScript converter it is.
    }
  }
  return compiled;
}

/** The SIMD converter when this engine has WebAssembly SIMD, else undefined. Each converter has its own memory. */
export function createSimdYcc(): YccConverter | undefined {
  const module = simdModule();
  return module ? new SimdYcc(new WebAssembly.Instance(module)) : undefined;
}

/** The fastest exact converter this engine has. */
export function createYccConverter(): YccConverter {
  return createSimdYcc() ?? JS_YCC;
}

/** The kernels read up to 16 bytes past a chroma row (whole vectors), so that much lies after the planes. */
const SLACK = 16;
const align = (n: number) => (n + 15) & ~15;
const span = (p: Plane, rows: number, cols: number) => (rows - 1) * p.stride + cols;

/** Plane memory of dropped tiles kept for new ones: a few blocks' worth of 256² tiles (~100 KB each). */
const MAX_SPARE_PLANES = 64;
/** Rows converted at a time: a 256² tile in four steps, the RGBA of a 1024-wide strip in 256 KB of this memory. */
const STRIP = 64;

class SimdYcc implements YccConverter {
  private readonly memory: WebAssembly.Memory;
  private readonly h2v2: Convert;
  private readonly h1v1: Convert;
  private readonly rgb: RgbKernel;
  private readonly spare: Uint8Array[] = [];

  constructor(instance: WebAssembly.Instance) {
    const e = instance.exports as { memory: WebAssembly.Memory; h2v2: Convert; h1v1: Convert; rgb: RgbKernel };
    this.memory = e.memory;
    this.h2v2 = e.h2v2;
    this.h1v1 = e.h1v1;
    this.rgb = e.rgb;
  }

  rgbRows(rgb: Uint8Array, at: number, stride: number, n: number, rows: number, out: Uint8Array, outAt: number, outStride: number): void {
    if (n < 4) throw new RangeError(`RGB rows of at least 4 pixels, got ${n}`);
    // Memory: [the rows' RGB bytes | 16 slack | RGBA of STRIP rows]; strips as in convert.
    const span = (rows - 1) * stride + n * 3;
    const rgbaAt = align(span + SLACK);
    const rowBytes = n * 4;
    const end = rgbaAt + STRIP * rowBytes;
    const have = this.memory.buffer.byteLength;
    if (have < end) this.memory.grow(Math.ceil((end - have) / 65536));
    const mem = new Uint8Array(this.memory.buffer);
    mem.set(rgb.subarray(at, at + span), 0);
    for (let r0 = 0; r0 < rows; r0 += STRIP) {
      const r1 = Math.min(rows, r0 + STRIP);
      this.rgb(r0 * stride, stride, n, r1 - r0, rgbaAt, rowBytes);
      if (outStride === rowBytes) {
        out.set(mem.subarray(rgbaAt, rgbaAt + (r1 - r0) * rowBytes), outAt + r0 * outStride);
        continue;
      }
      for (let r = r0, from = rgbaAt; r < r1; r++, from += rowBytes) out.set(mem.subarray(from, from + rowBytes), outAt + r * outStride);
    }
  }

  yuv420ToRgba(y: Plane, cb: Plane, cr: Plane, width: number, height: number): RGBAImage {
    if (width < 16) return yuv420ToRgba(y, cb, cr, width, height);
    if (!canConvert420(width, height)) throw new RangeError(`4:2:0 conversion needs even sizes wider than 4 pixels, got ${width}×${height}`);
    return this.whole(y, cb, cr, width, height, 2);
  }

  yuv444ToRgba(y: Plane, cb: Plane, cr: Plane, width: number, height: number): RGBAImage {
    if (width < 16) return yuv444ToRgba(y, cb, cr, width, height);
    return this.whole(y, cb, cr, width, height, 1);
  }

  /**
   * A tile that keeps its planes (`data`, as VideoFrame.copyTo left them) and converts them when composed into a
   * region (ComposableTile). Same sizes as yuv420ToRgba / yuv444ToRgba take; narrower ones are converted at once.
   */
  tile(data: Uint8Array, planes: readonly [Plane, Plane, Plane], width: number, height: number, sub: 1 | 2): RGBAImage {
    if (width < 16) return (sub === 2 ? yuv420ToRgba : yuv444ToRgba)(...planes, width, height);
    if (sub === 2 && !canConvert420(width, height)) throw new RangeError(`4:2:0 conversion needs even sizes wider than 4 pixels, got ${width}×${height}`);
    return new YccTile(this, data, planes, width, height, sub);
  }

  planeMemory(size: number): Uint8Array {
    // Tiles of a level have one size, so the last one kept almost always fits; another size is left to the GC.
    const kept = this.spare.pop();
    return kept && kept.byteLength === size ? kept : new Uint8Array(size);
  }

  recycle(data: Uint8Array): void {
    if (this.spare.length < MAX_SPARE_PLANES) this.spare.push(data);
  }

  private whole(y: Plane, cb: Plane, cr: Plane, width: number, height: number, sub: 1 | 2): RGBAImage {
    const data = new Uint8ClampedArray(width * height * 4);
    this.convert([y, cb, cr], width, height, sub, 0, height, 0, width, new Uint8Array(data.buffer), 0, width * 4);
    return { width, height, data };
  }

  /** The tile's part of blit(dst, tile, x, y, useWidth, useHeight), converted straight into `dst`. */
  blit(tile: YccTile, dst: RGBAImage, x: number, y: number, useWidth: number, useHeight: number): void {
    const area = blitArea(dst, tile, x, y, useWidth, useHeight);
    if (!area) return;
    const { x0, y0, x1, y1 } = area;
    const out = new Uint8Array(dst.data.buffer, dst.data.byteOffset, dst.data.byteLength);
    this.convert(tile.planes(), tile.width, tile.height, tile.sub, y0 - y, y1 - y, x0 - x, x1 - x, out, (y0 * dst.width + x0) * 4, dst.width * 4);
  }

  /**
   * Tile rows row0…row1 − 1, columns col0…col1 − 1, to `out`: tile row r at out[at + (r − row0)·stride]. Memory:
   * [scratch | Y | Cb | Cr | slack | RGBA of STRIP rows]: the used bytes of each plane are copied in, then converted
   * STRIP rows at a time (so a large tile does not grow this memory by its whole RGBA size) and copied out.
   */
  private convert(planes: readonly [Plane, Plane, Plane], width: number, height: number, sub: 1 | 2, row0: number, row1: number, col0: number, col1: number, out: Uint8Array, at: number, stride: number): void {
    const [y, cb, cr] = planes;
    const cw = width / sub;
    const ch = height / sub;
    const rowBytes = width * 4;
    const yAt = align(4 * width + 64);
    const cbAt = align(yAt + span(y, height, width));
    const crAt = align(cbAt + span(cb, ch, cw));
    const rgbaAt = align(crAt + span(cr, ch, cw) + SLACK);
    const end = rgbaAt + STRIP * rowBytes;
    const have = this.memory.buffer.byteLength;
    if (have < end) this.memory.grow(Math.ceil((end - have) / 65536));
    const mem = new Uint8Array(this.memory.buffer);
    mem.set(y.data.subarray(y.offset, y.offset + span(y, height, width)), yAt);
    mem.set(cb.data.subarray(cb.offset, cb.offset + span(cb, ch, cw)), cbAt);
    mem.set(cr.data.subarray(cr.offset, cr.offset + span(cr, ch, cw)), crAt);
    const kernel = sub === 2 ? this.h2v2 : this.h1v1;
    const whole = col0 === 0 && col1 === width && stride === rowBytes;
    for (let r0 = row0; r0 < row1; r0 += STRIP) {
      const r1 = Math.min(row1, r0 + STRIP);
      kernel(yAt, y.stride, cbAt, cb.stride, crAt, cr.stride, width, height, r0, r1, rgbaAt, rowBytes, 0);
      const to = at + (r0 - row0) * stride;
      if (whole) {
        out.set(mem.subarray(rgbaAt, rgbaAt + (r1 - r0) * rowBytes), to);
        continue;
      }
      for (let r = 0, from = rgbaAt + col0 * 4; r < r1 - r0; r++, from += rowBytes) out.set(mem.subarray(from, from + (col1 - col0) * 4), to + r * stride);
    }
  }
}

/** A JPEG tile as its decoder's planes, converted by the SIMD kernels into whatever region it is composed into. */
class YccTile implements ComposableTile {
  private rgba: Uint8ClampedArray | undefined;
  private kept: { buffer: Uint8Array; planes: readonly [Plane, Plane, Plane] } | undefined;
  readonly byteSize: number;

  constructor(
    private readonly ycc: SimdYcc,
    buffer: Uint8Array,
    planes: readonly [Plane, Plane, Plane],
    readonly width: number,
    readonly height: number,
    readonly sub: 1 | 2,
  ) {
    this.byteSize = buffer.byteLength;
    this.kept = { buffer, planes };
  }

  planes(): readonly [Plane, Plane, Plane] {
    if (!this.kept) throw new Error('a JPEG tile was used after the tile cache released it');
    return this.kept.planes;
  }

  release(): void {
    if (!this.kept) return;
    this.ycc.recycle(this.kept.buffer);
    this.kept = undefined;
  }

  /** The RGBA pixels, converted on first use and kept (readers other than composeRegion: rare). */
  get data(): Uint8ClampedArray {
    if (!this.rgba) {
      const rgba: RGBAImage = { width: this.width, height: this.height, data: new Uint8ClampedArray(this.width * this.height * 4) };
      this.ycc.blit(this, rgba, 0, 0, this.width, this.height);
      this.rgba = rgba.data;
    }
    return this.rgba;
  }

  blitInto(dst: RGBAImage, x: number, y: number, useWidth: number, useHeight: number): void {
    this.ycc.blit(this, dst, x, y, useWidth, useHeight);
  }

  /** The luma plane as it is: for the gray slide under the heatmap, no colour conversion (bench:viewer's renders). */
  blitLumaInto(dst: RGBAImage, x: number, y: number, useWidth: number, useHeight: number): void {
    const area = blitArea(dst, this, x, y, useWidth, useHeight);
    if (!area) return;
    const { x0, y0, x1, y1 } = area;
    const luma = this.planes()[0];
    lumaRowsToRgba(luma.data, luma.offset + (y0 - y) * luma.stride + (x0 - x), luma.stride, x1 - x0, y1 - y0, dst.data, (y0 * dst.width + x0) * 4, dst.width * 4);
  }
}
