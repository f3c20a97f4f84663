import { useEffect } from 'react';
import { COLORMAPS, type ColormapName } from '../../heatmap/colormaps.ts';
import { useCurrentModel, useCurrentProfile } from '../state/current-model.ts';
import { useCheckStore } from '../state/check-store.ts';
import { useFocusProgress } from '../state/focus-progress.ts';
import { useFocusSettings } from '../state/focus-settings.ts';
import { activeThreshold, MODELS } from '../state/models.ts';
import { CalibrationControl } from './CalibrationControl.tsx';
import { Legend } from './Legend.tsx';
import { ScanPanel } from './ScanPanel.tsx';
import { OutlineLayersPanel } from './OutlineLayers.tsx';
import { SlideExamples } from './SlideExamples.tsx';
import { useHeatmap } from './heatmap-context.ts';
import { isShortcut } from './keyboard.ts';


/** Heatmap toggle (button and H key), model, colours, normalisation, opacity, threshold and CSV export. */
export function HeatmapControls() {
  const s = useFocusSettings();
  // All of it: the threshold slider's range follows the scores as they arrive.
  const p = useFocusProgress();
  const model = useCurrentModel();
  // The one threshold (activeThreshold): the user's if set, else the calibration profile's, else the card's; a grade
  // when the model has a scale.
  const profile = useCurrentProfile();
  // One calibration control at a time: the quick check, when open, covers this panel and shows its own.
  const checkOpen = useCheckStore((st) => st.open);
  const active = activeThreshold(model?.card, { user: s.qcThreshold, profile });
  const scale = active.scale;
  const graded = scale?.grade !== undefined;
  const shown = graded ? scale?.outOfFocusGrade : scale?.threshold;
  const origin = active.source === 'user' ? 'yours' : active.source === 'profile' ? `profile “${profile?.name ?? ''}”` : 'model card';

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.key === 'h' || event.key === 'H') && isShortcut(event)) {
        useFocusSettings.getState().toggle();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);


  return (
    <aside className="heatmap-panel" aria-label="Focus heatmap">
      <div className="row">
        <button type="button" data-testid="heatmap-toggle" aria-pressed={s.enabled} onClick={s.toggle} title="Show or hide the focus heatmap (H)" className={s.enabled ? 'on' : ''}>
          {s.enabled ? 'Heatmap on' : 'Heatmap off'}
        </button>
        <span className="progress" data-testid="heatmap-progress">
          {s.enabled && p.viewTotal > 0 && (p.status === 'scoring' ? `scoring ${p.viewDone}/${p.viewTotal} cells in view` : `all ${p.viewTotal} cells in view looked at`)}
        </span>
      </div>
      {p.error && (
        <div role="alert" className="panel-alert">
          Heatmap unavailable: {p.error}
        </div>
      )}
      {p.failedCells > 0 && (
        <div className="panel-warning" data-testid="failed-cells" title={p.lastFailure}>
          {p.failedCells} cells could not be scored (shown without colour): {p.lastFailure}
        </div>
      )}
      <label>
        Model
        <select value={s.modelId ?? ''} onChange={(e) => s.set({ modelId: e.currentTarget.value })} data-testid="model-picker">
          {MODELS.map((m) => (
            <option key={m.id} value={m.id}>{m.label}</option>
          ))}
        </select>
      </label>
      <label>
        Colours
        <select value={s.colormap} onChange={(e) => s.set({ colormap: e.currentTarget.value as ColormapName })}>
          {COLORMAPS.map((c) => <option key={c} value={c}>{c}</option>)}
        </select>
      </label>
      <label>
        Scale
        <select value={s.normalisation} onChange={(e) => s.set({ normalisation: e.currentTarget.value as 'relative' | 'absolute' })} data-testid="normalisation">
          <option value="relative">relative (this slide)</option>
          <option value="absolute">{graded ? 'absolute (defocus grade 0–10)' : 'absolute (model card)'}</option>
        </select>
      </label>
      <label>
        Opacity
        <input type="range" min={0} max={1} step={0.05} value={s.opacity} onChange={(e) => s.set({ opacity: Number(e.currentTarget.value) })} />
      </label>
      <label className="check">
        <input type="checkbox" checked={s.smooth} onChange={(e) => s.set({ smooth: e.currentTarget.checked })} /> smooth
      </label>
      <label className="check">
        <input type="checkbox" checked={s.keepColour} onChange={(e) => s.set({ keepColour: e.currentTarget.checked })} /> keep slide colour
      </label>
      <label className="check">
        <input type="checkbox" checked={s.swipe !== undefined} onChange={(e) => s.set({ swipe: e.currentTarget.checked ? 0.5 : undefined })} data-testid="swipe-toggle" /> compare: heatmap left, slide right
      </label>
      {s.swipe !== undefined && (
        <label>
          Divider at {Math.round(s.swipe * 100)} % of the view
          <input type="range" min={0} max={1} step={0.01} value={s.swipe} onChange={(e) => s.set({ swipe: Number(e.currentTarget.value) })} data-testid="swipe" />
        </label>
      )}
      <label className="check">
        <input type="checkbox" checked={s.outline} onChange={(e) => s.set({ outline: e.currentTarget.checked })} data-testid="outline-toggle" /> outline the out-of-focus cells
      </label>
      {shown !== undefined &&
        (graded ? (
          <label title="The one out-of-focus point: verdicts, outlines, the legend, the hover, the quick check and the reports all use it">
            Out of focus from grade {shown.toFixed(1)} ({origin})
            <input type="range" min={0} max={10} step={0.1} value={shown} onChange={(e) => s.set({ qcThreshold: Number(e.currentTarget.value) })} data-testid="threshold" />
          </label>
        ) : (
          <ThresholdSlider value={shown} origin={origin} onChange={(t) => s.set({ qcThreshold: t })} />
        ))}
      {active.source === 'user' && (
        <button type="button" className="link" onClick={() => s.set({ qcThreshold: undefined })} data-testid="threshold-reset">
          use the {profile ? `profile “${profile.name}”` : 'model card'}’s point
        </button>
      )}
      {!checkOpen && <CalibrationControl />}
      {!checkOpen && <SlideExamples />}
      <Legend />
      <ScanPanel />
      <div className="row">
        <span className="muted" data-testid="scored-count" title="Cells of this slide the model has scored so far; glass is looked at but not scored">
          {p.scoredCells} tissue cells scored on the slide
        </span>
      </div>
      <OutlineLayersPanel />
    </aside>
  );
}

function ThresholdSlider({ value, origin, onChange }: { value: number; origin: string; onChange: (t: number) => void }) {
  const map = useHeatmap().scoreMap;
  const card = useCurrentModel()?.card;
  const lo = Math.min(card?.displayScale?.[0] ?? Infinity, map?.range.lo ?? Infinity, value);
  const hi = Math.max(card?.displayScale?.[1] ?? -Infinity, map?.range.hi ?? -Infinity, value);
  const span = hi > lo ? hi - lo : 1;
  return (
    <label>
      Out of focus from score {value.toFixed(2)} ({origin})
      <input type="range" min={lo} max={lo + span} step={span / 200} value={value} onChange={(e) => onChange(Number(e.currentTarget.value))} data-testid="threshold" />
    </label>
  );
}
