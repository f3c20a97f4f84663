import { useEffect, useMemo, useState, type MouseEvent } from 'react';
import { batchRange, patchAt, rangeOf, renderHeatmap, sharedNormaliser, type PatchGeometry, type PatchHit } from '../../heatmap/patch-map.ts';
import { filterRecords, formatBytes, hasNoTissue, judgeRecord, sortRecords } from '../check/results.ts';
import { formatGrade } from '../../focus/grade.ts';
import { formatScore, formatThreshold, judgeScore } from '../../focus/verdict-scale.ts';
import { scalePosition } from '../../heatmap/normalise.ts';
import { colormapGradient } from '../../heatmap/colormaps.ts';
import type { RGBAImage } from '../../slide/types.ts';
import { PATCH, STRIDE } from '../../focus/patch-grid.ts';
import { useCheckStore } from '../state/check-store.ts';
import { useCurrentModel, useCurrentProfile } from '../state/current-model.ts';
import { useShallow } from 'zustand/react/shallow';
import { useFocusSettings } from '../state/focus-settings.ts';
import { activeThreshold } from '../state/models.ts';
import { RgbaCanvas } from './QuickCheckCanvas.tsx';
import { useQuickCheck } from './quick-check-context.ts';
import { isTyping } from './keyboard.ts';

