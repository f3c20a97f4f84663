import { describe, expect, it } from 'vitest';
import { SpareMemory } from './spare-memory.ts';

describe('SpareMemory', () => {
  it('gives back the smallest kept memory that fits, else new memory of the size asked for (or more)', () => {
    const spare = new SpareMemory(4);
    const small = spare.take(100);
    const large = spare.take(300, 500);
    expect([small.length, large.length]).toEqual([100, 500]);
    spare.keep(large);
    spare.keep(small);
    expect(spare.take(50)).toBe(small);
    expect(spare.take(50)).toBe(large);
    expect(spare.take(50)).not.toBe(small);
  });

  it('keeps at most `max`, replacing the smallest by a larger one', () => {
    const spare = new SpareMemory(2);
    const [a, b, c, d] = [10, 20, 30, 5].map((n) => new Uint8ClampedArray(n));
    spare.keep(a!);
    spare.keep(b!);
    spare.keep(c!); // replaces a
    spare.keep(d!); // smaller than all kept: dropped
    expect(spare.take(1)).toBe(b);
    expect(spare.take(1)).toBe(c);
    expect(spare.take(1)).not.toBe(a);
  });
});
