// Graded defocus from in-focus tissue. One sample = a tissue position, a magnification, a stain variation, a focus
// level z with a randomly shaped defocus PSF, sensor noise and JPEG re-compression, in the order they happen:
// specimen (stain) → optics (PSF, in linear intensity) → sensor (noise) → scanner sharpening → file (JPEG).
// Each sample is a pure function of (seed, split, index), so any number of workers produce the same data.
import { addNoise, applyExposure, drawStainJitter, jitterStain, jpegRoundTrip, unsharpMask, type StainJitter } from './augment.ts';
import { cropPlanar, packSample, PATCH, planarWindow, resample, type RGBImage } from './image.ts';
import { applyPsf, psfReach, PX_PER_LEVEL, Z_MAX, type DefocusPsf } from './psf.ts';
import { hashSeed, Rng } from './rng.ts';
import { TissueIntegral } from './training-windows.ts';

export type Range = [number, number];

export interface SimulationConfig {
  /** Focus levels 0…zMax; each sample's label is its level. */
  zMax: number;
  /** Disk radius per level (px of the output). */
  pxPerLevel: number;
  /** Relative jitter of the radius around z·pxPerLevel (objective NA and scanner differences). */
  radiusJitter: number;
  /** Magnification factor (log-uniform): ≥ 1 mimics finer sampling of the same tissue (cubic upsampling). */
  scale: Range;
  /** In-focus optics σ (px). */
  opticsSigma: Range;
  /** Share of the disk in the PSF (rest Gaussian). */
  diskWeight: Range;
  innerRatio: Range;
  innerGain: Range;
  /**
   * HED stain variation: per-stain concentration scale ranges (log-uniform; haematoxylin, eosin, residual) and
   * ± optical-density shift. Wide on haematoxylin: the training slide is a pale, eosin-dominated frozen section,
   * while H&E staining elsewhere often carries several times more haematoxylin.
   */
  stainScale: [Range, Range, Range];
  stainShift: number;
  /**
   * Overall stain density (log-uniform), one factor on every stain: section thickness and staining time vary between
   * labs far more than the training slide shows. [1, 1] = off (no random draw).
   */
  stainDensity: Range;
  /**
   * Illumination gain on transmitted intensity (log-uniform): lamp, exposure and white-level differences between
   * scanners darken or brighten glass and tissue alike. [1, 1] = off (no random draw).
   */
  exposure: Range;
  /**
   * White balance: a further gain per colour channel (log-uniform each), as scanners' colour calibration differs.
   * [1, 1] = off (no random draw).
   */
  whiteBalance: Range;
  /** Noise: read σ and shot coefficient ranges (grey levels). */
  noiseRead: Range;
  noiseShot: Range;
  /** Scanner sharpening (unsharp mask, e.g. Aperio's "USM Filter"): probability (off by default: it did not help), amount and σ ranges. */
  sharpenProbability: number;
  sharpenAmount: Range;
  sharpenSigma: Range;
  jpegProbability: number;
  jpegQuality: Range;
  jpegSubsampleProbability: number;
  /** Minimum tissue fraction of a sample's window. */
  minTissue: number;
  /** Fraction of each slide's width (right-hand band) held out for validation. */
  validationBand: number;
  /**
   * Samples per z-stack: consecutive indices share the tissue window, magnification, stain, orientation, optics and
   * compression settings and differ in z (a full stack of zMax + 1 levels, as FocusPath's z-stacks), so the loss
   * compares blur levels of the same content. 1 = every sample independent (the default: stacks fitted the
   * simulation better but ranked held-out CMU-1 worse, having seen 15× fewer tissue windows).
   */
  stackSize: number;
}

export const DEFAULT_SIMULATION: SimulationConfig = {
  zMax: Z_MAX,
  pxPerLevel: PX_PER_LEVEL,
  radiusJitter: 0.15,
  scale: [1, 2.5],
  opticsSigma: [0.3, 0.8],
  diskWeight: [0.3, 1],
  innerRatio: [0.4, 0.8],
  innerGain: [-0.6, 1.5],
  stainScale: [
    [0.7, 6],
    [0.6, 1.5],
    [0.8, 1.25],
  ],
  stainShift: 0.05,
  stainDensity: [0.6, 4],
  exposure: [1, 1],
  whiteBalance: [0.85, 1.18],
  noiseRead: [0, 1],
  noiseShot: [0, 2],
  sharpenProbability: 0,
  sharpenAmount: [0.2, 1],
  sharpenSigma: [0.6, 1.5],
  jpegProbability: 0.8,
  jpegQuality: [50, 95],
  jpegSubsampleProbability: 0.5,
  minTissue: 0.5,
  validationBand: 0.15,
  stackSize: 1,
};

export type Split = 'train' | 'val';

export interface SampleSpec {
  index: number;
  split: Split;
  level: number;
  source: number;
  /** Centre in source pixels. */
  cx: number;
  cy: number;
  scale: number;
  psf: DefocusPsf;
  stain: StainJitter;
  /** Gain on transmitted intensity per colour channel (1 = none): exposure × white balance. */
  exposure: [number, number, number];
  noiseRead: number;
  noiseShot: number;
  /** Unsharp-mask amount (0 = none) and σ. */
  sharpenAmount: number;
  sharpenSigma: number;
  /** 0 = no JPEG. */
  jpegQuality: number;
  jpegSubsample: boolean;
  dihedral: number;
  noiseSeed: number;
}

export interface Candidate {
  source: number;
  x: number;
  y: number;
}