/** One checked file, large, with its heatmap (interpolated between patch centres) and per-patch scores on hover. */
export function QuickCheckModal() {
  const item = useCheckStore((s) => s.items.find((i) => i.id === s.selectedId));
  const items = useCheckStore((s) => s.items);
  const scale = useCheckStore((s) => s.scale);
  const userThreshold = useFocusSettings((s) => s.qcThreshold); // the app's one out-of-focus point
  // Only what is drawn: the other heatmap settings do not concern the quick check.
  const focus = useFocusSettings(useShallow((s) => ({ colormap: s.colormap, opacity: s.opacity, smooth: s.smooth, keepColour: s.keepColour, set: s.set })));
  const card = useCurrentModel()?.card;
  const quickCheck = useQuickCheck();
  const [preview, setPreview] = useState<{ id: number; image: RGBAImage }>();
  const [previewError, setPreviewError] = useState<string>();
  const [showHeatmap, setShowHeatmap] = useState(true);
  const [hover, setHover] = useState<PatchHit>();
  const sort = useCheckStore((s) => s.sort);
  const filter = useCheckStore((s) => s.filter);
  const close = () => useCheckStore.getState().set({ selectedId: undefined });

  const profile = useCurrentProfile();
  const threshold = useMemo(
    () => activeThreshold(card, { user: userThreshold, profile, batch: items.filter((i) => !hasNoTissue(i)) }),
    [userThreshold, card, profile, items],
  );
  // Previous / next in the list's order (sorted and filtered as shown), over the rows that open a large view.
  const order = useMemo(
    () => filterRecords(sortRecords(items, sort), filter, threshold.scale).filter((i) => i.status === 'done').map((i) => i.id),
    [items, sort, filter, threshold.scale],
  );
  const position = item ? order.indexOf(item.id) : -1;
  const previous = position > 0 ? order[position - 1] : undefined;
  const next = position >= 0 && position < order.length - 1 ? order[position + 1] : undefined;
  const show = (id: number | undefined) => id !== undefined && useCheckStore.getState().set({ selectedId: id });

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') close();
      else if ((e.key === 'ArrowLeft' || e.key === 'ArrowRight') && !e.altKey && !e.ctrlKey && !e.metaKey && !isTyping(e.target)) {
        e.preventDefault();
        show(e.key === 'ArrowLeft' ? previous : next);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [previous, next]);

  // The row's thumbnail shows at once; a sharper rendering comes from a worker.
  useEffect(() => {
    if (!item) return;
    let live = true;
    setPreviewError(undefined);
    setHover(undefined);
    quickCheck.loadPreview(item).then(
      (image) => live && setPreview({ id: item.id, image }),
      (err: unknown) => live && setPreviewError(err instanceof Error ? err.message : String(err)),
    );
    return () => {
      live = false;
    };
    // Once per file: the item object changes as other rows stream in.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [item?.id]);

  const batch = useMemo(() => batchRange(items.map((i) => i.patchGrid)), [items]);
  const geometry: PatchGeometry | undefined =
    item?.patchGrid && item.width !== undefined && item.height !== undefined
      ? { width: item.width, height: item.height, patch: item.patch ?? PATCH, stride: item.stride ?? STRIDE, patchGrid: item.patchGrid }
      : undefined;
  const normaliser = sharedNormaliser(scale, card, batch) ?? rangeOf([item?.patchGrid]);
  const verdictScale = threshold.scale;
  const base = preview && preview.id === item?.id ? preview.image : item?.thumb;

  const image = useMemo(() => {
    if (!base || !geometry || !normaliser || !showHeatmap) return base;
    return renderHeatmap(base, geometry, { normaliser, colormap: focus.colormap, opacity: focus.opacity, smooth: focus.smooth, keepColour: focus.keepColour });
    // Geometry and normaliser by value: both are rebuilt on every render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [base, item?.patchGrid, normaliser?.lo, normaliser?.hi, normaliser?.grade, focus.colormap, focus.opacity, focus.smooth, focus.keepColour, showHeatmap]);

  if (!item || !geometry) return null;
  const { verdict, grade, borderline } = judgeRecord(item, verdictScale);

  const onMove = (e: MouseEvent<HTMLDivElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    const x = ((e.clientX - rect.left) / rect.width) * geometry.width;
    const y = ((e.clientY - rect.top) / rect.height) * geometry.height;
    setHover(patchAt(geometry, x, y));
  };

  const pct = (v: number, of: number) => `${(v / of) * 100}%`;
  // Fit the image to the window whatever arrived so far (the thumbnail is scaled up until the large rendering comes).
  const fit = Math.min((window.innerWidth * 0.9) / geometry.width, (window.innerHeight * 0.94 - 150) / geometry.height, 1);
  const display = { width: Math.round(geometry.width * fit), height: Math.round(geometry.height * fit) };
  const thresholdPos = normaliser && threshold.value !== undefined ? scalePosition(threshold.value, normaliser) : undefined;
  const hoverJudged = hover && verdictScale ? judgeScore(verdictScale, hover.score) : undefined;
  const legendValue = (v: number) => (normaliser?.grade ? formatGrade(v) : v.toFixed(2));

  return (
    <div className="check-modal-backdrop" onClick={close}>
      <div className="check-modal" role="dialog" aria-modal="true" aria-label={item.name} data-testid="check-view" onClick={(e) => e.stopPropagation()}>
        <header className="check-header">
          <h2 title={item.name}>{item.name}</h2>
          <span className="muted">
            {item.width}×{item.height} · {formatBytes(item.size)} · {grade !== undefined && <><strong>grade {formatGrade(grade)}</strong> · </>}score{' '}
            {grade !== undefined ? item.score?.toFixed(4) : <strong>{item.score?.toFixed(4)}</strong>} ·{' '}
            <span className={`check-verdict ${verdict}`}>{verdict.replace(/-/g, ' ')}{borderline ? ' (borderline)' : ''}</span>
          </span>
          <div className="spacer" />
          <span className="muted" data-testid="check-view-position">
            {position >= 0 ? `${position + 1} of ${order.length}` : ''}
          </span>
          <button type="button" onClick={() => show(previous)} disabled={previous === undefined} aria-label="Previous file (←)" title="Previous file (←)" data-testid="check-view-prev">
            ‹
          </button>
          <button type="button" onClick={() => show(next)} disabled={next === undefined} aria-label="Next file (→)" title="Next file (→)" data-testid="check-view-next">
            ›
          </button>
          <button type="button" onClick={close} aria-label="Close" data-testid="check-view-close">
            ×
          </button>
        </header>
        <div className="check-figure" onMouseMove={onMove} onMouseLeave={() => setHover(undefined)} data-testid="check-view-image">
          <RgbaCanvas image={image} style={display} />
          {hover && (
            <>
              <div
                className="check-patch-outline"
                style={{
                  left: pct(hover.x, geometry.width),
                  top: pct(hover.y, geometry.height),
                  width: pct(geometry.patch, geometry.width),
                  height: pct(geometry.patch, geometry.height),
                }}
              />
              <div className="check-hover" data-testid="check-hover" style={{ left: pct(hover.x, geometry.width), top: pct(hover.y, geometry.height) }}>
                patch row {hover.row + 1}, column {hover.col + 1} (x {hover.x}–{hover.x + geometry.patch}, y {hover.y}–{hover.y + geometry.patch}):{' '}
                {verdictScale?.grade ? `${formatScore(verdictScale, hover.score)} (score ${hover.score.toFixed(3)})` : `score ${hover.score.toFixed(3)}`}
                {hoverJudged && (hoverJudged.outOfFocus ? ' · out of focus' : ' · in focus')}
                {hoverJudged?.borderline && ' · borderline'}
              </div>
            </>
          )}
        </div>
        <footer className="check-modal-footer">
          {normaliser && (
            <div className="check-legend">
              <div className="legend-bar" style={{ background: colormapGradient(focus.colormap) }}>
                {thresholdPos !== undefined && thresholdPos >= 0 && thresholdPos <= 1 && (
                  <div className="legend-threshold" style={{ left: `${thresholdPos * 100}%` }} title={`threshold ${threshold.value}`} />
                )}
              </div>
              <div className="legend-range">
                <span>{legendValue(normaliser.lo)}</span>
                <span>
                  {normaliser.grade ? 'patch defocus grade (0 sharp … 10 blurred)' : 'patch score, higher = blurrier'}
                  {verdictScale && ` · out of focus from ${formatThreshold(verdictScale)}`}
                </span>
                <span>{legendValue(normaliser.hi)}</span>
              </div>
            </div>
          )}
          <label className="check">
            <input type="checkbox" checked={showHeatmap} onChange={(e) => setShowHeatmap(e.currentTarget.checked)} /> heatmap
          </label>
          <label className="check">
            <input type="checkbox" checked={focus.smooth} onChange={(e) => focus.set({ smooth: e.currentTarget.checked })} /> smooth
          </label>
          <label className="check">
            <input type="checkbox" checked={focus.keepColour} onChange={(e) => focus.set({ keepColour: e.currentTarget.checked })} /> keep colour
          </label>
          {previewError && <span className="check-error">Large view unavailable: {previewError}</span>}
        </footer>
      </div>
    </div>
  );
}
