// Runs without ../shared: ONNX models built from made-up weights against the TS reference on made-up pixels.
import { afterAll, describe, expect, it } from 'vitest';
import { buildFocusModel, ONNX_IR_VERSION, ONNX_OPSET } from './onnx-builder.ts';
import { quantiseConvWeights, weightDigits } from './quantise.ts';
import { packPatches, patchGrid } from '../../focus/patch-grid.ts';
import { referenceImageScore, referencePatchScores, referenceScoreTensor } from './reference.ts';
import { fromNchw, packInput, valuesPerPatch } from '../../focus/session/input-layout.ts';
import { createFocusSession, inputLayout, runPatchTensor, scoreImage, scorePatches, type FocusSession } from '../../focus/session/session.ts';
import type { FocusWeights } from './weights.ts';

function lcg(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomWeights(c: number, seed: number, withFc = c > 1): FocusWeights {
  const r = lcg(seed);
  const w: FocusWeights = {
    kernels: c,
    convWeight: Float32Array.from({ length: c * 147 }, () => (r() - 0.5) * 0.4),
    convBias: Float32Array.from({ length: c }, () => r() - 0.5),
  };
  if (withFc) {
    w.fcWeight = Float32Array.from({ length: c }, () => (r() - 0.5) * 4);
    w.fcBias = Math.fround(r() - 0.5);
  }
  return w;
}

/** Smooth gradient plus noise, so that the conv minimum sits at different places in each patch. */
function randomImage(width: number, height: number, seed: number, channels: 3 | 4 = 4) {
  const r = lcg(seed);
  const data = new Uint8ClampedArray(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        data[(y * width + x) * channels + c] = c === 3 ? 255 : ((x * (c + 1) + y * 2) % 256) * 0.5 + r() * 128;
      }
    }
  }
  return { width, height, data, channels };
}

/** Reads the varint fields ir_version (1) and opset_import.version (8 → 2) from serialised model bytes. */
function readHeader(bytes: Uint8Array): { ir: number; opset: number } {
  let pos = 0;
  const varint = () => {
    let v = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[pos++] as number;
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
      shift += 7;
    }
  };
  let ir = -1;
  let opset = -1;
  while (pos < bytes.length) {
    const tag = varint();
    const field = tag >> 3;
    const wire = tag & 7;
    if (wire === 0) {
      const v = varint();
      if (field === 1) ir = v;
    } else if (wire === 2) {
      const len = varint();
      if (field === 8) {
        const sub = readHeaderOpset(bytes.subarray(pos, pos + len));
        if (sub !== undefined) opset = sub;
      }
      pos += len;
    } else throw new Error(`unexpected wire type ${wire}`);
  }
  return { ir, opset };
}
function readHeaderOpset(b: Uint8Array): number | undefined {
  // OperatorSetIdProto: domain (1, string) then version (2, varint < 128 here)
  let pos = 0;
  while (pos < b.length) {
    const tag = b[pos++] as number;
    if (tag === 0x0a) pos += 1 + (b[pos] as number);
    else if (tag === 0x10) return b[pos] as number;
    else return undefined;
  }
  return undefined;
}

