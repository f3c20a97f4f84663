import { describe, expect, it } from 'vitest';
import { TEXTURE_SIZE, makeTexture } from './texture.ts';

describe('tileable textures', () => {
  it.each([2, 4, 16, 32])('wraps without a seam (cell %i px)', (cell) => {
    const t = makeTexture(1234, cell);
    const n = TEXTURE_SIZE;
    const at = (x: number, y: number) => t[(y & (n - 1)) * n + (x & (n - 1))] ?? 0;
    let inner = 0;
    let seam = 0;
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n - 1; x++) inner += Math.abs(at(x + 1, y) - at(x, y)) + Math.abs(at(y, x + 1) - at(y, x));
      seam += Math.abs(at(0, y) - at(n - 1, y)) + Math.abs(at(y, 0) - at(y, n - 1));
    }
    const innerMean = inner / (2 * n * (n - 1));
    const seamMean = seam / (2 * n);
    expect(seamMean).toBeLessThan(1.5 * innerMean);
    const values = Array.from(t);
    expect(Math.max(...values)).toBeLessThanOrEqual(1);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(-1);
  });

  it('refuses a lattice that cannot wrap', () => {
    expect(() => makeTexture(1, 3)).toThrow(/divide/);
  });
});
