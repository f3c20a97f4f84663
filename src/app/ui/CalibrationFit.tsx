import { useState } from 'react';
import { fitProfile, type CalibrationProfile } from '../../focus/calibration-profile.ts';
import { gradeOf } from '../../focus/grade.ts';
import { useProfiles } from '../state/calibration-profiles.ts';
import type { CheckItem } from '../state/check-store.ts';
import type { ModelEntry } from '../state/models.ts';

export interface Examples {
  inFocus: number[];
  outOfFocus: number[];
}

/** A raw score as a profile is fitted on it: the model's grade, or the raw score for a model without a grade scale. */
export function exampleValue(model: ModelEntry, score: number): number {
  return model.card.grade ? gradeOf(model.card.grade, score) : score;
}

/** The values a profile is fitted on from the quick check: the marked rows scored with this model. */
export function markedExamples(items: readonly CheckItem[], model: ModelEntry): Examples {
  const inFocus: number[] = [];
  const outOfFocus: number[] = [];
  for (const item of items) {
    // Only rows scored with this model: another model's scores are on another scale.
    if (!item.mark || item.status !== 'done' || item.score === undefined || !Number.isFinite(item.score) || item.modelId !== model.id) continue;
    (item.mark === 'in-focus' ? inFocus : outOfFocus).push(exampleValue(model, item.score));
  }
  return { inFocus, outOfFocus };
}

type Outcome = { kind: 'refused' | 'warning' | 'saved'; text: string };

/**
 * "Fit calibration profile": a name and the marked examples (quick-check rows or areas of the slide) make a profile,
 * saved and made active for the model.
 */
export function CalibrationFit({ examples, description, model, onFitted }: { examples: Examples; description: string; model: ModelEntry; onFitted: (profile: CalibrationProfile) => void }) {
  const [name, setName] = useState('');
  const [outcome, setOutcome] = useState<Outcome>();
  const { inFocus, outOfFocus } = examples;

  const fit = (e: React.FormEvent) => {
    e.preventDefault();
    try {
      const { profile, warning } = fitProfile({ name, model: model.id, scale: model.card.grade ? 'defocus grade' : 'raw score', inFocus, outOfFocus });
      useProfiles.getState().save(profile);
      onFitted(profile);
      const point = profile.scale === 'defocus grade' ? `grade ${profile.outOfFocusFrom.toFixed(2)}` : `score ${profile.outOfFocusFrom.toFixed(3)}`;
      setOutcome({
        kind: warning ? 'warning' : 'saved',
        text: `“${profile.name}” saved and in use: out of focus from ${point}.${warning ? ` Warning: ${warning}.` : ''}`,
      });
    } catch (err) {
      setOutcome({ kind: 'refused', text: `No profile fitted: ${err instanceof Error ? err.message : String(err)}` });
    }
  };

  return (
    <form className="profile-fit" onSubmit={fit} data-testid="profile-fit-form">
      <span className="muted" data-testid="profile-examples">
        {description}
      </span>
      <label>
        Profile name{' '}
        <input value={name} onChange={(e) => setName(e.currentTarget.value)} placeholder="Scanner 2 · H&E" data-testid="profile-name" />
      </label>
      <button type="submit" data-testid="profile-fit" title="Fit the out-of-focus point to the marked examples">
        Fit calibration profile
      </button>
      {outcome?.kind === 'refused' && (
        <span role="alert" className="check-note warn" data-testid="profile-fit-message">
          {outcome.text}
        </span>
      )}
      {outcome && outcome.kind !== 'refused' && (
        <span role="status" className={`check-note ${outcome.kind === 'warning' ? 'warn' : 'muted'}`} data-testid="profile-fit-message">
          {outcome.text}
        </span>
      )}
    </form>
  );
}
