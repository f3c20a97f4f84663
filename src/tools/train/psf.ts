// Defocus point-spread functions. Geometric optics gives a disk whose radius grows linearly with the focus offset;
// diffraction, partial coherence and aberrations soften it towards a Gaussian, and spherical aberration makes the
// disk brighter at the rim on one side of focus and at the centre on the other. The model here:
//
//   PSF(z) = α · normalise(D(r) + γ·D(ρ·r)) ⊛ G(σo)  +  (1 − α) · G(√((r/2)² + σo²)),   r = z · pxPerLevel
//
// D(r) is a unit-height anti-aliased disk (row chords), G(σ) a sampled Gaussian, σo the in-focus optics, and r/2 the
// per-axis standard deviation of a uniform disk, so both components have about the same width: the Gaussian-equivalent
// σ of level z is about √((z/2)² + σo²) px, i.e. z = 3 ↔ σ ≈ 1.5 px, z = 12 ↔ σ ≈ 6 px (the synthetic-blur slide's
// mild and severe regions).
import { newPlanar, type Planar } from './image.ts';

export interface DefocusPsf {
  /** Disk radius in px (geometric defocus). 0 = in focus. */
  radius: number;
  /** α: share of the disk component, the rest is the equal-width Gaussian. */
  diskWeight: number;
  /** ρ: radius of the inner disk relative to `radius`. */
  innerRatio: number;
  /** γ: extra height inside the inner disk; > 0 centre-heavy, < 0 rim-heavy (spherical aberration). Must be > −1. */
  innerGain: number;
  /** σo: in-focus optical blur (diffraction, scanner MTF) in px. */
  opticsSigma: number;
}

/** Focus levels 0…Z_MAX as in FocusPath. */
export const Z_MAX = 14;
/** Disk radius per level in px, at the training tissue's own sampling. */
export const PX_PER_LEVEL = 1;

/** The level's PSF with mid-range shape parameters (documentation, tests, evaluation). */
export function nominalPsf(z: number, pxPerLevel = PX_PER_LEVEL): DefocusPsf {
  return { radius: z * pxPerLevel, diskWeight: 0.7, innerRatio: 0.6, innerGain: 0, opticsSigma: 0.5 };
}

/** Sampled, normalised 1-D Gaussian with taps −⌈3σ⌉…⌈3σ⌉ (σ ≤ 0.05 gives the identity). */
export function gaussianTaps(sigma: number): Float64Array {
  if (sigma <= 0.05) return Float64Array.of(1);
  const r = Math.ceil(3 * sigma);
  const k = new Float64Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i]! /= sum;
  return k;
}

/** From this σ on, Gaussians are applied recursively (Young & van Vliet 1995): constant cost per pixel. */
export const IIR_SIGMA = 3;

interface Iir {
  B: number;
  a1: number;
  a2: number;
  a3: number;
}

function iirCoefficients(sigma: number): Iir {
  const q = sigma >= 2.5 ? 0.98711 * sigma - 0.9633 : 3.97156 - 4.14554 * Math.sqrt(1 - 0.26891 * sigma);
  const b0 = 1.57825 + 2.44413 * q + 1.4281 * q * q + 0.422205 * q * q * q;
  const b1 = 2.44413 * q + 2.85619 * q * q + 1.26661 * q * q * q;
  const b2 = -(1.4281 * q * q + 1.26661 * q * q * q);
  const b3 = 0.422205 * q * q * q;
  return { B: 1 - (b1 + b2 + b3) / b0, a1: b1 / b0, a2: b2 / b0, a3: b3 / b0 };
}

/** Taps of the 1-D smoothing used for σ: the sampled Gaussian, or the recursive filter's impulse response. */
export function smoothingTaps(sigma: number): Float64Array {
  if (sigma < IIR_SIGMA) return gaussianTaps(sigma);
  const r = Math.ceil(4 * sigma);
  const line = new Float64Array(4 * r + 1);
  line[2 * r] = 1;
  iirLine(line, 0, 1, line.length, iirCoefficients(sigma));
  const out = line.slice(r, 3 * r + 1);
  let s = 0;
  for (const v of out) s += v;
  for (let i = 0; i < out.length; i++) out[i]! /= s;
  return out;
}

