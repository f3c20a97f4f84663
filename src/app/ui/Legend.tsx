import { colormapGradient } from '../../heatmap/colormaps.ts';
import { formatGrade, gradeOf } from '../../focus/grade.ts';
import { formatThreshold } from '../../focus/verdict-scale.ts';
import { scalePosition } from '../../heatmap/normalise.ts';
import { useFocusProgress } from '../state/focus-progress.ts';
import { useCurrentProfile } from '../state/current-model.ts';
import { useFocusSettings } from '../state/focus-settings.ts';
import { useHeatmap } from './heatmap-context.ts';

/**
 * Colour bar with its range (minimum on the left) and the out-of-focus point. On a model with a grade scale the
 * absolute bar is the defocus grade 0–10 and the relative bar's ends are labelled in grades too; uncalibrated models
 * show raw scores and say so.
 */
export function Legend() {
  const heatmap = useHeatmap();
  const colormap = useFocusSettings((s) => s.colormap);
  const mode = useFocusSettings((s) => s.normalisation);
  useFocusSettings((s) => s.modelId); // re-render when the model (and so the scale) changes
  useFocusSettings((s) => s.qcThreshold);
  useCurrentProfile(); // and when a calibration profile moves the out-of-focus point
  useFocusProgress((s) => s.version); // re-render as the relative range widens
  const enabled = useFocusSettings((s) => s.enabled);
  const style = heatmap.overlayStyle(heatmap.scoreMap);
  const n = style.normaliser;
  const scale = style.verdict;
  if (!enabled) return null;
  const pos = n && scale ? scalePosition(scale.threshold, n) : undefined;
  // The ends: grades on a grade normaliser; raw scores shown as grades when the model has a scale.
  const end = (v: number) => (n?.grade ? formatGrade(v) : scale?.grade ? formatGrade(gradeOf(scale.grade, v)) : v.toFixed(2));
  const what = scale?.grade ? 'Defocus grade, 0 sharp … 10 severely blurred' : 'Blur score (raw, uncalibrated), higher = blurrier';
  return (
    <div className="legend" data-testid="legend" data-scale={scale?.name ?? ''}>
      <div className="legend-title">
        {what} ({mode === 'absolute' && n?.grade ? 'fixed scale' : mode === 'absolute' ? 'absolute scale' : 'relative to this slide'})
      </div>
      <div className="legend-bar" style={{ background: colormapGradient(colormap) }}>
        {pos !== undefined && pos >= 0 && pos <= 1 && scale && (
          <div className="legend-threshold" style={{ left: `${pos * 100}%` }} title={`out of focus from ${formatThreshold(scale)}`} />
        )}
      </div>
      <div className="legend-range">
        <span data-testid="legend-min">{n ? end(n.lo) : '–'}</span>
        {scale && <span className="legend-threshold-label">out of focus from {formatThreshold(scale)}</span>}
        <span data-testid="legend-max">{n ? end(n.hi) : '–'}</span>
      </div>
    </div>
  );
}
