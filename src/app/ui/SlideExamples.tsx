import type { ExampleLabel } from '../../focus/area-examples.ts';
import { useCurrentModel } from '../state/current-model.ts';
import { useFocusSettings } from '../state/focus-settings.ts';
import { useMarkedAreas } from '../state/marked-areas.ts';
import { CalibrationFit } from './CalibrationFit.tsx';
import { useAreaExamples } from './use-area-examples.ts';

const BUTTONS: { label: ExampleLabel; text: string; title: string }[] = [
  { label: 'in-focus', text: 'Mark sharp area', title: 'Drag a rectangle over tissue that is in focus (Escape stops)' },
  { label: 'out-of-focus', text: 'Mark blurred area', title: 'Drag a rectangle over tissue that is out of focus (Escape stops)' },
];

/**
 * Calibration examples on the open slide: the user drags rectangles over sharp and blurred tissue; their scored tissue
 * cells are the examples a profile is fitted on. Needs the heatmap on, which scores what is in view.
 */
export function SlideExamples() {
  const model = useCurrentModel();
  const enabled = useFocusSettings((s) => s.enabled);
  const drawing = useMarkedAreas((s) => s.drawing);
  const { areas, byArea, examples, pending } = useAreaExamples(model);
  if (!model) return null;
  const { draw, remove, clear } = useMarkedAreas.getState();

  return (
    <fieldset className="slide-examples" data-testid="slide-examples" data-areas={areas.length}>
      <legend>Examples on this slide</legend>
      <div className="row">
        {BUTTONS.map((b) => (
          <button
            key={b.label}
            type="button"
            aria-pressed={drawing === b.label}
            className={drawing === b.label ? 'on' : ''}
            disabled={!enabled}
            onClick={() => draw(drawing === b.label ? undefined : b.label)}
            title={enabled ? b.title : 'Turn the heatmap on first: it scores the areas you mark'}
            data-testid={`mark-area-${b.label}`}
          >
            {b.text}
          </button>
        ))}
      </div>
      {drawing && (
        <span className="muted" role="status" data-testid="marking-hint">
          Drag over {drawing === 'in-focus' ? 'sharp' : 'blurred'} tissue; Escape or the button again to stop.
        </span>
      )}
      {areas.length > 0 && (
        <ul className="area-list">
          {areas.map((a) => {
            const got = byArea.get(a.id);
            return (
              <li key={a.id} data-testid="area-item" data-label={a.label} data-cells={got?.scores.length ?? 0}>
                {a.label === 'in-focus' ? 'Sharp' : 'Blurred'} {a.id}: {got?.scores.length ?? 0} tissue cells
                {got && got.pending > 0 ? `, ${got.pending} to score (bring into view)` : ''}{' '}
                <button type="button" className="link" onClick={() => remove(a.id)} aria-label={`Remove area ${a.id}`} data-testid="area-remove">
                  remove
                </button>
              </li>
            );
          })}
          <li>
            <button type="button" className="link" onClick={clear} data-testid="areas-clear">
              clear all
            </button>
          </li>
        </ul>
      )}
      {areas.length > 0 && (
        <CalibrationFit
          examples={examples}
          description={`Examples marked: ${examples.inFocus.length} sharp, ${examples.outOfFocus.length} blurred cells in ${areas.length} areas${pending > 0 ? ` (${pending} cells still to score)` : ''}`}
          model={model}
          onFitted={() => {
            // Show the effect at once: the profile decides (a typed threshold would win over it) and the cells it calls
            // out of focus are outlined.
            useFocusSettings.getState().set({ qcThreshold: undefined, outline: true });
            draw(undefined);
          }}
        />
      )}
    </fieldset>
  );
}