/** Causal then anti-causal recursion along one line, in place; borders start from the steady state (replicate). */
function iirLine(d: Float32Array | Float64Array, start: number, step: number, n: number, c: Iir): void {
  const { B, a1, a2, a3 } = c;
  let w1 = d[start]!;
  let w2 = w1;
  let w3 = w1;
  for (let i = 0, o = start; i < n; i++, o += step) {
    const w = B * d[o]! + a1 * w1 + a2 * w2 + a3 * w3;
    d[o] = w;
    w3 = w2;
    w2 = w1;
    w1 = w;
  }
  let y1 = d[start + (n - 1) * step]!;
  let y2 = y1;
  let y3 = y1;
  for (let i = n - 1, o = start + (n - 1) * step; i >= 0; i--, o -= step) {
    const y = B * d[o]! + a1 * y1 + a2 * y2 + a3 * y3;
    d[o] = y;
    y3 = y2;
    y2 = y1;
    y1 = y;
  }
}

/** Half-width of the disk's chord through row dy (0 outside). */
function chord(r: number, dy: number): number {
  const q = r * r - dy * dy;
  return q > 0 ? Math.sqrt(q) : 0;
}

/** Coverage of pixel dx by the chord [−h, h] of a row: 1 inside, fractional at the ends, 0 outside. */
function coverage(h: number, dx: number): number {
  const a = Math.abs(dx);
  if (a === 0) return Math.min(1, 2 * h);
  return Math.min(1, Math.max(0, h - (a - 0.5)));
}

/** A disk smaller than a pixel is a pixel (keeps r = 0 the identity). */
function diskRadius(p: DefocusPsf): number {
  return Math.max(0.5, p.radius);
}

function diskExtent(r: number): number {
  return Math.ceil(r) + 1;
}

export interface Kernel2D {
  /** Half size: taps −radius…radius in x and y. */
  radius: number;
  size: number;
  /** size*size weights, row-major. */
  data: Float64Array;
}

function emptyKernel(radius: number): Kernel2D {
  const size = 2 * radius + 1;
  return { radius, size, data: new Float64Array(size * size) };
}

function addDisk(k: Kernel2D, r: number, height: number): void {
  const R = Math.min(k.radius, diskExtent(r));
  for (let dy = -R; dy <= R; dy++) {
    const h = chord(r, dy);
    for (let dx = -R; dx <= R; dx++) k.data[(dy + k.radius) * k.size + dx + k.radius]! += height * coverage(h, dx);
  }
}

/** One 1-D pass of `taps` along x or y from `src` into `dst` (dst at least as large; outside src counts as 0). */
function convolveAxis(src: Kernel2D, dst: Kernel2D, taps: Float64Array, axis: 'x' | 'y'): void {
  const t = (taps.length - 1) / 2;
  for (let y = -dst.radius; y <= dst.radius; y++) {
    if (axis === 'x' && (y < -src.radius || y > src.radius)) continue; // a row src does not have stays 0
    for (let x = -dst.radius; x <= dst.radius; x++) {
      let s = 0;
      for (let i = -t; i <= t; i++) {
        const sx = axis === 'x' ? x - i : x;
        const sy = axis === 'y' ? y - i : y;
        if (sx >= -src.radius && sx <= src.radius && sy >= -src.radius && sy <= src.radius) s += taps[i + t]! * src.data[(sy + src.radius) * src.size + sx + src.radius]!;
      }
      dst.data[(y + dst.radius) * dst.size + x + dst.radius] = s;
    }
  }
}

function convolveSeparable(k: Kernel2D, taps: Float64Array): Kernel2D {
  const t = (taps.length - 1) / 2;
  const out = emptyKernel(k.radius + t);
  const tmp = emptyKernel(k.radius + t);
  convolveAxis(k, tmp, taps, 'x');
  convolveAxis(tmp, out, taps, 'y');
  return out;
}

