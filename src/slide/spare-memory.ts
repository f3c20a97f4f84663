/**
 * Pixel memory kept for the next region read (`RegionOptions.into`). Fresh memory has its pages mapped in as the
 * pixels are first written, which costs more than writing them: 0.2–0.7 ms per 256² tile against 0.02–0.04 ms into
 * kept memory (a one-off page in Chromium), so a scan's blocks and a viewer's tiles reuse their memory. Hold as many
 * as the reader has reads in flight. Memory whose read failed may still have tiles on their way into it: not kept.
 */
export class SpareMemory {
  private readonly spare: Uint8ClampedArray[] = [];

  constructor(private readonly max: number) {}

  /** The smallest kept memory of at least `size` bytes, else new memory of `fresh` bytes (at least `size`). */
  take(size: number, fresh = size): Uint8ClampedArray {
    let best = -1;
    for (const [i, b] of this.spare.entries()) if (b.length >= size && (best < 0 || b.length < this.spare[best]!.length)) best = i;
    return best < 0 ? new Uint8ClampedArray(Math.max(size, fresh)) : this.spare.splice(best, 1)[0]!;
  }

  /** Keeps memory for later reads; when `max` are kept already, it replaces the smallest if larger. */
  keep(block: Uint8ClampedArray): void {
    if (this.spare.length < this.max) {
      this.spare.push(block);
      return;
    }
    let smallest = 0;
    for (const [i, b] of this.spare.entries()) if (b.length < this.spare[smallest]!.length) smallest = i;
    if (this.spare[smallest]!.length < block.length) this.spare[smallest] = block;
  }
}
