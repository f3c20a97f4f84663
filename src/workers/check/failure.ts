// Per-file failures of a quick check. Kept apart from analyse.ts so the main thread can use it without pulling in
// onnxruntime-web.

export type FailureKind = 'too-small' | 'too-large' | 'unreadable' | 'model' | 'crashed' | 'cancelled';

/** A per-file problem, reported on the file's row; the rest of the batch goes on. */
export class CheckFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly width?: number,
    readonly height?: number,
  ) {
    super(message);
    this.name = 'CheckFailure';
  }
}
