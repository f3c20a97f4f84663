import OpenSeadragon from 'openseadragon';
import { useMemo, useState } from 'react';
import { buildReport } from '../../focus/qc/report.ts';
import { focusGeoJson } from '../../focus/qc/focus-geojson.ts';
import { summarise } from '../../focus/qc/summary.ts';
import { formatArea } from '../../focus/qc/area.ts';
import { formatGrade } from '../../focus/grade.ts';
import { formatThreshold } from '../../focus/verdict-scale.ts';
import type { ScanState } from '../../focus/scan-progress.ts';
import { useCurrentModel, useCurrentProfile } from '../state/current-model.ts';
import { useFocusProgress } from '../state/focus-progress.ts';
import { useFocusSettings } from '../state/focus-settings.ts';
import { activeThreshold } from '../state/models.ts';
import { useSlideStore } from '../state/slide-store.ts';
import { useViewerStore } from '../state/viewer-store.ts';
import { downloadBlob, downloadText } from './download.ts';
import { useHeatmap } from './heatmap-context.ts';

function flyTo(x: number, y: number, width: number, height: number): void {
  const viewer = useViewerStore.getState().viewer;
  const item = viewer?.world.getItemAt(0);
  if (!viewer || !item) return;
  const pad = Math.max(width, height) * 0.5;
  viewer.viewport.fitBounds(item.imageToViewportRectangle(new OpenSeadragon.Rect(x - pad, y - pad, width + 2 * pad, height + 2 * pad)));
}

/** Whole-slide scan with progress, ETA and throughput; the QC summary, worst regions and exports. */
export function ScanPanel() {
  const heatmap = useHeatmap();
  const scan = useFocusProgress((s) => s.scan);
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

  const summary = useMemo(() => {
    const map = heatmap.scoreMap;
    if (!map || !scan || !scale) return undefined;
    return summarise(map, scale, tolerance, info?.mpp, 8);
    // version: recompute as scores arrive
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [version, scan?.running, scale?.threshold, scale?.grade, scale?.calibration, tolerance, info]);

  if (slide?.kind !== 'workers' || !model) return null;
  const stem = (info?.name ?? 'slide').replace(/\.[^.]+$/, '');

  const exportReport = () => {
    const map = heatmap.scoreMap;
    if (!map || !info || !scale) return;
    const report = buildReport({ info, map, modelId: model.id, card: model.card, scale, tolerancePercent: tolerance, software: 'FocusLite Viewer' });
    downloadText(`${JSON.stringify(report, null, 1)}\n`, `${stem}.focus.json`, 'application/json');
  };
  const exportGeoJson = () => {
    const map = heatmap.scoreMap;
    if (!map || !info || !scale) return;
    const geo = focusGeoJson({ map, scale, ...(info.mpp ? { mpp: info.mpp } : {}), slideName: info.name, modelId: model.id });
    downloadText(`${JSON.stringify(geo)}\n`, `${stem}.focus.geojson`, 'application/geo+json');
  };
  const exportPng = async () => {
    const map = heatmap.scoreMap;
    const style = heatmap.overlayStyle(map);
    if (!map || !style.normaliser) return;
    setExporting(true);
    try {
      const blob = await slide.workers.heatmapPng(map, pngWidth, {
        colormap: style.colormap,
        normaliser: style.normaliser,
        opacity: Math.max(0.4, style.opacity),
        ...(threshold !== undefined ? { threshold } : {}),
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
          <div className={`qc-verdict ${summary.verdict}`} data-testid="qc-verdict" data-verdict={summary.verdict}>
            {summary.verdict === 'pass' ? 'PASS' : 'FAIL'}: {summary.outOfFocusPercent.toFixed(1)}% of tissue out of focus
            {summary.coverage.done < summary.coverage.total ? ` (partial: ${summary.coverage.done}/${summary.coverage.total} cells)` : ''}
          </div>
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
          {summary.regions.length > 0 && (
            <ol className="regions" data-testid="qc-regions">
              {summary.regions.map((r) => (
                <li key={r.rank}>
                  <button type="button" onClick={() => flyTo(r.x, r.y, r.width, r.height)} data-testid="qc-region">
                    {formatArea(r.area, summary.areaUnit)} · {graded ? `grade ${formatGrade(r.meanValue)}` : `mean ${r.meanScore.toFixed(2)}`} · at ({r.x}, {r.y})
                  </button>
                </li>
              ))}
            </ol>
          )}
        </div>
      )}
      {scan && (
        <div className="exports">
          <label>
            PNG width
            <select value={pngWidth} onChange={(e) => setPngWidth(Number(e.currentTarget.value))}>
              {[1024, 2048, 4096, 8192].map((w) => <option key={w} value={w}>{w} px</option>)}
            </select>
          </label>
          <div className="row">
            <button type="button" onClick={() => void exportPng()} disabled={exporting} data-testid="export-png">{exporting ? 'Rendering…' : 'PNG'}</button>
            <button type="button" onClick={exportReport} data-testid="export-json">JSON report</button>
            <button type="button" onClick={exportGeoJson} disabled={!scale} data-testid="export-geojson" title="Out-of-focus regions and cells as GeoJSON polygons in level-0 pixels (QuPath: File › Import objects)">
              GeoJSON
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
