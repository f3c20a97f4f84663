// The calibration profiles the user has fitted or imported (focus/calibration-profile.ts), kept in localStorage, and
// which one is active for each model. The active profile sets the out-of-focus point wherever verdicts are read
// (activeThreshold in models.ts); a threshold the user types still wins over it.
import { create } from 'zustand';
import { parseProfile, profileFits, type CalibrationProfile } from '../../focus/calibration-profile.ts';
import type { ModelEntry } from './models.ts';

export const PROFILES_KEY = 'focuslite.calibrationProfiles';

export interface ProfilesState {
  profiles: CalibrationProfile[];
  /** Model id → name of its active profile; a model without an entry uses its model card. */
  active: Record<string, string>;
  /** Keeps a profile (replacing one of the same name and model) and makes it the model's active one. */
  save(profile: CalibrationProfile): void;
  /** Makes a saved profile the model's active one; undefined = back to the model card. */
  activate(modelId: string, name: string | undefined): void;
  remove(modelId: string, name: string): void;
}

type Storage = Pick<globalThis.Storage, 'getItem' | 'setItem'>;

/** What is stored: the profiles and the active names. Entries that cannot be read are dropped, each with a warning. */
export function readProfiles(storage: Storage | undefined, warn: (message: string) => void = console.warn): Pick<ProfilesState, 'profiles' | 'active'> {
  const empty = { profiles: [], active: {} };
  let text: string | null | undefined;
  try {
    text = storage?.getItem(PROFILES_KEY);
  } catch {
    return empty; // storage blocked (privacy settings): profiles live for this page only
  }
  if (!text) return empty;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    warn(`${PROFILES_KEY}: stored calibration profiles are not JSON; dropped`);
    return empty;
  }
  const stored = (raw ?? {}) as { profiles?: unknown; active?: unknown };
  const profiles: CalibrationProfile[] = [];
  for (const entry of Array.isArray(stored.profiles) ? stored.profiles : []) {
    try {
      profiles.push(parseProfile(JSON.stringify(entry)));
    } catch (err) {
      warn(`${PROFILES_KEY}: a stored calibration profile was dropped: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const active: Record<string, string> = {};
  if (stored.active && typeof stored.active === 'object') {
    for (const [model, name] of Object.entries(stored.active)) {
      if (typeof name === 'string' && profiles.some((p) => p.model === model && p.name === name)) active[model] = name;
    }
  }
  return { profiles, active };
}

/** A profile store restored from `storage` and written back on every change; the app has one (useProfiles), tests
 * make their own. */
export function createProfileStore(storage: Storage | undefined, warn: (message: string) => void = console.warn) {
  const store = create<ProfilesState>((set) => ({
    ...readProfiles(storage, warn),
    save: (profile) =>
      set((s) => ({
        profiles: [...s.profiles.filter((p) => !(p.model === profile.model && p.name === profile.name)), profile],
        active: { ...s.active, [profile.model]: profile.name },
      })),
    activate: (modelId, name) =>
      set((s) => {
        const active = { ...s.active };
        if (name !== undefined && s.profiles.some((p) => p.model === modelId && p.name === name)) active[modelId] = name;
        else delete active[modelId];
        return { active };
      }),
    remove: (modelId, name) =>
      set((s) => {
        const active = { ...s.active };
        if (active[modelId] === name) delete active[modelId];
        return { profiles: s.profiles.filter((p) => !(p.model === modelId && p.name === name)), active };
      }),
  }));
  store.subscribe((s, prev) => {
    if (s.profiles === prev.profiles && s.active === prev.active) return;
    try {
      storage?.setItem(PROFILES_KEY, JSON.stringify({ profiles: s.profiles, active: s.active }));
    } catch (err) {
      warn(`${PROFILES_KEY}: calibration profiles could not be saved: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
  return store;
}

/** The model's saved profiles that apply to it (same model, same scale). */
export function profilesFor(state: Pick<ProfilesState, 'profiles'>, model: ModelEntry | undefined): CalibrationProfile[] {
  if (!model) return [];
  const fitsModel = { id: model.id, hasGradeScale: model.card.grade !== undefined };
  return state.profiles.filter((p) => profileFits(p, fitsModel) === undefined);
}

/** The model's active profile, if it has one that applies to it. */
export function activeProfile(state: Pick<ProfilesState, 'profiles' | 'active'>, model: ModelEntry | undefined): CalibrationProfile | undefined {
  const name = model ? state.active[model.id] : undefined;
  return name === undefined ? undefined : profilesFor(state, model).find((p) => p.name === name);
}

/** localStorage when the page may use it. */
function browserStorage(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
}

export const useProfiles = createProfileStore(browserStorage());
