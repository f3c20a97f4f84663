import { useRef, useState } from 'react';
import { parseProfile, profileFits } from '../../focus/calibration-profile.ts';
import { profilesFor, useProfiles } from '../state/calibration-profiles.ts';
import { useCurrentModel, useCurrentProfile } from '../state/current-model.ts';
import { downloadText } from './download.ts';

const CARD = '';

/** Which calibration sets the out-of-focus point for the current model: its card or a saved profile; import, export
 * and delete profiles. Shown in the quick check while it is open, else in the heatmap panel (never both at once). */
export function CalibrationControl() {
  const model = useCurrentModel();
  const profile = useCurrentProfile();
  const saved = useProfiles((s) => s.profiles);
  const options = profilesFor({ profiles: saved }, model);
  const input = useRef<HTMLInputElement>(null);
  const [error, setError] = useState<string>();
  const [note, setNote] = useState<string>();
  if (!model) return null;

  const importFile = async (file: File) => {
    setError(undefined);
    setNote(undefined);
    try {
      const imported = parseProfile(await file.text());
      const wrong = profileFits(imported, { id: model.id, hasGradeScale: model.card.grade !== undefined });
      if (wrong) throw new Error(`${wrong}; pick that model first, or fit a profile for this one`);
      useProfiles.getState().save(imported);
      setNote(`Imported “${imported.name}”.`);
    } catch (err) {
      setError(`${file.name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  const exportActive = () => {
    if (!profile) return;
    const stem = profile.name.replace(/[^\p{L}\p{N}._-]+/gu, '-').replace(/^-+|-+$/g, '') || 'profile';
    downloadText(`${JSON.stringify(profile, null, 2)}\n`, `${stem}.calibration.json`, 'application/json');
  };

  return (
    <fieldset className="calibration" data-testid="calibration" data-active={profile?.name ?? ''}>
      <legend>Calibration</legend>
      <div className="row">
        <select
          value={profile?.name ?? CARD}
          onChange={(e) => useProfiles.getState().activate(model.id, e.currentTarget.value === CARD ? undefined : e.currentTarget.value)}
          data-testid="profile-select"
          aria-label="Calibration profile"
          title="Where the out-of-focus point comes from; a threshold you type still wins over it"
        >
          <option value={CARD}>Model card</option>
          {options.map((p) => (
            <option key={p.name} value={p.name}>{p.name}</option>
          ))}
        </select>
        <button type="button" onClick={() => input.current?.click()} title="Load a calibration profile (.json)">
          Import…
        </button>
        <input
          ref={input}
          type="file"
          accept=".json,application/json"
          hidden
          data-testid="profile-import"
          onChange={(e) => {
            const file = e.currentTarget.files?.[0];
            e.currentTarget.value = '';
            if (file) void importFile(file);
          }}
        />
        <button type="button" onClick={exportActive} disabled={!profile} data-testid="profile-export" title="Save the active profile as JSON (for other computers and `focuslite scan --calibration`)">
          Export
        </button>
        <button
          type="button"
          onClick={() => profile && useProfiles.getState().remove(model.id, profile.name)}
          disabled={!profile}
          data-testid="profile-delete"
          title="Delete the active profile from this browser"
        >
          Delete
        </button>
      </div>
      {profile && (
        <span className="muted" data-testid="profile-info">
          {profile.scale === 'defocus grade' ? `out of focus from grade ${profile.outOfFocusFrom.toFixed(2)}` : `out of focus at score ≥ ${profile.outOfFocusFrom.toFixed(3)}`}, fitted on{' '}
          {profile.examples.inFocus} + {profile.examples.outOfFocus} examples
        </span>
      )}
      {note && !error && <span className="muted">{note}</span>}
      {error && (
        <div role="alert" className="panel-alert" data-testid="profile-error">
          Not imported: {error}
        </div>
      )}
    </fieldset>
  );
}
