// The exact integer kernel against onnxruntime running the same ONNX file: every score equal bit for bit, on real
// tissue of the shared slides (each shipped model with and without its card's normalisation), on synthetic extremes
// (the largest and smallest integer sums, flat images, noise, RGB rows), and on models built with random weights and
// linear layers (the float tail's rounding). And the recogniser: only the builder's one-digit 'u8' graph is taken.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasShared, sharedPath, SKIP_SHARED_MESSAGE } from '../../../test-support/shared.ts';
import { buildFocusModel } from '../../tools/model/onnx-builder.ts';
import { quantiseConvWeights } from '../../tools/model/quantise.ts';
import type { FocusWeights } from '../../tools/model/weights.ts';
import { openSlideFile } from '../../slide/node.ts';
import type { RGBAImage } from '../../slide/types.ts';
import { createModelEngine } from '../model-engine.ts';
import type { PixelImage } from '../patch-grid.ts';
import { createFocusSession } from '../session/session.ts';
import { densityGain, densityTable, patchMeanOd, type DensityNormalisation } from '../stain-density.ts';
import { Rng } from '../../common/random.ts';
import { readU8Graph } from './u8-graph.ts';
import { U8Kernel } from './u8-kernel.ts';
import { MODULES, wasmModuleSource } from '../../../scripts/build-wasm.mjs';

const MODELS = ['focuslite-1kernel', 'focuslite-2kernel', 'focuslite-10kernel'];
const modelBytes = (name: string) => new Uint8Array(readFileSync(resolve(import.meta.dirname, `../../../models/${name}.onnx`)));
const cardDensity = (name: string): DensityNormalisation | undefined =>
  JSON.parse(readFileSync(resolve(import.meta.dirname, `../../../models/${name}.json`), 'utf8')).preprocessing?.density;

/** Scores from the kernel and from onnxruntime for the same file, image, patches and normalisation. */
async function bothEngines(onnx: Uint8Array, img: PixelImage, corners: { x: number; y: number }[], density?: DensityNormalisation) {
  const kernel = await createModelEngine(onnx, (b) => createFocusSession(b), 'u8-kernel');
  const ort = await createModelEngine(onnx, (b) => createFocusSession(b), 'onnxruntime');
  const result = { kernel: await kernel.score(img, corners, density), ort: await ort.score(img, corners, density) };
  await ort.release();
  return result;
}

/** Indices where the two arrays differ in any bit (NaN never appears: both are finite scores). */
function differing(a: Float32Array, b: Float32Array): number[] {
  expect(a.length).toBe(b.length);
  return [...a.keys()].filter((i) => !Object.is(a[i], b[i]));
}

function cornersOf(width: number, height: number, step = 128): { x: number; y: number }[] {
  const out: { x: number; y: number }[] = [];
  for (let y = 0; y + 235 <= height; y += step) for (let x = 0; x + 235 <= width; x += step) out.push({ x, y });
  return out;
}

function image(width: number, height: number, channels: 3 | 4, pixel: (x: number, y: number, c: number) => number): PixelImage {
  const data = new Uint8ClampedArray(width * height * channels);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let c = 0; c < channels; c++) data[(y * width + x) * channels + c] = c === 3 ? 255 : pixel(x, y, c);
  return channels === 4 ? { width, height, data } : { width, height, data, channels: 3 };
}

it('the committed binary is u8-conv.wat assembled (npm run build:wasm)', async () => {
  expect(readFileSync(MODULES.u8Conv.out, 'utf8')).toBe(await wasmModuleSource(MODULES.u8Conv));
});

