// Calibration profiles: the out-of-focus point fitted to a lab's own examples ("Scanner 2 · H&E"). A user marks a few
// areas or tiles as in focus or out of focus; their grades (or raw scores, for a model without a grade scale) fix where
// the verdict flips. A profile is plain JSON, so the app can keep, export and import it and the CLI can read it.

export const PROFILE_FORMAT = 'focuslite-calibration/1';

/** Fewer examples than this per class cannot say where a boundary lies. */
export const MIN_EXAMPLES_PER_CLASS = 2;
/** Below this balanced accuracy on its own examples a fit is refused: the examples do not separate. */
export const MIN_BALANCED_ACCURACY = 0.9;

export interface CalibrationProfile {
  format: typeof PROFILE_FORMAT;
  name: string;
  /** The model it was fitted with (its id): grades of another model are not comparable without its own scale. */
  model: string;
  /** What `outOfFocusFrom` is measured on. */
  scale: 'defocus grade' | 'raw score';
  /** Values at or above this are out of focus. */
  outOfFocusFrom: number;
  examples: { inFocus: number; outOfFocus: number };
  /** How well the fitted point splits its own examples. */
  fit: { balancedAccuracy: number; overlapping: number };
  createdAt: string;
}

export interface PointFit {
  point: number;
  balancedAccuracy: number;
  /** Examples on the wrong side of the fitted point. */
  overlapping: number;
  /** Set when the examples separate, but not cleanly. */
  warning?: string;
}

/**
 * The out-of-focus point that best splits the examples: midway across the gap when they separate cleanly, else the
 * cut with the highest balanced accuracy (ties: the middle one). Throws, saying why, when there are too few examples or
 * they do not separate.
 */
export function fitOutOfFocusPoint(inFocus: readonly number[], outOfFocus: readonly number[]): PointFit {
  const sharp = inFocus.filter(Number.isFinite);
  const blurred = outOfFocus.filter(Number.isFinite);
  if (sharp.length < MIN_EXAMPLES_PER_CLASS || blurred.length < MIN_EXAMPLES_PER_CLASS) {
    throw new Error(`mark at least ${MIN_EXAMPLES_PER_CLASS} in-focus and ${MIN_EXAMPLES_PER_CLASS} out-of-focus examples on tissue (have ${sharp.length} and ${blurred.length})`);
  }
  const maxSharp = Math.max(...sharp);
  const minBlurred = Math.min(...blurred);
  if (maxSharp < minBlurred) return { point: (maxSharp + minBlurred) / 2, balancedAccuracy: 1, overlapping: 0 };

  const values = [...new Set([...sharp, ...blurred])].sort((a, b) => a - b);
  const cuts = values.slice(1).map((v, i) => (values[i]! + v) / 2);
  let best: { cut: number; ba: number; wrong: number }[] = [];
  for (const cut of cuts) {
    const right = sharp.filter((v) => v < cut).length;
    const caught = blurred.filter((v) => v >= cut).length;
    const ba = (right / sharp.length + caught / blurred.length) / 2;
    const wrong = sharp.length - right + blurred.length - caught;
    if (best.length === 0 || ba > best[0]!.ba + 1e-12) best = [{ cut, ba, wrong }];
    else if (Math.abs(ba - best[0]!.ba) <= 1e-12) best.push({ cut, ba, wrong });
  }
  const chosen = best[Math.floor((best.length - 1) / 2)]!;
  if (chosen.ba < MIN_BALANCED_ACCURACY) {
    throw new Error(
      `the examples do not separate: the best point still gets ${chosen.wrong} of ${sharp.length + blurred.length} wrong (balanced accuracy ${chosen.ba.toFixed(2)}); check the marks, or mark areas that are clearly sharp and clearly blurred`,
    );
  }
  return {
    point: chosen.cut,
    balancedAccuracy: chosen.ba,
    overlapping: chosen.wrong,
    warning: `${chosen.wrong} example(s) fall on the other side of the fitted point`,
  };
}

/** A profile from examples (values on the model's grade scale, or raw scores when it has none). */
export function fitProfile(input: {
  name: string;
  model: string;
  scale: CalibrationProfile['scale'];
  inFocus: readonly number[];
  outOfFocus: readonly number[];
  now?: Date;
}): { profile: CalibrationProfile; warning?: string } {
  const name = input.name.trim();
  if (!name) throw new Error('a calibration profile needs a name, e.g. "Scanner 2 · H&E"');
  const fit = fitOutOfFocusPoint(input.inFocus, input.outOfFocus);
  const profile: CalibrationProfile = {
    format: PROFILE_FORMAT,
    name,
    model: input.model,
    scale: input.scale,
    outOfFocusFrom: fit.point,
    examples: { inFocus: input.inFocus.filter(Number.isFinite).length, outOfFocus: input.outOfFocus.filter(Number.isFinite).length },
    fit: { balancedAccuracy: fit.balancedAccuracy, overlapping: fit.overlapping },
    createdAt: (input.now ?? new Date()).toISOString(),
  };
  return fit.warning ? { profile, warning: fit.warning } : { profile };
}

/** Reads a profile file (JSON text), refusing anything that is not one with a reason a user can act on. */
export function parseProfile(text: string): CalibrationProfile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error('not a calibration profile: the file is not JSON');
  }
  const p = raw as Partial<CalibrationProfile> | null;
  if (!p || typeof p !== 'object' || p.format !== PROFILE_FORMAT) throw new Error(`not a calibration profile: expected "format": "${PROFILE_FORMAT}"`);
  if (typeof p.name !== 'string' || !p.name.trim()) throw new Error('calibration profile: "name" is missing');
  if (typeof p.model !== 'string' || !p.model) throw new Error('calibration profile: "model" is missing');
  if (p.scale !== 'defocus grade' && p.scale !== 'raw score') throw new Error('calibration profile: "scale" must be "defocus grade" or "raw score"');
  if (typeof p.outOfFocusFrom !== 'number' || !Number.isFinite(p.outOfFocusFrom)) throw new Error('calibration profile: "outOfFocusFrom" must be a number');
  const examples = p.examples ?? { inFocus: 0, outOfFocus: 0 };
  const fit = p.fit ?? { balancedAccuracy: Number.NaN, overlapping: 0 };
  return {
    format: PROFILE_FORMAT,
    name: p.name.trim(),
    model: p.model,
    scale: p.scale,
    outOfFocusFrom: p.outOfFocusFrom,
    examples: { inFocus: Number(examples.inFocus) || 0, outOfFocus: Number(examples.outOfFocus) || 0 },
    fit: { balancedAccuracy: Number(fit.balancedAccuracy), overlapping: Number(fit.overlapping) || 0 },
    createdAt: typeof p.createdAt === 'string' ? p.createdAt : '',
  };
}

/** Whether a profile applies to a model: same model, and its scale is the one the model scores on. */
export function profileFits(profile: CalibrationProfile, model: { id: string; hasGradeScale: boolean }): string | undefined {
  if (profile.model !== model.id) return `the profile "${profile.name}" was fitted with ${profile.model}, not ${model.id}`;
  const scale = model.hasGradeScale ? 'defocus grade' : 'raw score';
  if (profile.scale !== scale) return `the profile "${profile.name}" is on the ${profile.scale} scale, but ${model.id} scores on the ${scale} scale`;
  return undefined;
}