function gaussianSigmaOf(p: DefocusPsf): number {
  return Math.sqrt((p.radius / 2) ** 2 + p.opticsSigma ** 2);
}

/** The PSF as an explicit normalised kernel (tests, model cards, reference for `applyPsf`). */
export function psfKernel(p: DefocusPsf): Kernel2D {
  checkPsf(p);
  const go = smoothingTaps(p.opticsSigma);
  const gb = smoothingTaps(gaussianSigmaOf(p));
  const r = diskRadius(p);
  const radius = Math.max(diskExtent(r) + (go.length - 1) / 2, (gb.length - 1) / 2);
  let disk = emptyKernel(diskExtent(r));
  addDisk(disk, r, 1);
  addDisk(disk, r * p.innerRatio, p.innerGain);
  normalise(disk);
  disk = convolveSeparable(disk, go);
  const gauss = convolveSeparable({ radius: 0, size: 1, data: Float64Array.of(1) }, gb);
  const out = emptyKernel(radius);
  for (const [part, weight] of [
    [disk, p.diskWeight],
    [gauss, 1 - p.diskWeight],
  ] as const) {
    for (let y = -part.radius; y <= part.radius; y++)
      for (let x = -part.radius; x <= part.radius; x++)
        out.data[(y + radius) * out.size + x + radius]! += weight * part.data[(y + part.radius) * part.size + x + part.radius]!;
  }
  normalise(out);
  return out;
}

function normalise(k: Kernel2D): void {
  let s = 0;
  for (const v of k.data) s += v;
  for (let i = 0; i < k.data.length; i++) k.data[i]! /= s;
}

/** Per-axis RMS radius of a kernel: the σ of the Gaussian with the same second moment. */
export function kernelSigma(k: Kernel2D): number {
  let m2 = 0;
  let s = 0;
  for (let y = -k.radius; y <= k.radius; y++)
    for (let x = -k.radius; x <= k.radius; x++) {
      const w = k.data[(y + k.radius) * k.size + x + k.radius]!;
      m2 += w * (x * x + y * y);
      s += w;
    }
  return Math.sqrt(m2 / s / 2);
}

function checkPsf(p: DefocusPsf): void {
  if (!(p.radius >= 0) || !(p.opticsSigma >= 0) || !(p.diskWeight >= 0 && p.diskWeight <= 1) || !(p.innerGain > -1)) {
    throw new Error(`invalid PSF ${JSON.stringify(p)}`);
  }
}

/** How far the PSF reaches, in px: callers crop this much margin so that clamped edges do not matter. */
export function psfReach(p: DefocusPsf): number {
  const g = gaussianSigmaOf(p);
  return Math.max(diskExtent(diskRadius(p)) + Math.ceil(3 * p.opticsSigma), Math.ceil((g >= IIR_SIGMA ? 4 : 3) * g)) + 1;
}

// ---- fast application: separable Gaussians, and disks as sums of row chords via prefix sums ----

/** Gaussian smoothing of one plane (recursive for large σ), same size, clamped edges; `src` may be `dst`. */
function smoothPlane(src: Float32Array, dst: Float32Array, w: number, h: number, sigma: number, tmp: Float32Array): void {
  if (sigma >= IIR_SIGMA) {
    const c = iirCoefficients(sigma);
    if (src !== dst) dst.set(src.subarray(0, w * h));
    for (let y = 0; y < h; y++) iirLine(dst, y * w, 1, w, c);
    iirColumns(dst, w, h, c);
    return;
  }
  firPlane(src, dst, w, h, gaussianTaps(sigma), tmp);
}

