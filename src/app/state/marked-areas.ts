// Areas of the open slide the user marked as in focus or out of focus, for fitting a calibration profile
// (focus/area-examples.ts). They belong to one slide: opening another one starts a fresh list.
import { create } from 'zustand';
import type { ExampleLabel, MarkedArea } from '../../focus/area-examples.ts';
import type { Rect } from '../../focus/slide-grid.ts';

export interface MarkedAreasState {
  /** The slide (slide-store id) the areas were marked on. */
  slideId?: number;
  areas: MarkedArea[];
  /** While set, a drag on the viewer draws an area with this label instead of panning. */
  drawing?: ExampleLabel;
  nextId: number;
  add(slideId: number, label: ExampleLabel, rect: Rect): void;
  remove(id: number): void;
  clear(): void;
  draw(label: ExampleLabel | undefined): void;
}

export function createMarkedAreasStore() {
  return create<MarkedAreasState>((set) => ({
    areas: [],
    nextId: 1,
    add: (slideId, label, rect) =>
      set((s) => ({
        slideId,
        areas: [...(s.slideId === slideId ? s.areas : []), { id: s.nextId, label, rect }],
        nextId: s.nextId + 1,
      })),
    remove: (id) => set((s) => ({ areas: s.areas.filter((a) => a.id !== id) })),
    clear: () => set({ areas: [], drawing: undefined }),
    draw: (drawing) => set({ drawing }),
  }));
}

export const useMarkedAreas = createMarkedAreasStore();

const NONE: readonly MarkedArea[] = Object.freeze([]);

/** The areas marked on this slide (none when they were marked on another); stable references, for selectors. */
export function areasOf(state: Pick<MarkedAreasState, 'slideId' | 'areas'>, slideId: number | undefined): readonly MarkedArea[] {
  return slideId !== undefined && state.slideId === slideId ? state.areas : NONE;
}
