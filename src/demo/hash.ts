// Integer hashing and a seeded PRNG: the same numbers on every machine (Math.imul and 32-bit ops only).

/** 32-bit finaliser (murmur3 fmix32). */
export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

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

/** Small, fast seeded generator (mulberry32) for sequences drawn from one hash. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** [0, 1) */
  float(): number {
    return this.next() / 4294967296;
  }
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.float();
  }
  int(n: number): number {
    return Math.floor(this.float() * n);
  }
}
