import { describe, expect, it } from 'vitest';
import { fitProfile, type CalibrationProfile } from '../../focus/calibration-profile.ts';
import { activeProfile, createProfileStore, PROFILES_KEY, profilesFor, readProfiles } from './calibration-profiles.ts';
import { activeThreshold, parseCard, type ModelEntry } from './models.ts';

const GRADED_CARD = parseCard({
  threshold: -9,
  preprocessing: { density: { method: 'mean-od', targetOd: 0.35, maxGain: 4 } },
  grade: { name: 'defocus grade', points: [[-16, 0], [-12, 3], [-9, 5], [-6, 8], [-4, 10]], outOfFocusFrom: 5, borderline: [4, 6] },
});
const GRADED: ModelEntry = { id: 'graded', label: 'graded', url: '/graded.onnx', card: GRADED_CARD };
const RAW: ModelEntry = { id: 'raw', label: 'raw', url: '/raw.onnx', card: parseCard({ threshold: -3 }) };

/** An in-memory localStorage. */
function memoryStorage(initial?: string) {
  const data = new Map<string, string>(initial === undefined ? [] : [[PROFILES_KEY, initial]]);
  return { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), data };
}

const profile = (name: string, model = GRADED, point = 3): CalibrationProfile =>
  fitProfile({ name, model: model.id, scale: model.card.grade ? 'defocus grade' : 'raw score', inFocus: [point - 2, point - 1], outOfFocus: [point + 1, point + 2], now: new Date(0) }).profile;

describe('calibration profile store', () => {
  it('persists profiles and the active one per model, and restores them', () => {
    const storage = memoryStorage();
    const store = createProfileStore(storage, () => {});
    store.getState().save(profile('Scanner 2 · H&E'));
    store.getState().save(profile('Scanner 1', GRADED, 6));
    store.getState().save(profile('Raw lab', RAW, -4));
    expect(store.getState().active).toEqual({ graded: 'Scanner 1', raw: 'Raw lab' });
    store.getState().activate('graded', 'Scanner 2 · H&E');

    const restored = createProfileStore(storage, () => {}).getState();
    expect(restored.profiles.map((p) => p.name)).toEqual(['Scanner 2 · H&E', 'Scanner 1', 'Raw lab']);
    expect(activeProfile(restored, GRADED)?.name).toBe('Scanner 2 · H&E');
    expect(activeProfile(restored, RAW)?.name).toBe('Raw lab');
    expect(profilesFor(restored, GRADED).map((p) => p.name)).toEqual(['Scanner 2 · H&E', 'Scanner 1']);
  });

  it('replaces a profile of the same name, goes back to the card, deletes', () => {
    const store = createProfileStore(memoryStorage(), () => {});
    store.getState().save(profile('A', GRADED, 3));
    store.getState().save(profile('A', GRADED, 7));
    expect(store.getState().profiles).toHaveLength(1);
    expect(activeProfile(store.getState(), GRADED)?.outOfFocusFrom).toBe(7);
    store.getState().activate('graded', undefined);
    expect(activeProfile(store.getState(), GRADED)).toBeUndefined();
    store.getState().activate('graded', 'no such profile');
    expect(activeProfile(store.getState(), GRADED)).toBeUndefined();
    store.getState().activate('graded', 'A');
    store.getState().remove('graded', 'A');
    expect(store.getState().profiles).toEqual([]);
    expect(store.getState().active).toEqual({});
  });

  it('drops corrupt storage with a warning and keeps working', () => {
    const warnings: string[] = [];
    const store = createProfileStore(memoryStorage('{not json'), (m) => warnings.push(m));
    expect(store.getState().profiles).toEqual([]);
    expect(warnings[0]).toMatch(/not JSON/);
    store.getState().save(profile('B'));
    expect(activeProfile(store.getState(), GRADED)?.name).toBe('B');
  });

  it('drops only the corrupt entries, and an active name whose profile is gone', () => {
    const good = profile('Good');
    const text = JSON.stringify({ profiles: [good, { format: 'something else' }, { ...good, name: 'NaN point', outOfFocusFrom: 'x' }], active: { graded: 'NaN point', raw: 7 } });
    const warnings: string[] = [];
    const state = readProfiles(memoryStorage(text), (m) => warnings.push(m));
    expect(state.profiles.map((p) => p.name)).toEqual(['Good']);
    expect(state.active).toEqual({});
    expect(warnings).toHaveLength(2);
    expect(readProfiles(memoryStorage('null'), () => {})).toEqual({ profiles: [], active: {} });
    expect(readProfiles(undefined)).toEqual({ profiles: [], active: {} });
  });

  it("never applies a profile to another model or scale", () => {
    const state = { profiles: [{ ...profile('Graded one'), model: 'raw' }], active: { raw: 'Graded one' } };
    expect(activeProfile(state, RAW)).toBeUndefined();
  });

  it('yields the threshold: the profile point, named as the calibration; a user threshold still wins', () => {
    const p = profile('Scanner 2 · H&E', GRADED, 3); // point at grade 3 = score -12
    const fromProfile = activeThreshold(GRADED_CARD, { profile: p });
    expect(fromProfile).toMatchObject({ source: 'profile', value: -12 });
    expect(fromProfile.scale).toMatchObject({ outOfFocusGrade: 3, borderline: [2, 4], calibration: 'Scanner 2 · H&E' });
    expect(activeThreshold(GRADED_CARD, { profile: p, user: 5 })).toMatchObject({ source: 'user', value: -9 });
    expect(activeThreshold(GRADED_CARD).scale?.calibration).toBe('model card');

    const raw = profile('Raw lab', RAW, -4);
    expect(activeThreshold(RAW.card, { profile: raw })).toMatchObject({ source: 'profile', value: -4, scale: { calibration: 'Raw lab' } });
  });
});
