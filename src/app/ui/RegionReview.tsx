import OpenSeadragon from 'openseadragon';
import { useEffect, useMemo, useRef, useState } from 'react';
import { formatArea, formatLength } from '../../focus/qc/area.ts';
import { regionBoxes, regionRings } from '../../focus/qc/focus-geojson.ts';
import { regionMicrons } from '../../focus/qc/report.ts';
import { regionCells, type FocusRegion, type QcSummary } from '../../focus/qc/summary.ts';
import { formatGrade } from '../../focus/grade.ts';
import type { ScoreMap } from '../../focus/score-map.ts';
import type { VerdictScale } from '../../focus/verdict-scale.ts';
import type { SlideInfo } from '../../slide/types.ts';
import type { SlideWorkers } from '../../workers/slide-workers.ts';
import { useOutlineLayers } from '../state/outline-layers.ts';
import { reviewKey, useReviews } from '../state/review-store.ts';
import { useViewerStore } from '../state/viewer-store.ts';
import { isShortcut } from './keyboard.ts';

const PAGE = 6;
const THUMB = 104;
/** A region is framed with this much slide around it, and never less than this many level-0 pixels across (a one-cell
 * region would otherwise fill the screen far beyond full resolution). */
const FRAME_MARGIN = 0.15;
const MIN_FRAME_PX = 768;

/** Frames a level-0 box in the viewer: the whole region and a little around it, never zoomed out past it. */
export function frameRegion(r: Pick<FocusRegion, 'x' | 'y' | 'width' | 'height'>): void {
  const viewer = useViewerStore.getState().viewer;
  const item = viewer?.world.getItemAt(0);
  if (!viewer || !item) return;
  const w = Math.max(MIN_FRAME_PX, r.width * (1 + 2 * FRAME_MARGIN));
  const h = Math.max(MIN_FRAME_PX, r.height * (1 + 2 * FRAME_MARGIN));
  const cx = r.x + r.width / 2;
  const cy = r.y + r.height / 2;
  viewer.viewport.fitBounds(item.imageToViewportRectangle(new OpenSeadragon.Rect(cx - w / 2, cy - h / 2, w, h)));
}

interface Props {
  summary: QcSummary;
  map: ScoreMap;
  scale: VerdictScale;
  info: SlideInfo;
  slideId: number;
  workers: SlideWorkers;
  version: number;
}

/**
 * The out-of-focus regions to review, worst first, as thumbnails of the slide, a page at a time: clicking one (or N /
 * P) frames it on the slide and outlines its exact cells; positions are from the slide origin, in µm/mm when the
 * pixel size is known.
 */
