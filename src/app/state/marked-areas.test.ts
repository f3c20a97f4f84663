import { describe, expect, it } from 'vitest';
import { areasOf, createMarkedAreasStore } from './marked-areas.ts';

const rect = { x: 0, y: 0, width: 300, height: 300 };

describe('marked areas', () => {
  it('keeps areas per slide: marking on another slide starts a fresh list', () => {
    const store = createMarkedAreasStore();
    store.getState().add(1, 'in-focus', rect);
    store.getState().add(1, 'out-of-focus', { ...rect, x: 500 });
    expect(areasOf(store.getState(), 1).map((a) => [a.id, a.label])).toEqual([[1, 'in-focus'], [2, 'out-of-focus']]);
    expect(areasOf(store.getState(), 2)).toEqual([]);
    expect(areasOf(store.getState(), 2)).toBe(areasOf(store.getState(), undefined)); // one empty list: stable for selectors
    store.getState().add(2, 'in-focus', rect);
    expect(areasOf(store.getState(), 1)).toEqual([]);
    expect(areasOf(store.getState(), 2).map((a) => a.id)).toEqual([3]); // ids are never reused
  });

  it('removes one area, clears all and stops drawing', () => {
    const store = createMarkedAreasStore();
    store.getState().draw('out-of-focus');
    store.getState().add(7, 'in-focus', rect);
    store.getState().add(7, 'in-focus', rect);
    store.getState().remove(1);
    expect(store.getState().areas.map((a) => a.id)).toEqual([2]);
    expect(store.getState().drawing).toBe('out-of-focus');
    store.getState().clear();
    expect(store.getState()).toMatchObject({ areas: [], drawing: undefined });
  });
});
