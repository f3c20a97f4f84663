import type { ExampleLabel } from '../../focus/area-examples.ts';
import { create } from 'zustand';
import type { FailureKind } from '../../workers/check/failure.ts';
import type { HeatmapScale } from '../../heatmap/patch-map.ts';
import type { RGBAImage } from '../../slide/types.ts';
import type { CheckRecord, SortSpec, VerdictFilter } from '../check/results.ts';

export interface CheckItem extends CheckRecord {
  file: File;
  /** The model this row was (or is being) scored with. */
  modelId: string;
  patch?: number;
  stride?: number;
  patchGrid?: number[][];
  thumb?: RGBAImage;
  failure?: FailureKind;
  /** The user's label, an example for fitting a calibration profile. */
  mark?: ExampleMark;
}

/** A row marked as a calibration example: the same labels as areas marked on a slide. */
export type ExampleMark = ExampleLabel;

export interface CheckState {
  /** The quick check panel is shown. */
  open: boolean;
  items: CheckItem[];
  sort: SortSpec;
  filter: VerdictFilter;
  scale: HeatmapScale;
  /** The row shown large. */
  selectedId?: number;
  /** Files dropped on the viewer while a slide is open, waiting for the user to say what they are. */
  pendingDrop?: File[];
  set(patch: Partial<Omit<CheckState, 'set'>>): void;
}

/** What the quick check panel shows; the app has one (useCheckStore), tests make their own. The work behind it
 * (workers, batching of results) is QuickCheckSession's. */
export function createCheckStore() {
  return create<CheckState>((set) => ({
    open: false,
    items: [],
    sort: { key: 'added', descending: false },
    filter: 'all',
    scale: 'fixed',
    set: (patch) => set(patch),
  }));
}

export const useCheckStore = createCheckStore();