describe('readU8Graph', () => {
  it("recognises the shipped models and reads each kernel's integer weights", () => {
    for (const [i, name] of MODELS.entries()) {
      const graph = readU8Graph(modelBytes(name));
      expect(graph?.kernels).toBe([1, 2, 10][i]);
      expect(graph?.fc !== undefined).toBe(i > 0);
      // Each row of 8: seven weights in −128…127, then 0; some weight of each kernel reaches ±127 (the 8-bit grid).
      for (let k = 0; k < graph!.kernels; k++) {
        const w = graph!.weights.subarray(k * 168, (k + 1) * 168);
        expect(w.filter((_, j) => j % 8 === 7).every((v) => v === 0)).toBe(true);
        expect(Math.max(...w.map(Math.abs))).toBe(127);
      }
    }
  });

  it('leaves every other graph to onnxruntime: other layouts, three-digit weights, an edited node, damaged bytes', () => {
    const weights = randomWeights(2, 7);
    expect(readU8Graph(buildFocusModel(weights, { layout: 'u8' }))).toBeDefined();
    expect(readU8Graph(buildFocusModel(weights, { layout: 'nchw' }))).toBeUndefined();
    expect(readU8Graph(buildFocusModel(weights, { layout: 's2d' }))).toBeUndefined();
    expect(readU8Graph(buildFocusModel({ ...weights, convWeight: weights.convWeight.map((v, i) => (i === 5 ? v + 1.234e-4 : v)) }, { layout: 'u8' }))).toBeUndefined(); // 3 digits
    const bytes = modelBytes('focuslite-1kernel');
    const edited = (from: string, to: string) => {
      const text = Buffer.from(bytes).toString('latin1');
      expect(text.includes(from)).toBe(true);
      return new Uint8Array(Buffer.from(text.replace(from, to), 'latin1'));
    };
    expect(readU8Graph(edited('ReduceMin', 'ReduceMax'))).toBeUndefined();
    expect(readU8Graph(edited('keepdims', 'keepdimz'))).toBeUndefined();
    expect(readU8Graph(bytes.subarray(0, bytes.length - 40))).toBeUndefined();
    expect(readU8Graph(new Uint8Array(1000).fill(0xff))).toBeUndefined();
    expect(readU8Graph(new Uint8Array(0))).toBeUndefined();
  });
});

