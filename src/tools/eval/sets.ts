// The evaluation sets of `focuslite eval`. All read ../shared in place (never copied):
//  (a) real: the four real patches of shared/focus/real (two in-focus / out-of-focus pairs), image scores;
//  (b) cmu: CMU-1 (tissue no model here was trained on) with graded simulated defocus, tissue patches;
//  (c) synthetic-blur: TCGA-CR-7395 with Gaussian blur regions and their mask (our training tissue: reported apart).
import { join } from 'node:path';
import { patchGrid } from '../../focus/patch-grid.ts';
import { newPlanar, PATCH, SAMPLE_BYTES, type Planar, type RGBImage } from '../train/image.ts';
import type { Pool } from '../train/pool.ts';
import { jpegRoundTrip } from '../train/augment.ts';
import { applyPsf, gaussianBlur, nominalPsf } from '../train/psf.ts';
import { readImage, readSlideLevel } from '../train/source.ts';
import { TissueIntegral } from '../train/training-windows.ts';
import { balancedAccuracy, plcc, prAuc, rocAuc, srcc } from './metrics.ts';
import { ModelBank, packCorners } from './score.ts';
import { normaliseDensity, type DensityNormalisation } from '../../focus/stain-density.ts';

export interface ModelMetrics {
  srcc: number;
  plcc: number;
  rocAuc: number;
  prAuc: number;
  [extra: string]: unknown;
}

export interface EvalSetResult {
  id: string;
  title: string;
  description: string;
  samples: number;
  positives: number;
  negatives: number;
  metrics: Record<string, ModelMetrics>;
  /** Score quartiles per level and model, where the set has graded levels. */
  perLevel?: Record<string, { z: number; med: number; q1: number; q3: number }[]>;
}

/**
 * Scores per model for samples given as (image, corners) batches, through one reusable shared buffer. Models with a
 * stain-density normalisation see the normalised patches (normaliseDensity, the app's function); the models sharing
 * one preprocessing run as one kernel bank.
 */
export class Scorer {
  private readonly capacity: number;
  private readonly groups: { density?: DensityNormalisation; bank: ModelBank; members: number[] }[] = [];
  constructor(
    private readonly pool: Pool,
    private readonly bank: ModelBank,
    private readonly buffer: Uint8Array,
    private readonly bufferName: string,
  ) {
    this.capacity = Math.floor(buffer.length / SAMPLE_BYTES);
    const byKey = new Map<string, number[]>();
    bank.models.forEach((m, i) => {
      const key = JSON.stringify(m.density ?? null);
      if (!byKey.has(key)) byKey.set(key, []);
      byKey.get(key)!.push(i);
    });
    for (const members of byKey.values()) {
      const density = bank.models[members[0]!]!.density;
      this.groups.push({ ...(density ? { density } : {}), bank: members.length === bank.models.length ? bank : new ModelBank(members.map((i) => bank.models[i]!)), members });
    }
  }

  async score(img: RGBImage, corners: readonly { x: number; y: number }[]): Promise<Float64Array[]> {
    const out = this.bank.models.map(() => new Float64Array(corners.length));
    for (let from = 0; from < corners.length; from += this.capacity) {
      const part = corners.slice(from, from + this.capacity);
      for (const g of this.groups) {
        if (g.density) {
          const n = normaliseDensity(img, part, g.density);
          packCorners({ ...n.image, channels: 4 }, n.corners, this.buffer);
        } else packCorners(img, part, this.buffer);
        const s = await g.bank.score(this.pool, this.bufferName, part.length);
        s.forEach((v, k) => out[g.members[k]!]!.set(v, from));
      }
    }
    return out;
  }

  get models() {
    return this.bank.models;
  }
}

function metricsFor(scores: Float64Array, level: ArrayLike<number>, positive: ArrayLike<boolean>, threshold?: number): ModelMetrics {
  const m: ModelMetrics = { srcc: srcc(scores, level), plcc: plcc(scores, level), rocAuc: rocAuc(scores, positive), prAuc: prAuc(scores, positive) };
  if (threshold !== undefined) m.balancedAccuracyAtThreshold = balancedAccuracy(scores, positive, threshold);
  return m;
}

