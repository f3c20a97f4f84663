// The range of the scores seen so far on a slide: what relative colouring and summaries normalise against.
import type { GradeScale } from './grade.ts';

/** Maps scores to [0, 1] for colouring. */
export interface Normaliser {
  lo: number;
  hi: number;
  /** With a grade scale, `lo` and `hi` are grades and scores are graded before normalising (the absolute scale). */
  grade?: GradeScale;
}

/**
 * Relative normalisation: min–max over the scored tissue cells of this slide, as in the paper's figures.
 * The range only ever widens as cells stream in, so colours already on screen drift smoothly rather than flicker.
 */
export class RelativeRange {
  lo = Number.POSITIVE_INFINITY;
  hi = Number.NEGATIVE_INFINITY;

  include(score: number): boolean {
    if (!Number.isFinite(score)) return false;
    let changed = false;
    if (score < this.lo) { this.lo = score; changed = true; }
    if (score > this.hi) { this.hi = score; changed = true; }
    return changed;
  }

  get empty(): boolean {
    return !(this.hi >= this.lo);
  }

  normaliser(): Normaliser | undefined {
    if (this.empty) return undefined;
    // A flat map (one cell, or identical scores) still needs a non-zero span.
    return this.hi > this.lo ? { lo: this.lo, hi: this.hi } : { lo: this.lo - 0.5, hi: this.hi + 0.5 };
  }
}
