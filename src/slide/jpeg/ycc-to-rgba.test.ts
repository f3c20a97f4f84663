import { describe, expect, it } from 'vitest';
import { canConvert420, yuv420ToRgba, yuv444ToRgba, type Plane } from './ycc-to-rgba.ts';

// A second, literal transcription of libjpeg-turbo (jdsample.c h2v2_fancy_upsample into full-size chroma planes,
// then jdcolor.c ycc_rgb_convert), to check the merged single-pass loop; e2e/decode-exact.spec.ts checks both
// against libjpeg-turbo itself.
function reference(yp: Uint8Array, cbp: Uint8Array, crp: Uint8Array, w: number, h: number): Uint8ClampedArray {
  const fix = (x: number) => Math.floor(x * 65536 + 0.5);
  const up = (src: Uint8Array): Uint8Array => {
    const cw = w / 2;
    const ch = h / 2;
    const out = new Uint8Array(w * h);
    for (let r = 0; r < ch; r++) {
      for (let v = 0; v < 2; v++) {
        const far = v === 0 ? Math.max(0, r - 1) : Math.min(ch - 1, r + 1);
        const at = (c: number) => src[r * cw + c]! * 3 + src[far * cw + c]!;
        let o = (2 * r + v) * w;
        let thiscol = at(0);
        let nextcol = at(1);
        out[o++] = (thiscol * 4 + 8) >> 4;
        out[o++] = (thiscol * 3 + nextcol + 7) >> 4;
        let lastcol = thiscol;
        thiscol = nextcol;
        for (let c = 2; c < cw; c++) {
          nextcol = at(c);
          out[o++] = (thiscol * 3 + lastcol + 8) >> 4;
          out[o++] = (thiscol * 3 + nextcol + 7) >> 4;
          lastcol = thiscol;
          thiscol = nextcol;
        }
        out[o++] = (thiscol * 3 + lastcol + 8) >> 4;
        out[o++] = (thiscol * 4 + 7) >> 4;
      }
    }
    return out;
  };
  const cb = up(cbp);
  const cr = up(crp);
  const rgba = new Uint8ClampedArray(w * h * 4);
  for (let i = 0; i < w * h; i++) {
    const y = yp[i]!;
    const b = cb[i]! - 128;
    const r = cr[i]! - 128;
    rgba[i * 4] = y + ((fix(1.402) * r + 32768) >> 16);
    rgba[i * 4 + 1] = y + ((-fix(0.34414) * b + 32768 - fix(0.71414) * r) >> 16);
    rgba[i * 4 + 2] = y + ((fix(1.772) * b + 32768) >> 16);
    rgba[i * 4 + 3] = 255;
  }
  return rgba;
}

function noise(n: number, seed: number): Uint8Array {
  let s = seed;
  return Uint8Array.from({ length: n }, () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 24));
}

describe('YCbCr → RGBA as libjpeg-turbo does it', () => {
  it('matches a literal transcription of libjpeg-turbo on random planes, with strides and offsets', () => {
    for (const [w, h] of [[256, 256], [240, 16], [6, 2], [64, 130]] as const) {
      const y = noise(w * h, w);
      const cb = noise((w / 2) * (h / 2), h + 1);
      const cr = noise((w / 2) * (h / 2), w + h);
      // The same planes inside one buffer with padded rows, as VideoFrame.copyTo lays them out.
      const pad = 8;
      const buffer = new Uint8Array((w + pad) * h + 2 * (w / 2 + pad) * (h / 2) + 3);
      const yPlane: Plane = { data: buffer, offset: 3, stride: w + pad };
      const cbPlane: Plane = { data: buffer, offset: 3 + (w + pad) * h, stride: w / 2 + pad };
      const crPlane: Plane = { data: buffer, offset: cbPlane.offset + (w / 2 + pad) * (h / 2), stride: w / 2 + pad };
      for (let r = 0; r < h; r++) buffer.set(y.subarray(r * w, (r + 1) * w), yPlane.offset + r * yPlane.stride);
      for (let r = 0; r < h / 2; r++) {
        buffer.set(cb.subarray((r * w) / 2, ((r + 1) * w) / 2), cbPlane.offset + r * cbPlane.stride);
        buffer.set(cr.subarray((r * w) / 2, ((r + 1) * w) / 2), crPlane.offset + r * crPlane.stride);
      }
      const out = yuv420ToRgba(yPlane, cbPlane, crPlane, w, h);
      expect(out.width).toBe(w);
      expect(Buffer.from(out.data).equals(Buffer.from(reference(y, cb, cr, w, h)))).toBe(true);
    }
  });

  it('keeps greys grey and clamps saturated colours', () => {
    const plane = (v: number, n: number): Plane => ({ data: new Uint8Array(n).fill(v), offset: 0, stride: Math.sqrt(n) });
    const grey = yuv444ToRgba(plane(77, 16), plane(128, 16), plane(128, 16), 4, 4);
    expect(Array.from(grey.data.subarray(0, 4))).toEqual([77, 77, 77, 255]);
    const red = yuv444ToRgba(plane(250, 16), plane(128, 16), plane(255, 16), 4, 4);
    expect(red.data[0]).toBe(255); // 250 + 178 clamps
    expect(red.data[1]).toBe(250 - 91);
  });

  it('4:4:4: every Y with Cb and Cr every 5 levels converts as jdcolor.c does, clamped', () => {
    const fix = (x: number) => Math.floor(x * 65536 + 0.5);
    const levels = Array.from({ length: 52 }, (_, i) => Math.min(255, i * 5));
    const n = 256 * levels.length * levels.length;
    const y = new Uint8Array(n);
    const cb = new Uint8Array(n);
    const cr = new Uint8Array(n);
    let i = 0;
    for (let l = 0; l < 256; l++) for (const b of levels) for (const r of levels) [y[i], cb[i], cr[i++]] = [l, b, r];
    const out = yuv444ToRgba({ data: y, offset: 0, stride: n }, { data: cb, offset: 0, stride: n }, { data: cr, offset: 0, stride: n }, n, 1).data;
    const clamp = (v: number) => Math.min(255, Math.max(0, v));
    for (let k = 0; k < n; k++) {
      const b = cb[k]! - 128;
      const r = cr[k]! - 128;
      const want = [clamp(y[k]! + ((fix(1.402) * r + 32768) >> 16)), clamp(y[k]! + ((-fix(0.34414) * b + 32768 - fix(0.71414) * r) >> 16)), clamp(y[k]! + ((fix(1.772) * b + 32768) >> 16)), 255];
      if (want.some((v, c) => out[4 * k + c] !== v)) expect([y[k], cb[k], cr[k], ...out.subarray(4 * k, 4 * k + 4)]).toEqual([y[k], cb[k], cr[k], ...want]);
    }
  });

  it('leaves odd and tiny images to another decoder', () => {
    expect(canConvert420(256, 256)).toBe(true);
    expect(canConvert420(255, 256)).toBe(false);
    expect(canConvert420(4, 4)).toBe(false);
    const p: Plane = { data: new Uint8Array(64), offset: 0, stride: 8 };
    expect(() => yuv420ToRgba(p, p, p, 7, 8)).toThrow(RangeError);
  });
});
