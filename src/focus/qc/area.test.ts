import { describe, expect, it } from 'vitest';
import { formatArea, formatLength } from './area.ts';

describe('area formatting', () => {
  it('uses µm² below 0.01 mm², mm² above, with three significant digits', () => {
    expect(formatArea(0.004096, 'mm²')).toBe('4,100 µm²');
    expect(formatArea(0.0123456, 'mm²')).toBe('0.0123 mm²');
    expect(formatArea(12.3456, 'mm²')).toBe('12.3 mm²');
    expect(formatArea(1234.5, 'mm²')).toBe('1,230 mm²');
    expect(formatArea(0, 'mm²')).toBe('0 mm²');
  });

  it('keeps pixels² when the pixel size is unknown', () => {
    expect(formatArea(16384, 'px²')).toBe('16,400 px²');
    expect(formatArea(Number.NaN, 'px²')).toBe('–');
  });

  it('gives positions in whole µm below 1 mm and in mm to 10 µm above', () => {
    expect(formatLength(853.4)).toBe('853 µm');
    expect(formatLength(1234.5)).toBe('1.23 mm');
    expect(formatLength(0)).toBe('0 µm');
    expect(formatLength(Number.NaN)).toBe('–');
  });
});
