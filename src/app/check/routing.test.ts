import { describe, expect, it } from 'vitest';
import { routeDrop } from './routing.ts';

const idle = { slideOpen: false, checkOpen: false };
const slide = { slideOpen: true, checkOpen: false };

describe('routeDrop', () => {
  it('checks several files, whatever they are', () => {
    expect(routeDrop(['a.png', 'b.png'], slide)).toBe('check');
    expect(routeDrop(['a.png', 'b.jpg'], idle)).toBe('check');
    expect(routeDrop(['slide.svs', 'b.png'], slide)).toBe('check');
    // Several whole-slide files go to the slide queue; TIFFs may be tiles and stay with the quick check.
    expect(routeDrop(['a.svs', 'b.SVS', 'c.ndpi'], slide)).toBe('queue');
    expect(routeDrop(['a.svs', 'b.tif'], idle)).toBe('check');
    expect(routeDrop(['a.tif', 'b.tif'], idle)).toBe('check');
    expect(routeDrop(['a.dcm', 'b.png'], slide)).toBe('check');
  });

  it('opens several DICOM files as one slide (a series, a level per file)', () => {
    expect(routeDrop(['level-0.dcm', 'level-1.DCM', 'label.dcm'], slide)).toBe('open');
    expect(routeDrop(['level-0.dcm', 'level-1.dcm'], { slideOpen: false, checkOpen: true })).toBe('open');
  });

  it('opens a lone slide file as before, even over an open slide', () => {
    for (const name of ['x.svs', 'x.tif', 'x.TIFF', 'x.ome.tif', 'x.ndpi']) expect(routeDrop([name], slide)).toBe('open');
  });

  it('asks about a lone image while a slide is open, and never replaces it silently', () => {
    expect(routeDrop(['tile.png'], slide)).toBe('ask');
    expect(routeDrop(['tile.jpg'], slide)).toBe('ask');
    expect(routeDrop(['notes.txt'], slide)).toBe('ask');
  });

  it('opens a lone image when nothing is open, and checks it when the quick check is open', () => {
    expect(routeDrop(['tile.png'], idle)).toBe('open');
    expect(routeDrop(['tile.png'], { slideOpen: true, checkOpen: true })).toBe('check');
  });

  it('ignores empty drops', () => {
    expect(routeDrop([], slide)).toBe('none');
  });
});
