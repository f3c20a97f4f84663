import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { MODULES, wasmModuleSource } from '../../../scripts/build-wasm.mjs';
import { composeRegion, TileCache, type ComposableTile, type TileGrid } from '../tile-cache.ts';
import type { RGBAImage } from '../types.ts';
import { createSimdYcc, createYccConverter, JS_YCC } from './ycc-simd.ts';
import type { Plane } from './ycc-to-rgba.ts';

function noise(n: number, seed: number): Uint8Array {
  let s = seed;
  return Uint8Array.from({ length: n }, () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 24));
}

/** Three planes of the given sizes inside one buffer with padded rows and an offset, as VideoFrame.copyTo lays them out. */
function framePlanes(w: number, h: number, cw: number, ch: number, seed: number): [Plane, Plane, Plane] {
  const pad = 5;
  const buffer = noise(3 + (w + pad) * h + 2 * (cw + pad) * ch, seed);
  const y: Plane = { data: buffer, offset: 3, stride: w + pad };
  const cb: Plane = { data: buffer, offset: 3 + (w + pad) * h, stride: cw + pad };
  const cr: Plane = { data: buffer, offset: cb.offset + (cw + pad) * ch, stride: cw + pad };
  return [y, cb, cr];
}

const same = (a: Uint8ClampedArray, b: Uint8ClampedArray) => a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