/** The vertical recursion for all columns at once, row by row (contiguous memory access). */
function iirColumns(d: Float32Array, w: number, h: number, c: Iir): void {
  const { B, a1, a2, a3 } = c;
  const r1 = new Float64Array(w);
  const r2 = new Float64Array(w);
  const r3 = new Float64Array(w);
  // One row of the recursion for every column at once; run forwards, then backwards from the last row.
  const row = (y: number) => {
    const o = y * w;
    for (let x = 0; x < w; x++) {
      const v = B * d[o + x]! + a1 * r1[x]! + a2 * r2[x]! + a3 * r3[x]!;
      d[o + x] = v;
      r3[x] = r2[x]!;
      r2[x] = r1[x]!;
      r1[x] = v;
    }
  };
  for (let x = 0; x < w; x++) r1[x] = r2[x] = r3[x] = d[x]!;
  for (let y = 0; y < h; y++) row(y);
  const last = (h - 1) * w;
  for (let x = 0; x < w; x++) r1[x] = r2[x] = r3[x] = d[last + x]!;
  for (let y = h - 1; y >= 0; y--) row(y);
}

/** Separable FIR blur of one plane, same size, edges clamped (`src` may be `dst`: it is read in pass one). */
function firPlane(src: Float32Array, dst: Float32Array, w: number, h: number, taps: Float64Array, tmp: Float32Array): void {
  const t = (taps.length - 1) / 2;
  if (t === 0) {
    if (src !== dst) dst.set(src.subarray(0, w * h));
    return;
  }
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      let s = 0;
      if (x >= t && x < w - t) {
        const b = row + x - t;
        for (let i = 0; i <= 2 * t; i++) s += taps[i]! * src[b + i]!;
      } else {
        for (let i = -t; i <= t; i++) {
          const sx = x + i;
          s += taps[i + t]! * src[row + (sx < 0 ? 0 : sx >= w ? w - 1 : sx)]!;
        }
      }
      tmp[row + x] = s;
    }
  }
  const rows = new Int32Array(2 * t + 1);
  for (let y = 0; y < h; y++) {
    for (let i = -t; i <= t; i++) {
      const sy = y + i;
      rows[i + t] = (sy < 0 ? 0 : sy >= h ? h - 1 : sy) * w;
    }
    const d = y * w;
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let i = 0; i <= 2 * t; i++) s += taps[i]! * tmp[rows[i]! + x]!;
      dst[d + x] = s;
    }
  }
}

/** Rows extended by edge replication (ext[e] = src[clamp(e − R)]) and their prefix sums (prefix[e] = Σ ext[0…e)). */
function buildRows(src: Float32Array, w: number, h: number, R: number, prefix: Float64Array, ext: Float32Array): void {
  const ew = w + 2 * R;
  const pw = ew + 1;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    const e0 = y * ew;
    for (let e = 0; e < ew; e++) {
      const x = e - R;
      ext[e0 + e] = src[row + (x < 0 ? 0 : x >= w ? w - 1 : x)]!;
    }
    const p = y * pw;
    prefix[p] = 0;
    for (let e = 0; e < ew; e++) prefix[p + e + 1] = prefix[p + e]! + ext[e0 + e]!;
  }
}

/** One disk row as a full-coverage run −k…k with weight `full` and two end pixels at ±(k+1) with weight `edge`. */
function chordRun(r: number, dy: number, height: number): { k: number; full: number; edge: number; ends: number } {
  const hc = height === 0 || r <= 0 ? 0 : chord(r, dy);
  if (hc <= 0) return { k: 0, full: 0, edge: 0, ends: 0 };
  if (hc < 0.5) return { k: 0, full: 0, edge: height * hc, ends: 0 }; // a partial centre pixel: both "ends" at 0
  const k = Math.floor(hc - 0.5);
  return { k, full: height, edge: height * (hc - (k + 0.5)), ends: k + 1 };
}

/**
 * D(r) + γ·D(ρr) applied to a plane, added to dst: each disk row is a chord summed from the prefix sums, so the cost
 * is O(r) per pixel instead of O(r²). R ≥ diskExtent(r).
 */
