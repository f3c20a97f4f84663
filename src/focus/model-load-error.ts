// A model that cannot be loaded makes every later score fail the same way, so callers stop rather than record failed
// cells. The error says so with a `kind` field, not its message text: the field survives a trip through a worker's
// message (a class does not), and the pools carry it over as PoolError's kind.

export class ModelLoadError extends Error {
  readonly kind = 'model';
  constructor(message: string) {
    super(message);
    this.name = 'ModelLoadError';
  }
}

export function isModelLoadError(err: unknown): err is Error & { kind: 'model' } {
  return err instanceof Error && (err as { kind?: unknown }).kind === 'model';
}