describe('ONNX FocusLiteNN (made-up weights, no ../shared needed)', () => {
  const sessions: FocusSession[] = [];
  afterAll(async () => {
    for (const s of sessions) await s.release();
  });

  it(`declares IR ${ONNX_IR_VERSION} and opset ${ONNX_OPSET}`, () => {
    expect(readHeader(buildFocusModel(randomWeights(1, 1)))).toEqual({ ir: 8, opset: 17 });
  });

  // weights: 'float' = arbitrary float32 (3 digits in the u8 graph); '8-bit' = on the 8-bit grid the trainer ships
  // (1 digit by default; `digits` forces more, which must give the same scores).
  for (const [c, withFc, layout, weightGrid, digits] of [
    [1, false, 'nchw', 'float', undefined],
    [1, false, 's2d', 'float', undefined],
    [1, true, 's2d', 'float', undefined],
    [2, true, 'nchw', 'float', undefined],
    [2, true, 's2d', 'float', undefined],
    [10, true, 'nchw', 'float', undefined],
    [10, true, 's2d', 'float', undefined],
    [1, false, 'u8', 'float', undefined],
    [1, true, 'u8', 'float', undefined],
    [2, true, 'u8', 'float', undefined],
    [10, true, 'u8', 'float', undefined],
    [1, false, 'u8', '8-bit', undefined],
    [1, false, 'u8', '8-bit', 2],
    [2, true, 'u8', '8-bit', undefined],
    [10, true, 'u8', '8-bit', undefined],
    [10, true, 'u8', '8-bit', 3],
  ] as const) {
    const label = `${c} kernel${withFc ? ' + fc' : ''}, ${layout} input, ${weightGrid} weights${digits ? `, ${digits} digits` : ''}`;
    it(`${label}: ONNX equals the TS reference per patch (1e-5)`, async () => {
      const floatW = randomWeights(c, 10 + c, withFc);
      const w = weightGrid === '8-bit' ? quantiseConvWeights(floatW) : floatW;
      expect(weightDigits(w)).toBe(weightGrid === '8-bit' ? 1 : 3);
      const session = await createFocusSession(buildFocusModel(w, { layout, digits }));
      expect(inputLayout(session)).toBe(layout);
      sessions.push(session);
      const img = randomImage(600, 400, c);
      const grid = patchGrid(img.width, img.height);
      expect([grid.rows, grid.cols]).toEqual([2, 3]);
      // Batches of 4 force a ragged last batch (6 = 4 + 2).
      const onnx = await scorePatches(session, img, grid.corners, { batchSize: 4 });
      const ref = referencePatchScores(w, img, grid.corners);
      expect(new Set(Array.from(ref).map((v) => v.toFixed(3))).size).toBe(6); // the patches really differ
      for (let i = 0; i < ref.length; i++) expect(Math.abs((onnx[i] as number) - (ref[i] as number))).toBeLessThan(1e-5);
      // Same maths on the packed float32 tensor (what the ONNX model receives).
      const tensor = packPatches(img, grid.corners);
      const fromTensor = referenceScoreTensor(w, tensor);
      for (let i = 0; i < ref.length; i++) expect(Math.abs((fromTensor[i] as number) - (ref[i] as number))).toBeLessThan(1e-6);
      const packed = fromNchw(layout, tensor, 6);
      expect(packInput(layout, img, grid.corners)).toEqual(packed); // the direct packer and the re-layout agree
      const one = await runPatchTensor(session, packed.subarray(valuesPerPatch(layout) * 5), 1);
      expect(Math.abs((one[0] as number) - (ref[5] as number))).toBeLessThan(1e-5);
    });
  }

  it('the conv zero-pads each patch: a patch with bright borders scores like a lone patch, not like a crop of a map', async () => {
    // Two images whose centre 235×235 patch is identical but whose surroundings differ: per-patch scoring must
    // ignore the surroundings entirely.
    const w = randomWeights(1, 99);
    const session = await createFocusSession(buildFocusModel(w));
    sessions.push(session);
    const a = randomImage(363, 363, 5, 3);
    const b = { ...a, data: a.data.slice() };
    for (let y = 0; y < 363; y++) for (let x = 0; x < 363; x++) if (x < 128 || y < 128) b.data.fill(255, (y * 363 + x) * 3, (y * 363 + x) * 3 + 3);
    const corner = [{ x: 128, y: 128 }];
    const sa = await scorePatches(session, a, corner);
    const sb = await scorePatches(session, b, corner);
    expect(sa[0]).toBe(sb[0]);
  });

  it('scoreImage: RGB and RGBA give the same grid, mean of patches, and a clear error below 235×235', async () => {
    const w = randomWeights(2, 3);
    const session = await createFocusSession(buildFocusModel(w));
    sessions.push(session);
    const rgba = randomImage(491, 363, 8, 4);
    const rgb = { width: rgba.width, height: rgba.height, data: new Uint8Array(rgba.width * rgba.height * 3), channels: 3 as const };
    for (let i = 0, j = 0; j < rgba.data.length; i += 3, j += 4) rgb.data.set(rgba.data.subarray(j, j + 3), i);
    const a = await scoreImage(session, rgba);
    const b = await scoreImage(session, rgb);
    expect(a.patchGrid).toEqual(b.patchGrid);
    expect([a.patchGrid.length, a.patchGrid[0]?.length]).toEqual([2, 3]);
    const ref = referenceImageScore(w, rgba);
    expect(Math.abs(a.score - ref.score)).toBeLessThan(1e-5);
    await expect(scoreImage(session, randomImage(234, 500, 1))).rejects.toThrow(/234×500.*at least 235×235/);
  });

  it('picks the uint8 input for 1 and 2 kernels and for 8-bit-grid weights, the plain one for 10 float kernels', async () => {
    for (const [c, grid, layout] of [[1, 'float', 'u8'], [2, 'float', 'u8'], [10, 'float', 'nchw'], [10, '8-bit', 'u8']] as const) {
      const w = randomWeights(c, 5, c > 1);
      const session = await createFocusSession(buildFocusModel(grid === '8-bit' ? quantiseConvWeights(w) : w));
      sessions.push(session);
      expect(inputLayout(session)).toBe(layout);
    }
  });

  it('refuses to round weights: fewer digits than they need is an error', () => {
    const w = randomWeights(1, 7);
    expect(() => buildFocusModel(w, { layout: 'u8', digits: 1 })).toThrow(/need 3 base-256 digits.*1 would round them/);
    expect(() => buildFocusModel(quantiseConvWeights(w), { layout: 'u8', digits: 1 })).not.toThrow();
  });

  it('rejects a model that is not FocusLiteNN-shaped', async () => {
    await expect(createFocusSession(new Uint8Array([1, 2, 3]))).rejects.toThrow();
  });
});
