import { memo, useMemo } from 'react';
import { fitSize, rangeOf, renderHeatmap, type HeatmapOptions } from '../../heatmap/patch-map.ts';
import { formatBytes, type RowVerdict } from '../check/results.ts';
import { formatGrade } from '../../focus/grade.ts';
import { resizeArea } from '../../slide/region.ts';
import { PATCH, STRIDE } from '../../focus/patch-grid.ts';
import type { CheckItem, ExampleMark } from '../state/check-store.ts';
import { RgbaCanvas } from './QuickCheckCanvas.tsx';

const VERDICT_LABEL: Record<RowVerdict, string> = {
  'in-focus': 'in focus',
  'out-of-focus': 'out of focus',
  'no-tissue': 'no tissue',
  error: 'error',
  pending: '…',
  unrated: 'no threshold',
};

/** Small heatmaps are drawn at their display size (QuickCheck.css --check-thumb: 5 % of the window's width, 64 to
 * 128 px): hundreds of rows redraw when the colour range changes. */
const HEATMAP_SIZE = Math.min(128, Math.round(Math.min(128, Math.max(64, 0.05 * (globalThis.innerWidth || 0))) * (globalThis.devicePixelRatio || 1)));

interface Props {
  item: CheckItem;
  /** From judgeRecord, as separate props so the memoised row re-renders only when one of them changes. */
  verdict: RowVerdict;
  grade?: number;
  borderline: boolean;
  /** `normaliser` undefined: this image's own min–max. */
  heatmap: Omit<HeatmapOptions, 'normaliser'> & { normaliser?: HeatmapOptions['normaliser'] };
  onOpen: (id: number) => void;
  /** Labels the row as an example for a calibration profile (the same mark again clears it). */
  onMark: (id: number, mark: ExampleMark | undefined) => void;
}

const MARKS: { mark: ExampleMark; label: string; title: string }[] = [
  { mark: 'in-focus', label: 'sharp', title: 'Example: this tile is in focus' },
  { mark: 'out-of-focus', label: 'blurred', title: 'Example: this tile is out of focus' },
];

/** One file: thumbnail, name and size, score, verdict, and its patch scores over a grayscale thumbnail. */
export const QuickCheckRow = memo(function QuickCheckRow({ item, verdict, grade, borderline, heatmap, onOpen, onMark }: Props) {
  const small = useMemo(() => {
    if (!item.thumb) return undefined;
    const size = fitSize(item.thumb.width, item.thumb.height, HEATMAP_SIZE);
    return resizeArea(item.thumb, size.width, size.height);
  }, [item.thumb]);
  const { normaliser, colormap, opacity, smooth } = heatmap;
  const overlay = useMemo(() => {
    const range = normaliser ?? rangeOf([item.patchGrid]);
    if (!small || !item.patchGrid || !range || item.width === undefined || item.height === undefined) return undefined;
    const geometry = { width: item.width, height: item.height, patch: item.patch ?? PATCH, stride: item.stride ?? STRIDE, patchGrid: item.patchGrid };
    return renderHeatmap(small, geometry, { normaliser: range, colormap, opacity, smooth });
  }, [small, item.patchGrid, item.width, item.height, item.patch, item.stride, normaliser, colormap, opacity, smooth]);

  const clickable = item.status === 'done';
  const open = () => clickable && onOpen(item.id);
  return (
    <li
      className={`check-row ${verdict}`}
      data-testid="check-result"
      data-file={item.name}
      data-score={item.status === 'done' && item.score !== undefined ? String(item.score) : ''}
      data-verdict={verdict}
      data-borderline={String(borderline)}
      data-grade={grade === undefined ? '' : String(grade)}
      data-mark={item.mark ?? ''}
      data-clickable={String(clickable)}
      onClick={open}
      title={clickable ? 'Show large, with the heatmap' : undefined}
    >
      <div className="check-thumb">{item.thumb ? <RgbaCanvas image={item.thumb} role="img" aria-label="thumbnail" /> : <span className="check-placeholder" />}</div>
      <div className="check-thumb">{overlay ? <RgbaCanvas image={overlay} role="img" aria-label="heatmap" /> : <span className="check-placeholder" />}</div>
      <div className="check-name">
        {/* The row opens on a click anywhere; for the keyboard, its name is the button (a button row could not hold
            the mark buttons: nested controls). */}
        {clickable ? (
          <button type="button" className="file check-open" title={item.name} onClick={(e) => {
              e.stopPropagation();
              open();
            }}>
            {item.name}
          </button>
        ) : (
          <span className="file" title={item.name}>{item.name}</span>
        )}
        <span className="muted">
          {formatBytes(item.size)}
          {item.width !== undefined && item.height !== undefined && ` · ${item.width}×${item.height}`}
        </span>
        {item.status === 'error' && <span className="check-error" role="note">{item.error}</span>}
      </div>
      <div className="check-score" title={item.score !== undefined ? `raw score ${item.score}` : undefined}>
        {item.status === 'done' && item.score !== undefined ? (grade !== undefined ? `grade ${formatGrade(grade)}` : item.score.toFixed(3)) : item.status === 'running' ? 'scoring…' : ''}
      </div>
      <div className={`check-verdict ${verdict}`}>
        {VERDICT_LABEL[verdict]}
        {borderline && <span className="check-borderline" title="within the scale's uncertainty of the out-of-focus point"> · borderline</span>}
      </div>
      {clickable && item.score !== undefined && (
        <div className="check-marks" role="group" aria-label="Mark as an example" onClick={(e) => e.stopPropagation()} onKeyDown={(e) => e.stopPropagation()}>
          {MARKS.map(({ mark, label, title }) => (
            <button
              key={mark}
              type="button"
              className={item.mark === mark ? `on ${mark}` : mark}
              aria-pressed={item.mark === mark}
              title={title}
              onClick={() => onMark(item.id, item.mark === mark ? undefined : mark)}
              data-testid={`mark-${mark}`}
            >
              {label}
            </button>
          ))}
        </div>
      )}
    </li>
  );
});