function count(positive: boolean[]): { positives: number; negatives: number } {
  const positives = positive.filter(Boolean).length;
  return { positives, negatives: positive.length - positives };
}

// ---- (a) real pairs ----

export const REAL_PAIRS = [
  { name: 'fqpath', inFocus: 'fqpath-in-focus.png', outOfFocus: 'fqpath-out-of-focus.png' },
  { name: 'tcga', inFocus: 'tcga-in-focus.png', outOfFocus: 'tcga-out-of-focus.png' },
] as const;

export async function evalRealPairs(shared: string, scorer: Scorer): Promise<EvalSetResult> {
  const files: { file: string; pair: string; positive: boolean }[] = [];
  for (const p of REAL_PAIRS) {
    files.push({ file: p.inFocus, pair: p.name, positive: false }, { file: p.outOfFocus, pair: p.name, positive: true });
  }
  const imageScores = scorer.models.map(() => new Float64Array(files.length));
  for (const [i, f] of files.entries()) {
    const img = await readImage(join(shared, 'focus', 'real', f.file));
    const grid = patchGrid(img.width, img.height);
    const s = await scorer.score(img, grid.corners);
    s.forEach((v, m) => (imageScores[m]![i] = v.reduce((a, b) => a + b, 0) / v.length));
  }
  const positive = files.map((f) => f.positive);
  const label = positive.map((p) => (p ? 1 : 0));
  const metrics: Record<string, ModelMetrics> = {};
  scorer.models.forEach((m, mi) => {
    const s = imageScores[mi]!;
    const pairs: Record<string, { inFocus: number; outOfFocus: number; margin: number; correct: boolean }> = {};
    for (const p of REAL_PAIRS) {
      const a = s[files.findIndex((f) => f.file === p.inFocus)]!;
      const b = s[files.findIndex((f) => f.file === p.outOfFocus)]!;
      pairs[p.name] = { inFocus: a, outOfFocus: b, margin: b - a, correct: b > a };
    }
    const all = Object.values(pairs);
    // margins in units of the model's own spread: comparable across models with arbitrary scales
    const spread = Math.max(...s) - Math.min(...s);
    metrics[m.name] = {
      ...metricsFor(s, label, positive),
      pairsCorrect: all.filter((p) => p.correct).length,
      pairs,
      minRelativeMargin: spread > 0 ? Math.min(...all.map((p) => p.margin)) / spread : 0,
    };
  });
  return {
    id: 'real',
    title: '(a) real pairs, shared/focus/real',
    description: 'Four real 1024² / 1025² patches: FQPath in/out of focus (same field) and TCGA@Focus in/out of focus; image score = mean of the 7×7 patch grid; label 1 = out of focus.',
    samples: files.length,
    ...count(positive),
    metrics,
  };
}

// ---- (b) CMU-1 with graded simulated defocus ----

/** Levels of the CMU-1 evaluation: z as in FocusPath; out of focus from z = 3 (Gaussian σ = z/2 = 1.5 px). */
export const CMU_LEVELS = [0, 1, 2, 3, 4, 6, 8, 11, 14];
export const OUT_OF_FOCUS_LEVEL = 3;
export const MIN_TISSUE = 0.5;

export type DefocusFamily = 'gaussian' | 'disk';

function toRGB(p: Planar): RGBImage {
  const n = p.width * p.height;
  const data = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++)
    for (let c = 0; c < 3; c++) {
      const v = Math.floor(p.data[c * n + i]! + 0.5);
      data[i * 3 + c] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  return { width: p.width, height: p.height, channels: 3, data };
}

function toPlanar(img: RGBImage): Planar {
  const p = newPlanar(img.width, img.height);
  const n = img.width * img.height;
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) p.data[c * n + i] = img.data[i * img.channels + c]!;
  return p;
}