const GRID = 16;

/** Tissue positions (window centres) of each source, split into a training part and a right-hand validation band. */
export function findCandidates(sources: RGBImage[], cfg: SimulationConfig): Record<Split, Candidate[]> {
  const out: Record<Split, Candidate[]> = { train: [], val: [] };
  const half = Math.ceil(PATCH / 2);
  sources.forEach((img, source) => {
    const tissue = new TissueIntegral(img);
    const band = img.width * (1 - cfg.validationBand);
    for (let y = half; y + half <= img.height; y += GRID)
      for (let x = half; x + half <= img.width; x += GRID) {
        // keep the two splits' windows apart so no pixel is in both
        const split: Split | undefined = x + half <= band ? 'train' : x - half >= band ? 'val' : undefined;
        if (!split) continue;
        if (tissue.fraction(x - half, y - half, PATCH, PATCH) >= cfg.minTissue) out[split].push({ source, x, y });
      }
  });
  return out;
}

export function drawSample(cfg: SimulationConfig, candidates: Candidate[], seed: number, split: Split, index: number): SampleSpec {
  if (candidates.length === 0) throw new Error(`no ${split} tissue positions in the training slides`);
  const stack = Math.max(1, cfg.stackSize);
  // everything but z and the noise realisation is drawn per stack
  const rng = new Rng(hashSeed(seed, split === 'train' ? 1 : 2, Math.floor(index / stack)));
  const levels = cfg.zMax + 1;
  const level = index % levels; // balanced levels; a stack of `levels` samples holds each level once
  const cand = candidates[rng.int(candidates.length)]!;
  const u = (r: Range) => rng.uniform(r[0], r[1]);
  const scale = rng.logUniform(cfg.scale[0], cfg.scale[1]);
  const radius = level * cfg.pxPerLevel * rng.uniform(1 - cfg.radiusJitter, 1 + cfg.radiusJitter);
  const psf: DefocusPsf = {
    radius,
    opticsSigma: u(cfg.opticsSigma),
    diskWeight: u(cfg.diskWeight),
    innerRatio: u(cfg.innerRatio),
    innerGain: u(cfg.innerGain),
  };
  const stain = drawStainJitter(rng, cfg.stainScale, cfg.stainShift);
  // a fixed range draws nothing, so adding these left the earlier recipes' samples bit-identical
  const drawLog = (r: Range) => (r[0] === r[1] ? r[0] : rng.logUniform(r[0], r[1]));
  const density = drawLog(cfg.stainDensity);
  stain.scale = [stain.scale[0] * density, stain.scale[1] * density, stain.scale[2] * density];
  const gain = drawLog(cfg.exposure);
  const exposure: [number, number, number] = [gain * drawLog(cfg.whiteBalance), gain * drawLog(cfg.whiteBalance), gain * drawLog(cfg.whiteBalance)];
  const noiseRead = u(cfg.noiseRead);
  const noiseShot = u(cfg.noiseShot);
  const sharpen = rng.float() < cfg.sharpenProbability;
  const sharpenAmount = sharpen ? u(cfg.sharpenAmount) : 0;
  const sharpenSigma = u(cfg.sharpenSigma);
  const jpeg = rng.float() < cfg.jpegProbability;
  const jpegQuality = jpeg ? Math.round(u(cfg.jpegQuality)) : 0;
  const jpegSubsample = rng.float() < cfg.jpegSubsampleProbability;
  const jitter = () => rng.int(GRID) - GRID / 2;
  const cx = cand.x + jitter();
  const cy = cand.y + jitter();
  const dihedral = rng.int(8);
  return {
    index,
    split,
    level,
    source: cand.source,
    cx,
    cy,
    scale,
    psf,
    stain,
    exposure,
    noiseRead,
    noiseShot,
    sharpenAmount,
    sharpenSigma,
    jpegQuality,
    jpegSubsample,
    dihedral,
    noiseSeed: hashSeed(seed, split === 'train' ? 3 : 4, index),
  };
}

/** Renders a sample into the packed layout at `out[offset…]`. */
export function renderSample(sources: RGBImage[], spec: SampleSpec, out: Uint8Array, offset: number): void {
  const src = sources[spec.source]!;
  const margin = psfReach(spec.psf) + 2;
  const size = PATCH + 2 * margin; // working window in output pixels
  const s = spec.scale;
  const left = spec.cx - size / (2 * s); // native coordinate of the window's left edge
  const top = spec.cy - size / (2 * s);
  const x0 = Math.floor(left) - 3;
  const y0 = Math.floor(top) - 3;
  const nw = Math.ceil(size / s) + 8;
  const native = planarWindow(src, x0, y0, nw, nw);
  jitterStain(native, spec.stain);
  if (spec.exposure.some((g) => g !== 1)) applyExposure(native, spec.exposure);
  const work = s === 1 && Number.isInteger(left) ? cropPlanar(native, left - x0, top - y0, size, size) : resample(native, s, left - x0, top - y0, size, size);
  const blurred = applyPsf(work, spec.psf);
  const patch = cropPlanar(blurred, margin, margin, PATCH, PATCH);
  addNoise(patch, new Rng(spec.noiseSeed), spec.noiseRead, spec.noiseShot);
  if (spec.sharpenAmount > 0) unsharpMask(patch, spec.sharpenAmount, spec.sharpenSigma);
  if (spec.jpegQuality > 0) jpegRoundTrip(patch, spec.jpegQuality, spec.jpegSubsample);
  packSample(patch, spec.dihedral, out, offset);
}