describe('YCbCr → RGBA in WebAssembly SIMD', () => {
  it('the committed binary is ycc-simd.wat assembled (npm run build:wasm)', async () => {
    expect(readFileSync(MODULES.yccSimd.out, 'utf8')).toBe(await wasmModuleSource(MODULES.yccSimd));
  });

  const simd = createSimdYcc();

  it('runs here (Node has WebAssembly SIMD), and is what createYccConverter picks', () => {
    expect(simd).toBeDefined();
    expect(createYccConverter()).not.toBe(JS_YCC);
  });

  it('4:2:0: the same bytes as the JavaScript reference on random planes, every edge case of the vector loops', () => {
    // Widths: multiples of 16 and not (the last step overlaps), chroma widths not multiples of 8, the narrowest
    // (16), and below 16 (the JavaScript fallback); heights of one chroma row and odd chroma row counts.
    const sizes = [[256, 256], [16, 2], [18, 4], [22, 6], [30, 2], [34, 130], [240, 16], [250, 10], [254, 254], [512, 64], [6, 2], [14, 8]] as const;
    for (const [i, [w, h]] of sizes.entries()) {
      const planes = framePlanes(w, h, w / 2, h / 2, 17 + i);
      const want = JS_YCC.yuv420ToRgba(...planes, w, h).data;
      const got = simd!.yuv420ToRgba(...planes, w, h);
      expect([got.width, got.height]).toEqual([w, h]);
      expect(same(got.data, want), `${w}×${h}`).toBe(true);
    }
  });

  it('4:2:0: extreme chroma (all 0, all 255, alternating) converts as the reference', () => {
    const w = 48;
    const h = 8;
    for (const fill of [(i: number) => 0 * i, () => 255, (i: number) => (i % 2 ? 255 : 0), (i: number) => (i % 3 ? 0 : 255)]) {
      const planes = framePlanes(w, h, w / 2, h / 2, 1);
      planes[0].data.forEach((_, i, d) => (d[i] = fill(i)));
      expect(same(simd!.yuv420ToRgba(...planes, w, h).data, JS_YCC.yuv420ToRgba(...planes, w, h).data)).toBe(true);
    }
  });

  it('4:4:4: every Y with every Cb and Cr (the whole domain of the colour terms) converts as the reference', () => {
    // One 256 × 256 image per Y: column Cr, row Cb.
    const n = 256;
    const cb = new Uint8Array(n * n);
    const cr = new Uint8Array(n * n);
    for (let i = 0; i < n * n; i++) [cb[i], cr[i]] = [i >> 8, i & 255];
    const y = new Uint8Array(n * n);
    const plane = (data: Uint8Array): Plane => ({ data, offset: 0, stride: n });
    for (let lum = 0; lum < 256; lum++) {
      y.fill(lum);
      const got = simd!.yuv444ToRgba(plane(y), plane(cb), plane(cr), n, n).data;
      const want = JS_YCC.yuv444ToRgba(plane(y), plane(cb), plane(cr), n, n).data;
      if (!same(got, want)) {
        const at = got.findIndex((v, i) => v !== want[i]) >> 2;
        expect({ y: lum, cb: at >> 8, cr: at & 255, got: [...got.subarray(4 * at, 4 * at + 4)] }).toEqual({ y: lum, cb: at >> 8, cr: at & 255, got: [...want.subarray(4 * at, 4 * at + 4)] });
      }
    }
  });

  it('4:4:4: random planes with strides, widths that are not multiples of 16, and narrow images', () => {
    for (const [i, [w, h]] of ([[256, 256], [16, 1], [17, 3], [255, 9], [100, 7], [3, 3]] as const).entries()) {
      const planes = framePlanes(w, h, w, h, 40 + i);
      expect(same(simd!.yuv444ToRgba(...planes, w, h).data, JS_YCC.yuv444ToRgba(...planes, w, h).data), `${w}×${h}`).toBe(true);
    }
  });

  it('tiles kept as planes compose into a region exactly as their RGBA does, edge tiles and partial overlaps included', async () => {
    // A 100×300 level of 48×130 tiles (the last column and row cut short by the level's edge; tiles taller than the
    // converter's 64-row strips), 4:2:0 and 4:4:4.
    const grid: TileGrid = { width: 100, height: 300, tileWidth: 48, tileHeight: 130, tilesAcross: 3, tilesDown: 3 };
    for (const sub of [2, 1] as const) {
      const planes = Array.from({ length: 9 }, (_, i) => framePlanes(48, 130, 48 / sub, 130 / sub, 100 * sub + i));
      const reference = (col: number, row: number) => Promise.resolve((sub === 2 ? JS_YCC.yuv420ToRgba : JS_YCC.yuv444ToRgba)(...planes[row * 3 + col]!, 48, 130));
      const kept = (col: number, row: number) => Promise.resolve(simd!.tile!(planes[row * 3 + col]![0].data, planes[row * 3 + col]!, 48, 130, sub));
      for (const [x, y, w, h] of [[0, 0, 100, 300], [5, 3, 90, 200], [47, 129, 3, 3], [60, 140, 40, 150], [-4, -2, 20, 20], [0, 61, 48, 70]] as const) {
        const want = await composeRegion('t', grid, x, y, w, h, reference);
        // Into reused memory holding other bytes, as scan blocks are read.
        const into = new Uint8ClampedArray(w * h * 4 + 12).fill(7);
        const got = await composeRegion('t', grid, x, y, w, h, kept, { into });
        expect(same(got.data, want.data), `sub ${sub}, ${w}×${h} at (${x}, ${y})`).toBe(true);
      }
      const tile = (await kept(1, 1)) as RGBAImage;
      expect(same(tile.data, (await reference(1, 1)).data)).toBe(true);
    }
  });

  it('in grayscale, tiles kept as planes give their luma plane; tiles of RGBA their Rec. 601 luma; the two agree within rounding', async () => {
    const grid: TileGrid = { width: 100, height: 300, tileWidth: 48, tileHeight: 130, tilesAcross: 3, tilesDown: 3 };
    // Moderate chroma, so the colour conversion does not clip (where it does, the luma of the clipped colour differs).
    const planes = Array.from({ length: 9 }, (_, i) => {
      const p = framePlanes(48, 130, 24, 65, 300 + i);
      p[0].data.forEach((v, j, d) => (d[j] = j < p[1].offset ? 40 + (v % 170) : 112 + (v % 32)));
      return p;
    });
    const kept = (col: number, row: number) => Promise.resolve(simd!.tile!(planes[row * 3 + col]![0].data, planes[row * 3 + col]!, 48, 130, 2));
    const rgba = (col: number, row: number) => Promise.resolve(JS_YCC.yuv420ToRgba(...planes[row * 3 + col]!, 48, 130));
    for (const [x, y, w, h] of [[0, 0, 100, 300], [5, 3, 90, 200], [47, 129, 3, 3], [-4, -2, 20, 20]] as const) {
      const into = new Uint8ClampedArray(w * h * 4 + 12).fill(7);
      const gray = await composeRegion('t', grid, x, y, w, h, kept, { gray: true, into });
      const colour = await composeRegion('t', grid, x, y, w, h, kept);
      const fromRgba = await composeRegion('t', grid, x, y, w, h, rgba, { gray: true });
      let worst = 0;
      for (let i = 0; i < w * h * 4; i += 4) {
        const [r, g, b, a] = gray.data.subarray(i, i + 4);
        expect(r === g && g === b && a === 255, `pixel ${i / 4}`).toBe(true);
        // Outside the level: white, as in colour.
        if (colour.data[i] === 255 && colour.data[i + 1] === 255 && colour.data[i + 2] === 255) continue;
        const px = i / 4;
        const lx = x + (px % w);
        const ly = y + Math.floor(px / w);
        const t = planes[Math.floor(ly / 130) * 3 + Math.floor(lx / 48)]![0];
        expect(r, `luma plane at (${lx}, ${ly})`).toBe(t.data[t.offset + (ly % 130) * t.stride + (lx % 48)]);
        worst = Math.max(worst, Math.abs(r! - fromRgba.data[i]!));
      }
      expect(worst, `${w}×${h} at (${x}, ${y})`).toBeLessThanOrEqual(1);
    }
  });

  it('a tile kept as planes counts its planes against the tile cache budget', async () => {
    const [y, cb, cr] = framePlanes(64, 64, 32, 32, 5);
    const tile = simd!.tile!(y.data, [y, cb, cr], 64, 64, 2);
    const cache = new TileCache(y.data.byteLength * 2);
    for (const key of ['a', 'b']) await cache.get(key, () => Promise.resolve(tile));
    expect(cache.has('a') && cache.has('b')).toBe(true); // two RGBA copies (4 bytes a pixel) would not fit
  });

  it("a tile the cache drops gives its plane memory to the next tile, and cannot be used any more", async () => {
    const size = 64 * 64 + 2 * 32 * 32;
    const make = (seed: number) => {
      const data = simd!.planeMemory!(size);
      data.set(noise(size, seed));
      const planes: [Plane, Plane, Plane] = [{ data, offset: 0, stride: 64 }, { data, offset: 4096, stride: 32 }, { data, offset: 5120, stride: 32 }];
      return { data, tile: simd!.tile!(data, planes, 64, 64, 2), want: JS_YCC.yuv420ToRgba(...planes, 64, 64).data };
    };
    const a = make(1);
    const b = make(2);
    expect(b.data).not.toBe(a.data);
    const cache = new TileCache(size); // room for one tile
    await cache.get('a', () => Promise.resolve(a.tile));
    await cache.get('b', () => Promise.resolve(b.tile)); // a is dropped
    expect(cache.has('a')).toBe(false);
    const c = make(3);
    expect(c.data).toBe(a.data); // a's memory, now c's planes
    expect(() => (a.tile as ComposableTile).blitInto({ width: 64, height: 64, data: new Uint8ClampedArray(64 * 64 * 4) }, 0, 0, 64, 64)).toThrow(/released/);
    expect(same(c.tile.data, c.want)).toBe(true);
    expect(same(b.tile.data, b.want)).toBe(true);
    expect(simd!.planeMemory!(size + 1).byteLength).toBe(size + 1); // another size: new memory
  });

  it('falls back to the JavaScript converter where WebAssembly SIMD is missing', async () => {
    vi.resetModules();
    const validate = vi.spyOn(WebAssembly, 'validate').mockReturnValue(false);
    try {
      const fresh = await import('./ycc-simd.ts');
      expect(fresh.createSimdYcc()).toBeUndefined();
      expect(fresh.createYccConverter()).toBe(fresh.JS_YCC);
      expect(validate).toHaveBeenCalled();
    } finally {
      validate.mockRestore();
      vi.resetModules();
    }
  });

  it('keeps the reference contract: odd 4:2:0 sizes are refused', () => {
    const p: Plane = { data: new Uint8Array(1024), offset: 0, stride: 32 };
    expect(() => simd!.yuv420ToRgba(p, p, p, 31, 8)).toThrow(RangeError);
    expect(() => simd!.yuv420ToRgba(p, p, p, 32, 7)).toThrow(RangeError);
  });

  it('RGB rows → RGBA: every width from 4 (the last step overlaps), strides, offsets, more rows than one strip', () => {
    for (const [n, rows, stride, at, outStride, outAt] of [[4, 1, 12, 0, 16, 0], [5, 3, 17, 2, 24, 4], [17, 70, 60, 7, 80, 3], [256, 256, 768, 0, 1024, 0], [300, 131, 903, 5, 1300, 8], [1131, 65, 3393, 0, 4524, 0]] as const) {
      const rgb = noise(at + (rows - 1) * stride + n * 3, n + rows);
      const want = new Uint8Array(outAt + (rows - 1) * outStride + n * 4).fill(7);
      const got = want.slice();
      for (let r = 0; r < rows; r++) {
        for (let x = 0; x < n; x++) {
          want.set(rgb.subarray(at + r * stride + x * 3, at + r * stride + x * 3 + 3), outAt + r * outStride + x * 4);
          want[outAt + r * outStride + x * 4 + 3] = 255;
        }
      }
      simd!.rgbRows!(rgb, at, stride, n, rows, got, outAt, outStride);
      expect(Buffer.from(got).equals(Buffer.from(want)), `${n}×${rows}`).toBe(true);
    }
    expect(() => simd!.rgbRows!(new Uint8Array(9), 0, 9, 3, 1, new Uint8Array(12), 0, 12)).toThrow(/at least 4 pixels/);
  });
});