/**
 * Libjpeg-equivalent quality of CMU-1's own tiles (its luminance table ≈ quality 30). A defocused scan would have been
 * stored by the same scanner, so every level is re-compressed at it after the defocus: otherwise only z = 0 carries
 * the original's blocking artefacts and "has JPEG artefacts" would be a free cue for "in focus".
 */
export const CMU_JPEG_QUALITY = 30;

/** The CMU-1 evaluation slide at level z: defocus over the whole of level 0, then (optionally) JPEG, 8 bits. */
export function defocusImage(img: RGBImage, z: number, family: DefocusFamily, jpegQuality = 0): RGBImage {
  if (z === 0 && !jpegQuality) return img;
  let p = toPlanar(img);
  if (z > 0) p = family === 'gaussian' ? gaussianBlur(p, z / 2) : applyPsf(p, nominalPsf(z));
  if (jpegQuality) jpegRoundTrip(p, jpegQuality, false);
  return toRGB(p);
}

export function tissueCorners(img: RGBImage, minTissue = MIN_TISSUE): { x: number; y: number }[] {
  const tissue = new TissueIntegral(img);
  return patchGrid(img.width, img.height).corners.filter((c) => tissue.fraction(c.x, c.y, PATCH, PATCH) >= minTissue);
}

export const CMU_SLIDE = 'slides/derived/CMU-1-pyramid-jpeg.tif';

export async function evalCmu(shared: string, scorer: Scorer, family: DefocusFamily, jpegQuality: number, log?: (s: string) => void): Promise<EvalSetResult> {
  const base = await readSlideLevel(join(shared, CMU_SLIDE), 0);
  const corners = tissueCorners(base);
  const level: number[] = [];
  const scores = scorer.models.map(() => [] as number[]);
  for (const z of CMU_LEVELS) {
    const img = defocusImage(base, z, family, jpegQuality);
    const s = await scorer.score(img, corners);
    s.forEach((v, m) => scores[m]!.push(...v));
    for (let i = 0; i < corners.length; i++) level.push(z);
    log?.(`  CMU-1 ${family} z=${z}: ${corners.length} tissue patches`);
  }
  const positive = level.map((z) => z >= OUT_OF_FOCUS_LEVEL);
  const metrics: Record<string, ModelMetrics> = {};
  scorer.models.forEach((m, mi) => {
    const s = Float64Array.from(scores[mi]!);
    // the hardest binary case on its own: in focus (z 0) against just out of focus (z 3)
    const near = level.map((z, i) => (z === 0 || z === OUT_OF_FOCUS_LEVEL ? i : -1)).filter((i) => i >= 0);
    metrics[m.name] = {
      ...metricsFor(s, level, positive, m.threshold),
      rocAucZ0vsZ3: rocAuc(
        near.map((i) => s[i]!),
        near.map((i) => positive[i]!),
      ),
    };
  });
  const quant = (xs: number[], q: number) => {
    const a = [...xs].sort((x, y) => x - y);
    return a[Math.min(a.length - 1, Math.floor(q * (a.length - 1)))]!;
  };
  const perLevel: Record<string, { z: number; med: number; q1: number; q3: number }[]> = {};
  scorer.models.forEach((m, mi) => {
    perLevel[m.name] = CMU_LEVELS.map((z) => {
      const v = scores[mi]!.filter((_, i) => level[i] === z);
      return { z, med: quant(v, 0.5), q1: quant(v, 0.25), q3: quant(v, 0.75) };
    });
  });
  const psf = family === 'gaussian' ? 'Gaussian blur σ = z/2 px (sampled, ±3σ taps, edge-replicated)' : 'the nominal disk+Gaussian defocus PSF of the training simulation (disk radius z px, α 0.7, σo 0.5)';
  const jpeg = jpegQuality ? `, then JPEG re-compression at the scan's own quality (libjpeg-equivalent ${jpegQuality}, YCbCr 4:4:4) for every level` : ', no re-compression (only z = 0 keeps the scan’s JPEG artefacts)';
  return {
    id: family === 'disk' ? 'cmu-disk' : jpegQuality ? 'cmu' : 'cmu-nojpeg',
    title: family === 'disk' ? '(b′) CMU-1, graded disk defocus' : jpegQuality ? '(b) CMU-1, graded Gaussian defocus' : '(b″) CMU-1, graded Gaussian defocus, no re-compression',
    description: `CMU-1-Small-Region level 0 (0.499 µm/px, via ${CMU_SLIDE}); ${psf} applied to the whole slide for each z in {${CMU_LEVELS.join(', ')}}${jpeg}; ${corners.length} tissue patches (≥ ${MIN_TISSUE * 100}% tissue, found on the original) per level on the 235/128 grid; out of focus = z ≥ ${OUT_OF_FOCUS_LEVEL}.`,
    samples: level.length,
    ...count(positive),
    metrics,
    perLevel,
  };
}