describe('U8Kernel = onnxruntime, bit for bit', () => {
  it.skipIf(!hasShared)('real tissue of two slides, every shipped model, with and without its normalisation', async () => {
    const regions: RGBAImage[] = [];
    for (const [file, x, y] of [
      ['slides/derived/TCGA-CR-7395-pyramid-jpeg.tif', 1500, 1200],
      ['slides/derived/TCGA-CR-7395-pyramid-jpeg.tif', 3000, 2300],
      ['slides/derived/CMU-1-pyramid-jpeg.tif', 9000, 11000],
    ] as const) {
      const slide = await openSlideFile(sharedPath(file));
      regions.push(await slide.readRegion(0, x, y, 1003, 747));
      slide.close();
    }
    for (const name of MODELS) {
      for (const density of [cardDensity(name), undefined]) {
        for (const img of regions) {
          const corners = cornersOf(img.width, img.height);
          const { kernel, ort } = await bothEngines(modelBytes(name), img, corners, density);
          expect(differing(kernel, ort), `${name}, density ${JSON.stringify(density)}`).toEqual([]);
        }
      }
    }
  });
  if (!hasShared) it.skip(SKIP_SHARED_MESSAGE, () => undefined);

  it('extremes: the largest and smallest sums, flat white and black, noise, RGB rows, patches at odd offsets', async () => {
    const rng = new Rng(17);
    const rand = () => rng.float();
    const checker = image(600, 500, 4, (x, y) => ((x + y) % 2 ? 255 : 0));
    const noise = image(600, 500, 4, () => Math.floor(rand() * 256));
    const white = image(600, 500, 4, () => 255);
    const black = image(600, 500, 4, () => 0);
    const rgb = image(600, 500, 3, (x, y, c) => (x * 7 + y * 3 + c * 50) % 256);
    const odd = [{ x: 1, y: 2 }, { x: 365, y: 265 }, { x: 100, y: 0 }, { x: 0, y: 264 }];
    for (const name of MODELS) {
      for (const img of [checker, noise, white, black, rgb]) {
        for (const corners of [cornersOf(img.width, img.height, 91), odd]) {
          const { kernel, ort } = await bothEngines(modelBytes(name), img, corners, cardDensity(name));
          expect(differing(kernel, ort), name).toEqual([]);
        }
      }
    }
  });

  it('random 8-bit-grid models with biases and linear layers of 1 to 12 kernels (the float tail rounds as onnxruntime)', async () => {
    const rng = new Rng(5);
    const rand = () => rng.float();
    const img = image(720, 600, 4, () => Math.floor(rand() * 256));
    const corners = cornersOf(img.width, img.height, 97);
    for (const [kernels, seed] of [[1, 1], [1, 2], [2, 3], [2, 4], [3, 5], [5, 6], [10, 7], [12, 8]] as const) {
      const onnx = buildFocusModel(randomWeights(kernels, seed, kernels > 1 || seed === 2), { layout: 'u8' });
      expect(readU8Graph(onnx)?.kernels).toBe(kernels);
      const { kernel, ort } = await bothEngines(onnx, img, corners);
      expect(differing(kernel, ort), `${kernels} kernels, seed ${seed}`).toEqual([]);
    }
  });

  it("'auto' runs the shipped models in the kernel and any other graph in onnxruntime; asking for the kernel on another graph is an error", async () => {
    const open = (b: Uint8Array) => createFocusSession(b);
    for (const name of MODELS) expect((await createModelEngine(modelBytes(name), open)).name).toBe('u8-kernel');
    const float = buildFocusModel(randomWeights(1, 9), { layout: 'nchw' });
    const engine = await createModelEngine(float, open);
    expect(engine.name).toBe('onnxruntime');
    await engine.release();
    await expect(createModelEngine(float, open, 'u8-kernel')).rejects.toThrow(/not this project's one-digit 'u8' graph/);
    await expect(createModelEngine(new Uint8Array([1, 2, 3]), open)).rejects.toThrow(); // onnxruntime's own error
  });

  it("its density tables (pixel sums in WebAssembly) are each patch's own mean's table, RGBA and RGB, odd widths and offsets", async () => {
    const kernel = await U8Kernel.create(readU8Graph(modelBytes('focuslite-1kernel'))!);
    const rng = new Rng(23);
    // Tissue-like gradients with noise, so that sums are not made of a few repeated terms; 601 wide (odd rows).
    const pixel = (x: number, y: number, c: number) => Math.min(255, Math.max(0, Math.round(150 + 80 * Math.sin(x / 37 + c) * Math.cos(y / 29)) + Math.floor(rng.float() * 9)));
    const grid = (w: number, h: number) => cornersOf(w, h);
    const odd = [{ x: 3, y: 260 }, { x: 365, y: 1 }, { x: 200, y: 201 }, { x: 366, y: 264 }];
    for (const channels of [4, 3] as const) {
      const img = image(601, 500, channels, pixel);
      for (const corners of [grid(img.width, img.height), odd, grid(img.width, img.height).filter((_, i) => i % 3 !== 1)]) {
        for (const n of [{ method: 'mean-od', targetOd: 0.35, maxGain: 4 }, { method: 'mean-od', targetOd: 1.1, maxGain: 8 }] as const) {
          const tables = kernel.densityTables(img, corners, n);
          corners.forEach(({ x, y }, i) => expect(tables[i], `${channels} channels, patch at (${x}, ${y})`).toEqual(densityTable(densityGain(patchMeanOd(img, x, y), n))));
        }
      }
    }
  });

  it('refuses patches outside the image', async () => {
    const engine = await createModelEngine(modelBytes('focuslite-1kernel'), (b) => createFocusSession(b), 'u8-kernel');
    const img = image(300, 300, 4, () => 128);
    await expect(engine.score(img, [{ x: 70, y: 0 }])).rejects.toThrow(/outside the 300×300 image/);
  });
});

/** Conv weights on the 8-bit grid (one digit), float biases and, when asked, a float linear layer. */
function randomWeights(kernels: number, seed: number, fc = kernels > 1): FocusWeights {
  const rng = new Rng(seed);
  const rand = () => rng.float();
  const w: FocusWeights = {
    kernels,
    convWeight: Float32Array.from({ length: kernels * 147 }, () => (rand() - 0.5) * 0.2),
    convBias: Float32Array.from({ length: kernels }, () => (rand() - 0.5) * 3),
  };
  if (fc) {
    w.fcWeight = Float32Array.from({ length: kernels }, () => (rand() - 0.5) * 4);
    w.fcBias = (rand() - 0.5) * 2;
  }
  return quantiseConvWeights(w);
}
