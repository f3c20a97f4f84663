import { mix32 } from '../../common/random.ts';

export { Rng } from '../../common/random.ts';

// Seeded randomness: every random choice in training derives from (seed, stream, index), so results do not depend
// on worker count or scheduling.

/** Mixes integers into one 32-bit seed (murmur3-style finaliser per word). */
export function hashSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    let k = Math.imul((p | 0) ^ Math.floor(p / 4294967296), 0xcc9e2d51);
    k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
    h ^= k;
    h = Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64;
  }
  return mix32(h);
}
