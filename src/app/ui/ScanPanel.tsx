import { useMemo, useState } from 'react';
import { currentReport } from '../state/current-report.ts';
import { reportCaption } from '../../heatmap/report-image.ts';
import { focusGeoJson } from '../../focus/qc/focus-geojson.ts';
import { summarise } from '../../focus/qc/summary.ts';
import { formatArea } from '../../focus/qc/area.ts';
import { formatThreshold } from '../../focus/verdict-scale.ts';
import type { ScanState } from '../../focus/scan-progress.ts';
import { useCurrentModel, useCurrentProfile } from '../state/current-model.ts';
import { useFocusProgress } from '../state/focus-progress.ts';
import { useFocusSettings } from '../state/focus-settings.ts';
import { activeThreshold } from '../state/models.ts';
import { useSlideStore } from '../state/slide-store.ts';
import { exportedDecision, NO_REVIEW, reviewKey, useReviews } from '../state/review-store.ts';
import { RegionReview } from './RegionReview.tsx';
import { downloadBlob, downloadText } from './download.ts';
import { useHeatmap } from './heatmap-context.ts';

/** Whole-slide scan with progress, ETA and throughput; the QC summary, worst regions and exports. */
export function ScanPanel() {
  const heatmap = useHeatmap();
  const liveScan = useFocusProgress((s) => s.scan);
  const version = useFocusProgress((s) => s.version);
  const tolerance = useFocusSettings((s) => s.tolerancePercent);
  const qcThreshold = useFocusSettings((s) => s.qcThreshold);
  const set = useFocusSettings((s) => s.set);
  const slide = useSlideStore((s) => s.slide);
  const [pngWidth, setPngWidth] = useState(2048);
  const [exporting, setExporting] = useState(false);
  const model = useCurrentModel();
  // With a grade scale the user's threshold is a grade (activeThreshold); the summary judges raw scores against it.
  const profile = useCurrentProfile();
  const userSet = qcThreshold !== undefined && Number.isFinite(qcThreshold);
  const scale = activeThreshold(model?.card, { user: qcThreshold, profile }).scale;
  const threshold = scale?.threshold;
  const graded = scale?.grade !== undefined;
  const info = slide?.info;
  const key = info ? reviewKey(info) : '';
  const review = useReviews((s) => s.reviews[key]) ?? NO_REVIEW;
  useFocusSettings((s) => s.enabled); // the live scan or the last finished one (heatmap.lastScan) follow the toggle
  useFocusSettings((s) => s.modelId);
  // The scan running or done now; else the last one that finished on this slide with this model, kept when the heatmap
  // is turned off or another model was tried in between.
  const last = liveScan ? undefined : heatmap.lastScan();
  const scan = liveScan ?? last?.scan;
  const map = liveScan ? heatmap.scoreMap : last?.map;

  const summary = useMemo(() => {
    if (!map || !scan || !scale) return undefined;
    return summarise(map, scale, tolerance, info?.mpp, Number.MAX_SAFE_INTEGER);
    // version: recompute as scores arrive
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [map, version, scan?.running, scale?.threshold, scale?.grade, scale?.calibration, tolerance, info]);

  if (slide?.kind !== 'workers' || !model) return null;
  const stem = (info?.name ?? 'slide').replace(/\.[^.]+$/, '');

  // Exports: the scan's map, else the cells scored so far while browsing (a partial report says so).
  const exportMap = map ?? heatmap.scoreMap;
  const exportCsv = () => {
    if (exportMap) downloadText(exportMap.toCsv(), `${stem}.focus.csv`, 'text/csv');
  };
  const exportReport = () => {
    if (!exportMap || !info || !scale) return;
    const report = currentReport(exportMap, info);
    if (!report) return;
    downloadText(`${JSON.stringify(report, null, 1)}\n`, `${stem}.focus.json`, 'application/json');
  };
  const exportGeoJson = () => {
    if (!exportMap || !info || !scale) return;
    const geo = focusGeoJson({ map: exportMap, scale, ...(info.mpp ? { mpp: info.mpp } : {}), slideName: info.name, modelId: model.id, ...exportedDecision(review) });
    downloadText(`${JSON.stringify(geo)}\n`, `${stem}.focus.geojson`, 'application/geo+json');
  };
  const exportPng = async () => {
    const style = heatmap.overlayStyle(exportMap);
    if (!exportMap || !style.normaliser || !info) return;
    // Captioned like the CLI's: slide, verdict and decision, model, out-of-focus point, date.
    const report = currentReport(exportMap, info);
    setExporting(true);
    try {
      const blob = await slide.workers.heatmapPng(exportMap, pngWidth, {
        colormap: style.colormap,
        normaliser: style.normaliser,
        opacity: Math.max(0.4, style.opacity),
        ...(threshold !== undefined ? { threshold } : {}),
        ...(report ? { caption: reportCaption(report) } : {}),
      });
      downloadBlob(blob, `${stem}.focus.png`);
    } finally {
      setExporting(false);
    }
  };

  const pct = scan && scan.cellsTotal ? (100 * scan.cellsDone) / scan.cellsTotal : 0;
  return (
    <section className="scan-panel" aria-label="Whole-slide QC">
      <div className="row">
        {scan?.running ? (
          <button type="button" onClick={() => heatmap.cancelScan()} data-testid="scan-cancel">Cancel scan</button>
        ) : (
          <button type="button" onClick={() => heatmap.startScan()} data-testid="scan-start" title="Score every tissue cell of the slide at full resolution">
            Scan whole slide
          </button>
        )}
      </div>
      {scan && (
        <div className="scan-progress" data-testid="scan-progress" data-running={scan.running} data-percent={pct.toFixed(1)}>
          <progress max={100} value={pct} />
          <span>{scanProgressText(scan)}</span>
        </div>
      )}
      {scan && !scale && (
        <label>
          The model card gives no out-of-focus threshold; set one for the QC summary
          <input type="number" step={0.1} onChange={(e) => set({ qcThreshold: Number(e.currentTarget.value) })} data-testid="qc-threshold" />
        </label>
      )}
      {summary && (
        <div className="qc-summary" data-testid="qc-summary">
          {summary.coverage.done < summary.coverage.total ? (
            // No verdict on part of a slide: a partial PASS reads as a PASS, and the unscanned part may be the blurred one.
            <div className="qc-verdict pending" data-testid="qc-verdict" data-verdict="pending">
              No verdict yet: {summary.coverage.done.toLocaleString('en')} of {summary.coverage.total.toLocaleString('en')} cells looked at
              {scan?.running ? '' : ' — scan the whole slide for a verdict'} ({summary.outOfFocusPercent.toFixed(1)}% of the tissue scored so far is out of focus)
            </div>
          ) : (
            <div className={`qc-verdict ${summary.verdict}`} data-testid="qc-verdict" data-verdict={summary.verdict}>
              {summary.verdict === 'pass' ? 'PASS' : 'FAIL'}: {summary.outOfFocusPercent.toFixed(1)}% of tissue out of focus
            </div>
          )}
          <div className="muted" data-testid="qc-scale" data-scale={summary.scale} data-borderline-cells={summary.borderlineCells} data-calibration={summary.calibration}>
            Out of focus from {scale ? formatThreshold(scale) : ''}
            {graded ? ` (${summary.scale}, ${summary.calibration})` : ` on the ${summary.scale}${profile && !userSet ? `, ${summary.calibration}` : ''}`} · {summary.borderlineCells.toLocaleString('en')} borderline cell(s)
          </div>
          <dl>
            <dt>Tissue</dt>
            <dd>{formatArea(summary.tissueArea, summary.areaUnit)}</dd>
            <dt>Out of focus</dt>
            <dd>{formatArea(summary.outOfFocusArea, summary.areaUnit)} in {summary.regionCount} region(s)</dd>
            {summary.failedCells > 0 && (
              <>
                <dt>Unreadable</dt>
                <dd>{summary.failedCells} cells</dd>
              </>
            )}
          </dl>
          <label>
            {graded ? 'Out of focus from grade' : 'Out-of-focus threshold (raw score)'}
            <input
              type="number"
              step={graded ? 0.5 : 0.1}
              min={graded ? 0 : undefined}
              max={graded ? 10 : undefined}
              value={(graded ? scale?.outOfFocusGrade : threshold) ?? ''}
              onChange={(e) => set({ qcThreshold: Number(e.currentTarget.value) })}
              data-testid="qc-threshold"
            />
          </label>
          {profile && (
            <p className="muted" data-testid="qc-threshold-note">
              {userSet ? (
                <>
                  Your threshold wins over the calibration profile “{profile.name}”.{' '}
                  <button type="button" onClick={() => set({ qcThreshold: undefined })}>Use the profile</button>
                </>
              ) : (
                `From the calibration profile “${profile.name}”; a threshold typed here wins over it.`
              )}
            </p>
          )}
          <label>
            Tolerance (% of tissue)
            <input type="number" min={0} max={100} step={0.5} value={tolerance} onChange={(e) => set({ tolerancePercent: Number(e.currentTarget.value) })} data-testid="qc-tolerance" />
          </label>
          {map && scale && info && <RegionReview summary={summary} map={map} scale={scale} info={info} slideId={slide.id} workers={slide.workers} version={version} />}
          <fieldset className="review-decision" data-testid="review-decision" data-decision={review.decision ?? ''}>
            <legend>Decision</legend>
            <div className="row">
              {(['accept', 'rescan'] as const).map((d) => (
                <label key={d} className="check">
                  <input type="radio" name={`decision-${key}`} checked={review.decision === d} onChange={() => useReviews.getState().decide(key, { decision: d })} data-testid={`review-${d}`} />
                  {d === 'accept' ? 'Accept' : 'Re-scan'}
                </label>
              ))}
              {review.decision && (
                <button type="button" className="link" onClick={() => useReviews.getState().decide(key, { decision: null })}>
                  undecided
                </button>
              )}
            </div>
            <input type="text" placeholder="Note (optional)" value={review.note} onChange={(e) => useReviews.getState().decide(key, { note: e.currentTarget.value })} data-testid="review-note" aria-label="Decision note" />
          </fieldset>
        </div>
      )}
      {exportMap && exportMap.scored > 0 && (
        <div className="exports" data-testid="exports">
          <strong>Export</strong>
          {!scan && <span className="muted">the {exportMap.scored.toLocaleString('en')} cells scored so far (scan the whole slide for a verdict)</span>}
          <label>
            PNG width
            <select value={pngWidth} onChange={(e) => setPngWidth(Number(e.currentTarget.value))} data-testid="png-width">
              {/* The image is never wider than the slide: a wider choice says what it gives instead of silently shrinking. */}
              {[1024, 2048, 4096, 8192].map((w) => {
                const full = info?.levels[0]?.width ?? w;
                return (
                  <option key={w} value={w}>
                    {w > full ? `${w} px → ${full.toLocaleString('en')} px (the slide's full width)` : `${w} px`}
                  </option>
                );
              })}
            </select>
          </label>
          <div className="row">
            <button type="button" onClick={() => void exportPng()} disabled={exporting} data-testid="export-png">{exporting ? 'Rendering…' : 'PNG'}</button>
            <button type="button" onClick={exportReport} data-testid="export-json">JSON report</button>
            <button type="button" onClick={exportGeoJson} disabled={!scale} data-testid="export-geojson" title="Out-of-focus regions and cells as GeoJSON polygons in level-0 pixels (QuPath: File › Import objects)">
              GeoJSON
            </button>
            <button type="button" onClick={exportCsv} data-testid="export-csv" title="x,y,width,height,score,tissue per cell looked at, level-0 pixels">
              CSV
            </button>
          </div>
        </div>
      )}
    </section>
  );
}

function scanProgressText(scan: ScanState): string {
  const pct = scan.cellsTotal ? (100 * scan.cellsDone) / scan.cellsTotal : 0;
  const reused = scan.cellsReused ? ` · ${scan.cellsReused.toLocaleString('en')} cells reused` : '';
  if (!scan.running && !scan.cancelled && scan.cellsDone === scan.cellsReused) return `100% · every cell was already scored${reused}, nothing recomputed`;
  const eta = scan.running && Number.isFinite(scan.etaSeconds) ? ` · ETA ${Math.ceil(scan.etaSeconds)} s` : '';
  const end = scan.cancelled ? ' · cancelled' : !scan.running ? ` · done in ${(scan.elapsedMs / 1000).toFixed(1)} s` : '';
  return `${pct.toFixed(0)}%${eta} · ${scan.megapixelsPerSecond.toFixed(1)} MP/s${reused}${end}`;
}