export function RegionReview({ summary, map, scale, info, slideId, workers, version }: Props) {
  const key = reviewKey(info);
  const selected = useReviews((s) => s.selected[key]);
  const regions = summary.regions;
  const [page, setPage] = useState(0);
  const pages = Math.max(1, Math.ceil(regions.length / PAGE));
  const shownPage = Math.min(page, pages - 1);
  const graded = scale.grade !== undefined;
  // Which cells make each region (the summary's order), for the selected region's outline.
  const cells = useMemo(() => regionCells(map, scale, info.mpp), [map, scale, info.mpp, version]); // eslint-disable-line react-hooks/exhaustive-deps

  const choose = (index: number) => {
    const region = regions[index];
    if (!region) return;
    useReviews.getState().select(key, index);
    setPage(Math.floor(index / PAGE));
    frameRegion(region);
  };

  // The selected region's exact outline over the slide; cleared when the review goes away.
  useEffect(() => {
    const k = selected;
    if (k === undefined || k >= cells.regions.length) {
      useOutlineLayers.getState().highlight(undefined);
      return;
    }
    const box = regionBoxes(map, cells.cellRegion, cells.regions.length)[k];
    const rings = regionRings(map, cells.cellRegion, k, box);
    const flat = rings.map((ring) => ({ closed: true, xy: Float64Array.from(ring.flat()) }));
    const r = cells.regions[k]!;
    useOutlineLayers.getState().highlight({
      slideId,
      outlines: { name: `region ${k + 1}`, skippedPoints: 0, box: { x0: r.x, y0: r.y, x1: r.x + r.width, y1: r.y + r.height }, shapes: [{ paths: flat, box: { x0: r.x, y0: r.y, x1: r.x + r.width, y1: r.y + r.height }, color: [255, 255, 255] }] },
    });
  }, [selected, cells, map, slideId]);
  useEffect(() => () => useOutlineLayers.getState().highlight(undefined), []);

  // N / P: next and previous region, wherever the focus is (not while typing).
  const chooseRef = useRef(choose);
  chooseRef.current = choose;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!isShortcut(e)) return;
      const current = useReviews.getState().selected[key];
      if (e.key === 'n' || e.key === 'N') chooseRef.current(current === undefined ? 0 : Math.min(regions.length - 1, current + 1));
      else if (e.key === 'p' || e.key === 'P') chooseRef.current(current === undefined ? 0 : Math.max(0, current - 1));
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [key, regions.length]);

  if (regions.length === 0) return null;
  const first = shownPage * PAGE;
  return (
    <section className="region-review" aria-label="Out-of-focus regions" data-testid="qc-regions" data-count={regions.length}>
      <div className="row">
        <strong>Regions</strong>
        <span className="muted" data-testid="region-page">
          {first + 1}–{Math.min(regions.length, first + PAGE)} of {regions.length}, worst first · N / P
        </span>
      </div>
      <ol className="region-grid">
        {regions.slice(first, first + PAGE).map((r, i) => {
          const index = first + i;
          const um = info.mpp ? regionMicrons(r, info.mpp) : undefined;
          const where = um ? `${formatLength(um.x)}, ${formatLength(um.y)}` : `${r.x}, ${r.y} px`;
          return (
            <li key={r.rank}>
              <button
                type="button"
                className={index === selected ? 'region-card selected' : 'region-card'}
                aria-current={index === selected ? 'true' : undefined}
                data-testid="qc-region"
                data-rank={r.rank}
                onClick={() => choose(index)}
                title={`Region ${r.rank}: ${r.cells} cells, ${r.width}×${r.height} px at (${r.x}, ${r.y}) px${um ? ` = ${formatLength(um.x)}, ${formatLength(um.y)} from the slide origin` : ''}`}
              >
                <RegionThumb workers={workers} region={r} />
                <span>
                  #{r.rank} · {formatArea(r.area, summary.areaUnit)} · {graded ? `grade ${formatGrade(r.meanValue)}` : `mean ${r.meanScore.toFixed(2)}`}
                </span>
                <span className="muted">at {where}</span>
              </button>
            </li>
          );
        })}
      </ol>
      {pages > 1 && (
        <div className="row">
          <button type="button" onClick={() => setPage(Math.max(0, shownPage - 1))} disabled={shownPage === 0} data-testid="region-prev-page">
            ‹ Previous
          </button>
          <span className="muted">
            page {shownPage + 1} of {pages}
          </span>
          <button type="button" onClick={() => setPage(Math.min(pages - 1, shownPage + 1))} disabled={shownPage >= pages - 1} data-testid="region-next-page">
            Next ›
          </button>
        </div>
      )}
    </section>
  );
}

/** The slide around a region (its box and the frame's margin), read at thumbnail size by the slide workers. */
function RegionThumb({ workers, region }: { workers: SlideWorkers; region: FocusRegion }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const controller = new AbortController();
    const side = Math.max(region.width, region.height) * (1 + 2 * FRAME_MARGIN);
    const x = region.x + region.width / 2 - side / 2;
    const y = region.y + region.height / 2 - side / 2;
    workers
      .render(Math.round(x), Math.round(y), Math.round(side), Math.round(side), THUMB, THUMB, controller.signal)
      .then((bitmap) => {
        const c = canvas.current;
        if (!c || controller.signal.aborted) return bitmap.close();
        const ctx = c.getContext('2d')!;
        ctx.drawImage(bitmap, 0, 0, THUMB, THUMB);
        bitmap.close();
        // The region's box on the thumbnail.
        const k = THUMB / side;
        ctx.strokeStyle = '#ff3b30';
        ctx.lineWidth = 2;
        ctx.strokeRect((region.x - x) * k, (region.y - y) * k, region.width * k, region.height * k);
        c.dataset.loaded = 'true';
      })
      .catch(() => undefined); // a thumbnail that cannot be read stays blank; the region is still listed
    return () => controller.abort();
  }, [workers, region.x, region.y, region.width, region.height]);
  return <canvas ref={canvas} width={THUMB} height={THUMB} className="region-thumb" aria-hidden="true" />;
}
