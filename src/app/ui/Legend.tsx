import { colormapGradient } from '../../heatmap/colormaps.ts';
import { useCurrentModel } from '../state/current-model.ts';
import { useFocusProgress } from '../state/focus-progress.ts';
import { useFocusSettings } from '../state/focus-settings.ts';
import { activeThreshold } from '../state/models.ts';
import { useHeatmap } from './heatmap-context.ts';

/** Colour bar with its numeric range (minimum on the left) and, on the absolute scale, the model's threshold. */
export function Legend() {
  const heatmap = useHeatmap();
  const colormap = useFocusSettings((s) => s.colormap);
  const mode = useFocusSettings((s) => s.normalisation);
  useFocusProgress((s) => s.version); // re-render as the relative range widens
  const enabled = useFocusSettings((s) => s.enabled);
  const model = useCurrentModel();
  const n = heatmap.overlayStyle(heatmap.scoreMap).normaliser;
  const threshold = activeThreshold(model?.card).value;
  if (!enabled) return null;
  const pos = n && threshold !== undefined ? (threshold - n.lo) / (n.hi - n.lo) : undefined;
  return (
    <div className="legend" data-testid="legend">
      <div className="legend-title">
        Blur score ({mode === 'absolute' ? 'absolute scale' : 'relative to this slide'}), higher = blurrier
      </div>
      <div className="legend-bar" style={{ background: colormapGradient(colormap) }}>
        {mode === 'absolute' && pos !== undefined && pos >= 0 && pos <= 1 && (
          <div className="legend-threshold" style={{ left: `${pos * 100}%` }} title={`out-of-focus threshold ${threshold}`} />
        )}
      </div>
      <div className="legend-range">
        <span data-testid="legend-min">{n ? n.lo.toFixed(2) : '–'}</span>
        {mode === 'absolute' && threshold !== undefined && <span className="legend-threshold-label">threshold {threshold.toFixed(2)}</span>}
        <span data-testid="legend-max">{n ? n.hi.toFixed(2) : '–'}</span>
      </div>
    </div>
  );
}
