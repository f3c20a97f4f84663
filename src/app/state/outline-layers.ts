// Outline layers imported from GeoJSON files (a focus export, QuPath annotations, a pathologist's marks), drawn over
// the slide they were imported on; opening another slide shows none of them.
import { create } from 'zustand';
import type { Outlines } from '../../heatmap/outline-shapes.ts';

export interface OutlineLayer {
  id: number;
  slideId: number;
  outlines: Outlines;
  visible: boolean;
}

export interface OutlineLayersState {
  layers: OutlineLayer[];
  /** The last import's error, shown until the next import. */
  error?: string;
  /** The outline of the region under review (drawn bolder, on the slide it belongs to). */
  highlighted?: { slideId: number; outlines: Outlines };
  nextId: number;
  add(slideId: number, outlines: Outlines): void;
  remove(id: number): void;
  toggle(id: number): void;
  fail(message: string | undefined): void;
  highlight(value: OutlineLayersState['highlighted']): void;
}

export function createOutlineLayersStore() {
  return create<OutlineLayersState>((set) => ({
    layers: [],
    nextId: 1,
    add: (slideId, outlines) =>
      set((s) => ({ layers: [...s.layers.filter((l) => l.slideId === slideId), { id: s.nextId, slideId, outlines, visible: true }], nextId: s.nextId + 1, error: undefined })),
    remove: (id) => set((s) => ({ layers: s.layers.filter((l) => l.id !== id) })),
    toggle: (id) => set((s) => ({ layers: s.layers.map((l) => (l.id === id ? { ...l, visible: !l.visible } : l)) })),
    fail: (error) => set({ error }),
    highlight: (highlighted) => set({ highlighted }),
  }));
}

export const useOutlineLayers = createOutlineLayersStore();
