// Integer hashing for the procedural demo slide: the same numbers on every machine (Math.imul and 32-bit ops only).
import { mix32 } from '../../common/random.ts';

export { mix32, Rng } from '../../common/random.ts';

/** Hash of integer lattice coordinates (any sign) and a seed, as an unsigned 32-bit integer. */
export function hash2(x: number, y: number, seed: number): number {
  return mix32(Math.imul(x, 0x27d4eb2d) ^ Math.imul(y ^ 0x5bd1e995, 0x165667b1) ^ Math.imul(seed, 0x9e3779b1));
}

export function hash3(x: number, y: number, z: number, seed: number): number {
  return mix32(hash2(x, y, seed) ^ Math.imul(z + 0x3c6ef372, 0x85ebca77));
}

/** Unsigned 32-bit integer → [0, 1). */
export function unit(h: number): number {
  return h / 4294967296;
}
