// Scores many models at once: all their conv kernels form one bank that runs over each patch once (the maths of
// the ONNX model, in float64 sums), then each model's own min/linear head.
import type { DensityNormalisation } from '../../focus/stain-density.ts';
import type { FocusWeights } from '../model/weights.ts';
import { PATCH, packWindow, SAMPLE_BYTES, type RGBImage } from '../train/image.ts';
import { TAPS } from '../train/net.ts';
import type { Pool } from '../train/pool.ts';

export interface EvalModel {
  name: string;
  /** "ours" or "official" */
  group: 'ours' | 'official';
  weights: FocusWeights;
  /** The model card's out-of-focus threshold, when it has one (checked on the binary sets). */
  threshold?: number;
  /** The model card's stain-density normalisation, applied to every patch before the model (as the app does). */
  density?: DensityNormalisation;
}

export class ModelBank {
  readonly kernels: number;
  readonly conv: Float64Array;
  private readonly starts: number[] = [];

  constructor(readonly models: EvalModel[]) {
    let K = 0;
    for (const m of models) {
      this.starts.push(K);
      K += m.weights.kernels;
    }
    this.kernels = K;
    this.conv = new Float64Array(K * TAPS + K);
    models.forEach((m, i) => {
      const s = this.starts[i]!;
      this.conv.set(m.weights.convWeight, s * TAPS);
      this.conv.set(m.weights.convBias, K * TAPS + s);
    });
  }

  /** Per-model patch scores for `count` packed samples in `buffer` of the pool. */
  async score(pool: Pool, buffer: string, count: number): Promise<Float64Array[]> {
    const K = this.kernels;
    const { mins } = await pool.forward({ buffer, indices: Int32Array.from({ length: count }, (_, i) => i), kernels: K, conv: this.conv });
    return this.models.map((m, mi) => {
      const s = this.starts[mi]!;
      const w = m.weights;
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) {
        if (!w.fcWeight) out[i] = mins[i * K + s]!;
        else {
          let v = w.fcBias ?? 0;
          for (let c = 0; c < w.kernels; c++) v += w.fcWeight[c]! * mins[i * K + s + c]!;
          out[i] = v;
        }
      }
      return out;
    });
  }
}

/** Packs 235×235 windows at `corners` of an image into `out` (sample i at i·SAMPLE_BYTES). */
export function packCorners(img: RGBImage, corners: readonly { x: number; y: number }[], out: Uint8Array): void {
  if (out.length < corners.length * SAMPLE_BYTES) throw new Error('packCorners: buffer too small');
  corners.forEach((c, i) => {
    if (c.x < 0 || c.y < 0 || c.x + PATCH > img.width || c.y + PATCH > img.height) throw new Error(`patch at ${c.x},${c.y} is outside the image`);
    packWindow(img, c.x, c.y, out, i * SAMPLE_BYTES);
  });
}