// ---- (c) synthetic-blur slide ----

export const SYNTHETIC_SLIDE = 'slides/derived/TCGA-CR-7395-synthetic-blur.tif';
export const SYNTHETIC_MASK = 'slides/derived/TCGA-CR-7395-synthetic-blur-mask.png';
/** Mask value → Gaussian σ (px) of the region. */
export const SYNTHETIC_SIGMA: Record<number, number> = { 0: 0, 80: 1.5, 160: 3, 240: 6 };

export async function evalSyntheticBlur(shared: string, scorer: Scorer): Promise<EvalSetResult> {
  const img = await readSlideLevel(join(shared, SYNTHETIC_SLIDE), 0);
  const mask = await readImage(join(shared, SYNTHETIC_MASK));
  if (mask.width !== img.width || mask.height !== img.height) throw new Error('synthetic-blur mask and slide sizes differ');
  const tissue = new TissueIntegral(img);
  const grid = patchGrid(img.width, img.height);
  const keep: { x: number; y: number }[] = [];
  const sigma: number[] = [];
  let straddling = 0;
  for (const c of grid.corners) {
    if (tissue.fraction(c.x, c.y, PATCH, PATCH) < MIN_TISSUE) continue;
    const v = mask.data[(c.y * mask.width + c.x) * 4]!;
    let uniform = true;
    for (let y = c.y; y < c.y + PATCH && uniform; y++)
      for (let x = c.x; x < c.x + PATCH; x++)
        if (mask.data[(y * mask.width + x) * 4] !== v) {
          uniform = false;
          break;
        }
    if (!uniform) {
      straddling++;
      continue;
    }
    const s = SYNTHETIC_SIGMA[v];
    if (s === undefined) throw new Error(`unexpected mask value ${v}`);
    keep.push(c);
    sigma.push(s);
  }
  const scores = await scorer.score(img, keep);
  const positive = sigma.map((s) => s > 0);
  const metrics: Record<string, ModelMetrics> = {};
  scorer.models.forEach((m, mi) => {
    const s = scores[mi]!;
    const sub = (pred: (sg: number) => boolean) => {
      const idx = sigma.map((sg, i) => (pred(sg) ? i : -1)).filter((i) => i >= 0);
      return rocAuc(
        idx.map((i) => s[i]!),
        idx.map((i) => positive[i]!),
      );
    };
    metrics[m.name] = { ...metricsFor(s, sigma, positive, m.threshold), rocAucMild: sub((sg) => sg === 0 || sg === 1.5) };
  });
  return {
    id: 'synthetic-blur',
    title: '(c) TCGA-CR-7395 synthetic-blur slide (training tissue)',
    description: `shared/${SYNTHETIC_SLIDE} level 0 with its mask: Gaussian σ 1.5 / 3 / 6 px regions; ${keep.length} tissue patches (≥ ${MIN_TISSUE * 100}% tissue) on the 235/128 grid, ${straddling} patches straddling a region boundary excluded; SRCC/PLCC against σ, positive = any blur. Its tissue is the training slide's, so this is not a held-out test.`,
    samples: keep.length,
    ...count(positive),
    metrics,
  };
}
