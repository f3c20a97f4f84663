/** Where a grid cell stands. Stored one byte per cell (a Uint8Array) so maps move between threads without copying. */
export const CellState = {
  /** Not looked at yet. */
  Unknown: 0,
  /** Queued or being scored. */
  Queued: 1,
  /** Looked at: scored, found to be glass, or failed (unreadable). */
  Done: 2,
} as const;
export type CellState = (typeof CellState)[keyof typeof CellState];

/** One CellState per cell of a grid, rows outer. */
export type CellStates = Uint8Array;
