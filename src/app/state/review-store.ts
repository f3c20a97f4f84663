// The reviewer's work on each slide while the app is open: the decision (accept / re-scan) with a note, and the region
// being looked at. Keyed by slide (name and size), so reopening a slide finds its review again.
import { create } from 'zustand';
import type { ReviewDecision } from '../../focus/qc/report.ts';
import type { SlideInfo } from '../../slide/types.ts';

export interface SlideReview {
  decision: ReviewDecision | null;
  note: string;
}

export const NO_REVIEW: SlideReview = Object.freeze({ decision: null, note: '' });

/** A review as the exports write it (report, GeoJSON): the decision, and the note when there is one. */
export function exportedDecision(review: SlideReview): { decision: ReviewDecision | null; decisionNote?: string } {
  const note = review.note.trim();
  return { decision: review.decision, ...(note ? { decisionNote: note } : {}) };
}

export interface ReviewState {
  reviews: Record<string, SlideReview>;
  /** Index (in the summary's worst-first order) of the region under review, per slide. */
  selected: Record<string, number | undefined>;
  decide(key: string, patch: Partial<SlideReview>): void;
  select(key: string, index: number | undefined): void;
}

export function reviewKey(info: Pick<SlideInfo, 'name' | 'levels'>): string {
  const l0 = info.levels[0];
  return reviewKeyOf(info.name, l0?.width ?? 0, l0?.height ?? 0);
}

/** reviewKey from a report's slide (name and level-0 size). */
export function reviewKeyOf(name: string, width: number, height: number): string {
  return `${name}|${width}x${height}`;
}

export function createReviewStore() {
  return create<ReviewState>((set) => ({
    reviews: {},
    selected: {},
    decide: (key, patch) => set((s) => ({ reviews: { ...s.reviews, [key]: { ...(s.reviews[key] ?? NO_REVIEW), ...patch } } })),
    select: (key, index) => set((s) => ({ selected: { ...s.selected, [key]: index } })),
  }));
}

export const useReviews = createReviewStore();
