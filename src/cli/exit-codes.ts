// Exit codes of every `focuslite` command, documented in README.md ("Exit codes"); scripts branch on them.

export const EXIT = {
  /** Everything done (for `scan`: every slide read and every slide PASSed QC). */
  ok: 0,
  /** An input (image, slide, model, weights) could not be read, or the work failed. Wins over `qcFail`. */
  failed: 1,
  /** The command line is wrong: unknown command or option, a missing or invalid option value. */
  usage: 2,
  /** `scan` only: every slide was read, and at least one FAILed QC. */
  qcFail: 3,
} as const;

/** A bad command line found by a command after parsing; `main` prints it with the command's usage and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Usage errors: ours, and node:util parseArgs's (unknown option, missing value, unexpected positional). */
export function isUsageError(err: unknown): err is Error {
  if (err instanceof UsageError) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}