function addDisksPlane(dst: Float64Array, w: number, h: number, R: number, r: number, ri: number, gain: number, prefix: Float64Array, ext: Float32Array): void {
  const ew = w + 2 * R;
  const pw = ew + 1;
  const Rr = diskExtent(r);
  for (let dy = -Rr; dy <= Rr; dy++) {
    const o = chordRun(r, dy, 1);
    const i = chordRun(ri, dy, gain);
    if (o.full === 0 && o.edge === 0) continue;
    for (let y = 0; y < h; y++) {
      let sy = y + dy;
      sy = sy < 0 ? 0 : sy >= h ? h - 1 : sy;
      const d = y * w;
      const pr = sy * pw + R;
      const er = sy * ew + R;
      const ohi = pr + o.k + 1;
      const olo = pr - o.k;
      const oa = er - o.ends;
      const ob = er + o.ends;
      const ihi = pr + i.k + 1;
      const ilo = pr - i.k;
      const ia = er - i.ends;
      const ib = er + i.ends;
      const of = o.full;
      const oe = o.edge;
      const inf = i.full;
      const ie = i.edge;
      for (let x = 0; x < w; x++) {
        dst[d + x]! +=
          of * (prefix[ohi + x]! - prefix[olo + x]!) +
          oe * (ext[oa + x]! + ext[ob + x]!) +
          inf * (prefix[ihi + x]! - prefix[ilo + x]!) +
          ie * (ext[ia + x]! + ext[ib + x]!);
      }
    }
  }
}

function diskArea(r: number): number {
  const R = diskExtent(r);
  let s = 0;
  for (let dy = -R; dy <= R; dy++) {
    const h = chord(r, dy);
    for (let dx = -R; dx <= R; dx++) s += coverage(h, dx);
  }
  return s;
}

/** Gaussian blur of all three planes, same size, edges clamped. */
export function gaussianBlur(img: Planar, sigma: number): Planar {
  const taps = gaussianTaps(sigma); // always the sampled Gaussian: evaluation sets use it as ground truth
  const out = newPlanar(img.width, img.height);
  const n = img.width * img.height;
  const tmp = new Float32Array(n);
  for (let c = 0; c < 3; c++) {
    firPlane(img.data.subarray(c * n, (c + 1) * n), out.data.subarray(c * n, (c + 1) * n), img.width, img.height, taps, tmp);
  }
  return out;
}

/** Convolves with `psfKernel(p)` (same size, edges clamped; exact away from the edges by `psfReach(p)`). */
export function applyPsf(img: Planar, p: DefocusPsf): Planar {
  checkPsf(p);
  const { width: w, height: h } = img;
  const n = w * h;
  const out = newPlanar(w, h);
  const tmp = new Float32Array(n);
  const r = diskRadius(p);
  const inner = r * p.innerRatio;
  const norm = diskArea(r) + p.innerGain * diskArea(inner);
  const R = diskExtent(r);
  const acc = new Float64Array(n);
  const diskOut = new Float32Array(n);
  const gaussOut = new Float32Array(n);
  const prefix = new Float64Array(h * (w + 2 * R + 1));
  const ext = new Float32Array(h * (w + 2 * R));
  const a = p.diskWeight;
  for (let c = 0; c < 3; c++) {
    const src = img.data.subarray(c * n, (c + 1) * n);
    acc.fill(0);
    buildRows(src, w, h, R, prefix, ext);
    addDisksPlane(acc, w, h, R, r, inner, p.innerGain, prefix, ext);
    const dst = out.data.subarray(c * n, (c + 1) * n);
    if (a > 0) {
      for (let i = 0; i < n; i++) diskOut[i] = acc[i]! / norm;
      smoothPlane(diskOut, diskOut, w, h, p.opticsSigma, tmp);
    }
    if (a < 1) smoothPlane(src, gaussOut, w, h, gaussianSigmaOf(p), tmp);
    for (let i = 0; i < n; i++) dst[i] = (a > 0 ? a * diskOut[i]! : 0) + (a < 1 ? (1 - a) * gaussOut[i]! : 0);
  }
  return out;
}
