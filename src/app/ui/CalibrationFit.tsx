import { useState } from 'react';
import { fitProfile } from '../../focus/calibration-profile.ts';
import { gradeOf } from '../../focus/grade.ts';
import { useProfiles } from '../state/calibration-profiles.ts';
import type { CheckItem } from '../state/check-store.ts';
import type { ModelEntry } from '../state/models.ts';

/** The values a profile is fitted on: the marked rows' grades, or raw scores for a model without a grade scale. */
export function markedExamples(items: readonly CheckItem[], model: ModelEntry): { inFocus: number[]; outOfFocus: number[] } {
  const grade = model.card.grade;
  const inFocus: number[] = [];
  const outOfFocus: number[] = [];
  for (const item of items) {
    // Only rows scored with this model: another model's scores are on another scale.
    if (!item.mark || item.status !== 'done' || item.score === undefined || !Number.isFinite(item.score) || item.modelId !== model.id) continue;
    (item.mark === 'in-focus' ? inFocus : outOfFocus).push(grade ? gradeOf(grade, item.score) : item.score);
  }
  return { inFocus, outOfFocus };
}

type Outcome = { kind: 'refused' | 'warning' | 'saved'; text: string };

/** "Fit calibration profile": a name and the marked rows make a profile, saved and made active for the model. */
export function CalibrationFit({ items, model, onFitted }: { items: readonly CheckItem[]; model: ModelEntry; onFitted: () => void }) {
  const [name, setName] = useState('');
  const [outcome, setOutcome] = useState<Outcome>();
  const { inFocus, outOfFocus } = markedExamples(items, model);

  const fit = (e: React.FormEvent) => {
    e.preventDefault();
    try {
      const { profile, warning } = fitProfile({ name, model: model.id, scale: model.card.grade ? 'defocus grade' : 'raw score', inFocus, outOfFocus });
      useProfiles.getState().save(profile);
      onFitted();
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
        Examples marked: {inFocus.length} sharp, {outOfFocus.length} blurred
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
