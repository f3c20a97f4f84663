import { describe, expect, it } from 'vitest';
import { applyExposure } from './augment.ts';
import { newPlanar, PATCH, type RGBImage } from './image.ts';
import { DEFAULT_SIMULATION, drawSample, findCandidates, renderSample, type SimulationConfig } from './simulate.ts';

/** A synthetic "tissue" slide: pink and purple blobs on a pale ground, coloured enough to count as tissue. */
function fakeSlide(w: number, h: number): RGBImage {
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 4;
      const nucleus = (Math.floor(x / 9) + Math.floor(y / 7)) % 5 === 0;
      data[o] = nucleus ? 90 : 230;
      data[o + 1] = nucleus ? 60 : 150;
      data[o + 2] = nucleus ? 160 : 200;
      data[o + 3] = 255;
    }
  return { width: w, height: h, channels: 4, data };
}

const slide = fakeSlide(700, 500);
/** The simulation without the density, exposure and white-balance draws. */
const PLAIN: SimulationConfig = { ...DEFAULT_SIMULATION, stainDensity: [1, 1], exposure: [1, 1], whiteBalance: [1, 1] };
const meanOf = (a: Uint8Array) => a.reduce((s, v) => s + v, 0) / a.length;

function render(cfg: SimulationConfig, index: number): { spec: ReturnType<typeof drawSample>; pixels: Uint8Array } {
  const cand = findCandidates([slide], cfg).train;
  const spec = drawSample(cfg, cand, 7, 'train', index);
  const pixels = new Uint8Array(3 * PATCH * PATCH);
  renderSample([slide], spec, pixels, 0);
  return { spec, pixels };
}

describe('stain density and exposure augmentations', () => {
  it('a fixed density multiplies every stain scale and draws nothing, so the rest of the sample is unchanged', () => {
    const base = render(PLAIN, 3).spec;
    const dense = render({ ...PLAIN, stainDensity: [2, 2] }, 3).spec;
    expect(dense.stain.scale.map((s, i) => s / base.stain.scale[i]!)).toEqual([2, 2, 2].map((v) => expect.closeTo(v, 12)));
    expect({ ...dense, stain: null }).toEqual({ ...base, stain: null });
    expect(base.exposure).toEqual([1, 1, 1]);
  });

  it('random ranges are drawn per sample and stay within their bounds', () => {
    const cfg: SimulationConfig = { ...PLAIN, stainDensity: [0.6, 4], exposure: [0.5, 1.1] };
    const cand = findCandidates([slide], cfg).train;
    const specs = Array.from({ length: 40 }, (_, i) => drawSample(cfg, cand, 7, 'train', i));
    const exposures = specs.map((s) => s.exposure[0]);
    expect(Math.min(...exposures)).toBeGreaterThanOrEqual(0.5);
    expect(Math.max(...exposures)).toBeLessThanOrEqual(1.1);
    expect(new Set(exposures).size).toBe(40);
    // without white balance every channel gets the same gain
    for (const s of specs) expect(s.exposure).toEqual([s.exposure[0], s.exposure[0], s.exposure[0]]);
  });

  it('white balance draws a gain per channel on top of the exposure', () => {
    const cfg: SimulationConfig = { ...PLAIN, exposure: [0.8, 0.8], whiteBalance: [0.9, 1.1] };
    const cand = findCandidates([slide], cfg).train;
    for (let i = 0; i < 20; i++) {
      const g = drawSample(cfg, cand, 7, 'train', i).exposure;
      for (const c of g) {
        expect(c).toBeGreaterThanOrEqual(0.8 * 0.9);
        expect(c).toBeLessThanOrEqual(0.8 * 1.1);
      }
      expect(new Set(g).size).toBe(3);
    }
  });

  it('denser staining and a dimmer lamp both darken the rendered sample', () => {
    const base = meanOf(render(PLAIN, 5).pixels);
    const dense = meanOf(render({ ...PLAIN, stainDensity: [3, 3] }, 5).pixels);
    const dim = meanOf(render({ ...PLAIN, exposure: [0.5, 0.5] }, 5).pixels);
    expect(dense).toBeLessThan(base - 20);
    expect(dim).toBeLessThan(base * 0.55);
    expect(dim).toBeGreaterThan(base * 0.45);
  });

  it('the default recipe draws a stain density and a white balance per sample, and no exposure', () => {
    const cand = findCandidates([slide], DEFAULT_SIMULATION).train;
    const plainCand = findCandidates([slide], PLAIN).train;
    for (let i = 0; i < 10; i++) {
      const spec = drawSample(DEFAULT_SIMULATION, cand, 7, 'train', i);
      const plain = drawSample(PLAIN, plainCand, 7, 'train', i);
      const density = spec.stain.scale[0] / plain.stain.scale[0];
      expect(density).toBeGreaterThanOrEqual(DEFAULT_SIMULATION.stainDensity[0]);
      expect(density).toBeLessThanOrEqual(DEFAULT_SIMULATION.stainDensity[1]);
      expect(spec.stain.scale[2] / plain.stain.scale[2]).toBeCloseTo(density, 12);
      for (const g of spec.exposure) {
        expect(g).toBeGreaterThanOrEqual(DEFAULT_SIMULATION.whiteBalance[0]);
        expect(g).toBeLessThanOrEqual(DEFAULT_SIMULATION.whiteBalance[1]);
      }
      expect(new Set(spec.exposure).size).toBe(3);
    }
  });

  it('applyExposure scales each channel plane by its gain and clips at white', () => {
    const img = newPlanar(2, 1); // planes R, G, B of two pixels
    img.data.set([255, 127, 0, 63, 255, 99]);
    applyExposure(img, [0.5, 0.5, 0.25]);
    expect(Array.from(img.data)).toEqual([127, 63, -0.5, 31, 63, 24]);
    const bright = newPlanar(1, 1);
    bright.data.set([200, 250, 10]);
    applyExposure(bright, [1.5, 1, 1.5]);
    expect(Array.from(bright.data)).toEqual([255, 250, 15.5]);
  });
});
