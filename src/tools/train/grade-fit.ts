// The grade curve of a model card: raw score → defocus grade (src/focus/grade.ts), fitted on held-out simulated
// defocus where the grade of a sample is its level z (clipped to GRADE_MAX).
import { GRADE_MAX, type GradeScale } from '../../focus/grade.ts';

/** A pooled run of consecutive levels: the weighted mean of their values and of their levels. */
interface Block {
  value: number;
  level: number;
  weight: number;
}

/**
 * Pool-adjacent-violators: the strictly increasing sequence of blocks closest (weighted least squares) to `values`
 * taken in the given order. Runs that fall or stay level are pooled, so the block values strictly rise.
 */
export function poolAdjacentViolators(values: readonly number[], levels: readonly number[], weights: readonly number[]): Block[] {
  const blocks: Block[] = [];
  values.forEach((value, i) => {
    let b: Block = { value, level: levels[i]!, weight: weights[i]! };
    for (let prev = blocks[blocks.length - 1]; prev && prev.value >= b.value; prev = blocks[blocks.length - 1]) {
      blocks.pop();
      const w = prev.weight + b.weight;
      b = { value: (prev.value * prev.weight + b.value * b.weight) / w, level: (prev.level * prev.weight + b.level * b.weight) / w, weight: w };
    }
    blocks.push(b);
  });
  return blocks;
}

function median(sorted: readonly number[]): number {
  const n = sorted.length;
  return n % 2 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
}

export const GRADE_FIT_RULE =
  `monotone medians per level: the median validation score of each simulated defocus level z = 0…${GRADE_MAX} (grade = z; ` +
  `levels above ${GRADE_MAX} saturate at grade ${GRADE_MAX}), levels whose medians do not rise pooled by pool-adjacent-violators ` +
  `(weighted by their sample counts; a pooled run becomes one point at its mean score and mean level); linear between points`;

/**
 * The grade scale of a model from held-out scores and their levels: grade g ↔ the median score of level g, made
 * monotone. Levels above GRADE_MAX are left out of the curve (scores beyond its last point clamp to the top grade).
 */
export function fitGradeScale(scores: ArrayLike<number>, levels: ArrayLike<number>): GradeScale {
  const byLevel = new Map<number, number[]>();
  for (let i = 0; i < scores.length; i++) {
    const z = levels[i]!;
    const s = scores[i]!;
    if (!Number.isFinite(z) || !Number.isFinite(s) || z < 0) throw new Error(`grade fit: sample ${i} has level ${z} and score ${s}`);
    if (z > GRADE_MAX) continue;
    if (!byLevel.has(z)) byLevel.set(z, []);
    byLevel.get(z)!.push(s);
  }
  const zs = [...byLevel.keys()].sort((a, b) => a - b);
  const medians = zs.map((z) => median(byLevel.get(z)!.sort((a, b) => a - b)));
  const blocks = poolAdjacentViolators(
    medians,
    zs,
    zs.map((z) => byLevel.get(z)!.length),
  );
  if (blocks.length < 2) throw new Error(`grade fit: the validation scores do not rise with the defocus level (levels ${zs.join(', ')}); the model cannot be graded`);
  return { points: blocks.map((b) => [b.value, b.level]) };
}
